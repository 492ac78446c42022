"""Idle timeout for sessions (the absolute limit is SESSION_COOKIE_AGE)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_LAST_SEEN = "last_seen"


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_LAST_SEEN)
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif last is None or now - int(last) > 60:
                # Write at most once a minute so every request does not rewrite the session.
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until a leader's or an administrator's session has passed the second factor, every
    page leads to the second-factor page (``accounts.second_factor``); the API says 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # No session cookie, no session user: API tokens and anonymous visitors pass here
        # without loading anything.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            answer = self._stop(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _stop(self, request: HttpRequest) -> HttpResponse | None:
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _

        from trienkhai.accounts.second_factor import needs_second_factor

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not needs_second_factor(user):
            return None
        if getattr(user, "is_verified", None) and user.is_verified():
            return None
        request.second_factor_pending = True  # the page header shows no menu yet
        page = reverse("accounts:second_factor")
        allowed = (page, reverse("accounts:logout"), "/i18n/", settings.STATIC_URL)
        if request.path.startswith(allowed):
            return None
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            detail = _("Enter the code of your authenticator app on the website first.")
            return JsonResponse({"detail": detail}, status=403)
        target = f"{page}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            from django_htmx.http import HttpResponseClientRedirect

            return HttpResponseClientRedirect(target)
        return redirect(target)
