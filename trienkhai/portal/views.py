"""Public pages: anonymous, fast, complete without JavaScript (htmx only enhances).

Everything shown comes from ``Article.objects.published()``, current announcements, public
documents and the public progress counters. Anonymous GETs carry ``public`` caching headers
and an ETag (``http.public_page``); the three reader forms (comment, report, removal) carry
no per-reader token and are origin-checked instead (``http.same_origin``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from trienkhai.accounts.audit import client_ip
from trienkhai.core.errors import DomainError
from trienkhai.documents.models import Document
from trienkhai.portal import services
from trienkhai.portal.forms import CommentForm, SearchForm
from trienkhai.portal.http import cached_page, no_store, public_page, same_origin
from trienkhai.portal.models import Announcement, Article, Category, Comment
from trienkhai.portal.progress import directive_progress, directives_with_progress
from trienkhai.portal.search import public_search
from trienkhai.portal.selectors import articles_for_user

PER_PAGE = 20
COMMENTS_PER_PAGE = 20
OTHER_NEWS = 6
ANNOUNCEMENTS_ASIDE = 5


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 10_000))
    except (TypeError, ValueError):
        return 1


def _paginate(request: HttpRequest, qs: Any, per_page: int = PER_PAGE):
    paginator = Paginator(qs, per_page)
    number = _page_number(request)
    if number > paginator.num_pages > 0:
        raise Http404
    return paginator.get_page(number)


def _published():
    return Article.objects.published().select_related("category")


def _aside_announcements() -> list[Announcement]:
    return list(
        Announcement.objects.current().only("title", "date", "pinned")[:ANNOUNCEMENTS_ASIDE]
    )


# --- home, article, comments -----------------------------------------------------------------


@require_safe
@public_page()
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    latest = list(_published().defer("body", "body_html", "search_text")[:13])
    current = list(Announcement.objects.current().only("title", "date", "pinned", "body")[:10])
    return render(
        request,
        "portal/home.html",
        {
            "featured": latest[0] if latest else None,
            "latest": latest[1:],
            "pinned": [a for a in current if a.pinned],
            "announcements": [a for a in current if not a.pinned][:ANNOUNCEMENTS_ASIDE],
            "categories": list(Category.objects.all()),
            "directives": list(directives_with_progress()[:5]),
        },
    )


def other_news(article: Article, documents: list[Document], n: int = OTHER_NEWS) -> list[Article]:
    """ "Tin khác": articles sharing a document first (same category before others), then the
    same category, then the latest — each step one indexed query with a limit."""
    base = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .only("title", "slug", "publish_at", "category")
    )
    found: list[Article] = []
    if documents:
        # a semi-join, not a DISTINCT over the join: the newest published articles are
        # walked in index order until n of them share a document
        sharing = Article.documents.through.objects.filter(
            document__in=[d.pk for d in documents]
        ).values("article_id")
        shared = list(base.filter(pk__in=sharing).order_by("-publish_at", "-pk")[:n])
        shared.sort(key=lambda a: a.category_id != article.category_id)
        found.extend(shared)
    if len(found) < n and article.category_id:
        found.extend(
            base.filter(category=article.category_id)
            .exclude(pk__in=[a.pk for a in found])
            .order_by("-publish_at", "-pk")[: n - len(found)]
        )
    if len(found) < n:
        found.extend(
            base.exclude(pk__in=[a.pk for a in found]).order_by("-publish_at", "-pk")[
                : n - len(found)
            ]
        )
    return found


def _approved_comments(article: Article):
    replies = Prefetch(
        "replies",
        queryset=Comment.objects.filter(state=Comment.State.APPROVED)
        .select_related("official_unit")
        .only("parent", "name", "text", "created", "is_official", "official_unit")
        .order_by("created", "pk"),
        to_attr="shown_replies",
    )
    return (
        Comment.objects.filter(article=article, parent__isnull=True, state=Comment.State.APPROVED)
        .only("article", "name", "text", "created", "reports")
        .prefetch_related(replies)
        .order_by("-created", "-pk")
    )


def _comments_context(request: HttpRequest, article: Article) -> dict:
    return {
        "article": article,
        "comments": _paginate(request, _approved_comments(article), COMMENTS_PER_PAGE),
        # reversed once here, not once per comment in the template
        "comments_url": reverse("portal:comments", args=[article.slug]),
        "report_url": reverse("portal:comment_report"),
    }


def _progress_documents(article: Article, documents: list[Document]) -> list[Document]:
    """Directives linked from the article that have a public progress page."""
    ids = {d.pk for d in documents} | set(
        article.tasks.filter(is_public=True).values_list("source_document", flat=True)
    )
    ids.discard(None)
    if not ids:
        return []
    return list(
        directives_with_progress()
        .select_related(None)
        .filter(pk__in=ids)
        .only("symbol", "title", "summary")
    )


def _article_context(request: HttpRequest, article: Article, form: CommentForm) -> dict:
    documents = list(
        article.documents.filter(visibility=Document.Visibility.PUBLIC).only(
            "symbol", "title", "summary", "issue_date", "type_code"
        )
    )
    return {
        "article": article,
        "documents": documents,
        "progress_documents": _progress_documents(article, documents),
        "other_news": other_news(article, documents),
        "announcements": _aside_announcements(),
        "form": form,
        **_comments_context(request, article),
    }


@require_safe
@public_page()
@cached_page
def article(request: HttpRequest, slug: str) -> HttpResponse:
    a = get_object_or_404(_published().select_related("owner"), slug=slug)
    return render(request, "portal/article.html", _article_context(request, a, CommentForm()))


@csrf_exempt  # origin-checked instead: public pages carry no per-reader token (DESIGN.md)
@require_http_methods(["GET", "HEAD", "POST"])
def comments(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the approved comments (a fragment for htmx, a page without JavaScript).
    POST: a reader's comment, held for moderation."""
    a = get_object_or_404(_published().select_related("owner"), slug=slug)
    if request.method == "POST":
        return _post_comment(request, a)
    return _comment_list(request, a)


@public_page(revalidate=True)
def _comment_list(request: HttpRequest, a: Article) -> HttpResponse:
    template = "portal/_comments.html" if request.htmx else "portal/comments_page.html"
    return render(request, template, _comments_context(request, a))


def _refused(request: HttpRequest) -> HttpResponse:
    return no_store(render(request, "portal/refused.html", {"reason": "origin"}, status=403))


def _form_answer(request: HttpRequest, a: Article, form: CommentForm, status: int = 200):
    # htmx swaps only 2xx answers: the fragment with its messages comes back as 200.
    if request.htmx:
        return no_store(render(request, "portal/_comment_form.html", {"article": a, "form": form}))
    context = _article_context(request, a, form)
    return no_store(render(request, "portal/article.html", context, status=status))


def _post_comment(request: HttpRequest, a: Article) -> HttpResponse:
    if not same_origin(request):
        return _refused(request)
    form = CommentForm(request.POST)
    ip = client_ip(request)
    if not services.note_comment_attempt(ip=ip):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Too many attempts from your connection. Please wait a few minutes; your text"
                " is kept below."
            ),
        )
        return _form_answer(request, a, form, status=429)
    if not form.is_valid():
        return _form_answer(request, a, form, status=400)
    try:
        receipt = services.comment_post(
            article=a,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            text=form.cleaned_data["text"],
            ip=ip,
            honeypot=form.cleaned_data["website"],
        )
    except DomainError as exc:
        form.add_domain_error(exc)
        status = 429 if exc.code == "rate_limited" else 400
        return _form_answer(request, a, form, status=status)
    context = {
        "article": a,
        "removal_url": request.build_absolute_uri(
            reverse("portal:comment_remove", args=[receipt.removal_token])
        ),
    }
    template = "portal/_comment_received.html" if request.htmx else "portal/comment_received.html"
    return no_store(render(request, template, context))


@csrf_exempt  # origin-checked instead (DESIGN.md)
@require_http_methods(["POST"])
def comment_report(request: HttpRequest) -> HttpResponse:
    if not same_origin(request):
        return _refused(request)
    pk = request.POST.get("comment", "")
    if not pk.isdigit() or len(pk) > 18:
        raise Http404
    comment = get_object_or_404(
        Comment.objects.select_related("article").filter(
            state=Comment.State.APPROVED,
            article__in=Article.objects.published().values("pk"),
        ),
        pk=pk,
    )
    counted = True
    if services.note_comment_attempt(ip=client_ip(request)):
        try:
            counted = services.comment_report(comment=comment, ip=client_ip(request))
        except DomainError:
            raise Http404
    template = "portal/_reported.html" if request.htmx else "portal/reported.html"
    return no_store(
        render(
            request, template, {"comment": comment, "article": comment.article, "counted": counted}
        )
    )


@csrf_exempt  # origin-checked instead (DESIGN.md)
@require_http_methods(["GET", "HEAD", "POST"])
def comment_remove(request: HttpRequest, token: str) -> HttpResponse:
    """The reader's private link: confirm, then erase their comment."""
    comment = services.find_comment_by_token(token)
    if comment is None:
        response = render(request, "portal/removal.html", {"comment": None}, status=404)
    elif request.method == "POST":
        if not same_origin(request):
            return _refused(request)
        article = services.comment_remove(token=token)
        response = render(request, "portal/removal.html", {"removed": True, "article": article})
    else:
        response = render(
            request, "portal/removal.html", {"comment": comment, "article": comment.article}
        )
    response["X-Robots-Tag"] = "noindex"
    return no_store(response)


# --- lists -----------------------------------------------------------------------------------


@require_safe
@public_page()
@cached_page
def category(request: HttpRequest, slug: str) -> HttpResponse:
    cat = get_object_or_404(Category, slug=slug)
    page = _paginate(request, _published().filter(category=cat).defer("body", "body_html"))
    return render(
        request,
        "portal/list.html",
        {"heading": cat.name, "description": cat.description, "page": page, "category": cat},
    )


def _month_bounds(year: int, month: int | None) -> tuple[dt.datetime, dt.datetime]:
    if not 1900 <= year <= 2999 or (month is not None and not 1 <= month <= 12):
        raise Http404
    start = dt.date(year, month or 1, 1)
    if month is None:
        end = dt.date(year + 1, 1, 1)
    else:
        end = dt.date(year + (month == 12), month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=tz),
        dt.datetime.combine(end, dt.time(), tzinfo=tz),
    )


@require_safe
@public_page()
@cached_page
def archive(request: HttpRequest, year: int, month: int | None = None) -> HttpResponse:
    start, end = _month_bounds(year, month)
    qs = _published().filter(publish_at__gte=start, publish_at__lt=end)
    months = sorted(
        {
            timezone.localtime(t).month
            for t in _published()
            .filter(
                publish_at__gte=_month_bounds(year, None)[0],
                publish_at__lt=_month_bounds(year, None)[1],
            )
            .values_list("publish_at", flat=True)[:5000]
        }
    )
    page = _paginate(request, qs.defer("body", "body_html"))
    heading = (
        _("News of %(month)s/%(year)s") % {"month": month, "year": year}
        if month
        else _("News of %(year)s") % {"year": year}
    )
    return render(
        request,
        "portal/list.html",
        {"heading": heading, "page": page, "year": year, "month": month, "months": months},
    )


@require_safe
@public_page()
@cached_page
def announcements(request: HttpRequest) -> HttpResponse:
    page = _paginate(request, Announcement.objects.current())
    return render(request, "portal/announcements.html", {"page": page})


@require_safe
@public_page()
@cached_page
def announcement(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_object_or_404(Announcement.objects.current(), pk=pk)
    return render(
        request,
        "portal/announcement.html",
        {"announcement": a, "announcements": _aside_announcements()},
    )


@require_safe
@public_page()
@cached_page
def document(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(Document.objects.public().select_related("issuer_unit"), pk=pk)
    articles = list(
        Article.objects.published().filter(documents=doc).only("title", "slug", "publish_at")[:10]
    )
    has_progress = directives_with_progress().filter(pk=doc.pk).exists()
    return render(
        request,
        "portal/document.html",
        {"document": doc, "articles": articles, "has_progress": has_progress},
    )


# --- progress and search ---------------------------------------------------------------------


@require_safe
@public_page()
@cached_page
def progress_index(request: HttpRequest) -> HttpResponse:
    page = _paginate(request, directives_with_progress())
    return render(request, "portal/progress_index.html", {"page": page})


UNITS_PER_PAGE = 50


@require_safe
@public_page()
@cached_page
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(directives_with_progress(), pk=pk)
    sections = directive_progress(doc)
    for s in sections:
        s.page = _paginate_list(request, s.units)
    articles = list(
        Article.objects.published().filter(documents=doc).only("title", "slug", "publish_at")[:5]
    )
    return render(
        request,
        "portal/progress.html",
        {
            "document": doc,
            "sections": sections,
            "articles": articles,
            "today": timezone.localdate(),
        },
    )


def _paginate_list(request: HttpRequest, rows: list):
    paginator = Paginator(rows, UNITS_PER_PAGE)
    return paginator.get_page(_page_number(request))


@require_safe
@public_page()
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = public_search(query) if query.strip() else None
    page = _paginate_list(request, results.hits) if results else None
    return render(
        request, "portal/search.html", {"form": form, "results": results, "page": page, "q": query}
    )


# --- cover images ----------------------------------------------------------------------------


@require_safe
def cover(request: HttpRequest, pk: int) -> HttpResponse:
    """An article's cover: public once published; before that, for readers of its unit."""
    a = Article.objects.published().filter(pk=pk).only("cover", "cover_type").first()
    public = a is not None
    if a is None:
        a = articles_for_user(request.user).filter(pk=pk).only("cover", "cover_type").first()
    if a is None or not a.cover:
        raise Http404
    try:
        fh = a.cover.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(fh, content_type=a.cover_type or "application/octet-stream")
    if public and not request.user.is_authenticated:
        response["Cache-Control"] = "public, max-age=86400"
    else:
        response["Cache-Control"] = "private, no-cache"
    return response
