"""Reads of the cascade: who may see which tasks and assignments, and the subtree roll-up.

Visibility: an assignment is seen by readers of its unit (the unit's subtree readers, i.e.
the unit itself and every unit above it that a user belongs to) and by readers of the unit
it reports to. A task is seen by readers of its issuer, by every unit below the issuer
(directives flow down, as documents do: a ward reads the City's tasks, never a sibling's
assignments), and by readers of any unit it is assigned to. Acting on an assignment is for
staff and leaders of the assignee; managing a task (targets, edits, reopening) for those of
the issuer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from trienkhai.accounts.scoping import (
    can_act_for_unit,
    reach_roots,
    sees_everything,
    units_for_user,
)
from trienkhai.tasks.models import (
    COUNTER_FIELDS,
    Assignment,
    AssignmentQuerySet,
    Program,
    Task,
    TaskQuerySet,
    UnitMonthRollup,
    UnitRollup,
    UnitTaskRollup,
)
from trienkhai.units.models import Unit


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _superior_pks(user) -> list[int]:
    paths = {p for u in reach_roots(user) for p in u.ancestor_paths()}
    return list(Unit.objects.filter(path__in=sorted(paths)).values_list("pk", flat=True))


def assignments_for_user(user) -> AssignmentQuerySet:
    """Every assignment the user may read."""
    if not _active(user):
        return Assignment.objects.none()
    if sees_everything(user):
        return Assignment.objects.all()
    roots = reach_roots(user)
    if not roots:
        return Assignment.objects.none()
    reach = units_for_user(user).order_by().values("pk")
    return Assignment.objects.filter(Q(unit__in=reach) | Q(report_to__in=reach))


def tasks_for_user(user) -> TaskQuerySet:
    """Every task the user may read."""
    if not _active(user):
        return Task.objects.none()
    if sees_everything(user):
        return Task.objects.all()
    roots = reach_roots(user)
    if not roots:
        return Task.objects.none()
    reach = units_for_user(user).order_by().values("pk")
    assigned = Assignment.objects.filter(task=OuterRef("pk"), unit__in=reach)
    return Task.objects.filter(
        Q(issuer__in=reach) | Q(issuer__in=_superior_pks(user)) | Exists(assigned)
    )


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404


def get_task_for_user(user, pk, *, manage: bool = False) -> Task:
    """The task if the user may read it (or manage it: act for its issuer); 404 otherwise."""
    try:
        task = (
            tasks_for_user(user)
            .select_related("issuer", "source_document", "parent_assignment__unit")
            .get(pk=_int(pk))
        )
    except Task.DoesNotExist:
        raise Http404
    if manage and not can_act_for_unit(user, task.issuer):
        raise Http404
    return task


def get_assignment_for_user(user, pk, *, write: bool = False) -> Assignment:
    """The assignment if the user may read it (or act on it for its unit); 404 otherwise."""
    try:
        a = (
            assignments_for_user(user)
            .select_related("task__issuer", "unit", "report_to", "output_document")
            .get(pk=_int(pk))
        )
    except Assignment.DoesNotExist:
        raise Http404
    if write and not can_act_for_unit(user, a.unit):
        raise Http404
    return a


def can_update_assignment(user, assignment: Assignment) -> bool:
    return _active(user) and can_act_for_unit(user, assignment.unit)


def can_manage_task(user, task: Task) -> bool:
    return _active(user) and can_act_for_unit(user, task.issuer)


def programs_for_user(user) -> QuerySet[Program]:
    """Programs of units in reach or above: a ward links its plan to the City's project."""
    if not _active(user):
        return Program.objects.none()
    if sees_everything(user):
        return Program.objects.all()
    reach = units_for_user(user).order_by().values("pk")
    return Program.objects.filter(Q(owner__in=reach) | Q(owner__in=_superior_pks(user)))


def get_program_for_user(user, pk) -> Program:
    try:
        return programs_for_user(user).select_related("owner").get(pk=_int(pk))
    except Program.DoesNotExist:
        raise Http404


def acting_units(user) -> list[Unit]:
    """Units the user acts for (creates tasks and updates assignments of)."""
    from trienkhai.accounts.scoping import memberships_of

    if sees_everything(user):
        return list(Unit.objects.roots())
    return [m.unit for m in memberships_of(user) if m.can_act]


# --- roll-up ---------------------------------------------------------------------------------


@dataclass
class Counts:
    """Assignment counts of a subtree, by roll-up status."""

    not_started: int = 0
    in_progress: int = 0
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return (
            self.not_started + self.in_progress + self.done_on_time + self.done_late + self.overdue
        )

    @property
    def within_deadline(self) -> int:
        return self.not_started + self.in_progress

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def on_time_percent(self) -> float | None:
        """Done on time ÷ all assignments (the dashboard headline)."""
        return round(100 * self.done_on_time / self.total, 1) if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        """Done on time ÷ assignments that are done or past their deadline (for ranking)."""
        judged = self.done + self.overdue
        return round(100 * self.done_on_time / judged, 1) if judged else None

    @property
    def update_rate(self) -> float | None:
        return round(100 * self.updated / self.total, 1) if self.total else None

    def add(self, other: Counts) -> None:
        for f in COUNTER_FIELDS:
            setattr(self, f, getattr(self, f) + getattr(other, f))

    def segments(self) -> list[tuple[str, int, float]]:
        """(bucket, count, percent) for a stacked status bar."""
        total = self.total or 1
        return [
            (b, getattr(self, b), 100 * getattr(self, b) / total)
            for b in ("done_on_time", "done_late", "in_progress", "not_started", "overdue")
        ]


@dataclass
class RollupRow:
    unit: Unit
    counts: Counts = field(default_factory=Counts)


@dataclass
class Rollup:
    unit: Unit
    counts: Counts
    children: list[RollupRow]
    filtered: bool


@dataclass
class TaskFilter:
    """Dashboard filters (all optional); values come from an allow-list, never the request."""

    task: Task | None = None
    document_id: int | None = None
    kind: str | None = None
    starred: bool = False

    @property
    def active(self) -> bool:
        return bool(self.task or self.document_id or self.kind or self.starred)

    def tasks(self) -> QuerySet[Task]:
        qs = Task.objects.all()
        if self.task is not None:
            qs = qs.filter(pk=self.task.pk)
        if self.document_id:
            qs = qs.filter(source_document_id=self.document_id)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.starred:
            qs = qs.filter(is_starred=True)
        return qs


def _counts_from(values: dict) -> Counts:
    return Counts(**{f: int(values.get(f) or 0) for f in COUNTER_FIELDS})


def rollup(unit: Unit, *, flt: TaskFilter | None = None, today: dt.date | None = None) -> Rollup:
    """Counts for ``unit``'s subtree and for each child's subtree, in a constant number of
    queries: counters for the unit and its children, and a correction for assignments whose
    deadline passed since the last sweep."""
    today = today or timezone.localdate()
    flt = flt or TaskFilter()
    children = list(Unit.objects.children_of(unit).order_by("path"))
    by_unit: dict[int, Counts] = {c.pk: Counts() for c in children}
    by_unit[unit.pk] = Counts()
    # The unit and its children: their ids let the planner probe the counters' unique index
    # (it misjudges the subquery's size and scans the whole table); beyond a thousand
    # children, a list of ids would cost more than the subquery.
    level: Any = list(by_unit)
    if len(level) > MANY_CHILDREN:
        level = Unit.objects.subtree_of(unit).filter(depth__lte=unit.depth + 1)
        level = level.order_by().values("pk")
    if not flt.active:
        rows = UnitRollup.objects.filter(unit__in=level).values("unit_id", *COUNTER_FIELDS)
    elif flt.task is not None and not (flt.document_id or flt.kind or flt.starred):
        rows = UnitTaskRollup.objects.filter(unit__in=level, task=flt.task).values(
            "unit_id", *COUNTER_FIELDS
        )
    else:
        rows = (
            UnitTaskRollup.objects.filter(unit__in=level, task__in=flt.tasks().values("pk"))
            .values("unit_id")
            .annotate(**{f: Sum(f) for f in COUNTER_FIELDS})
            .order_by()
        )
    for row in rows:
        by_unit[row["unit_id"]] = _counts_from(row)
    _correct(unit, by_unit, children, flt, today)
    return Rollup(
        unit=unit,
        counts=by_unit[unit.pk],
        children=[RollupRow(c, by_unit[c.pk]) for c in children],
        filtered=flt.active,
    )


def any_unswept(today: dt.date) -> bool:
    """Whether any assignment still counts as within the deadline after its deadline.

    Once the daily sweep has run there are none anywhere, and one probe of the partial index
    ``assignment_within_due`` says so. The bucket values are written into the SQL because
    SQLite uses a partial index only when the query repeats its condition verbatim, and the
    ORDER BY makes PostgreSQL walk the index instead of misjudging the correlated conditions.
    """
    table = connection.ops.quote_name(Assignment._meta.db_table)
    sql = (
        f"SELECT 1 FROM {table} WHERE bucket IN ('not_started', 'in_progress')"  # noqa: S608
        " AND due_date < %s ORDER BY due_date LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [today])
        return cursor.fetchone() is not None


def _correct(unit, by_unit, children, flt: TaskFilter, today: dt.date) -> None:
    """Move into "overdue" the open assignments the sweep has not reached yet."""
    if not any_unswept(today):
        return
    stale = (
        Assignment.objects.filter(
            bucket__in=(Assignment.Bucket.NOT_STARTED, Assignment.Bucket.IN_PROGRESS),
            due_date__lt=today,
        )
        .active()
        .within(unit)
        .order_by()
    )
    if flt.active:
        stale = stale.filter(task__in=flt.tasks().values("pk"))
    child_of = {c.path: c.pk for c in children}
    width = unit.steplen * (unit.depth + 1)
    for path, bucket, n in (
        stale.values_list("unit_path", "bucket").annotate(n=Count("pk")).order_by()
    ):
        for pk in {unit.pk, child_of.get(path[:width])} - {None}:
            counts = by_unit[pk]
            setattr(counts, bucket, getattr(counts, bucket) - n)
            counts.overdue += n


def timeline(unit: Unit, *, months: int = 12, today: dt.date | None = None) -> list[dict]:
    """Per month: assignments due, and completions on time and late (the last ``months``)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    start_year, start_month = divmod(first.year * 12 + first.month - 1 - (months - 1), 12)
    start = dt.date(start_year, start_month + 1, 1)
    rows = {
        r["month"]: r
        for r in UnitMonthRollup.objects.filter(unit=unit, month__gte=start, month__lte=first)
        .values("month", "due", "done_on_time", "done_late")
        .order_by()
    }
    out = []
    y, m = start.year, start.month
    for _i in range(months):
        day = dt.date(y, m, 1)
        r = rows.get(day, {})
        out.append(
            {
                "month": day,
                "due": r.get("due", 0),
                "done_on_time": r.get("done_on_time", 0),
                "done_late": r.get("done_late", 0),
            }
        )
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# From this many overdue rows in a subtree, walking all open rows in deadline order (and
# keeping the subtree's) beats collecting the subtree's rows and sorting them.
MANY_OVERDUE = 1000
MANY_CHILDREN = 1000


def overdue_list(
    unit: Unit,
    *,
    flt: TaskFilter | None = None,
    today: dt.date | None = None,
    expected: int | None = None,
) -> AssignmentQuerySet:
    """Open assignments past their deadline in ``unit``'s subtree, the oldest first.

    ``expected`` (the roll-up's overdue count, when known) picks the faster query shape.
    """
    today = today or timezone.localdate()
    qs = Assignment.objects.overdue(today)
    qs = qs.within(unit) if (expected or 0) >= MANY_OVERDUE else qs.in_subtree(unit)
    qs = qs.select_related("unit", "task").order_by("due_date", "pk")
    if flt is not None and flt.active:
        qs = qs.filter(task__in=flt.tasks().values("pk"))
    return qs
