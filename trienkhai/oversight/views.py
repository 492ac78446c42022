"""Pages of inspection and supervision: the roll-up of a subtree, plans, visits and the
follow-up of recommendations. Every object comes through the scoping selectors (404 outside
the reach); filters and sorting come from allow-lists; lists are paginated in SQL."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import can_read_unit, get_unit_for_user, home_unit
from trienkhai.core.errors import DomainError
from trienkhai.documents.selectors import documents_for_user
from trienkhai.outreach.attachments import file_response
from trienkhai.outreach.editing import delete_view, form_page, submitted
from trienkhai.outreach.history import field_labels as _labels
from trienkhai.outreach.history import history_entries as _history
from trienkhai.outreach.listing import list_page, readable_unit, sorted_by, within
from trienkhai.oversight import exports
from trienkhai.oversight import forms as f
from trienkhai.oversight.models import Plan, PlanTarget, Recommendation, Visit, VisitFile
from trienkhai.oversight.selectors import (
    AGE_BUCKETS,
    can_supervise,
    get_plan_for_user,
    get_recommendation_for_user,
    get_visit_for_user,
    never_visited,
    open_recommendations,
    oversight,
    plans_for_user,
    recommendations_for_user,
    supervising_units,
)
from trienkhai.oversight.services import (
    plan_add_target,
    plan_create,
    plan_delete,
    plan_delete_refusal,
    plan_remove_target,
    plan_update,
    recommendation_return,
    recommendation_verify,
    state_of,
    visit_delete,
    visit_delete_refusal,
    visit_record,
    visit_update,
)
from trienkhai.tasks.dashboard import Numbers
from trienkhai.tasks.models import Assignment
from trienkhai.tasks.selectors import tasks_for_user
from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold

log = logging.getLogger(__name__)

PER_PAGE = 25
LIST_PER_PAGE = 20
CHILDREN_PER_PAGE = 50
AGE_LABELS = {
    "d30": "≤ 30",
    "d90": "31–90",
    "d180": "91–180",
    "older": "> 180",
}
SORTS = ("name", "planned", "never", "open")


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        (_("Home"), reverse("core:home")),
        (_("Inspection and supervision"), reverse("oversight:home")),
        *items,
    ]


def _query(params: dict[str, Any]) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", False)}
    return "?" + urlencode(clean) if clean else ""


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _mark(recs: list[Recommendation], today) -> list[Recommendation]:
    """Each recommendation's state, follow-up assignment and age (two queries for a page)."""
    assignments = {
        a.task_id: a
        for a in Assignment.objects.active()
        .filter(task_id__in=[r.task_id for r in recs if r.task_id])
        .select_related("unit")
    }
    for r in recs:
        r.assignment = assignments.get(r.task_id)
        r.state = state_of(r, r.assignment)
        r.state_label = Recommendation.State(r.state).label
        r.age = (today - r.visit.ends_on).days
        r.overdue = r.state == Recommendation.State.OPEN and r.due_date < today
    return recs


# --- the roll-up -----------------------------------------------------------------------------


def _sort_rows(rows, sort: str):
    key = sort.lstrip("-")
    ordered = sorted(rows, key=lambda r: (r.unit.search_text or fold(r.unit.name), r.unit.pk))
    if key == "name":
        return ordered[::-1] if sort.startswith("-") else ordered
    getters = {
        "planned": lambda r: r.figures.planned,
        "never": lambda r: r.figures.never_visited,
        "open": lambda r: r.figures.open,
    }
    return sorted(ordered, key=getters[key], reverse=sort.startswith("-"))


def _sort_of(request: HttpRequest) -> str:
    sort = request.GET.get("sort", "name")
    return sort if sort.lstrip("-") in SORTS and sort.count("-") <= 1 else "name"


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    unit = home_unit(request.user)
    if unit is None:
        return render(request, "outreach/no_unit.html")
    return redirect("oversight:unit", unit.pk)


@login_required
@require_safe
def unit_page(request: HttpRequest, unit_pk: int) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, unit_pk)
    today = timezone.localdate()
    year = _year(request)
    sort = _sort_of(request)
    r = oversight(unit, year, today=today)
    rows = _sort_rows(r.children, sort)
    here = reverse("oversight:unit", args=[unit.pk])
    base = {"year": year}
    page = Paginator(rows, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    never_page = Paginator(
        never_visited(unit, year).select_related("unit", "plan__unit"), LIST_PER_PAGE
    ).get_page(request.GET.get("npage"))
    open_page = Paginator(
        open_recommendations(unit).select_related("visit__unit", "visit__plan__unit"),
        LIST_PER_PAGE,
    ).get_page(request.GET.get("rpage"))
    _mark(list(open_page.object_list), today)
    nums = Numbers()
    sort_links = {}
    for key in SORTS:
        target = (
            f"-{key}"
            if sort == key
            else key
            if sort == f"-{key}"
            else (key if key == "name" else f"-{key}")
        )
        state = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        sort_links[key] = {"url": here + _query({**base, "sort": target}), "state": state}
    context = {
        "unit": unit,
        "year": year,
        "years": list(range(today.year + 1, today.year - 6, -1)),
        "today": today,
        "r": r,
        "fig": r.figures,
        "done_percent": nums.pct(r.figures.done_percent),
        "ages": [(AGE_LABELS[k], r.figures.open_by_age[k]) for k, *_ in AGE_BUCKETS],
        "rows": page.object_list,
        "child_page": page,
        "sort_links": sort_links,
        "never_page": never_page,
        "open_page": open_page,
        "page_params": {**base, "sort": None if sort == "name" else sort},
        "ancestors": [a for a in Unit.objects.ancestors_of(unit) if can_read_unit(user, a)],
        "can_plan": bool(supervising_units(user)),
        "export_url": reverse("oversight:unit_export", args=[unit.pk]) + _query(base),
    }
    if request.htmx and request.GET.get("part") in ("never", "open"):
        return render(request, f"oversight/_{request.GET['part']}.html", context)
    return render(request, "oversight/unit.html", context)


@login_required
@require_safe
def unit_export(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, unit_pk)
    today = timezone.localdate()
    year = _year(request)
    audit(AuditEvent.Kind.EXPORT, request=request, what="oversight", unit=unit.pk, year=year)
    r = oversight(unit, year, today=today)
    recs = _mark(
        list(
            open_recommendations(unit).select_related("visit__unit", "visit__plan__unit")[
                : exports.CAP
            ]
        ),
        today,
    )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    exports.write_oversight(
        out,
        rollup=r,
        today=today,
        never=never_visited(unit, year).select_related("unit", "plan__unit"),
        recommendations=recs,
    )
    out.seek(0)
    name = f"oversight-{unit.code or unit.pk}-{year}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=exports.XLSX_TYPE)


# --- plans -----------------------------------------------------------------------------------


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = f.PlanFilterForm(request.GET)
    v = form.values()
    unit = readable_unit(user, v.get("unit"))
    qs = within(plans_for_user(user), unit)
    if v.get("year"):
        qs = qs.filter(year=v["year"])
    if v.get("kind"):
        qs = qs.filter(kind=v["kind"])
    if v.get("q"):
        qs = qs.search(v["q"])
    qs = sorted_by(qs, f.PLAN_SORTS, v.get("sort"), "-year").select_related("unit")
    return list_page(
        request,
        form=form,
        qs=qs.annotate(
            n_targets=Count("targets", distinct=True), n_visits=Count("visits", distinct=True)
        ),
        template="oversight/plans",
        filters=("q", "year", "kind", "unit"),
        unit=unit,
        can_plan=bool(supervising_units(user)),
        crumbs=_crumbs((_("Plans"), None)),
    )


def _plan_fields(data: dict[str, Any]) -> dict[str, Any]:
    """What the plan form gives the plan services (create and edit alike)."""
    return {
        "year": data["year"],
        "kind": data["kind"],
        "title": data["title"],
        "description": data["description"],
        "documents": list(data["documents"]),
        "tasks": list(data["tasks"]),
    }


def _plan_url(plan: Plan) -> str:
    return reverse("oversight:plan", args=[plan.pk])


@login_required
@require_http_methods(["GET", "POST"])
def plan_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = [u for u in supervising_units(user) if u.dissolved_on is None]
    if not units:
        raise Http404
    form = f.PlanForm(request.POST or None, user=user, units=units)
    done = submitted(
        request,
        form,
        lambda: plan_create(
            unit=form.cleaned_data["unit"],
            by=user,
            targets=form.targets(),
            **_plan_fields(form.cleaned_data),
        ),
        success=_("The plan has been recorded."),
        then=_plan_url,
    )
    if done is not None:
        return done
    return form_page(
        request,
        "oversight/plans/form.html",
        {
            "form": form,
            "crumbs": _crumbs((_("Plans"), reverse("oversight:plans")), (_("New plan"), None)),
        },
    )


def _plan_page(request: HttpRequest, plan: Plan, *, target_form=None, status: int = 200):
    user = request.user
    today = timezone.localdate()
    can_act = can_supervise(user, plan.unit)
    visited = Visit.objects.filter(planned=OuterRef("pk"))
    targets = Paginator(
        plan.targets.select_related("unit").annotate(done=Exists(visited)), PER_PAGE
    ).get_page(request.GET.get("page"))
    recs = Recommendation.objects.order_by("pk")
    visits = Paginator(
        plan.visits.select_related("unit", "rating").prefetch_related(
            Prefetch("recommendations", queryset=recs)
        ),
        PER_PAGE,
    ).get_page(request.GET.get("vpage"))
    for v in visits.object_list:
        v.recs = _mark(list(v.recommendations.all()), today)
    if can_act and target_form is None:
        target_form = f.AddTargetForm(plan=plan)
    return render(
        request,
        "oversight/plans/detail.html",
        {
            "plan": plan,
            "targets": targets,
            "visits": visits,
            "documents": documents_for_user(user)
            .filter(pk__in=plan.documents.values("pk"))
            .order_by("-issue_date"),
            "tasks": tasks_for_user(user).filter(pk__in=plan.tasks.values("pk")).order_by("pk"),
            "can_act": can_act,
            "target_form": target_form if can_act else None,
            "history": _history(plan, _labels(Plan)),
            "crumbs": _crumbs((_("Plans"), reverse("oversight:plans")), (plan.title[:60], None)),
        },
        status=status,
    )


@login_required
@require_safe
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, get_plan_for_user(request.user, pk))


def _plan_crumb(plan: Plan) -> tuple[str, str]:
    return (plan.title[:60], _plan_url(plan))


def _plan_crumbs(plan: Plan, last: str) -> list[tuple[str, str | None]]:
    return _crumbs((_("Plans"), reverse("oversight:plans")), _plan_crumb(plan), (last, None))


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user, pk, act=True)
    initial = {
        "year": plan.year,
        "kind": plan.kind,
        "title": plan.title,
        "description": plan.description,
        "documents": list(plan.documents.values_list("pk", flat=True)),
        "tasks": list(plan.tasks.values_list("pk", flat=True)),
        "version": plan.version,
    }
    form = f.PlanForm(request.POST or None, user=user, units=[], plan=plan, initial=initial)
    done = submitted(
        request,
        form,
        lambda: plan_update(
            plan=plan,
            by=user,
            version=form.cleaned_data.get("version"),
            **_plan_fields(form.cleaned_data),
        ),
        success=_("The plan has been saved."),
        then=_plan_url(plan),
    )
    if done is not None:
        return done
    return form_page(
        request,
        "oversight/plans/form.html",
        {"form": form, "plan": plan, "crumbs": _plan_crumbs(plan, _("Edit"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user, pk, act=True)
    return delete_view(
        request,
        delete=lambda reason: plan_delete(plan=plan, by=user, reason=reason),
        success=_("The plan has been deleted."),
        then=reverse("oversight:plans"),
        page=lambda: {
            "what": plan.title,
            "note": _(
                "You are about to delete the plan “%(title)s” and its planned windows. Its"
                " history keeps it, with your reason."
            )
            % {"title": plan.title},
            "refusal": plan_delete_refusal(plan),
            "cancel_url": _plan_url(plan),
            "crumbs": _plan_crumbs(plan, _("Delete")),
        },
    )


@login_required
@require_POST
def plan_target_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, pk, act=True)
    form = f.AddTargetForm(request.POST, plan=plan)
    done = submitted(
        request,
        form,
        lambda: plan_add_target(
            plan=plan,
            by=request.user,
            unit=form.cleaned_data["unit"],
            starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
        ),
        success=_("The visit has been planned."),
        then=_plan_url(plan),
    )
    if done is not None:
        return done
    return _plan_page(request, plan, target_form=form, status=400)


@login_required
@require_POST
def plan_target_remove(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(PlanTarget.objects.select_related("unit"), pk=pk)
    plan = get_plan_for_user(request.user, target.plan_id, act=True)
    try:
        plan_remove_target(target=target, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The planned visit of %(unit)s has been removed.") % {"unit": target.unit.name},
        )
    return redirect(_plan_url(plan))


# --- visits ----------------------------------------------------------------------------------


def _visit_fields(form: f.VisitForm) -> dict[str, Any]:
    """What the visit form gives the visit services (record and correct alike)."""
    data = form.cleaned_data
    return {
        "unit": data["unit"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "team": data["team"],
        "rating": data["rating"],
        "conclusion": data["conclusion"],
        "findings": data["findings"],
        "recommendations": form.recommendations(),
        "files": data["files"],
    }


def _visit_url(visit: Visit) -> str:
    return reverse("oversight:visit", args=[visit.pk])


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = get_plan_for_user(user, pk, act=True)
    planned = None
    raw = request.GET.get("target") or request.POST.get("target")
    if raw and str(raw).isdigit():
        planned = PlanTarget.objects.filter(plan=plan, pk=int(raw)).select_related("unit").first()
    initial = {}
    if planned is not None:
        initial = {
            "unit": planned.unit_id,
            "starts_on": planned.starts_on,
            "ends_on": planned.ends_on,
        }
    form = f.VisitForm(request.POST or None, request.FILES or None, plan=plan, initial=initial)

    def record() -> Visit:
        unit = form.cleaned_data["unit"]
        return visit_record(
            plan=plan,
            by=user,
            planned=planned if planned and planned.unit_id == unit.pk else None,
            **_visit_fields(form),
        )

    done = submitted(
        request,
        form,
        record,
        success=lambda visit: (
            _("The visit has been recorded; %(n)s follow-up task(s) sent to %(unit)s.")
            % {"n": visit.recommendations.count(), "unit": visit.unit.name}
        ),
        then=_visit_url,
    )
    if done is not None:
        return done
    return form_page(
        request,
        "oversight/visits/form.html",
        {
            "form": form,
            "plan": plan,
            "planned": planned,
            "crumbs": _plan_crumbs(plan, _("Record a visit")),
        },
    )


def _visit_page(request: HttpRequest, visit: Visit, *, forms_by_rec=None, status: int = 200):
    user = request.user
    today = timezone.localdate()
    recs = _mark(list(visit.recommendations.order_by("pk")), today)
    can_act = can_supervise(user, visit.plan.unit)
    forms_by_rec = forms_by_rec or {}
    for r in recs:
        r.form = forms_by_rec.get(r.pk) or f.NoteForm(prefix=f"n{r.pk}")
    plan_visible = plans_for_user(user).filter(pk=visit.plan_id).exists()
    return render(
        request,
        "oversight/visits/detail.html",
        {
            "visit": visit,
            "recs": recs,
            "files": visit.files.order_by("pk"),
            "can_act": can_act,
            "plan_visible": plan_visible,
            "history": _history(visit, _labels(Visit)),
            "crumbs": _crumbs(
                (_("Plans"), reverse("oversight:plans")),
                (visit.plan.title[:60], reverse("oversight:plan", args=[visit.plan_id]))
                if plan_visible
                else (visit.plan.title[:60], None),
                (f"{visit.unit.short_name or visit.unit.name} — {visit.starts_on:%d/%m/%Y}", None),
            ),
        },
        status=status,
    )


@login_required
@require_safe
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_page(request, get_visit_for_user(request.user, pk))


def _visit_crumbs(visit: Visit, last: str) -> list:
    return _crumbs(
        (_("Plans"), reverse("oversight:plans")),
        _plan_crumb(visit.plan),
        (
            f"{visit.unit.short_name or visit.unit.name} — {visit.starts_on:%d/%m/%Y}",
            reverse("oversight:visit", args=[visit.pk]),
        ),
        (last, None),
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = get_visit_for_user(user, pk, act=True)
    initial = {
        "unit": visit.unit_id,
        "starts_on": visit.starts_on,
        "ends_on": visit.ends_on,
        "team": visit.team,
        "rating": visit.rating_id,
        "conclusion": visit.conclusion,
        "findings": visit.findings,
        "version": visit.version,
    }
    form = f.VisitForm(
        request.POST or None, request.FILES or None, plan=visit.plan, visit=visit, initial=initial
    )
    done = submitted(
        request,
        form,
        lambda: visit_update(
            visit=visit, by=user, version=form.cleaned_data.get("version"), **_visit_fields(form)
        ),
        success=_("The visit has been corrected."),
        then=_visit_url(visit),
    )
    if done is not None:
        return done
    return form_page(
        request,
        "oversight/visits/form.html",
        {
            "form": form,
            "plan": visit.plan,
            "visit": visit,
            "recs": list(visit.recommendations.order_by("pk")),
            "crumbs": _visit_crumbs(visit, _("Correct")),
        },
    )


def _visit_delete_page(visit: Visit) -> dict[str, Any]:
    what = _("the visit of %(unit)s on %(date)s") % {
        "unit": visit.unit.name,
        "date": f"{visit.starts_on:%d/%m/%Y}",
    }
    return {
        "what": what,
        "note": _(
            "You are about to delete %(what)s and its files. Its planned window becomes"
            " unvisited again; its history keeps it, with your reason."
        )
        % {"what": what},
        "refusal": visit_delete_refusal(visit),
        "cancel_url": _visit_url(visit),
        "crumbs": _visit_crumbs(visit, _("Delete")),
    }


@login_required
@require_http_methods(["GET", "POST"])
def visit_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = get_visit_for_user(user, pk, act=True)
    return delete_view(
        request,
        delete=lambda reason: visit_delete(visit=visit, by=user, reason=reason),
        success=_("The visit has been deleted."),
        then=reverse("oversight:plan", args=[visit.plan_id]),
        page=lambda: _visit_delete_page(visit),
    )


@login_required
@require_safe
def visit_file(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        stored = VisitFile.objects.get(pk=int(pk))
    except (VisitFile.DoesNotExist, ValueError, TypeError):
        raise Http404
    visit = get_visit_for_user(request.user, stored.visit_id)
    back = (reverse("oversight:visit", args=[visit.pk]), _("Back to the visit"))
    return file_response(
        request,
        stored,
        log=log,
        name="visit file",
        back=back,
        visit_file=stored.pk,
        visit=visit.pk,
    )


# --- recommendations -------------------------------------------------------------------------


@login_required
@require_safe
def recommendation_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    form = f.RecommendationFilterForm(request.GET)
    v = form.values()
    unit = readable_unit(user, v.get("unit"))
    qs = within(recommendations_for_user(user), unit, "visit__plan__unit")
    done = Assignment.objects.filter(task_id=OuterRef("task_id"), state=Assignment.State.DONE)
    state = v.get("state", "")
    if state == Recommendation.State.CLOSED:
        qs = qs.filter(closed_on__isnull=False)
    elif state == Recommendation.State.AWAITING:
        qs = qs.filter(closed_on__isnull=True).filter(Exists(done))
    elif state == Recommendation.State.OPEN:
        qs = qs.filter(closed_on__isnull=True).exclude(Exists(done))
    elif state != "all":
        qs = qs.filter(closed_on__isnull=True)
    for word in fold(v.get("q", "")).split()[:8]:
        qs = qs.filter(task__search_text__contains=word[:50])
    qs = sorted_by(qs, f.REC_SORTS, v.get("sort"), "age")
    return list_page(
        request,
        form=form,
        qs=qs.select_related("visit__unit", "visit__plan__unit"),
        template="oversight/recommendations",
        filters=("q", "state", "unit"),
        prepare=lambda page: _mark(list(page.object_list), today),
        unit=unit,
        crumbs=_crumbs((_("Recommendations"), None)),
    )


def _with_note(
    request: HttpRequest, pk: int, act: Callable[[Recommendation, str], Any], success: str
) -> HttpResponse:
    """``act(recommendation, note)`` from the note form of the visit's page; the page again,
    with the note that did not go through, if it is refused."""
    rec = get_recommendation_for_user(request.user, pk, act=True)
    form = f.NoteForm(request.POST, prefix=f"n{rec.pk}")
    done = submitted(
        request,
        form,
        lambda: act(rec, form.cleaned_data["note"]),
        success=success,
        then=reverse("oversight:visit", args=[rec.visit_id]),
    )
    if done is not None:
        return done
    visit = get_visit_for_user(request.user, rec.visit_id)
    return _visit_page(request, visit, forms_by_rec={rec.pk: form}, status=400)


@login_required
@require_POST
def recommendation_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_note(
        request,
        pk,
        lambda rec, note: recommendation_verify(recommendation=rec, by=request.user, note=note),
        _("The recommendation is verified closed."),
    )


@login_required
@require_POST
def recommendation_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _with_note(
        request,
        pk,
        lambda rec, note: recommendation_return(recommendation=rec, by=request.user, reason=note),
        _("The recommendation has been returned: its follow-up task is open again."),
    )
