"""Pages of periodic reports: the inbox, forms, rounds with their completeness, and a report
— to fill, to review, to trace, to download.

Every object comes through the selectors (404 outside the user's reach); sorting comes from an
allow-list; lists are paginated and counted in SQL; actions call the services and show their
message on the field it names, keeping what was typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import can_read_unit
from trienkhai.core.errors import DomainError
from trienkhai.reports import forms as f
from trienkhai.reports import periods
from trienkhai.reports.consolidation import (
    SORTS,
    Figure,
    completeness,
    consolidate,
    excerpts,
    reporters,
    reporters_tally,
    sort_rows,
    source_values,
)
from trienkhai.reports.models import Indicator, Report, ReportForm, Round, Value
from trienkhai.reports.selectors import (
    acting_units,
    can_manage_form,
    can_manage_round,
    can_review_report,
    can_trace_report,
    can_write_report,
    completeness_unit,
    forms_for_user,
    get_form_for_user,
    get_report_for_user,
    get_round_for_user,
    reports_for_user,
    rounds_for_user,
    to_fill,
    to_review,
)
from trienkhai.reports.services import (
    ReportInvalid,
    form_create,
    form_save,
    has_sources,
    report_accept,
    report_reopen,
    report_return,
    report_save,
    report_set_receiver,
    report_submit,
    report_waive,
    round_create,
)
from trienkhai.units.models import Unit

PER_PAGE = 25
ROWS_PER_PAGE = 50
S = Report.State
T = Indicator.Type


def _today() -> dt.date:
    return timezone.localdate()


def _crumbs(*items: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Home"), reverse("core:home")), *items]


def _reports_crumb() -> tuple[str, str]:
    return (_("Reports"), reverse("reports:inbox"))


def _rounds_crumb() -> tuple[str, str]:
    return (_("Reporting rounds"), reverse("reports:rounds"))


def _round_crumb(rnd: Round) -> tuple[str, str]:
    return (rnd.title, reverse("reports:round", args=[rnd.pk]))


def _report_crumbs(r: Report, *tail: tuple[str, str | None]):
    last = (r.unit.name, reverse("reports:report", args=[r.pk]) if tail else None)
    return _crumbs(_rounds_crumb(), _round_crumb(r.round), last, *tail)


# --- numbers as officials read them ----------------------------------------------------------


def fmt_number(value: float | None, decimals: int = 2) -> str:
    """1.234,5 — dots group thousands, the comma marks decimals; no trailing zeros."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def fmt_figure(ind: Indicator, number: float | None, text: str = "", *, count: bool = False) -> str:
    """A figure as shown (``count``: a consolidated yes/no, i.e. how many said yes)."""
    if ind.type == T.TEXT:
        return text
    if number is None:
        return ""
    if ind.type == T.YES_NO and not count:
        return _("Yes") if number else _("No")
    if ind.type in (T.INTEGER, T.YES_NO) and ind.aggregation not in (
        Indicator.Aggregation.AVG,
        Indicator.Aggregation.WEIGHTED_AVG,
    ):
        return fmt_number(number, 0)
    return fmt_number(number, 2)


def _input_value(ind: Indicator, number: float | None, text: str, consolidating: bool) -> str:
    if ind.type == T.YES_NO and not consolidating:
        return "" if number is None else ("1" if number else "0")
    return fmt_figure(ind, number, text, count=True)


def edit_initial(r: Report) -> dict[str, Any]:
    """What the edit page opens with: the saved figures, or — for a receiver — the figures
    consolidated from its accepted reporters where nothing is saved yet."""
    from trienkhai.reports.feeds import fed_values

    indicators = list(r.round.version.indicators.all())
    values = {v.indicator_id: v for v in Value.objects.filter(report=r)}
    consolidating = has_sources(r)
    cons = consolidate(r.round, r.unit_id, indicators) if consolidating else {}
    fed = fed_values(r, indicators)
    initial: dict[str, Any] = {"version": r.version}
    for ind in indicators:
        v = values.get(ind.pk)
        if ind.is_fed:
            # counted now from the cascade, as saving will count it
            initial[f"figure-{ind.code}"] = _input_value(ind, fed.get(ind.pk), "", consolidating)
        elif v is not None:
            initial[f"figure-{ind.code}"] = _input_value(ind, v.number, v.text, consolidating)
        elif ind.pk in cons and cons[ind.pk].value is not None:
            initial[f"figure-{ind.code}"] = _input_value(ind, cons[ind.pk].value, "", consolidating)
    for key, text in (r.narrative or {}).items():
        initial[f"section-{key}"] = text
    for name in ("symbol", "place", "signer_name", "signer_title", "recipients"):
        initial[name] = getattr(r, name)
    return initial


@dataclass
class FigureRow:
    indicator: Indicator
    value: str
    consolidated: str | None = None
    figure: Figure | None = None
    differs: bool = False
    field: Any = None


def _figure_rows(r: Report, cons: dict[int, Figure], consolidating: bool) -> list[FigureRow]:
    values = {v.indicator_id: v for v in Value.objects.filter(report=r)}
    rows = []
    for ind in r.round.version.indicators.all():
        v = values.get(ind.pk)
        shown = fmt_figure(ind, v.number, v.text, count=consolidating) if v else ""
        row = FigureRow(ind, shown)
        fig = None if ind.is_fed else cons.get(ind.pk)
        if fig is not None and fig.reports:
            row.figure = fig
            row.consolidated = fmt_figure(ind, fig.value, count=True) if fig.has_value else ""
            if v is not None and fig.value is not None and ind.is_numeric and not ind.is_fed:
                row.differs = abs((v.number or 0) - fig.value) > 1e-6 and (
                    ind.aggregation in (Indicator.Aggregation.SUM, Indicator.Aggregation.COUNT_YES)
                )
        rows.append(row)
    return rows


# --- inbox -----------------------------------------------------------------------------------


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = _today()
    fill = (
        to_fill(user)
        .select_related("round", "unit", "receiver")
        .order_by("round__deadline", "unit_path", "pk")
    )
    review = (
        to_review(user).select_related("round", "unit", "receiver").order_by("submitted_at", "pk")
    )
    fill_page = Paginator(fill, PER_PAGE).get_page(request.GET.get("fill"))
    review_page = Paginator(review, PER_PAGE).get_page(request.GET.get("review"))
    for r in fill_page.object_list:
        r.past_deadline = today > r.round.deadline
    for r in review_page.object_list:
        r.late = r.is_late(r.round.deadline)
    return render(
        request,
        "reports/inbox.html",
        {
            "fill_page": fill_page,
            "review_page": review_page,
            "units": acting_units(user),
            "crumbs": _crumbs((_("Reports"), None)),
        },
    )


# --- forms -----------------------------------------------------------------------------------


@login_required
@require_safe
def form_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = (
        forms_for_user(user)
        .select_related("owner")
        .annotate(
            n_versions=Count("versions", distinct=True), n_rounds=Count("rounds", distinct=True)
        )
        .order_by("name", "pk")
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/forms.html",
        {
            "page": page,
            "can_create": bool(acting_units(user)),
            "crumbs": _crumbs(_reports_crumb(), (_("Report forms"), None)),
        },
    )


def _form_crumbs(form: ReportForm | None, *tail):
    items = [_reports_crumb(), (_("Report forms"), reverse("reports:forms"))]
    if form is not None:
        items.append((form.name, reverse("reports:form", args=[form.pk]) if tail else None))
    return _crumbs(*items, *tail)


@login_required
@require_safe
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    form = get_form_for_user(user, pk)
    versions = list(form.versions.annotate(n_rounds=Count("rounds")).order_by("-number"))
    shown = versions[0] if versions else None
    raw = request.GET.get("v")
    if raw and raw.isdigit():
        shown = next((v for v in versions if v.number == int(raw)), shown)
    rounds = rounds_for_user(user).filter(form=form).select_related("owner", "version")
    return render(
        request,
        "reports/form_detail.html",
        {
            "form_obj": form,
            "versions": versions,
            "shown": shown,
            "sections": shown.sections.all() if shown else [],
            "indicators": shown.indicators.select_related("source_task") if shown else [],
            "rounds": rounds.order_by("-period_end", "-pk")[:20],
            "can_manage": can_manage_form(user, form),
            "crumbs": _form_crumbs(form),
        },
    )


def _tasks_for(user):
    from trienkhai.tasks.selectors import tasks_for_user

    return tasks_for_user(user).order_by("-created")


def _content_formsets(request: HttpRequest, version=None):
    data = request.POST if request.method == "POST" else None
    tasks = _tasks_for(request.user)
    sec_initial = ind_initial = None
    if version is not None and data is None:
        sec_initial = [
            {"key": s.key, "title": s.title, "guidance": s.guidance} for s in version.sections.all()
        ]
        ind_initial = [
            {
                "code": i.code,
                "name": i.name,
                "unit_of_measure": i.unit_of_measure,
                "type": i.type,
                "aggregation": i.aggregation,
                "weight_code": i.weight_code,
                "min_value": i.min_value,
                "max_value": i.max_value,
                "required": i.required,
                "source": i.source,
                "source_task": i.source_task_id,
                "help_text": i.help_text,
            }
            for i in version.indicators.all()
        ]
    elif data is None:
        from trienkhai.reports.services import default_sections

        sec_initial = [{"key": s.key, "title": s.title} for s in default_sections()]
    sections = f.SectionFormSet(data, prefix="sections", initial=sec_initial)
    indicators = f.IndicatorFormSet(
        data, prefix="indicators", initial=ind_initial, form_kwargs={"tasks": tasks}
    )
    for row in indicators.forms:
        row.fields["source_task"].widget.choices = [("", "—")] + [
            (t.pk, t.title[:100]) for t in tasks[: f.MAX_CHOICES]
        ]
    return sections, indicators


def _content(sections, indicators):
    secs = [x for x in (r.data_or_none() for r in sections.forms) if x is not None]
    inds = [x for x in (r.data_or_none() for r in indicators.forms) if x is not None]
    return secs, inds


def _put_errors(error: DomainError, form, formsets: dict) -> None:
    errors = getattr(error, "errors", None) or {error.field or "": error.message}
    rest = {}
    for name, message in errors.items():
        if not f.formset_error(formsets, name, message):
            rest[name] = message
    if rest:
        form.add_domain_error(ReportInvalid(rest))


@login_required
@require_http_methods(["GET", "POST"])
def form_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    owners = acting_units(user)
    if not owners:
        raise Http404
    form = f.ReportFormForm(request.POST or None, owners=owners)
    sections, indicators = _content_formsets(request)
    formsets = {"sections": sections, "indicators": indicators}
    if request.method == "POST" and all(x.is_valid() for x in (form, sections, indicators)):
        secs, inds = _content(sections, indicators)
        data = form.cleaned_data
        try:
            created = form_create(
                owner=data["owner"],
                by=user,
                name=data["name"],
                code=data["code"],
                description=data["description"],
                sections=secs,
                indicators=inds,
            )
        except DomainError as error:
            _put_errors(error, form, formsets)
        else:
            messages.success(request, _("The form has been created."))
            return redirect("reports:form", created.pk)
    return render(
        request,
        "reports/form_edit.html",
        {
            "form": form,
            "sections": sections,
            "indicators": indicators,
            "crumbs": _form_crumbs(None, (_("New form"), None)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    obj = get_form_for_user(user, pk, manage=True)
    latest = obj.latest_version()
    initial = {"name": obj.name, "code": obj.code, "description": obj.description}
    form = f.ReportFormForm(request.POST or None, initial=initial)
    sections, indicators = _content_formsets(request, latest)
    formsets = {"sections": sections, "indicators": indicators}
    if request.method == "POST" and all(x.is_valid() for x in (form, sections, indicators)):
        secs, inds = _content(sections, indicators)
        data = form.cleaned_data
        try:
            version = form_save(
                form=obj,
                by=user,
                name=data["name"],
                code=data["code"],
                description=data["description"],
                note=data["note"],
                sections=secs,
                indicators=inds,
            )
        except DomainError as error:
            _put_errors(error, form, formsets)
        else:
            if latest is not None and version.pk != latest.pk:
                text = _(
                    "Saved as version %(n)s. Rounds already open keep the version they"
                    " started with."
                ) % {"n": version.number}
            else:
                text = _("The form has been saved.")
            messages.success(request, text)
            return redirect("reports:form", obj.pk)
    return render(
        request,
        "reports/form_edit.html",
        {
            "form": form,
            "form_obj": obj,
            "frozen": latest is not None and latest.is_frozen,
            "sections": sections,
            "indicators": indicators,
            "crumbs": _form_crumbs(obj, (_("Edit"), None)),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- rounds ----------------------------------------------------------------------------------


@login_required
@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = rounds_for_user(user).select_related("owner", "form").order_by("-period_end", "-pk")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    ids = [r.pk for r in page.object_list]
    # counted over the reports the user may read, never the whole round
    counts = {
        row["round_id"]: row
        for row in reports_for_user(user)
        .filter(round_id__in=ids)
        .counted()
        .exclude(state=S.WAIVED)
        .values("round_id")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=(S.SUBMITTED, S.ACCEPTED))),
        )
        .order_by()
    }
    for rnd in page.object_list:
        row = counts.get(rnd.pk, {})
        rnd.expected = row.get("expected", 0)
        rnd.submitted = row.get("submitted", 0)
        rnd.period_text = periods.describe(rnd.period_kind, rnd.period_label)
    return render(
        request,
        "reports/rounds.html",
        {
            "page": page,
            "can_create": bool(acting_units(user)),
            "today": _today(),
            "crumbs": _crumbs(_reports_crumb(), (_("Reporting rounds"), None)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    owners = acting_units(user)
    if not owners:
        raise Http404
    form = f.RoundForm(request.POST or None, user=user, owners=owners)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rnd, created = round_create(
                form=d["form"],
                owner=d["owner"],
                by=user,
                title=d["title"],
                period_kind=d["period_kind"],
                year=d["year"],
                number=d["number"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                deadline=d["deadline"],
                deadline_workdays=d["deadline_workdays"],
                target_mode=d["target_mode"],
                units=d["units"],
                under=d["under"],
                kinds=d["kinds"],
                depth=d["depth"],
                receiver_mode=d["receiver_mode"],
                receiver_unit=d["receiver_unit"],
                top_receiver=d["top_receiver"],
                place=d["place"],
                task=d["task"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("The round has been opened: %(n)s reports created.") % {"n": created},
            )
            return redirect("reports:round", rnd.pk)
    return render(
        request,
        "reports/round_form.html",
        {"form": form, "crumbs": _crumbs(_rounds_crumb(), (_("New round"), None))},
        status=400 if request.method == "POST" else 200,
    )


def _sort_of(request: HttpRequest) -> str:
    sort = request.GET.get("sort") or "name"
    return sort if sort in SORTS else "name"


@login_required
@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    rnd = get_round_for_user(user, pk)
    unit = completeness_unit(user, rnd, request.GET.get("unit"))
    today = _today()
    c = completeness(rnd, unit, today=today)
    sort = _sort_of(request)
    page = Paginator(sort_rows(c.rows, sort), ROWS_PER_PAGE).get_page(request.GET.get("page"))
    crumbs_units = [
        u
        for u in Unit.objects.ancestors_of(unit)
        if can_read_unit(user, u) and u.is_within(rnd.owner)
    ]
    context = {
        "round": rnd,
        "unit": unit,
        "c": c,
        "page": page,
        "sort": sort,
        "sorts": _sort_links(rnd, unit, sort),
        "up": crumbs_units,
        "today": today,
    }
    if request.htmx and request.GET.get("fragment"):
        return render(request, "reports/_completeness.html", context)
    units = acting_units(user)
    own = Report.objects.filter(round=rnd, unit_id__in=[u.pk for u in units]).counted()
    mine = sorted(own.select_related("unit", "receiver").order_by(), key=lambda r: r.unit_path)
    context.update(
        {
            "period_text": periods.describe(rnd.period_kind, rnd.period_label),
            "mine": mine[:20],
            "to_review": to_review(user).filter(round=rnd).count(),
            "can_import": to_fill(user).filter(round=rnd).exists(),
            "can_manage": can_manage_round(user, rnd),
            "crumbs": _crumbs(_rounds_crumb(), (rnd.title, None)),
        }
    )
    return render(request, "reports/round_detail.html", context)


def _sort_links(rnd: Round, unit: Unit, current: str) -> dict[str, str]:
    base = reverse("reports:round", args=[rnd.pk])
    names = {"name": "name", "-expected": "expected", "-missing": "missing", "-rate": "rate"}
    names["rate"] = "rate_asc"
    return {names[s]: f"{base}?unit={unit.pk}&sort={s}" for s in SORTS}


# --- one report ------------------------------------------------------------------------------


def _report_page(
    request: HttpRequest,
    r: Report,
    *,
    comment_form: f.CommentForm | None = None,
    reason_form: f.ReasonForm | None = None,
    receiver_form: f.ReceiverForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = _today()
    rnd = r.round
    indicators = list(rnd.version.indicators.all())
    consolidating = has_sources(r)
    cons = consolidate(rnd, r.unit_id, indicators) if consolidating else {}
    can_write = can_write_report(user, r) and r.is_editable
    can_review = can_review_report(user, r)
    trace = can_trace_report(user, r)
    reporter_page = tally = None
    if consolidating and trace:
        tally = reporters_tally(rnd, r.unit_id, today=today)
        reporter_page = Paginator(reporters(rnd, r.unit_id), ROWS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        for s in reporter_page.object_list:
            s.late = s.is_late(rnd.deadline)
            s.missing = s.is_missing(today, rnd.deadline)
    initial = {"version": r.version}
    sections = list(rnd.version.sections.all())
    return render(
        request,
        "reports/report_detail.html",
        {
            "r": r,
            "round": rnd,
            "period_text": periods.describe(rnd.period_kind, rnd.period_label),
            "rows": _figure_rows(r, cons, consolidating),
            "sections": [(s, (r.narrative or {}).get(s.key, "")) for s in sections],
            "excerpts": excerpts(rnd, r.unit_id) if consolidating and trace else {},
            "consolidating": consolidating,
            "trace": trace,
            "tally": tally,
            "reporter_page": reporter_page,
            "can_write": can_write,
            "can_submit": can_write and r.state in Report.EDITABLE,
            "unsettled": (tally.expected - tally.accepted) if tally is not None else 0,
            "can_decide": can_review and r.state == S.SUBMITTED and not r.is_top,
            "can_waive": can_review
            and not r.is_top
            and r.state in (S.DRAFT, S.RETURNED, S.SUBMITTED)
            and not r.superseded_by_id,
            "can_reopen": can_review and r.state in (S.ACCEPTED, S.WAIVED),
            "can_route": can_manage_round(user, rnd) and r.is_editable and not r.is_top,
            "comment_form": comment_form or f.CommentForm(initial=initial),
            "reason_form": reason_form or f.ReasonForm(initial=initial),
            "receiver_form": receiver_form
            or f.ReceiverForm(report=r, initial={**initial, "receiver": r.receiver_id}),
            "late": r.is_late(rnd.deadline),
            "missing": r.is_missing(today, rnd.deadline),
            "crumbs": _report_crumbs(r),
        },
        status=status,
    )


@login_required
@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, get_report_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    r = get_report_for_user(user, pk, write=True)
    if not r.is_editable:
        messages.warning(request, _("This report cannot be changed now."))
        return redirect("reports:report", r.pk)
    rnd = r.round
    indicators = list(rnd.version.indicators.select_related("source_task"))
    sections = list(rnd.version.sections.all())
    consolidating = has_sources(r)

    def edit_form(data) -> f.ReportEditForm:
        # the initial values also fill the disabled (fed) figures of a form sent back
        return f.ReportEditForm(
            data,
            initial=edit_initial(r),
            indicators=indicators,
            sections=sections,
            consolidating=consolidating,
        )

    form = edit_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            saved = report_save(
                report=r,
                by=user,
                figures=form.figures(),
                narrative=form.narrative(),
                version=form.cleaned_data["version"],
                **form.document_fields(),
            )
            if submit:
                report_submit(report=saved, by=user, version=saved.version)
        except DomainError as error:
            if error.code == "stale" or (submit and isinstance(error, ReportInvalid)):
                # keep what was typed, and let the next attempt pass the version check (when
                # the save passed and the submit did not, it starts from the saved version)
                data = request.POST.copy()
                data["version"] = str(Report.objects.get(pk=r.pk).version)
                form = edit_form(data)
                form.is_valid()
            form.add_domain_error(error)
        else:
            if submit:
                r.refresh_from_db()
                if r.state == S.ACCEPTED:
                    messages.success(request, _("The report has been finalized."))
                else:
                    messages.success(
                        request,
                        _("The report has been sent to %(unit)s.") % {"unit": r.receiver.name},
                    )
                return redirect("reports:report", r.pk)
            messages.success(request, _("The report has been saved as a draft."))
            return redirect("reports:edit", r.pk)
    cons = consolidate(rnd, r.unit_id, indicators) if consolidating else {}
    rows = []
    for ind, field in form.figure_rows():
        fig = None if ind.is_fed else cons.get(ind.pk)
        rows.append(
            FigureRow(
                ind,
                "",
                consolidated=fmt_figure(ind, fig.value, count=True)
                if fig is not None and fig.has_value
                else None,
                figure=fig if fig is not None and fig.reports else None,
                field=field,
            )
        )
    found = excerpts(rnd, r.unit_id) if consolidating else {}
    return render(
        request,
        "reports/report_edit.html",
        {
            "r": r,
            "round": rnd,
            "form": form,
            "rows": rows,
            "section_rows": [(s, field, found.get(s.key, [])) for s, field in form.section_rows()],
            "consolidating": consolidating,
            "tally": reporters_tally(rnd, r.unit_id) if consolidating else None,
            "crumbs": _report_crumbs(r, (_("Fill in"), None)),
        },
        status=400 if request.method == "POST" else 200,
    )


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The receiver's (and reporter's) one-button actions, with their text field."""
    user = request.user
    r = get_report_for_user(user, pk)
    form_class = {
        "return": f.CommentForm,
        "accept": f.VersionForm,
        "submit": f.VersionForm,
        "reopen": f.ReasonForm,
        "waive": f.ReasonForm,
    }[action]
    form = form_class(request.POST)
    if form.is_valid():
        version = form.cleaned_data["version"]
        try:
            if action == "return":
                report_return(
                    report=r, by=user, comment=form.cleaned_data["comment"], version=version
                )
                text = _("The report has been returned to %(unit)s.") % {"unit": r.unit.name}
            elif action == "accept":
                report_accept(report=r, by=user, version=version)
                text = _("The report of %(unit)s has been accepted.") % {"unit": r.unit.name}
            elif action == "submit":
                report_submit(report=r, by=user, version=version)
                text = _("The report has been sent.")
            elif action == "reopen":
                report_reopen(
                    report=r, by=user, reason=form.cleaned_data["reason"], version=version
                )
                text = _("The report has been reopened.")
            else:
                report_waive(report=r, by=user, reason=form.cleaned_data["reason"], version=version)
                text = _("The report is no longer expected.")
        except DomainError as error:
            if error.code == "forbidden":
                raise Http404
            if isinstance(error, ReportInvalid) and action == "submit":
                messages.error(request, _("Some required figures are missing: fill them in."))
                return redirect("reports:edit", r.pk)
            form.add_domain_error(error)
        else:
            messages.success(request, text)
            return redirect("reports:report", r.pk)
    r = get_report_for_user(user, pk)
    kwargs: dict[str, Any] = {"status": 409 if _is_conflict(form) else 400}
    if action == "return":
        kwargs["comment_form"] = form
    elif action in ("reopen", "waive"):
        kwargs["reason_form"] = form
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
        for error in form.errors.get("version", []):
            messages.error(request, error)
    return _report_page(request, r, **kwargs)


def _is_conflict(form) -> bool:
    return bool(form.errors.get("version"))


@login_required
@require_POST
def report_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "return")


@login_required
@require_POST
def report_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "accept")


@login_required
@require_POST
def report_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "submit")


@login_required
@require_POST
def report_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reopen")


@login_required
@require_POST
def report_waive_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "waive")


@login_required
@require_POST
def report_receiver_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    r = get_report_for_user(user, pk)
    if not can_manage_round(user, r.round):
        raise Http404
    form = f.ReceiverForm(request.POST, report=r)
    if form.is_valid():
        try:
            report_set_receiver(
                report=r,
                receiver=form.cleaned_data["receiver"],
                by=user,
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The report will go to its new receiver."))
            return redirect("reports:report", r.pk)
    return _report_page(request, r, receiver_form=form, status=400)


@login_required
@require_safe
def report_sources(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Where one consolidated figure came from: each accepted reporter's value."""
    user = request.user
    r = get_report_for_user(user, pk)
    ind = r.round.version.indicators.filter(code=code).first()
    if ind is None or not can_trace_report(user, r):
        raise Http404
    fig = consolidate(r.round, r.unit_id, [ind])[ind.pk]
    order = request.GET.get("sort")
    qs = source_values(r.round, r.unit_id, ind)
    if order == "value":
        qs = qs.order_by("number", "report__unit_path")
    elif order == "-value":
        qs = qs.order_by("-number", "report__unit_path")
    page = Paginator(qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for v in page.object_list:
        v.shown = fmt_figure(ind, v.number, v.text, count=True)
    context = {
        "r": r,
        "ind": ind,
        "fig": fig,
        "total": fmt_figure(ind, fig.value, count=True) if fig.has_value else "",
        "page": page,
        "order": order or "",
        "crumbs": _report_crumbs(r, (ind.name, None)),
    }
    if request.htmx:
        return render(request, "reports/_sources.html", context)
    return render(request, "reports/sources.html", context)


HISTORY_ACTIONS = {
    "created": pgettext("report history", "Created"),
    "saved": pgettext("report history", "Saved"),
    "submitted": pgettext("report history", "Submitted"),
    "finalized": pgettext("report history", "Finalized"),
    "returned": pgettext("report history", "Returned"),
    "accepted": pgettext("report history", "Accepted"),
    "reopened": pgettext("report history", "Reopened"),
    "waived": pgettext("report history", "Waived"),
    "receiver changed": pgettext("report history", "Receiver changed"),
    "unit dissolved": pgettext("report history", "Unit dissolved"),
    "loaded": pgettext("report history", "Loaded from the archives"),
}


@login_required
@require_safe
def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    r = get_report_for_user(request.user, pk)
    qs = r.history.select_related("history_user").order_by("-history_id")
    page = Paginator(qs, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    states = dict(Report.State.choices)
    for h in page.object_list:
        reason = h.history_change_reason or ""
        h.action = HISTORY_ACTIONS.get(reason) or reason or pgettext("report history", "Changed")
        h.state_label = states.get(h.state, h.state)
        h.shows_comment = reason in ("returned", "reopened", "waived", "unit dissolved")
    return render(
        request,
        "reports/history.html",
        {"r": r, "page": page, "crumbs": _report_crumbs(r, (_("History"), None))},
    )


# --- files -----------------------------------------------------------------------------------


@login_required
@require_safe
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from trienkhai.reports.documents import report_document

    r = get_report_for_user(request.user, pk)
    response = report_document(r)
    audit(AuditEvent.Kind.EXPORT, request=request, what="report_docx", report=r.pk)
    return response


@login_required
@require_safe
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from trienkhai.reports.sheets import report_workbook

    r = get_report_for_user(request.user, pk)
    response = report_workbook(r, sources=can_trace_report(request.user, r))
    audit(AuditEvent.Kind.EXPORT, request=request, what="report_xlsx", report=r.pk)
    return response


@login_required
@require_safe
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from trienkhai.reports.sheets import round_workbook

    user = request.user
    rnd = get_round_for_user(user, pk)
    unit = completeness_unit(user, rnd, request.GET.get("unit"))
    response = round_workbook(rnd, unit)
    audit(AuditEvent.Kind.EXPORT, request=request, what="round_xlsx", round=rnd.pk, unit=unit.pk)
    return response


@login_required
@require_safe
def round_template(request: HttpRequest, pk: int) -> HttpResponse:
    from trienkhai.reports.sheets import import_template

    user = request.user
    rnd = get_round_for_user(user, pk)
    rows = to_fill(user).filter(round=rnd).select_related("unit").order_by("unit_path")
    if not rows.exists():
        raise Http404
    response = import_template(rnd, list(rows[:5000]))
    audit(AuditEvent.Kind.EXPORT, request=request, what="round_template", round=rnd.pk)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def round_import(request: HttpRequest, pk: int) -> HttpResponse:
    from trienkhai.documents.uploads import UploadRefused, check_upload
    from trienkhai.reports.sheets import ImportFailed, import_figures

    user = request.user
    rnd = get_round_for_user(user, pk)
    if not to_fill(user).filter(round=rnd).exists():
        raise Http404
    form = f.ImportForm(request.POST or None, request.FILES or None)
    problems: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            info = check_upload(upload)
            if info.ext != "xlsx":
                raise UploadRefused(_("Upload the .xlsx template."), reason="type")
            with transaction.atomic():
                n = import_figures(rnd, upload, by=user)
        except UploadRefused as exc:
            audit(AuditEvent.Kind.UPLOAD_REFUSED, request=request, reason=str(exc))
            form.add_error("file", str(exc))
        except ImportFailed as exc:
            problems = exc.problems
            form.add_error("file", _("Nothing was imported: correct the cells listed below."))
        else:
            audit(AuditEvent.Kind.IMPORT, request=request, what="report_figures", round=rnd.pk)
            messages.success(request, _("%(n)s reports have been updated.") % {"n": n})
            return redirect("reports:round", rnd.pk)
    return render(
        request,
        "reports/import.html",
        {
            "round": rnd,
            "form": form,
            "problems": problems,
            "crumbs": _crumbs(_rounds_crumb(), _round_crumb(rnd), (_("Import figures"), None)),
        },
        status=400 if request.method == "POST" else 200,
    )
