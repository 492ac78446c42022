"""The editors' side: articles, announcements, the moderation queue and the staff search.

Objects come through ``portal.selectors`` (404 outside the user's reach); the services decide
who may write, publish or moderate. Filters come from allow-lists; lists are paginated.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trienkhai.accounts.scoping import units_for_user
from trienkhai.core.errors import DomainError
from trienkhai.documents.selectors import documents_for_user
from trienkhai.portal import services
from trienkhai.portal.forms import AnnouncementForm, ArticleForm, ModerationForm, ReplyForm
from trienkhai.portal.models import Announcement, Article, Comment
from trienkhai.portal.selectors import (
    announcements_for_user,
    articles_for_user,
    can_publish_for,
    can_write_for,
    comments_for_moderator,
    get_announcement_for_user,
    get_article_for_user,
    get_comment_for_moderator,
    moderated_units,
    writing_units,
)
from trienkhai.tasks.selectors import tasks_for_user

PER_PAGE = 25
SEARCH_EACH = 10
STATUS_FILTERS = ("draft", "published", "scheduled")
QUEUE_FILTERS = ("pending", "reported", "approved", "rejected")


def _page(request: HttpRequest, qs: Any, per_page: int = PER_PAGE):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Home"), reverse("core:home")), (_("Portal"), reverse("portal:manage")), *items]


@login_required
@require_safe
def manage(request: HttpRequest) -> HttpResponse:
    """The editor's list of articles of the units in reach, with filters."""
    qs = articles_for_user(request.user).select_related("owner", "category")
    status = request.GET.get("status", "")
    now = timezone.now()
    if status == "draft":
        qs = qs.filter(status=Article.Status.DRAFT)
    elif status == "published":
        qs = qs.published(now)
    elif status == "scheduled":
        qs = qs.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
    else:
        status = ""
    q = request.GET.get("q", "")[:200]
    if q.strip():
        qs = qs.search(q)
    page = _page(request, qs.order_by("-created", "-pk"))
    # waiting comments of this page's articles only: one small GROUP BY, not one per row
    waiting = dict(
        Comment.objects.filter(
            article__in=[a.pk for a in page.object_list], state=Comment.State.PENDING
        )
        .values_list("article")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for a in page.object_list:
        a.pending = waiting.get(a.pk, 0)
    pending = comments_for_moderator(request.user).filter(state=Comment.State.PENDING).count()
    return render(
        request,
        "portal/manage/home.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "status_filters": STATUS_FILTERS,
            "pending": pending,
            "can_write": writing_units(request.user).exists(),
            "now": now,
            "crumbs": _crumbs((_("Articles"), None)),
        },
    )


def _save_article(request: HttpRequest, form: ArticleForm, article: Article | None):
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "lead": data["lead"],
        "body": data["body"],
        "body_format": data["body_format"],
        "author_line": data["author_line"],
        "category": data["category"],
        "comments_open": data["comments_open"],
        "cover_alt": data["cover_alt"],
    }
    if article is None:
        article = services.article_create(
            owner=data["owner"],
            by=request.user,
            slug=data["slug"],
            documents=data["documents"],
            tasks=data["tasks"],
            cover=data.get("cover"),
            **fields,
        )
        version = article.version
    else:
        article = services.article_update(
            article=article,
            by=request.user,
            version=data.get("version"),
            slug=data["slug"],
            documents=data["documents"],
            tasks=data["tasks"],
            cover=data.get("cover"),
            remove_cover=data.get("remove_cover", False),
            **fields,
        )
        version = article.version
    rescheduled = (
        article.status == Article.Status.PUBLISHED
        and data["publish_at"] is not None
        and data["publish_at"] != article.publish_at
    )
    if request.POST.get("action") == "publish" or rescheduled:
        article = services.article_publish(
            article=article, by=request.user, publish_at=data["publish_at"], version=version
        )
    return article


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def article_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = get_article_for_user(request.user, pk, write=True) if pk is not None else None
    if article is None and not writing_units(request.user).exists():
        return render(request, "portal/manage/no_unit.html", status=403)
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES, user=request.user, article=article)
        if form.is_valid():
            try:
                saved = _save_article(request, form, article)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                if saved.is_scheduled:
                    msg = _("Saved. The article will appear on %(time)s.") % {
                        "time": timezone.localtime(saved.publish_at).strftime("%H:%M %d/%m/%Y")
                    }
                elif saved.status == Article.Status.PUBLISHED:
                    msg = _("Saved and published.")
                else:
                    msg = _("Draft saved.")
                messages.success(request, msg)
                return redirect("portal:manage_article", pk=saved.pk)
    else:
        initial = ArticleForm.initial_for(article) if article else {"comments_open": True}
        if article is None:
            units = list(writing_units(request.user)[:2])
            if len(units) == 1:
                initial["owner"] = units[0].pk
        form = ArticleForm(initial=initial, user=request.user, article=article)
    can_publish = (
        can_publish_for(request.user, article.owner)
        if article
        else any(can_publish_for(request.user, u) for u in writing_units(request.user)[:50])
    )
    title = _("Edit article") if article else _("New article")
    crumbs = [(_("Articles"), reverse("portal:manage"))]
    if article:
        crumbs.append((article.title, reverse("portal:manage_article", args=[article.pk])))
    return render(
        request,
        "portal/manage/article_form.html",
        {
            "form": form,
            "article": article,
            "can_publish": can_publish,
            "title": title,
            "crumbs": _crumbs(*crumbs, (title, None)),
        },
    )


def _history(article: Article) -> list[tuple[Any, Any, str]]:
    """(when, who, what) of the last changes; the related-document rows of one save merged."""
    labels = {
        "created": _("created"),
        "published": _("published"),
        "withdrawn": _("withdrawn"),
    }
    rows: list[tuple[Any, Any, str]] = []
    for h in article.history.select_related("history_user").order_by("-history_date")[:30]:
        what = labels.get(h.history_change_reason or "", "") or (
            _("created") if h.history_type == "+" else _("changed")
        )
        row = (h.history_date, h.history_user, what)
        same_save = (
            rows and rows[-1][1:] == row[1:] and abs((rows[-1][0] - row[0]).total_seconds()) < 5
        )
        if same_save:
            continue
        rows.append(row)
    return rows[:10]


@login_required
@require_safe
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article_for_user(request.user, pk)
    history = _history(article)
    return render(
        request,
        "portal/manage/article.html",
        {
            "article": article,
            "documents": list(article.documents.all()),
            "tasks": list(article.tasks.all()),
            "can_write": can_write_for(request.user, article.owner)
            and (
                article.status == Article.Status.DRAFT
                or can_publish_for(request.user, article.owner)
            ),
            "can_publish": can_publish_for(request.user, article.owner),
            "is_public": article.is_public(),
            "history": history,
            "pending": article.comments.filter(state=Comment.State.PENDING).count(),
            "crumbs": _crumbs((_("Articles"), reverse("portal:manage")), (article.title, None)),
        },
    )


@login_required
@require_POST
def article_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = get_article_for_user(request.user, pk)
    try:
        if action == "publish":
            services.article_publish(
                article=article, by=request.user, version=request.POST.get("version") or None
            )
            messages.success(request, _("Published."))
        else:
            services.article_unpublish(
                article=article, by=request.user, version=request.POST.get("version") or None
            )
            messages.success(request, _("Withdrawn: the article is a draft again."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("portal:manage_article", pk=article.pk)


# --- announcements ---------------------------------------------------------------------------


@login_required
@require_safe
def announcement_list(request: HttpRequest) -> HttpResponse:
    qs = announcements_for_user(request.user).select_related("owner").order_by("-date", "-pk")
    return render(
        request,
        "portal/manage/announcements.html",
        {
            "page": _page(request, qs),
            "today": timezone.localdate(),
            "can_write": writing_units(request.user).exists(),
            "crumbs": _crumbs((_("Announcements"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def announcement_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    a = get_announcement_for_user(request.user, pk, write=True) if pk is not None else None
    if a is None and not writing_units(request.user).exists():
        return render(request, "portal/manage/no_unit.html", status=403)
    if request.method == "POST":
        form = AnnouncementForm(request.POST, user=request.user, announcement=a)
        if form.is_valid():
            d = form.cleaned_data
            fields = {
                "title": d["title"],
                "body": d["body"],
                "date": d["date"],
                "expires_on": d["expires_on"],
                "pinned": d["pinned"],
                "status": Announcement.Status.PUBLISHED
                if d["published"]
                else Announcement.Status.DRAFT,
            }
            try:
                if a is None:
                    services.announcement_create(owner=d["owner"], by=request.user, **fields)
                else:
                    services.announcement_update(announcement=a, by=request.user, **fields)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Announcement saved."))
                return redirect("portal:manage_announcements")
    else:
        initial = AnnouncementForm.initial_for(a) if a else {"date": timezone.localdate()}
        if a is None:
            units = list(writing_units(request.user)[:2])
            if len(units) == 1:
                initial["owner"] = units[0].pk
        form = AnnouncementForm(initial=initial, user=request.user, announcement=a)
    title = _("Edit announcement") if a else _("New announcement")
    return render(
        request,
        "portal/manage/announcement_form.html",
        {
            "form": form,
            "announcement": a,
            "title": title,
            "crumbs": _crumbs(
                (_("Announcements"), reverse("portal:manage_announcements")), (title, None)
            ),
        },
    )


# --- moderation ------------------------------------------------------------------------------


@login_required
@require_safe
def moderation(request: HttpRequest) -> HttpResponse:
    """The queue of the units the user moderates: waiting first, oldest first."""
    state = request.GET.get("state", "pending")
    if state not in QUEUE_FILTERS:
        state = "pending"
    qs = comments_for_moderator(request.user).filter(is_official=False)
    units = list(moderated_units(request.user).order_by("path")[:200])
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit() and any(u.pk == int(unit_id) for u in units):
        qs = qs.filter(article__owner=int(unit_id))
    else:
        unit_id = ""
    if state == "reported":
        qs = qs.filter(state=Comment.State.APPROVED, reports__gt=0).order_by("-reports", "-pk")
    elif state == "pending":
        qs = qs.filter(state=Comment.State.PENDING).order_by("created", "pk")
    else:
        qs = qs.filter(state=state).order_by("-created", "-pk")
    qs = qs.select_related("article__owner").prefetch_related("replies")
    return render(
        request,
        "portal/manage/moderation.html",
        {
            "page": _page(request, qs),
            "state": state,
            "filters": QUEUE_FILTERS,
            "units": units,
            "unit_id": unit_id,
            "reply_form": ReplyForm(),
            "crumbs": _crumbs((_("Reader comments"), None)),
        },
    )


def _row_answer(request: HttpRequest, comment: Comment, error: str = "") -> HttpResponse:
    if request.htmx:
        comment = Comment.objects.select_related("article__owner").get(pk=comment.pk)
        return render(
            request,
            "portal/manage/_comment_row.html",
            {"c": comment, "error": error, "reply_form": ReplyForm(), "done": not error},
        )
    if error:
        messages.error(request, error)
    back = request.POST.get("next", "")
    if not back.startswith(reverse("portal:moderation")):
        back = reverse("portal:moderation")
    return redirect(back)


@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_moderator(request.user, pk)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return _row_answer(request, comment, _("Unknown action."))
    try:
        services.comment_moderate(
            comment=comment,
            by=request.user,
            action=form.cleaned_data["action"],
            expected_state=form.cleaned_data["state"],
        )
    except DomainError as exc:
        return _row_answer(request, comment, exc.message)
    if not request.htmx:
        done = (
            _("Comment approved: it is shown on the article.")
            if form.cleaned_data["action"] == "approve"
            else _("Comment rejected: it is not shown.")
        )
        messages.success(request, done)
    return _row_answer(request, comment)


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_moderator(request.user, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _row_answer(request, comment, _("Write the reply."))
    try:
        services.comment_reply(comment=comment, by=request.user, text=form.cleaned_data["text"])
    except DomainError as exc:
        return _row_answer(request, comment, exc.message)
    if not request.htmx:
        messages.success(request, _("Official reply published."))
    return _row_answer(request, comment)


# --- staff search ----------------------------------------------------------------------------


@login_required
@require_safe
def staff_search(request: HttpRequest) -> HttpResponse:
    """Units, documents, tasks and articles the user may read, by the same scoping."""
    q = request.GET.get("q", "")[:200]
    groups: list[tuple[str, list[tuple[str, str, str]]]] = []
    if q.strip():
        user = request.user
        units = units_for_user(user).search(q).order_by("depth", "name")[:SEARCH_EACH]
        groups.append(
            (
                _("Units"),
                [(u.name, reverse("units:detail", args=[u.pk]), u.short_name) for u in units],
            )
        )
        docs = documents_for_user(user).search(q).order_by("-issue_date", "-pk")[:SEARCH_EACH]
        groups.append(
            (
                _("Documents"),
                [
                    (d.label, reverse("documents:detail", args=[d.pk]), d.title or d.summary[:120])
                    for d in docs
                ],
            )
        )
        tasks = tasks_for_user(user).search(q).select_related("issuer")[:SEARCH_EACH]
        groups.append(
            (
                _("Tasks"),
                [(t.title, reverse("tasks:detail", args=[t.pk]), t.issuer.name) for t in tasks],
            )
        )
        articles = articles_for_user(user).search(q).order_by("-created")[:SEARCH_EACH]
        groups.append(
            (
                _("Articles"),
                [
                    (a.title, reverse("portal:manage_article", args=[a.pk]), a.get_status_display())
                    for a in articles
                ],
            )
        )
    return render(
        request,
        "portal/manage/search.html",
        {"q": q, "groups": groups, "crumbs": _crumbs((_("Search"), None))},
    )
