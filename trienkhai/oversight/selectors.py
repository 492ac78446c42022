"""Reads of inspection and supervision: who sees which plans, visits and recommendations, and
the roll-up of a subtree.

A plan is read by the readers of its supervising unit (the unit and every unit above it that
a user belongs to, the inspection committee included); a visit and its recommendations also
by the readers of the visited unit. Acting (plans, visits, verification) is for the staff,
leaders and inspection committee of the supervising unit itself.

Volumes are small (a few plans per unit per year), so the roll-up is a plain aggregate over
the subtree grouped by the child it falls under (ROLLUP.md option 1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from trienkhai.accounts.models import Membership
from trienkhai.accounts.scoping import memberships_of, sees_everything, units_for_user
from trienkhai.oversight.models import Plan, PlanTarget, Recommendation, Visit
from trienkhai.tasks.models import Assignment
from trienkhai.units.models import Unit

SUPERVISING_ROLES = (Membership.Role.STAFF, Membership.Role.LEADER, Membership.Role.INSPECTION)
# Open recommendations by days since the visit ended: (key, first day, last day or None).
AGE_BUCKETS = (("d30", 0, 30), ("d90", 31, 90), ("d180", 91, 180), ("older", 181, None))


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404


def can_supervise(user, unit: Unit) -> bool:
    """Staff, leaders and the inspection committee of the unit itself act for its oversight."""
    if not _active(user):
        return False
    if sees_everything(user):
        return True
    return any(m.unit.pk == unit.pk and m.role in SUPERVISING_ROLES for m in memberships_of(user))


def supervising_units(user) -> list[Unit]:
    if not _active(user):
        return []
    if sees_everything(user):
        return list(Unit.objects.roots())
    return [m.unit for m in memberships_of(user) if m.role in SUPERVISING_ROLES]


def _reach(user):
    return units_for_user(user).order_by().values("pk")


def plans_for_user(user) -> QuerySet[Plan]:
    if not _active(user):
        return Plan.objects.none()
    if sees_everything(user):
        return Plan.objects.all()
    return Plan.objects.filter(unit__in=_reach(user))


def visits_for_user(user) -> QuerySet[Visit]:
    if not _active(user):
        return Visit.objects.none()
    if sees_everything(user):
        return Visit.objects.all()
    reach = _reach(user)
    return Visit.objects.filter(Q(plan__unit__in=reach) | Q(unit__in=reach))


def recommendations_for_user(user) -> QuerySet[Recommendation]:
    if not _active(user):
        return Recommendation.objects.none()
    if sees_everything(user):
        return Recommendation.objects.all()
    reach = _reach(user)
    return Recommendation.objects.filter(Q(visit__plan__unit__in=reach) | Q(visit__unit__in=reach))


def get_plan_for_user(user, pk, *, act: bool = False) -> Plan:
    try:
        plan = plans_for_user(user).select_related("unit", "created_by").get(pk=_int(pk))
    except Plan.DoesNotExist:
        raise Http404
    if act and not can_supervise(user, plan.unit):
        raise Http404
    return plan


def get_visit_for_user(user, pk, *, act: bool = False) -> Visit:
    try:
        visit = (
            visits_for_user(user)
            .select_related("plan__unit", "unit", "rating", "planned", "created_by")
            .get(pk=_int(pk))
        )
    except Visit.DoesNotExist:
        raise Http404
    if act and not can_supervise(user, visit.plan.unit):
        raise Http404
    return visit


def get_recommendation_for_user(user, pk, *, act: bool = False) -> Recommendation:
    try:
        rec = (
            recommendations_for_user(user)
            .select_related("visit__plan__unit", "visit__unit", "task")
            .get(pk=_int(pk))
        )
    except Recommendation.DoesNotExist:
        raise Http404
    if act and not can_supervise(user, rec.visit.plan.unit):
        raise Http404
    return rec


# --- roll-up ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """Oversight of a subtree for a year; open recommendations are those of every year."""

    plans: int = 0
    planned: int = 0
    planned_visited: int = 0
    unplanned: int = 0
    targets: int = 0
    never_visited: int = 0
    open_by_age: dict[str, int] = field(default_factory=lambda: {k: 0 for k, *_ in AGE_BUCKETS})
    awaiting: int = 0
    overdue: int = 0
    closed: int = 0

    @property
    def visits(self) -> int:
        return self.planned_visited + self.unplanned

    @property
    def open(self) -> int:
        return sum(self.open_by_age.values())

    @property
    def done_percent(self) -> float | None:
        return round(100 * self.planned_visited / self.planned, 1) if self.planned else None


@dataclass
class OversightRow:
    unit: Unit
    figures: Figures
    own: bool = False


@dataclass
class Oversight:
    unit: Unit
    year: int
    figures: Figures
    children: list[OversightRow]
    own: OversightRow | None


def _prefix(unit: Unit, column: str) -> Any:
    """The path of the child of ``unit`` that a row falls under (the unit's own path for its
    own rows), from the path of the row's unit."""
    return Substr(column, 1, unit.steplen * (unit.depth + 1))


def _in_subtree(unit: Unit):
    return Unit.objects.subtree_of(unit).order_by().values("pk")


def never_visited(unit: Unit, year: int) -> QuerySet[PlanTarget]:
    """Planned targets of the subtree's plans for the year that no visit of the plan reached,
    one row per (plan, unit): the first planned window."""
    visited = Visit.objects.filter(plan=OuterRef("plan_id"), unit=OuterRef("unit_id"))
    return (
        PlanTarget.objects.filter(plan__year=year, plan__unit__in=_in_subtree(unit))
        .annotate(visited=Exists(visited))
        .filter(visited=False)
        .order_by("plan_id", "unit_id", "starts_on", "pk")
    )


def open_recommendations(unit: Unit) -> QuerySet[Recommendation]:
    """Recommendations of the subtree's plans not yet verified closed, the oldest visit first."""
    return Recommendation.objects.filter(
        closed_on__isnull=True, visit__plan__unit__in=_in_subtree(unit)
    ).order_by("visit__ends_on", "due_date", "pk")


def oversight(unit: Unit, year: int, *, today: dt.date | None = None) -> Oversight:
    """Figures of ``unit``'s subtree and of each child's subtree (a few grouped queries)."""
    today = today or timezone.localdate()
    children = list(Unit.objects.children_of(unit).order_by("path"))
    by_path: dict[str, Figures] = {c.path: Figures() for c in children}
    own = Figures()
    total = Figures()

    def bucket(path: str) -> list[Figures]:
        fig = by_path.get(path)
        return [total, fig if fig is not None else own]

    subtree = _in_subtree(unit)
    plans = Plan.objects.filter(year=year, unit__in=subtree)
    for row in (
        plans.annotate(p=_prefix(unit, "unit__path")).values("p").annotate(n=Count("pk")).order_by()
    ):
        for fig in bucket(row["p"]):
            fig.plans += row["n"]
    visited_window = Visit.objects.filter(planned=OuterRef("pk"))
    for row in (
        PlanTarget.objects.filter(plan__in=plans)
        .annotate(p=_prefix(unit, "plan__unit__path"), done=Exists(visited_window))
        .values("p")
        .annotate(n=Count("pk"), done_n=Count("pk", filter=Q(done=True)))
        .order_by()
    ):
        for fig in bucket(row["p"]):
            fig.planned += row["n"]
            fig.planned_visited += row["done_n"]
    for row in (
        Visit.objects.filter(plan__in=plans, planned__isnull=True)
        .annotate(p=_prefix(unit, "plan__unit__path"))
        .values("p")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        for fig in bucket(row["p"]):
            fig.unplanned += row["n"]
    visited = Visit.objects.filter(plan=OuterRef("plan_id"), unit=OuterRef("unit_id"))
    for row in (
        PlanTarget.objects.filter(plan__in=plans)
        .annotate(p=_prefix(unit, "plan__unit__path"), seen=Exists(visited))
        .values("p", "plan_id", "unit_id", "seen")
        .distinct()
        .order_by()
    ):
        for fig in bucket(row["p"]):
            fig.targets += 1
            fig.never_visited += 0 if row["seen"] else 1
    done = Assignment.objects.filter(task_id=OuterRef("task_id"), state=Assignment.State.DONE)
    recs = Recommendation.objects.filter(visit__plan__unit__in=subtree).annotate(
        p=_prefix(unit, "visit__plan__unit__path"), reported=Exists(done)
    )
    for row in (
        recs.filter(closed_on__isnull=True)
        .values("p", "visit__ends_on", "reported", "due_date")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        age = (today - row["visit__ends_on"]).days
        key = next(k for k, lo, hi in AGE_BUCKETS if age >= lo and (hi is None or age <= hi))
        for fig in bucket(row["p"]):
            fig.open_by_age[key] += row["n"]
            if row["reported"]:
                fig.awaiting += row["n"]
            elif row["due_date"] < today:
                fig.overdue += row["n"]
    for row in recs.filter(closed_on__year=year).values("p").annotate(n=Count("pk")).order_by():
        for fig in bucket(row["p"]):
            fig.closed += row["n"]
    own_row = OversightRow(unit, own, own=True) if (own.plans or own.open or own.closed) else None
    return Oversight(
        unit=unit,
        year=year,
        figures=total,
        children=[OversightRow(c, by_path[c.path]) for c in children],
        own=own_row,
    )
