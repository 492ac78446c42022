"""HTTP details of public pages: caching headers, and the origin check of anonymous forms."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    set_response_etag,
)
from django.utils.translation import get_language

PAGE_MAX_AGE = 60
FEED_MAX_AGE = 300


def public_page(max_age: int = PAGE_MAX_AGE, *, revalidate: bool = False) -> Callable:
    """Cache headers of a public GET: shared caches may keep it when the reader is anonymous.

    Anonymous: ``public, max-age`` (``no-cache`` with ``revalidate``: the copy is checked
    every time) and an ETag of the content, answered with 304 when the reader has it.
    Signed in: ``private, no-cache`` — a staff member's page is never stored for others.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD") or response.status_code != 200:
                return response
            if response.has_header("Cache-Control"):
                return response  # the view decided (e.g. a form with errors: no-store)
            if request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
                return response
            if revalidate:
                patch_cache_control(response, public=True, no_cache=True, max_age=0)
            else:
                patch_cache_control(response, public=True, max_age=max_age)
            if not response.streaming and not response.has_header("ETag"):
                set_response_etag(response)
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=None,
                response=response,
            )

        return wrapped

    return decorator


GENERATION_KEY = "portal:generation"


def _new_generation() -> int:
    # a time-based start, so a generation lost from the cache is never reused
    return int(time.time() * 1000)


def portal_changed() -> None:
    """Every write of the portal calls this: rendered pages of older generations are unused."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (evicted, or a fresh process)
        cache.set(GENERATION_KEY, _new_generation(), None)


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Keep an anonymous page's HTML in the cache for ``PAGE_MAX_AGE`` seconds.

    The key holds the portal's generation (changed by every write: publishing, moderation,
    announcements) and the language; the time limit covers what changes with no write — a
    scheduled article's time comes, an announcement expires, task counters move — exactly as
    the ``max-age`` sent to browsers does. With the default per-process cache a write made in
    one server process reaches the others' copies within that minute; with Redis at once.
    Pages for signed-in users, htmx fragments and query strings other than ``page`` are
    never stored.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if (
            request.method not in ("GET", "HEAD")
            or getattr(request, "htmx", False)
            or set(request.GET) - {"page"}
            or request.user.is_authenticated
        ):
            return view(request, *args, **kwargs)
        generation = cache.get_or_set(GENERATION_KEY, _new_generation, None)
        page = request.GET.get("page", "")
        key = f"portal:page:{generation}:{get_language()}:{request.path}:{page[:6]}"
        content = cache.get(key)
        if content is not None:
            return HttpResponse(content)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.has_header("Cache-Control")
        ):
            cache.set(key, response.content, PAGE_MAX_AGE)
        return response

    return wrapped


def no_store(response: HttpResponse) -> HttpResponse:
    """For answers that are one reader's own (a removal link, a form with their text)."""
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def same_origin(request: HttpRequest) -> bool:
    """The request comes from one of our own pages (CSRF defence of the anonymous forms).

    Browsers send ``Origin`` with every POST; without it, ``Referer`` (our policy keeps it
    on same-origin requests). A missing or foreign origin is refused.
    """
    own = own_origin(request)
    trusted = {own, *getattr(settings, "CSRF_TRUSTED_ORIGINS", [])}
    origin = request.META.get("HTTP_ORIGIN")
    if origin is not None:
        return origin in trusted
    referer = request.META.get("HTTP_REFERER")
    if not referer:
        return False
    parts = urlsplit(referer)
    return f"{parts.scheme}://{parts.netloc}" in trusted
