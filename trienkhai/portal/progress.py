"""The public progress page of a directive: what was asked, and how far the units have got.

Read only from the cascade's counters (``tasks.selectors.rollup`` with a filter on the
directive's public tasks), never from assignment rows: nothing a unit wrote — progress text,
reasons for a delay, people's names, internal documents — can reach the page. Units are
named (they are public bodies); figures are counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from trienkhai.documents.models import Document
from trienkhai.tasks.models import COUNTER_FIELDS, Assignment, Task, UnitTaskRollup
from trienkhai.tasks.selectors import Counts, TaskFilter, any_unswept, rollup
from trienkhai.units.models import Unit

MAX_ISSUERS = 5
MAX_TASKS = 30


@dataclass
class PublicTasks(TaskFilter):
    """A dashboard filter that keeps exactly the given (public) tasks."""

    ids: list[int] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return True

    def tasks(self) -> QuerySet[Task]:
        return Task.objects.filter(pk__in=self.ids)


@dataclass
class Segment:
    key: str
    count: int
    x: float
    width: float


@dataclass
class Bar:
    """A stacked bar in a 0–100 wide SVG: done on time, done late, within, overdue."""

    counts: Counts
    segments: list[Segment]

    @classmethod
    def of(cls, counts: Counts) -> Bar:
        parts = [
            ("done_on_time", counts.done_on_time),
            ("done_late", counts.done_late),
            ("within", counts.within_deadline),
            ("overdue", counts.overdue),
        ]
        total = counts.total or 1
        x = 0.0
        segments = []
        for key, n in parts:
            width = round(100 * n / total, 2)
            if n:
                segments.append(Segment(key, n, round(x, 2), width))
            x += width
        return cls(counts, segments)


@dataclass
class TaskProgress:
    task: Task
    bar: Bar


@dataclass
class UnitProgress:
    unit: Unit
    bar: Bar


@dataclass
class IssuerProgress:
    issuer: Unit
    total: Bar
    tasks: list[TaskProgress]
    units: list[UnitProgress]


def public_tasks_of(document: Document) -> QuerySet[Task]:
    """The directive's public tasks (not the units' own breakdowns)."""
    return Task.objects.filter(
        source_document=document, is_public=True, parent_assignment__isnull=True
    )


def directives_with_progress() -> QuerySet[Document]:
    """Public documents that have public tasks, newest first."""
    tasks = public_tasks_of(OuterRef("pk"))
    return (
        Document.objects.public()
        .filter(Exists(tasks))
        .select_related("issuer_unit")
        .order_by("-issue_date", "-pk")
    )


def _task_counts(issuer: Unit, ids: list[int], today: dt.date) -> dict[int, Counts]:
    by_task = {i: Counts() for i in ids}
    for row in UnitTaskRollup.objects.filter(unit=issuer, task__in=ids).values(
        "task_id", *COUNTER_FIELDS
    ):
        by_task[row["task_id"]] = Counts(**{f: row[f] for f in COUNTER_FIELDS})
    if any_unswept(today):
        # the sweep has not yet moved these into "overdue" (see tasks.selectors.rollup)
        stale = (
            Assignment.objects.filter(
                task__in=ids,
                bucket__in=(Assignment.Bucket.NOT_STARTED, Assignment.Bucket.IN_PROGRESS),
                due_date__lt=today,
            )
            .active()
            .within(issuer)
            .values_list("task_id", "bucket")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for task_id, bucket, n in stale:
            counts = by_task[task_id]
            setattr(counts, bucket, getattr(counts, bucket) - n)
            counts.overdue += n
    return by_task


def directive_progress(document: Document, *, today: dt.date | None = None) -> list[IssuerProgress]:
    """Per issuing unit of the directive's public tasks: totals, per task, per subordinate."""
    today = today or timezone.localdate()
    tasks = list(public_tasks_of(document).select_related("issuer").order_by("due_date", "pk"))
    issuers: dict[int, list[Task]] = {}
    for t in tasks[:MAX_TASKS]:
        issuers.setdefault(t.issuer_id, []).append(t)
    out = []
    for issuer_tasks in list(issuers.values())[:MAX_ISSUERS]:
        issuer = issuer_tasks[0].issuer
        ids = [t.pk for t in issuer_tasks]
        r = rollup(issuer, flt=PublicTasks(ids=ids), today=today)
        per_task = _task_counts(issuer, ids, today)
        out.append(
            IssuerProgress(
                issuer=issuer,
                total=Bar.of(r.counts),
                tasks=[TaskProgress(t, Bar.of(per_task[t.pk])) for t in issuer_tasks],
                units=[
                    UnitProgress(row.unit, Bar.of(row.counts))
                    for row in r.children
                    if row.counts.total
                ],
            )
        )
    return out
