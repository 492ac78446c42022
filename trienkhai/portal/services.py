"""Writes of the portal: articles, announcements, and the life of a reader's comment.

Every rule lives here, whatever the caller (page, API, admin action, demo): who may write or
publish for a unit, which documents and tasks an article may show, and the comment states.
A comment goes pending → approved or rejected (and back between those two) only through
``comment_moderate``, under a row lock and against the state the moderator saw, so of two
moderators racing on one comment exactly one wins. The article's count of approved comments
changes in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trienkhai.core.errors import DomainError
from trienkhai.documents.models import Document
from trienkhai.documents.uploads import UploadRefused, check_upload
from trienkhai.portal.http import portal_changed
from trienkhai.portal.markup import clean_plain, render_body
from trienkhai.portal.models import (
    Announcement,
    Article,
    Category,
    Comment,
    CommentReport,
    refresh_announcement_search,
    refresh_article_search,
)
from trienkhai.portal.selectors import can_publish_for, can_write_for
from trienkhai.tasks.models import Task
from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold

TITLE_MAX = 300
LEAD_MAX = 1000
BODY_MAX = 200_000
NAME_MAX = 80
COMMENT_MAX = 2000
ANNOUNCEMENT_MAX = 3000
MAX_RELATED = 20
COVER_TYPES = ("png", "jpg", "jpeg")

# Comments per address: (window, how many). Counted in the database: it holds across
# server processes whatever the cache.
COMMENT_LIMITS = ((dt.timedelta(minutes=10), 3), (dt.timedelta(days=1), 10))
# Attempts per address (valid or not), counted in the cache: stops a flood of bad posts.
ATTEMPT_LIMIT = 30
ATTEMPT_WINDOW_S = 600
DUPLICATE_ON_ARTICLE = dt.timedelta(days=1)
DUPLICATE_FROM_ADDRESS = dt.timedelta(hours=1)

A = Article.Status
S = Comment.State
TRANSITIONS = {
    S.PENDING: {S.APPROVED, S.REJECTED},
    S.APPROVED: {S.REJECTED},
    S.REJECTED: {S.APPROVED},
}
ACTIONS = {"approve": S.APPROVED, "reject": S.REJECTED}


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _check_writes_for(by: Any, unit: Unit) -> None:
    if by is None:  # the demo, commands and jobs
        return
    if not can_write_for(by, unit):
        raise DomainError(
            _("You can only write for your own unit."), code="forbidden", field="owner"
        )


def _check_publishes_for(by: Any, unit: Unit) -> None:
    if by is None:
        return
    if not can_publish_for(by, unit):
        raise DomainError(
            _("Only the unit's communication staff and leaders may publish or moderate."),
            code="forbidden",
        )


def _changed() -> None:
    """Pages rendered before this write are stale: now (for this process and the tests) and
    again after the commit (a page rendered meanwhile from the old rows is not kept)."""
    portal_changed()
    transaction.on_commit(portal_changed)


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


# --- articles --------------------------------------------------------------------------------


def _slugify(text: str) -> str:
    # "52-NQ/TW" → "52-nq-tw": separators of symbols become hyphens, not nothing
    return slugify(re.sub(r"[/\\.]+", " ", fold(text)))[:200].strip("-")


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """An ASCII address from the title (``nghi-quyet-52``), numbered when already taken."""
    base = _slugify(title) or "bai-viet"
    taken = set(
        Article.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _clean_slug(slug: str, title: str, exclude_pk: int | None) -> str:
    if not slug:
        return unique_slug(title, exclude_pk=exclude_pk)
    cleaned = _slugify(slug)
    if not cleaned:
        raise DomainError(
            _("The address may hold letters, digits and hyphens only."), code="slug", field="slug"
        )
    if Article.objects.filter(slug=cleaned).exclude(pk=exclude_pk).exists():
        raise DomainError(
            _("Another article already has this address."), code="slug_taken", field="slug"
        )
    return cleaned


def _related_documents(by: Any, documents: Iterable[Document]) -> list[Document]:
    docs = list(documents)
    if len(docs) > MAX_RELATED:
        raise DomainError(
            _("Link at most %(n)s documents.") % {"n": MAX_RELATED},
            code="too_many",
            field="documents",
        )
    internal = [d for d in docs if d.visibility != Document.Visibility.PUBLIC]
    if internal:
        raise DomainError(
            _("Only public documents can be linked from a public article: %(docs)s.")
            % {"docs": ", ".join(str(d) for d in internal)},
            code="internal_document",
            field="documents",
        )
    return docs


def _related_tasks(by: Any, tasks: Iterable[Task]) -> list[Task]:
    from trienkhai.tasks.selectors import tasks_for_user

    items = list(tasks)
    if len(items) > MAX_RELATED:
        raise DomainError(
            _("Link at most %(n)s tasks.") % {"n": MAX_RELATED}, code="too_many", field="tasks"
        )
    if any(not t.is_public for t in items):
        raise DomainError(
            _("Only tasks marked public can be linked from a public article."),
            code="internal_task",
            field="tasks",
        )
    if by is not None and items:
        readable = set(
            tasks_for_user(by).filter(pk__in=[t.pk for t in items]).values_list("pk", flat=True)
        )
        if any(t.pk not in readable for t in items):
            raise DomainError(_("Choose tasks you can see."), code="forbidden", field="tasks")
    return items


def _validate_article(article: Article) -> None:
    article.title = _one_line(article.title)
    article.author_line = _one_line(article.author_line)
    article.lead = (article.lead or "").strip()
    if not article.title:
        raise DomainError(_("Enter the title."), code="required", field="title")
    if len(article.title) > TITLE_MAX:
        raise DomainError(
            _("The title is limited to %(n)s characters.") % {"n": TITLE_MAX},
            code="too_long",
            field="title",
        )
    if len(article.lead) > LEAD_MAX:
        raise DomainError(
            _("The lead is limited to %(n)s characters.") % {"n": LEAD_MAX},
            code="too_long",
            field="lead",
        )
    if len(article.body or "") > BODY_MAX:
        raise DomainError(_("The body is too long."), code="too_long", field="body")
    if article.body_format not in Article.Format.values:
        raise DomainError(_("Choose a body format."), code="invalid", field="body_format")


def _store_cover(article: Article, upload: Any, alt: str) -> None:
    try:
        info = check_upload(upload)
    except UploadRefused as exc:
        raise DomainError(exc.message, code="upload", field="cover") from exc
    if info.ext not in COVER_TYPES:
        raise DomainError(
            _("The cover must be a PNG or JPG image."), code="cover_type", field="cover"
        )
    if not alt:
        raise DomainError(
            _("Describe the image in a few words for readers who cannot see it."),
            code="required",
            field="cover_alt",
        )
    upload.seek(0)
    # The client's name is never used on disk.
    article.cover.save(f"{secrets.token_hex(16)}.{info.ext}", File(upload), save=False)
    article.cover_type = info.content_type
    article.cover_sha256 = info.sha256


@transaction.atomic
def article_create(
    *,
    owner: Unit,
    by: Any,
    title: str,
    lead: str = "",
    body: str = "",
    body_format: str = Article.Format.TEXT,
    author_line: str = "",
    category: Category | None = None,
    slug: str = "",
    comments_open: bool = True,
    documents: Iterable[Document] = (),
    tasks: Iterable[Task] = (),
    cover: Any = None,
    cover_alt: str = "",
) -> Article:
    """Write a draft for ``owner`` (staff, communication staff or a leader of that unit)."""
    _check_writes_for(by, owner)
    article = Article(
        owner=owner,
        title=title,
        lead=lead,
        body=body,
        body_format=body_format,
        author_line=author_line,
        category=category,
        comments_open=comments_open,
        cover_alt=_one_line(cover_alt),
        created_by=_user(by),
    )
    _validate_article(article)
    docs = _related_documents(by, documents)
    task_list = _related_tasks(by, tasks)
    article.slug = _clean_slug(slug, article.title, None)
    article.body_html = render_body(article.body, article.body_format)
    if cover:
        _store_cover(article, cover, article.cover_alt)
    refresh_article_search(article)
    article._history_user = _user(by)
    article._change_reason = "created"
    article.save()
    article.documents.set(docs)
    article.tasks.set(task_list)
    _changed()
    return article


def _locked_article(article: Article) -> Article:
    return (
        Article.objects.select_for_update(of=("self",))
        .select_related("owner", "category")
        .get(pk=article.pk)
    )


def _check_version(article: Article, version: int | None) -> None:
    if version is not None and int(version) != article.version:
        raise DomainError(
            _("Someone else changed this article meanwhile. Reload it and apply your changes."),
            code="stale",
        )


ARTICLE_FIELDS = (
    "title",
    "lead",
    "body",
    "body_format",
    "author_line",
    "category",
    "comments_open",
    "cover_alt",
)


@transaction.atomic
def article_update(
    *,
    article: Article,
    by: Any,
    version: int | None = None,
    slug: str | None = None,
    documents: Iterable[Document] | None = None,
    tasks: Iterable[Task] | None = None,
    cover: Any = None,
    remove_cover: bool = False,
    **fields: Any,
) -> Article:
    """Change an article. A published one is public text: only publishers may change it."""
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    a = _locked_article(article)
    _check_writes_for(by, a.owner)
    if a.status == A.PUBLISHED:
        _check_publishes_for(by, a.owner)
    _check_version(a, version)
    for name, value in fields.items():
        setattr(a, name, value)
    a.cover_alt = _one_line(a.cover_alt)
    _validate_article(a)
    if slug is not None:
        a.slug = _clean_slug(slug, a.title, a.pk)
    docs = _related_documents(by, documents) if documents is not None else None
    task_list = _related_tasks(by, tasks) if tasks is not None else None
    a.body_html = render_body(a.body, a.body_format)
    if remove_cover and a.cover:
        a.cover.delete(save=False)
        a.cover_type = a.cover_sha256 = ""
    if cover:
        _store_cover(a, cover, a.cover_alt)
    elif a.cover and not a.cover_alt:
        raise DomainError(
            _("Describe the image in a few words for readers who cannot see it."),
            code="required",
            field="cover_alt",
        )
    refresh_article_search(a)
    a.version += 1
    a._history_user = _user(by)
    a.save()
    if docs is not None:
        a.documents.set(docs)
    if task_list is not None:
        a.tasks.set(task_list)
    _changed()
    return a


@transaction.atomic
def article_publish(
    *,
    article: Article,
    by: Any,
    publish_at: dt.datetime | None = None,
    version: int | None = None,
) -> Article:
    """Publish now, or at ``publish_at`` (the article appears then, with no job to run)."""
    a = _locked_article(article)
    _check_publishes_for(by, a.owner)
    _check_version(a, version)
    if not a.body_html and not a.lead:
        raise DomainError(
            _("An article needs a lead or a body before it is published."),
            code="empty",
            field="body",
        )
    a.status = A.PUBLISHED
    a.publish_at = publish_at or a.publish_at or timezone.now()
    if publish_at is None and a.publish_at > timezone.now():
        # "publish" without a time on a scheduled article: now
        a.publish_at = timezone.now()
    a.version += 1
    a._history_user = _user(by)
    a._change_reason = "published"
    a.save()
    _changed()
    return a


@transaction.atomic
def article_unpublish(*, article: Article, by: Any, version: int | None = None) -> Article:
    """Withdraw a published article (back to draft; its address then answers 404)."""
    a = _locked_article(article)
    _check_publishes_for(by, a.owner)
    _check_version(a, version)
    if a.status != A.PUBLISHED:
        raise DomainError(_("This article is not published."), code="not_published")
    a.status = A.DRAFT
    a.version += 1
    a._history_user = _user(by)
    a._change_reason = "withdrawn"
    a.save()
    _changed()
    return a


# --- announcements ---------------------------------------------------------------------------


def _validate_announcement(a: Announcement) -> None:
    a.title = _one_line(a.title)
    a.body = clean_plain(a.body)
    if not a.title:
        raise DomainError(_("Enter the title."), code="required", field="title")
    if len(a.title) > TITLE_MAX:
        raise DomainError(
            _("The title is limited to %(n)s characters.") % {"n": TITLE_MAX},
            code="too_long",
            field="title",
        )
    if len(a.body) > ANNOUNCEMENT_MAX:
        raise DomainError(
            _("An announcement is short: at most %(n)s characters.") % {"n": ANNOUNCEMENT_MAX},
            code="too_long",
            field="body",
        )
    if a.date is None:
        raise DomainError(_("Enter the date."), code="required", field="date")
    if a.expires_on is not None and a.expires_on < a.date:
        raise DomainError(
            _("The last day shown is before the date."), code="dates", field="expires_on"
        )
    if a.status not in Announcement.Status.values:
        raise DomainError(_("Choose a status."), code="invalid", field="status")


ANNOUNCEMENT_FIELDS = ("title", "body", "date", "pinned", "expires_on", "status")


@transaction.atomic
def announcement_create(*, owner: Unit, by: Any, **fields: Any) -> Announcement:
    """A notice of ``owner``; publishing it (status) needs a publisher of the unit."""
    unknown = set(fields) - set(ANNOUNCEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check_writes_for(by, owner)
    fields.setdefault("date", timezone.localdate())
    a = Announcement(owner=owner, created_by=_user(by), **fields)
    _validate_announcement(a)
    if a.status == A.PUBLISHED:
        _check_publishes_for(by, owner)
    refresh_announcement_search(a)
    a._history_user = _user(by)
    a.save()
    _changed()
    return a


@transaction.atomic
def announcement_update(*, announcement: Announcement, by: Any, **fields: Any) -> Announcement:
    unknown = set(fields) - set(ANNOUNCEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    a = (
        Announcement.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=announcement.pk)
    )
    _check_writes_for(by, a.owner)
    if a.status == A.PUBLISHED or fields.get("status") == A.PUBLISHED:
        _check_publishes_for(by, a.owner)
    for name, value in fields.items():
        setattr(a, name, value)
    _validate_announcement(a)
    refresh_announcement_search(a)
    a._history_user = _user(by)
    a.save()
    _changed()
    return a


# --- comments --------------------------------------------------------------------------------


@dataclass
class CommentReceipt:
    """What a reader gets back: the held comment (None for a bot) and a removal token."""

    comment: Comment | None
    removal_token: str


def address_hash(ip: str | None) -> str:
    """A keyed hash of the reader's address (IPv6 by its /64): never the address itself."""
    key = "unknown"
    if ip:
        try:
            addr = ipaddress.ip_address(ip.strip())
        except ValueError:
            key = "invalid"
        else:
            if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
                addr = addr.ipv4_mapped
            if addr.version == 6:
                key = str(ipaddress.ip_network(f"{addr}/64", strict=False).network_address)
            else:
                key = str(addr)
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"portal-address:{key}".encode(), hashlib.sha256).hexdigest()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def note_comment_attempt(*, ip: str | None) -> bool:
    """Count one attempt to post from this address; False once the address sent too many."""
    key = f"portal:attempts:{address_hash(ip)}"
    if cache.add(key, 1, ATTEMPT_WINDOW_S):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ATTEMPT_WINDOW_S)
        return True
    return count <= ATTEMPT_LIMIT


def _clean_comment_fields(name: str, email: str, text: str) -> tuple[str, str, str]:
    name = clean_plain(name, multiline=False)
    email = (email or "").strip()
    text = clean_plain(text)
    if not name:
        raise DomainError(_("Enter your name."), code="required", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(
            _("The name is limited to %(n)s characters.") % {"n": NAME_MAX},
            code="too_long",
            field="name",
        )
    if not email:
        raise DomainError(
            _("Enter your email address (it is not published)."), code="required", field="email"
        )
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            _("Enter a valid email address, e.g. ten@example.com."), code="invalid", field="email"
        )
    if not text:
        raise DomainError(_("Write your comment."), code="required", field="text")
    if len(text) > COMMENT_MAX:
        raise DomainError(
            _("A comment is limited to %(max)s characters; yours has %(n)s.")
            % {"max": COMMENT_MAX, "n": len(text)},
            code="too_long",
            field="text",
        )
    return name, email, text


@transaction.atomic
def comment_post(
    *,
    article: Article,
    name: str,
    email: str,
    text: str,
    ip: str | None,
    honeypot: str = "",
) -> CommentReceipt:
    """Hold a reader's comment for moderation, after the anti-abuse checks."""
    token = secrets.token_urlsafe(24)
    if (honeypot or "").strip():
        # A field people never see was filled: a bot. Same answer, nothing stored.
        return CommentReceipt(None, token)
    now = timezone.now()
    if not article.is_public(now) or not article.comments_open:
        raise DomainError(_("Comments are closed for this article."), code="closed")
    name, email, text = _clean_comment_fields(name, email, text)
    ip_hash = address_hash(ip)
    text_hash = _sha256(fold(text))
    for window, limit in COMMENT_LIMITS:
        sent = Comment.objects.filter(
            ip_hash=ip_hash, created__gte=now - window, is_official=False
        ).count()
        if sent >= limit:
            raise DomainError(
                _(
                    "You have sent several comments in a short time. Please wait a while and"
                    " send again; your text is kept below."
                ),
                code="rate_limited",
            )
    duplicate = (
        Comment.objects.filter(
            article=article, text_hash=text_hash, created__gte=now - DUPLICATE_ON_ARTICLE
        ).exists()
        or Comment.objects.filter(
            ip_hash=ip_hash, text_hash=text_hash, created__gte=now - DUPLICATE_FROM_ADDRESS
        ).exists()
    )
    if duplicate:
        raise DomainError(
            _("This comment has already been sent. It will appear once a moderator approves it."),
            code="duplicate",
            field="text",
        )
    comment = Comment(
        article=article,
        name=name,
        email=email,
        text=text,
        ip_hash=ip_hash,
        text_hash=text_hash,
        removal_hash=_sha256(token),
    )
    comment._change_reason = "posted"
    comment.save()
    return CommentReceipt(comment, token)


def _shown_weight(c: Comment) -> int:
    """How many approved comments ``c`` shows when approved: itself and its approved replies."""
    replies = (
        Comment.objects.filter(parent=c, state=S.APPROVED).count() if c.parent_id is None else 0
    )
    return 1 + replies


def _count_change(article_id: int, delta: int) -> None:
    if delta:
        Article.objects.filter(pk=article_id).update(
            comments_approved=F("comments_approved") + delta
        )


@transaction.atomic
def comment_moderate(
    *, comment: Comment, by: Any, action: str, expected_state: str | None = None
) -> Comment:
    """Approve or reject a comment (a moderator of the article's unit).

    ``expected_state`` is the state the moderator saw: if someone moderated it meanwhile,
    the second decision is refused with a clear message instead of silently overriding.
    """
    target = ACTIONS.get(action)
    if target is None:
        raise DomainError(_("Unknown action."), code="invalid")
    c = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article__owner")
        .get(pk=comment.pk)
    )
    _check_publishes_for(by, c.article.owner)
    if expected_state is not None and c.state != expected_state:
        raise DomainError(
            _("Someone else has moderated this comment meanwhile: it is now “%(state)s”.")
            % {"state": c.get_state_display()},
            code="stale",
        )
    if target not in TRANSITIONS[c.state]:
        raise DomainError(
            _("This comment is already “%(state)s”.") % {"state": c.get_state_display()},
            code="already",
        )
    parent_shown = c.parent_id is None or c.parent.state == S.APPROVED
    weight = _shown_weight(c) if parent_shown else 0
    delta = weight if target == S.APPROVED else -weight if c.state == S.APPROVED else 0
    c.state = target
    c.moderated_by = _user(by)
    c.moderated_at = timezone.now()
    c._history_user = _user(by)
    c._change_reason = action
    c.save(update_fields=["state", "moderated_by", "moderated_at"])
    _count_change(c.article_id, delta)
    _changed()
    return c


@transaction.atomic
def comment_reply(*, comment: Comment, by: Any, text: str) -> Comment:
    """An official reply of the article's unit, shown at once under the comment.

    Replying to a comment still waiting approves it: the unit answers what it publishes.
    """
    c = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article__owner")
        .get(pk=comment.pk)
    )
    owner = c.article.owner
    _check_publishes_for(by, owner)
    text = clean_plain(text)
    if not text:
        raise DomainError(_("Write the reply."), code="required", field="text")
    if len(text) > COMMENT_MAX:
        raise DomainError(
            _("A comment is limited to %(max)s characters; yours has %(n)s.")
            % {"max": COMMENT_MAX, "n": len(text)},
            code="too_long",
            field="text",
        )
    if c.parent_id is not None:
        raise DomainError(_("Reply to the reader's comment itself."), code="nested")
    if c.state == S.REJECTED:
        raise DomainError(
            _("This comment was rejected: approve it before replying."), code="rejected"
        )
    now = timezone.now()
    delta = 1
    if c.state == S.PENDING:
        c.state = S.APPROVED
        c.moderated_by = _user(by)
        c.moderated_at = now
        c._history_user = _user(by)
        c._change_reason = "approved with a reply"
        c.save(update_fields=["state", "moderated_by", "moderated_at"])
        delta += _shown_weight(c)
    reply = Comment(
        article=c.article,
        parent=c,
        name=(owner.short_name or owner.name)[:NAME_MAX],
        text=text,
        state=S.APPROVED,
        is_official=True,
        official_unit=owner,
        moderated_by=_user(by),
        moderated_at=now,
    )
    reply._history_user = _user(by)
    reply._change_reason = "official reply"
    reply.save()
    _count_change(c.article_id, delta)
    _changed()
    return reply


def comment_report(*, comment: Comment, ip: str | None) -> bool:
    """A reader reports an approved comment; one report per address. True if counted."""
    if comment.state != S.APPROVED or not comment.article.is_public():
        raise DomainError(_("This comment cannot be reported."), code="not_shown")
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, ip_hash=address_hash(ip))
            Comment.objects.filter(pk=comment.pk).update(reports=F("reports") + 1)
    except IntegrityError:
        return False
    return True


def find_comment_by_token(token: str) -> Comment | None:
    if not token or len(token) > 100:
        return None
    return (
        Comment.objects.select_related("article")
        .filter(removal_hash=_sha256(token), is_official=False)
        .first()
    )


@transaction.atomic
def comment_remove(*, token: str) -> Article:
    """The reader's own removal: the comment, its replies and their history are erased."""
    found = find_comment_by_token(token)
    if found is None:
        raise DomainError(_("This removal link is not valid (any more)."), code="not_found")
    c = Comment.objects.select_for_update(of=("self",)).get(pk=found.pk)
    article = found.article
    shown = _shown_weight(c) if c.state == S.APPROVED else 0
    ids = [c.pk, *Comment.objects.filter(parent=c).values_list("pk", flat=True)]
    c.delete()
    # simple_history copied the text and name on every change (and on this delete): erase.
    Comment.history.filter(id__in=ids).delete()
    _count_change(article.pk, -shown)
    _changed()
    return article
