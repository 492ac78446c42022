"""Indicators fed from the cascade, so nobody retypes what the system already counts.

A fed indicator names a task of the cascade; its figure for a report is read from the tasks
roll-up counters of the report's own unit (``tasks.UnitTaskRollup``: its whole subtree,
already counted once per assignment), so it is never summed again up the hierarchy. Done
counts and totals do not move with time (only open work turns overdue), so the counters are
read as they are, one query for all the fed indicators of a report.
"""

from __future__ import annotations

import datetime as dt

from trienkhai.reports.models import Indicator, Report
from trienkhai.tasks.models import UnitTaskRollup


def _figure(indicator: Indicator, counts: UnitTaskRollup | None) -> float | None:
    S = Indicator.Source
    done = (counts.done_on_time + counts.done_late) if counts else 0
    if indicator.source == S.TASK_DONE:
        return float(done)
    if indicator.source == S.TASK_DONE_ON_TIME:
        return float(counts.done_on_time if counts else 0)
    if indicator.source == S.TASK_DONE_PERCENT:
        total = counts.total if counts else 0
        return round(100 * done / total, 1) if total else None
    return None


def fed_values(
    report: Report, indicators: list[Indicator], *, today: dt.date | None = None
) -> dict[int, float | None]:
    """Indicator id → fed figure, for the fed indicators among ``indicators`` (one query)."""
    fed = [i for i in indicators if i.is_fed and i.source_task_id]
    if not fed:
        return {}
    counters = {
        c.task_id: c
        for c in UnitTaskRollup.objects.filter(
            unit_id=report.unit_id, task_id__in={i.source_task_id for i in fed}
        )
    }
    return {i.pk: _figure(i, counters.get(i.source_task_id)) for i in fed}


def fed_values_many(
    unit_ids: list[int], indicators: list[Indicator]
) -> dict[int, dict[int, float | None]]:
    """Unit id → (indicator id → fed figure), for many reports at once (one query)."""
    fed = [i for i in indicators if i.is_fed and i.source_task_id]
    if not fed or not unit_ids:
        return {}
    counters = {
        (c.unit_id, c.task_id): c
        for c in UnitTaskRollup.objects.filter(
            unit_id__in=unit_ids, task_id__in={i.source_task_id for i in fed}
        )
    }
    return {
        u: {i.pk: _figure(i, counters.get((u, i.source_task_id))) for i in fed} for u in unit_ids
    }


def fed_value(indicator: Indicator, unit, *, today: dt.date | None = None) -> float | None:
    if not indicator.is_fed or not indicator.source_task_id:
        return None
    counts = UnitTaskRollup.objects.filter(unit=unit, task_id=indicator.source_task_id).first()
    return _figure(indicator, counts)
