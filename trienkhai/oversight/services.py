"""Writes of inspection and supervision: plans, targets, visits, recommendations.

Each recommendation becomes a follow-up task of the supervising unit assigned to the visited
unit (``tasks.services.task_create`` + ``target_add``): the cascade tracks it like any task,
and the supervisor verifies it closed once the visited unit reports it done. The supervisor's
right is checked here (staff, leaders and the inspection committee of the supervising unit);
the tasks services are then called as the system, since the inspection committee does not act
for the unit's tasks otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from trienkhai.core.errors import DomainError
from trienkhai.core.versioning import check_version
from trienkhai.documents.models import Document
from trienkhai.outreach.attachments import check_files, remove_files, store_file
from trienkhai.oversight.models import (
    Plan,
    PlanTarget,
    Rating,
    Recommendation,
    Visit,
    VisitFile,
)
from trienkhai.oversight.selectors import can_supervise
from trienkhai.tasks.models import Assignment, Target, Task
from trienkhai.tasks.services import assignment_reopen, target_add, task_create
from trienkhai.units.models import Unit

MAX_RECOMMENDATIONS = 30
TITLE_LENGTH = 500


def _today() -> dt.date:
    return timezone.localdate()


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _check_supervises(by: Any, unit: Unit) -> None:
    if by is None:  # system jobs, commands and the demo
        return
    if not can_supervise(by, unit):
        raise DomainError(
            _("Only the staff, leaders and inspection committee of %(unit)s can do this.")
            % {"unit": unit.name},
            code="forbidden",
            field="unit",
        )


def _check_target(unit: Unit, target: Unit, field: str = "unit") -> None:
    if target.pk == unit.pk or not target.is_within(unit):
        raise DomainError(
            _("%(target)s is not under %(unit)s: oversight covers only subordinate units.")
            % {"target": target.name, "unit": unit.name},
            code="outside",
            field=field,
        )
    if target.dissolved_on is not None:
        raise DomainError(
            _("%(target)s was dissolved on %(date)s.")
            % {"target": target.name, "date": _fmt(target.dissolved_on)},
            code="dissolved",
            field=field,
        )


def _check_window(year: int, starts_on: Any, ends_on: Any, *, field: str = "starts_on") -> None:
    if starts_on is None or ends_on is None:
        raise DomainError(_("Enter both dates (dd/mm/yyyy)."), code="required", field=field)
    if ends_on < starts_on:
        raise DomainError(
            _("The end date is before the start date."), code="order", field="ends_on"
        )
    if starts_on.year != year or ends_on.year != year:
        raise DomainError(
            _("The dates must fall within %(year)s, the plan's year.") % {"year": year},
            code="year",
            field=field,
        )


def _check_visible(by: Any, documents: Sequence[Document], tasks: Sequence[Task]) -> None:
    if by is None:
        return
    from trienkhai.documents.selectors import documents_for_user
    from trienkhai.tasks.selectors import tasks_for_user

    docs = documents_for_user(by).filter(pk__in=[d.pk for d in documents]).count()
    if docs != len({d.pk for d in documents}):
        raise DomainError(_("Choose a document you can see."), code="forbidden", field="documents")
    seen = tasks_for_user(by).filter(pk__in=[t.pk for t in tasks]).count()
    if seen != len({t.pk for t in tasks}):
        raise DomainError(_("Choose a task you can see."), code="forbidden", field="tasks")


def _clean_reason(reason: str, message: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(message, code="required", field="reason")
    return reason


def _refusal(refused: Callable[..., str], obj: Any) -> str:
    """Refuse to delete ``obj`` if ``refused(obj)`` says why; else the message to refuse with
    should a dependent record race in after this check."""
    message = refused(obj)
    if message:
        raise DomainError(message, code="protected", field="reason")
    return refused(obj, n=1)


def _with_reason(obj: Any, by: Any, reason: str) -> Any:
    """``obj`` with who deletes it and why, for its history."""
    obj._history_user = _user(by)
    obj._change_reason = reason[:100]
    return obj


def _delete(obj: Any, message: str) -> None:
    """Delete ``obj``; records protected by it (raced in since the check) refuse the delete
    with ``message`` instead of a server error."""
    try:
        obj.delete()
    except ProtectedError as exc:
        raise DomainError(message, code="protected", field="reason") from exc


# --- plans -----------------------------------------------------------------------------------


def _clean_plan(year: Any, kind: str, title: str) -> tuple[int, str, str]:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError(_("Enter the year, e.g. 2020."), code="invalid", field="year")
    if not 2000 <= year <= 2100:
        raise DomainError(_("The year must be between 2000 and 2100."), code="range", field="year")
    if kind not in Plan.Kind.values:
        raise DomainError(_("Choose inspection or supervision."), code="invalid", field="kind")
    title = " ".join((title or "").split())[:300]
    if not title:
        raise DomainError(_("Enter the plan's title."), code="required", field="title")
    return year, kind, title


@transaction.atomic
def plan_create(
    *,
    unit: Unit,
    by: Any,
    year: int,
    kind: str,
    title: str,
    description: str = "",
    documents: Sequence[Document] = (),
    tasks: Sequence[Task] = (),
    targets: Sequence[tuple[Unit, dt.date, dt.date]] = (),
) -> Plan:
    """A plan of ``unit`` for ``year``, with its targets and their windows."""
    _check_supervises(by, unit)
    if unit.dissolved_on is not None:
        raise DomainError(
            _("%(unit)s was dissolved on %(date)s.")
            % {"unit": unit.name, "date": _fmt(unit.dissolved_on)},
            code="dissolved",
            field="unit",
        )
    year, kind, title = _clean_plan(year, kind, title)
    documents, tasks = list(documents), list(tasks)
    _check_visible(by, documents, tasks)
    plan = Plan(
        unit=unit,
        year=year,
        kind=kind,
        title=title,
        description=(description or "").strip(),
        created_by=_user(by),
    )
    plan.refresh_search_text(unit.name)
    plan._history_user = _user(by)
    plan.save()
    plan.documents.set(documents)
    plan.tasks.set(tasks)
    for target, starts_on, ends_on in targets:
        plan_add_target(plan=plan, by=by, unit=target, starts_on=starts_on, ends_on=ends_on)
    return plan


@transaction.atomic
def plan_add_target(
    *, plan: Plan, by: Any, unit: Unit, starts_on: dt.date, ends_on: dt.date
) -> PlanTarget:
    """Plan a visit of ``unit`` within the window (the plan's year)."""
    plan = Plan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    _check_supervises(by, plan.unit)
    _check_target(plan.unit, unit)
    _check_window(plan.year, starts_on, ends_on)
    target = PlanTarget(plan=plan, unit=unit, starts_on=starts_on, ends_on=ends_on)
    target._history_user = _user(by)
    target.save()
    return target


@transaction.atomic
def plan_remove_target(*, target: PlanTarget, by: Any) -> None:
    """Take a planned visit out of its plan (planned by mistake, or no longer wanted);
    refused once the visit has been recorded against it."""
    plan = Plan.objects.select_for_update().select_related("unit").get(pk=target.plan_id)
    _check_supervises(by, plan.unit)
    message = _(
        "The visit of %(unit)s has been recorded against this planned window: it stays in the plan."
    ) % {"unit": target.unit.name}
    if target.visits.exists():
        raise DomainError(message, code="protected", field="target")
    target._history_user = _user(by)
    _delete(target, message)


@transaction.atomic
def plan_update(
    *,
    plan: Plan,
    by: Any,
    year: int,
    kind: str,
    title: str,
    description: str = "",
    documents: Sequence[Document] = (),
    tasks: Sequence[Task] = (),
    version: int | None = None,
) -> Plan:
    """Edit a plan (its supervising unit stays). A new year must still hold every planned
    window and visit of the plan; ``version`` is the one the editor read."""
    p = Plan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    _check_supervises(by, p.unit)
    check_version(p, version, _("plan"))
    year, kind, title = _clean_plan(year, kind, title)
    documents, tasks = list(documents), list(tasks)
    _check_visible(by, documents, tasks)
    if year != p.year:
        outside = (
            p.targets.exclude(starts_on__year=year).exists()
            or p.targets.exclude(ends_on__year=year).exists()
            or p.visits.exclude(starts_on__year=year, ends_on__year=year).exists()
        )
        if outside:
            raise DomainError(
                _(
                    "The plan's windows and visits fall in %(old)s: it cannot move to %(year)s."
                    " Create a plan for %(year)s instead."
                )
                % {"old": p.year, "year": year},
                code="year",
                field="year",
            )
    p.year, p.kind, p.title = year, kind, title
    p.description = (description or "").strip()
    p.refresh_search_text(p.unit.name)
    p.version += 1
    p._history_user = _user(by)
    p.save()
    p.documents.set(documents)
    p.tasks.set(tasks)
    return p


def plan_delete_refusal(plan: Plan, *, n: int | None = None) -> str:
    """Why the plan cannot be deleted (its visits), or "" when it can."""
    n = plan.visits.count() if n is None else n
    if not n:
        return ""
    return _(
        "This plan cannot be deleted: %(n)s visit(s) are recorded against it. Delete the"
        " visits first (a visit with recommendations is kept for good)."
    ) % {"n": n}


@transaction.atomic
def plan_delete(*, plan: Plan, by: Any, reason: str) -> None:
    """Delete a plan entered by mistake, with its planned windows; refused once a visit is
    recorded against it (the visit's record and follow-up tasks must not be lost)."""
    p = Plan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    _check_supervises(by, p.unit)
    reason = _clean_reason(reason, _("Give the reason for deleting this plan."))
    message = _refusal(plan_delete_refusal, p)
    for target in p.targets.all():
        _delete(_with_reason(target, by, reason), message)
    _delete(_with_reason(p, by, reason), message)


# --- visits ----------------------------------------------------------------------------------


def _check_visit(
    plan: Plan,
    unit: Unit,
    starts_on: Any,
    ends_on: Any,
    team: str,
    rating: Rating | None,
    today: dt.date,
    *,
    current: Rating | None = None,
) -> str:
    """The rules of a visit's facts, on record and on edit; the team, cleaned."""
    _check_target(plan.unit, unit)
    _check_window(plan.year, starts_on, ends_on)
    if ends_on > today:
        raise DomainError(
            _(
                "A visit is recorded once it has taken place: the end date is after today"
                " (%(today)s)."
            )
            % {"today": _fmt(today)},
            code="future",
            field="ends_on",
        )
    team = (team or "").strip()
    if not team:
        raise DomainError(_("Enter the members of the team."), code="required", field="team")
    # a level retired since the visit may stay on it, but is not chosen anew
    usable = rating is not None and (
        (current is not None and rating.pk == current.pk)
        or Rating.objects.filter(pk=rating.pk, is_active=True).exists()
    )
    if not usable:
        raise DomainError(
            _("Choose the conclusion from the scale."), code="required", field="rating"
        )
    return team


@transaction.atomic
def visit_record(
    *,
    plan: Plan,
    by: Any,
    unit: Unit,
    starts_on: dt.date,
    ends_on: dt.date,
    team: str,
    rating: Rating | None,
    conclusion: str = "",
    findings: str = "",
    planned: PlanTarget | None = None,
    recommendations: Sequence[tuple[str, dt.date]] = (),
    files: Sequence[Any] = (),
    today: dt.date | None = None,
) -> Visit:
    """Record a visit that took place; each recommendation becomes a follow-up task.

    Without ``planned``, the visit fulfils the unit's earliest planned window of this plan
    that has no visit yet (an unplanned visit if there is none).
    """
    today = today or _today()
    plan = Plan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    _check_supervises(by, plan.unit)
    team = _check_visit(plan, unit, starts_on, ends_on, team, rating, today)
    if planned is not None and (planned.plan_id != plan.pk or planned.unit_id != unit.pk):
        raise DomainError(
            _("This planned visit belongs to another plan or unit."),
            code="invalid",
            field="planned",
        )
    if planned is None:
        planned = (
            PlanTarget.objects.filter(plan=plan, unit=unit, visits__isnull=True)
            .order_by("starts_on", "pk")
            .first()
        )
    if len(recommendations) > MAX_RECOMMENDATIONS:
        raise DomainError(
            _("At most %(n)s recommendations per visit.") % {"n": MAX_RECOMMENDATIONS},
            code="too_many",
            field="recommendations",
        )
    checked = check_files(files)
    visit = Visit(
        plan=plan,
        planned=planned,
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        team=team,
        rating=rating,
        conclusion=(conclusion or "").strip(),
        findings=(findings or "").strip(),
        created_by=_user(by),
    )
    visit._history_user = _user(by)
    visit.save()
    for upload, info in checked:
        store_file(VisitFile, upload, info, visit=visit)
    for text, due in recommendations:
        recommendation_add(visit=visit, by=by, text=text, due_date=due, today=today)
    return visit


@transaction.atomic
def visit_update(
    *,
    visit: Visit,
    by: Any,
    unit: Unit,
    starts_on: dt.date,
    ends_on: dt.date,
    team: str,
    rating: Rating | None,
    conclusion: str = "",
    findings: str = "",
    recommendations: Sequence[tuple[str, dt.date]] = (),
    files: Sequence[Any] = (),
    version: int | None = None,
    today: dt.date | None = None,
) -> Visit:
    """Correct a visit with the rules of recording it; new ``recommendations`` are added (each
    a follow-up task). Once it has recommendations the unit visited stays (their tasks went to
    it) and the visit cannot end after their earliest due date."""
    today = today or _today()
    v = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("plan__unit", "unit", "rating")
        .get(pk=visit.pk)
    )
    plan = Plan.objects.select_for_update().select_related("unit").get(pk=v.plan_id)
    _check_supervises(by, plan.unit)
    check_version(v, version, _("visit"))
    team = _check_visit(plan, unit, starts_on, ends_on, team, rating, today, current=v.rating)
    recs = list(v.recommendations.order_by("due_date", "pk"))
    if recs and unit.pk != v.unit_id:
        raise DomainError(
            _(
                "The unit visited cannot change: its %(n)s recommendation(s) went to %(unit)s"
                " as follow-up tasks. Record a separate visit of the other unit instead."
            )
            % {"n": len(recs), "unit": v.unit.name},
            code="has_recommendations",
            field="unit",
        )
    if recs and ends_on >= recs[0].due_date:
        raise DomainError(
            _("The visit must end before the due date of its recommendations (%(date)s).")
            % {"date": _fmt(recs[0].due_date)},
            code="due_date",
            field="ends_on",
        )
    if len(recs) + len(recommendations) > MAX_RECOMMENDATIONS:
        raise DomainError(
            _("At most %(n)s recommendations per visit.") % {"n": MAX_RECOMMENDATIONS},
            code="too_many",
            field="recommendations",
        )
    checked = check_files(files, already=v.files.count())
    if unit.pk != v.unit_id:
        # the window it fulfilled was the old unit's: take the new unit's first free one
        v.planned = (
            PlanTarget.objects.filter(plan=plan, unit=unit, visits__isnull=True)
            .order_by("starts_on", "pk")
            .first()
        )
    v.unit = unit
    v.starts_on, v.ends_on = starts_on, ends_on
    v.team, v.rating = team, rating
    v.conclusion = (conclusion or "").strip()
    v.findings = (findings or "").strip()
    v.version += 1
    v._history_user = _user(by)
    v.save()
    for upload, info in checked:
        store_file(VisitFile, upload, info, visit=v)
    for text, due in recommendations:
        recommendation_add(visit=v, by=by, text=text, due_date=due, today=today)
    return v


def visit_delete_refusal(visit: Visit, *, n: int | None = None) -> str:
    """Why the visit cannot be deleted (its recommendations), or "" when it can."""
    n = visit.recommendations.count() if n is None else n
    if not n:
        return ""
    return _(
        "This visit cannot be deleted: it has %(n)s recommendation(s), each a follow-up task"
        " of %(unit)s. Correct the visit instead."
    ) % {"n": n, "unit": visit.unit.name}


@transaction.atomic
def visit_delete(*, visit: Visit, by: Any, reason: str) -> None:
    """Delete a visit recorded by mistake, with its files; refused once it has
    recommendations (their follow-up tasks are in the cascade and must stay traceable)."""
    v = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("plan__unit", "unit")
        .get(pk=visit.pk)
    )
    _check_supervises(by, v.plan.unit)
    reason = _clean_reason(reason, _("Give the reason for deleting this visit."))
    message = _refusal(visit_delete_refusal, v)
    names = []
    for stored in v.files.all():
        names.append(stored.file.name)
        _with_reason(stored, by, reason).delete()
    _delete(_with_reason(v, by, reason), message)
    transaction.on_commit(lambda: remove_files(names))


# --- recommendations -------------------------------------------------------------------------


@transaction.atomic
def recommendation_add(
    *, visit: Visit, by: Any, text: str, due_date: dt.date | None, today: dt.date | None = None
) -> Recommendation:
    """A recommendation of a visit, and its follow-up task assigned to the visited unit."""
    today = today or _today()
    # the lock orders a new recommendation against a concurrent delete of the visit
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("plan__unit", "unit")
        .get(pk=visit.pk)
    )
    supervisor = visit.plan.unit
    _check_supervises(by, supervisor)
    text = (text or "").strip()
    if not text:
        raise DomainError(
            _("Enter what the unit must put right."), code="required", field="recommendations"
        )
    if due_date is None:
        raise DomainError(
            _("Enter the due date of each recommendation."),
            code="required",
            field="recommendations",
        )
    if due_date < today or due_date <= visit.ends_on:
        raise DomainError(
            _("The due date (%(date)s) must come after the visit and not before today.")
            % {"date": _fmt(due_date)},
            code="due_date",
            field="recommendations",
        )
    kind = visit.plan.get_kind_display().lower()
    head = _("Put right after the %(kind)s of %(date)s: %(text)s") % {
        "kind": kind,
        "date": _fmt(visit.ends_on),
        "text": " ".join(text.split()),
    }
    title = head if len(head) <= TITLE_LENGTH else head[: TITLE_LENGTH - 1] + "…"
    description = _("Recommendation of the %(kind)s team of %(unit)s (plan “%(plan)s”).") % {
        "kind": kind,
        "unit": supervisor.name,
        "plan": visit.plan.title,
    }
    # The supervisor's right was checked above; the cascade creates the task as the system.
    task = task_create(
        issuer=supervisor,
        by=None,
        title=title,
        description=f"{text}\n\n{description}",
        kind=Task.Kind.INSPECTION,
        due_date=due_date,
        expected_output=_("Report on what was put right"),
    )
    target_add(task=task, by=None, mode=Target.Mode.UNITS, units=[visit.unit], today=today)
    rec = Recommendation(visit=visit, text=text, due_date=due_date, task=task)
    rec._history_user = _user(by)
    rec.save()
    return rec


def follow_up(rec: Recommendation) -> Assignment | None:
    """The visited unit's assignment of the follow-up task (it may have passed to a
    successor when the unit was dissolved)."""
    if rec.task_id is None:
        return None
    return Assignment.objects.active().filter(task_id=rec.task_id).order_by("pk").first()


def state_of(rec: Recommendation, assignment: Assignment | None) -> str:
    if rec.closed_on is not None:
        return Recommendation.State.CLOSED
    if assignment is not None and assignment.is_done:
        return Recommendation.State.AWAITING
    return Recommendation.State.OPEN


def _locked(rec: Recommendation) -> Recommendation:
    return (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("visit__plan__unit", "visit__unit")
        .get(pk=rec.pk)
    )


@transaction.atomic
def recommendation_verify(
    *, recommendation: Recommendation, by: Any, note: str = "", today: dt.date | None = None
) -> Recommendation:
    """The supervisor checks the work and closes the recommendation (it must be reported done)."""
    today = today or _today()
    rec = _locked(recommendation)
    _check_supervises(by, rec.visit.plan.unit)
    if rec.closed_on is not None:
        raise DomainError(
            _("This recommendation was already verified closed on %(date)s.")
            % {"date": _fmt(rec.closed_on)},
            code="already_closed",
            field="note",
        )
    a = follow_up(rec)
    if a is None or not a.is_done:
        raise DomainError(
            _(
                "%(unit)s has not reported this recommendation done yet: it can be verified"
                " once its follow-up task is done."
            )
            % {"unit": rec.visit.unit.name},
            code="not_done",
            field="note",
        )
    rec.closed_on = today
    rec.closed_by = _user(by)
    rec.note = (note or "").strip()
    rec._history_user = _user(by)
    rec._change_reason = "verified closed"
    rec.save()
    return rec


@transaction.atomic
def recommendation_return(
    *, recommendation: Recommendation, by: Any, reason: str
) -> Recommendation:
    """Not satisfied: the follow-up task is reopened with the reason; the recommendation stays
    open."""
    rec = _locked(recommendation)
    _check_supervises(by, rec.visit.plan.unit)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("Say what is still missing."), code="required", field="note")
    if rec.closed_on is not None:
        raise DomainError(
            _("This recommendation was already verified closed on %(date)s.")
            % {"date": _fmt(rec.closed_on)},
            code="already_closed",
            field="note",
        )
    a = follow_up(rec)
    if a is None or not a.is_done:
        raise DomainError(
            _("The follow-up task is not done: there is nothing to return."),
            code="not_done",
            field="note",
        )
    assignment_reopen(assignment=a, by=None, reason=reason)
    rec.note = reason
    rec._history_user = _user(by)
    rec._change_reason = "returned"
    rec.save()
    return rec
