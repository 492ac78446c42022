"""What the public reads: news articles, announcements and reader comments.

An article is visible to the public when it is published and its publication time has come
(``Article.objects.published()``): scheduled publishing needs no job. Comments are
pre-moderated: nothing a reader writes is shown before a moderator approves it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from trienkhai.vntext.text import fold

MAX_SEARCH_WORDS = 8


def search_words(query: str) -> list[str]:
    """The folded words of a search box (at most 8 words of 50 characters)."""
    return [w[:50] for w in fold((query or "")[:200]).split()][:MAX_SEARCH_WORDS]


class Category(models.Model):
    """A section of the portal (news, study and dissemination, digital transformation…)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order", "position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:category", args=[self.slug])


class ArticleQuerySet(models.QuerySet):
    def published(self, now: dt.datetime | None = None) -> ArticleQuerySet:
        """What the public sees: published, and its publication time has come."""
        now = now or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now)

    def search(self, query: str) -> ArticleQuerySet:
        """Accent-insensitive: every word must appear in the title, lead, body or author."""
        qs = self
        for word in search_words(query):
            qs = qs.filter(search_text__contains=word)
        return qs


def _cover_upload_to(instance: Article, filename: str) -> str:
    # The caller picks a random name; keep files in per-month folders.
    today = dt.date.today()
    return f"portal/covers/{today:%Y/%m}/{filename}"


class Article(models.Model):
    """A news article of a unit, with its body sanitized once when it is saved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Format(models.TextChoices):
        TEXT = "text", _("Text with simple formatting")
        HTML = "html", _("HTML (cleaned)")

    owner = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="articles",
        help_text=_("The unit that publishes the article; its editors may change it."),
    )
    title = models.CharField(pgettext_lazy("article", "title"), max_length=300)
    slug = models.SlugField(_("address"), max_length=220, unique=True)
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"), blank=True)
    body_format = models.CharField(
        _("body format"), max_length=8, choices=Format.choices, default=Format.TEXT
    )
    body_html = models.TextField(editable=False, default="")
    author_line = models.CharField(_("author"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    cover = models.FileField(_("cover image"), upload_to=_cover_upload_to, blank=True)
    cover_alt = models.CharField(_("cover description"), max_length=300, blank=True)
    cover_type = models.CharField(max_length=40, blank=True, editable=False)
    cover_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    publish_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    documents = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("related documents"),
        blank=True,
        related_name="articles",
    )
    tasks = models.ManyToManyField(
        "tasks.Task", verbose_name=_("related tasks"), blank=True, related_name="articles"
    )
    comments_open = models.BooleanField(_("readers may comment"), default=True)
    # approved comments (official replies included), kept by the moderation services
    comments_approved = models.PositiveIntegerField(default=0, editable=False)
    search_title = models.CharField(max_length=300, editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["body_html", "search_title", "search_text", "comments_approved"],
        m2m_fields=[documents, tasks],
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_published"),
            models.Index(
                fields=["category", "status", "-publish_at"], name="article_category_published"
            ),
            models.Index(fields=["owner", "-created"], name="article_owner_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(publish_at__isnull=False),
                name="article_published_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:article", args=[self.slug])

    def is_public(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= now
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )


class AnnouncementQuerySet(models.QuerySet):
    def current(self, today: dt.date | None = None) -> AnnouncementQuerySet:
        """Published, dated today or earlier, not expired."""
        today = today or timezone.localdate()
        return self.filter(status=Announcement.Status.PUBLISHED, date__lte=today).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )

    def search(self, query: str) -> AnnouncementQuerySet:
        qs = self
        for word in search_words(query):
            qs = qs.filter(search_text__contains=word)
        return qs


class Announcement(models.Model):
    """A short dated notice (thông báo), optionally pinned on the home page, until it expires."""

    Status = Article.Status

    owner = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(pgettext_lazy("announcement", "title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    date = models.DateField(_("date"))
    pinned = models.BooleanField(_("pinned on the home page"), default=False)
    expires_on = models.DateField(_("shown until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-pinned", "-date", "-pk"]
        indexes = [models.Index(fields=["status", "-date"], name="announcement_current")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("date")),
                name="announcement_expires_after_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:announcement", args=[self.pk])


class Comment(models.Model):
    """A reader's comment (pre-moderated) or an official reply of the publishing unit."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    name = models.CharField(_("name"), max_length=80)
    # never shown on a public page; moderators may need to write back
    email = models.EmailField(_("email"), blank=True)
    text = models.TextField(_("comment"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    is_official = models.BooleanField(_("official reply"), default=False)
    official_unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reports = models.PositiveIntegerField(_("reports"), default=0)
    # HMAC of the address (never the address itself), for rate limits and duplicates
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    text_hash = models.CharField(max_length=64, blank=True, editable=False)
    # the reader's removal link, stored hashed
    removal_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    # what changed and who moderated; the reader's email and address are not copied
    history = HistoricalRecords(excluded_fields=["email", "ip_hash", "text_hash", "removal_hash"])

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created", "pk"]
        indexes = [
            models.Index(fields=["article", "state", "created"], name="comment_article_state"),
            models.Index(fields=["state", "-created"], name="comment_queue"),
            models.Index(fields=["ip_hash", "created"], name="comment_address"),
            models.Index(fields=["article", "text_hash"], name="comment_duplicate"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:60]}"

    @property
    def author_label(self) -> str:
        if self.is_official and self.official_unit_id:
            return self.official_unit.short_name or self.official_unit.name
        return self.name


class CommentReport(models.Model):
    """A reader's report of a comment: one per address, so the count means something.

    An append-only log row (like ``accounts.AuditEvent``): never edited, so no history.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    ip_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "ip_hash"], name="commentreport_once")
        ]

    def __str__(self) -> str:
        return f"{self.comment_id} {self.created:%Y-%m-%d %H:%M}"


def refresh_article_search(article: Article) -> None:
    """The folded title and full text the search box reads (both databases)."""
    from trienkhai.portal.markup import html_to_text

    article.search_title = fold(article.title)[:300]
    category = article.category.name if article.category_id else ""
    article.search_text = fold(
        f"{article.title} {article.lead} {html_to_text(article.body_html)}"
        f" {article.author_line} {category}"
    )


def refresh_announcement_search(announcement: Announcement) -> None:
    announcement.search_text = fold(f"{announcement.title} {announcement.body}")
