"""The personal calendar feed (ICS) of a user's deadlines.

Calendar apps (Outlook, Google Calendar, phones) cannot log in, so the feed is reached by a
secret URL: ``calendar/<user id>.<secret>.ics``. The secret is ``User.calendar_token``; it is
compared in constant time after looking the user up by id, and any mismatch is a 404. A new
secret (``calendar/reset/``) makes the old URL stop working.

The feed lists the open assignments of the units the user acts for (staff or leader
memberships): one all-day event per deadline. Deadlines of units below theirs are not in it —
those belong to the dashboard.
"""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from icalendar import Calendar, Event, vDuration

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent, Membership
from trienkhai.tasks.models import Assignment

FEED_LIMIT = 2000  # events per feed; beyond it the oldest deadlines are left out
TOKEN_MAX = 64  # User.calendar_token's max_length


def new_token() -> str:
    return secrets.token_urlsafe(32)


def issue_token(user, *, replace: bool = False) -> str:
    """The user's secret, created on first use; ``replace`` issues a new one."""
    if replace or not user.calendar_token:
        fresh = new_token()
        qs = get_user_model().objects.filter(pk=user.pk)
        if not replace:
            # Two first visits at once: the first token written wins, both pages show it.
            qs = qs.filter(calendar_token="")
        qs.update(calendar_token=fresh)
        user.calendar_token = (
            get_user_model().objects.values_list("calendar_token", flat=True).get(pk=user.pk)
        )
    return user.calendar_token


def feed_path(user) -> str:
    return reverse("tasks:calendar", args=[f"{user.pk}.{user.calendar_token}"])


def feed_url(user) -> str:
    return settings.SITE_URL.rstrip("/") + feed_path(user)


def _user_for(token: str):
    """The active user whose secret this is, or None."""
    user_id, sep, secret = token.partition(".")
    if not sep or not user_id.isdigit() or not secret or len(secret) > TOKEN_MAX:
        return None
    user = (
        get_user_model()
        .objects.filter(pk=int(user_id), is_active=True)
        .only("pk", "calendar_token", "is_active")
        .first()
    )
    if user is None or not user.calendar_token:
        return None
    return user if constant_time_compare(secret, user.calendar_token) else None


def _acting_unit_ids(user) -> list[int]:
    roles = (Membership.Role.STAFF, Membership.Role.LEADER)
    return list(
        Membership.objects.filter(user=user, role__in=roles).values_list("unit_id", flat=True)
    )


def feed_assignments(user) -> list[Assignment]:
    """Open assignments, with a deadline, of the units the user acts for."""
    units = _acting_unit_ids(user)
    if not units:
        return []
    return list(
        Assignment.objects.open()
        .filter(unit_id__in=units, due_date__isnull=False)
        .select_related("task", "unit")
        .only("pk", "due_date", "period", "state", "task__title", "unit__name")
        .order_by("-due_date", "-pk")[:FEED_LIMIT]
    )


def build_ics(user, assignments: list[Assignment], *, today: dt.date | None = None) -> bytes:
    """An RFC 5545 calendar with one all-day event per assignment deadline."""
    today = today or timezone.localdate()
    base = settings.SITE_URL.rstrip("/")
    host = urlsplit(base).hostname or "trienkhai"
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//trienkhai//deadlines//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Deadlines — trienkhai"))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    # how often calendar apps should fetch it again (Outlook's and RFC 7986's names)
    cal.add("x-published-ttl", "PT6H")
    cal.add("refresh-interval", vDuration(dt.timedelta(hours=6)), parameters={"VALUE": "DURATION"})
    for a in assignments:
        title = f"{a.task.title} ({a.period})" if a.period else a.task.title
        url = base + reverse("tasks:update", args=[a.pk])
        lines = [
            _("Unit: %(unit)s") % {"unit": a.unit.name},
            _("Deadline: %(date)s") % {"date": a.due_date.strftime("%d/%m/%Y")},
        ]
        if a.due_date < today:
            lines.append(_("Overdue"))
        lines.append(_("Update progress: %(url)s") % {"url": url})
        event = Event()
        event.add("uid", f"assignment-{a.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", a.due_date)
        event.add("dtend", a.due_date + dt.timedelta(days=1))
        event.add("summary", f"{title} — {a.unit.name}")
        event.add("description", "\n".join(lines))
        event.add("url", url)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = _user_for(token)
    if user is None:
        raise Http404
    with translation.override(settings.LANGUAGE_CODE):
        body = build_ics(user, feed_assignments(user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="trienkhai.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, private=True, max_age=0, no_cache=True)
    return response


@login_required
@require_safe
def calendar_settings(request: HttpRequest) -> HttpResponse:
    issue_token(request.user)
    url = feed_url(request.user)
    context = {
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[-1],
        "acts_for": bool(_acting_unit_ids(request.user)),
    }
    return render(request, "tasks/calendar_settings.html", context)


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    issue_token(request.user, replace=True)
    audit(AuditEvent.Kind.CALENDAR_RESET, request=request, user=request.user)
    messages.success(
        request, _("Your calendar has a new address. The old address no longer works.")
    )
    return redirect("tasks:calendar_settings")
