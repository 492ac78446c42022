"""Pages of study sessions and public information: lists, record, correct, delete, files.

Every object comes through the scoping selectors (404 outside the user's reach); filters and
sorting come from allow-lists; lists are paginated and counted in SQL.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import can_act_for_unit
from trienkhai.documents.selectors import documents_for_user
from trienkhai.outreach import exports
from trienkhai.outreach import forms as f
from trienkhai.outreach.attachments import file_response
from trienkhai.outreach.editing import delete_view, form_page, submitted
from trienkhai.outreach.history import field_labels as _labels
from trienkhai.outreach.history import history_entries as _history
from trienkhai.outreach.listing import list_page, readable_unit, sorted_by, within
from trienkhai.outreach.models import (
    GROUPS,
    HEADCOUNT_GROUPS,
    PublicOutreach,
    SessionFile,
    StudySession,
)
from trienkhai.outreach.selectors import (
    GROUP_LABELS,
    acting_units,
    get_outreach_for_user,
    get_session_for_user,
    outreach_for_user,
    sessions_for_user,
)
from trienkhai.outreach.services import (
    outreach_delete,
    outreach_record,
    outreach_update,
    session_delete,
    session_record,
    session_update,
)
from trienkhai.tasks.selectors import tasks_for_user
from trienkhai.units.models import Unit

log = logging.getLogger(__name__)


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        (_("Home"), reverse("core:home")),
        (_("Study and dissemination"), reverse("outreach:coverage")),
        *items,
    ]


# --- sessions --------------------------------------------------------------------------------


def _session_list(request: HttpRequest):
    user = request.user
    form = f.SessionFilterForm(request.GET)
    v = form.values()
    unit = readable_unit(user, v.get("unit"))
    qs = within(sessions_for_user(user), unit)
    topic = None
    if v.get("topic"):
        topic = tasks_for_user(user).filter(pk=v["topic"]).first()
        if topic is not None:
            qs = qs.filter(topic=topic)
    if v.get("form"):
        qs = qs.filter(form=v["form"])
    if v.get("q"):
        qs = qs.search(v["q"])
    qs = sorted_by(qs, f.SESSION_SORTS, v.get("sort"), "-held_on")
    return form, qs, unit, topic


@login_required
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    form, qs, unit, topic = _session_list(request)
    return list_page(
        request,
        form=form,
        qs=qs.select_related("unit", "topic").prefetch_related("documents"),
        template="outreach/sessions",
        filters=("q", "form", "unit", "topic"),
        unit=unit,
        topic=topic,
        can_record=bool(acting_units(request.user)),
        export_url=reverse("outreach:sessions_export") + "?" + request.GET.urlencode(),
        crumbs=_crumbs((_("Study sessions"), None)),
    )


@login_required
@require_safe
def session_export(request: HttpRequest) -> HttpResponse:
    _form, qs, unit, topic = _session_list(request)
    audit(
        AuditEvent.Kind.EXPORT,
        request=request,
        what="study_sessions",
        unit=unit.pk if unit else None,
        topic=topic.pk if topic else None,
        format="xlsx",
    )
    total = qs.count()
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    exports.write_sessions(
        out,
        sessions=qs.select_related("unit", "topic").prefetch_related("documents"),
        total=total,
    )
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename="study-sessions.xlsx", content_type=exports.XLSX_TYPE
    )


def _headcounts(units: list[Unit]) -> list[dict[str, Any]]:
    return [
        {
            "unit": u,
            "groups": [(GROUP_LABELS[g], getattr(u, g)) for g in HEADCOUNT_GROUPS],
        }
        for u in units
    ]


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = acting_units(user)
    if not units:
        raise Http404
    form = f.SessionForm(request.POST or None, request.FILES or None, user=user, units=units)
    done = submitted(
        request,
        form,
        lambda: session_record(
            assignment=form.cleaned_data["assignment"],
            by=user,
            documents=list(form.cleaned_data["documents"]),
            attendance=form.attendance(),
            files=form.cleaned_data["files"],
            completed=form.cleaned_data["completed"],
            reason=form.cleaned_data["reason"],
            **form.session_fields(),
        ),
        success=_("The study session has been recorded. Thank you."),
        then=lambda session: reverse("outreach:session", args=[session.pk]),
    )
    if done is not None:
        return done
    return form_page(
        request,
        "outreach/sessions/form.html",
        {
            "form": form,
            "headcounts": _headcounts([u for u in units if u.dissolved_on is None]),
            "crumbs": _crumbs(
                (_("Study sessions"), reverse("outreach:sessions")),
                (_("Record a session"), None),
            ),
        },
    )


@login_required
@require_safe
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    s = get_session_for_user(user, pk)
    visible = documents_for_user(user).filter(pk__in=s.documents.values("pk"))
    topic_visible = tasks_for_user(user).filter(pk=s.topic_id).exists()
    return render(
        request,
        "outreach/sessions/detail.html",
        {
            "s": s,
            "documents": visible.order_by("-issue_date", "-pk"),
            "groups": [(GROUP_LABELS[g], getattr(s, g)) for g in GROUPS],
            "headcounts": {g: getattr(s.unit, g) for g in HEADCOUNT_GROUPS},
            "topic_visible": topic_visible,
            "files": s.files.order_by("pk"),
            "history": _history(s, _labels(type(s))),
            "can_edit": can_act_for_unit(user, s.unit),
            "crumbs": _crumbs(
                (_("Study sessions"), reverse("outreach:sessions")),
                (f"{s.unit.short_name or s.unit.name} — {s.held_on:%d/%m/%Y}", None),
            ),
        },
    )


def _session_crumbs(s: StudySession, last: str) -> list[tuple[str, str | None]]:
    return _crumbs(
        (_("Study sessions"), reverse("outreach:sessions")),
        (
            f"{s.unit.short_name or s.unit.name} — {s.held_on:%d/%m/%Y}",
            reverse("outreach:session", args=[s.pk]),
        ),
        (last, None),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    s = get_session_for_user(user, pk, write=True)
    initial = {
        "documents": list(s.documents.values_list("pk", flat=True)),
        "held_on": s.held_on,
        "form": s.form,
        "location": s.location,
        "presenter": s.presenter,
        "minutes": s.minutes,
        "version": s.version,
        **{g: getattr(s, g) for g in GROUPS},
    }
    form = f.SessionForm(
        request.POST or None,
        request.FILES or None,
        user=user,
        units=[s.unit],
        session=s,
        initial=initial,
    )
    done = submitted(
        request,
        form,
        lambda: session_update(
            session=s,
            by=user,
            documents=list(form.cleaned_data["documents"]),
            attendance=form.attendance(),
            files=form.cleaned_data["files"],
            version=form.cleaned_data.get("version"),
            **form.session_fields(),
        ),
        success=_("The session has been corrected."),
        then=reverse("outreach:session", args=[s.pk]),
    )
    if done is not None:
        return done
    return form_page(
        request,
        "outreach/sessions/form.html",
        {
            "form": form,
            "s": s,
            "headcounts": _headcounts([s.unit]),
            "crumbs": _session_crumbs(s, _("Correct")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    s = get_session_for_user(user, pk, write=True)
    return delete_view(
        request,
        delete=lambda reason: session_delete(session=s, by=user, reason=reason),
        success=_("The session has been deleted."),
        then=reverse("outreach:sessions"),
        page=lambda: {
            "what": _("the study session of %(unit)s on %(date)s")
            % {"unit": s.unit.name, "date": f"{s.held_on:%d/%m/%Y}"},
            "cancel_url": reverse("outreach:session", args=[s.pk]),
            "crumbs": _session_crumbs(s, _("Delete")),
        },
    )


@login_required
@require_safe
def session_file(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        stored = SessionFile.objects.get(pk=int(pk))
    except (SessionFile.DoesNotExist, ValueError, TypeError):
        raise Http404
    s = get_session_for_user(request.user, stored.session_id)
    back = (reverse("outreach:session", args=[s.pk]), _("Back to the session"))
    return file_response(
        request,
        stored,
        log=log,
        name="session file",
        back=back,
        session_file=stored.pk,
        session=s.pk,
    )


# --- public information ----------------------------------------------------------------------


@login_required
@require_safe
def outreach_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = f.OutreachFilterForm(request.GET)
    v = form.values()
    unit = readable_unit(user, v.get("unit"))
    qs = within(outreach_for_user(user), unit)
    if v.get("kind"):
        qs = qs.filter(kind=v["kind"])
    if v.get("q"):
        qs = qs.search(v["q"])
    return list_page(
        request,
        form=form,
        qs=sorted_by(qs, f.OUTREACH_SORTS, v.get("sort"), "-held_on").select_related("unit"),
        template="outreach/public",
        filters=("q", "kind", "unit"),
        unit=unit,
        can_record=bool(acting_units(user)),
        crumbs=_crumbs((_("Public information"), None)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def outreach_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = [u for u in acting_units(user) if u.dissolved_on is None]
    if not units:
        raise Http404
    form = f.OutreachForm(request.POST or None, user=user, units=units)
    done = submitted(
        request,
        form,
        lambda: outreach_record(
            unit=form.cleaned_data["unit"],
            by=user,
            documents=list(form.cleaned_data["documents"]),
            **form.item_fields(),
        ),
        success=_("The item has been recorded."),
        then=lambda item: reverse("outreach:public_item", args=[item.pk]),
    )
    if done is not None:
        return done
    return form_page(
        request,
        "outreach/public/form.html",
        {
            "form": form,
            "crumbs": _crumbs(
                (_("Public information"), reverse("outreach:public")), (_("Record an item"), None)
            ),
        },
    )


@login_required
@require_safe
def outreach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = get_outreach_for_user(user, pk)
    return render(
        request,
        "outreach/public/detail.html",
        {
            "item": item,
            "documents": documents_for_user(user)
            .filter(pk__in=item.documents.values("pk"))
            .order_by("-issue_date", "-pk"),
            "history": _history(item, _labels(PublicOutreach)),
            "can_edit": can_act_for_unit(user, item.unit),
            "crumbs": _crumbs(
                (_("Public information"), reverse("outreach:public")), (item.title[:60], None)
            ),
        },
    )


def _item_crumbs(item: PublicOutreach, last: str) -> list[tuple[str, str | None]]:
    return _crumbs(
        (_("Public information"), reverse("outreach:public")),
        (item.title[:60], reverse("outreach:public_item", args=[item.pk])),
        (last, None),
    )


@login_required
@require_http_methods(["GET", "POST"])
def outreach_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = get_outreach_for_user(user, pk, write=True)
    initial = {
        "kind": item.kind,
        "title": item.title,
        "held_on": item.held_on,
        "channel": item.channel,
        "audience": item.audience,
        "summary": item.summary,
        "documents": list(item.documents.values_list("pk", flat=True)),
        "version": item.version,
    }
    form = f.OutreachForm(request.POST or None, user=user, units=[], item=item, initial=initial)
    done = submitted(
        request,
        form,
        lambda: outreach_update(
            item=item,
            by=user,
            documents=list(form.cleaned_data["documents"]),
            version=form.cleaned_data.get("version"),
            **form.item_fields(),
        ),
        success=_("The item has been corrected."),
        then=reverse("outreach:public_item", args=[item.pk]),
    )
    if done is not None:
        return done
    return form_page(
        request,
        "outreach/public/form.html",
        {"form": form, "item": item, "crumbs": _item_crumbs(item, _("Correct"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outreach_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = get_outreach_for_user(user, pk, write=True)
    return delete_view(
        request,
        delete=lambda reason: outreach_delete(item=item, by=user, reason=reason),
        success=_("The item has been deleted."),
        then=reverse("outreach:public"),
        page=lambda: {
            "what": item.title,
            "cancel_url": reverse("outreach:public_item", args=[item.pk]),
            "crumbs": _item_crumbs(item, _("Delete")),
        },
    )
