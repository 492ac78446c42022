"""Indicators fed from the system's own counters, so nobody retypes what it already counts.

A fed indicator names a task; its figure for a report is read from the counters of the
report's own unit, which already cover the unit's whole subtree once (so it is never summed
again up the hierarchy, and a dissolved or merged unit is counted where the counters put it):

- the cascade's ``tasks.UnitTaskRollup`` (assignments of the task in the subtree, by bucket):
  units that completed it, on time, their percentage, and the on-time rate;
- study and dissemination's ``outreach.UnitStudyRollup`` (sessions of a study topic in the
  subtree, people covered — capped by each unit's headcount) over
  ``outreach.UnitOutreachRollup`` (headcounts of the subtree): sessions held, units that held
  one, party members who attended, and their percentage of all party members.

Done counts, sessions and headcounts do not move with time (only open work turns overdue,
which the daily sweep records), so the counters are read as they are: one query per counter
table for all the fed indicators of all the reports asked about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from trienkhai.outreach.models import UnitOutreachRollup, UnitStudyRollup
from trienkhai.reports.models import Indicator, Report
from trienkhai.tasks.models import UnitTaskRollup

S = Indicator.Source


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _task_figure(source: str, c: UnitTaskRollup | None) -> float | None:
    done_on_time = c.done_on_time if c else 0
    done = done_on_time + (c.done_late if c else 0)
    if source == S.TASK_DONE:
        return float(done)
    if source == S.TASK_DONE_ON_TIME:
        return float(done_on_time)
    if source == S.TASK_DONE_PERCENT:
        return _percent(done, c.total if c else 0)
    if source == S.TASK_ON_TIME_PERCENT:
        # the cascade dashboard's on-time rate: on time ÷ work done or past its deadline
        return _percent(done_on_time, done + (c.overdue if c else 0))
    return None


def _study_figure(source: str, c: dict[str, int] | None, party_members: int) -> float | None:
    if source == S.STUDY_SESSIONS:
        return float(c["sessions"] if c else 0)
    if source == S.STUDY_UNITS_HELD:
        return float(c["held"] if c else 0)
    if source == S.STUDY_PARTY_MEMBERS:
        return float(c["cov_party_members"] if c else 0)
    if source == S.STUDY_PARTY_PERCENT:
        # people covered are capped by each unit's headcount: never above 100 %
        return _percent(c["cov_party_members"] if c else 0, party_members)
    return None


def _fed(indicators: Iterable[Indicator]) -> list[Indicator]:
    return [i for i in indicators if i.is_fed and i.source_task_id]


def fed_values_many(
    unit_ids: list[int], indicators: list[Indicator]
) -> dict[int, dict[int, float | None]]:
    """Unit id → (indicator id → fed figure), for many units at once (at most three queries)."""
    fed = _fed(indicators)
    if not fed or not unit_ids:
        return {}
    task_ids = {i.source_task_id for i in fed if i.source in Indicator.TASK_SOURCES}
    topic_ids = {i.source_task_id for i in fed if i.source in Indicator.STUDY_SOURCES}
    tasks: dict[tuple[int, int], UnitTaskRollup] = {}
    if task_ids:
        tasks = {
            (c.unit_id, c.task_id): c
            for c in UnitTaskRollup.objects.filter(unit_id__in=unit_ids, task_id__in=task_ids)
        }
    study: dict[tuple[int, int], dict[str, Any]] = {}
    party: dict[int, int] = {}
    if topic_ids:
        study = {
            (row["unit_id"], row["topic_id"]): row
            for row in UnitStudyRollup.objects.filter(
                unit_id__in=unit_ids, topic_id__in=topic_ids
            ).values("unit_id", "topic_id", "sessions", "held", "cov_party_members")
        }
        if any(i.source == S.STUDY_PARTY_PERCENT for i in fed):
            party = dict(
                UnitOutreachRollup.objects.filter(unit_id__in=unit_ids).values_list(
                    "unit_id", "party_members"
                )
            )
    out: dict[int, dict[int, float | None]] = {}
    for u in unit_ids:
        row: dict[int, float | None] = {}
        for i in fed:
            key = (u, i.source_task_id)
            if i.source in Indicator.STUDY_SOURCES:
                row[i.pk] = _study_figure(i.source, study.get(key), party.get(u, 0))
            else:
                row[i.pk] = _task_figure(i.source, tasks.get(key))
        out[u] = row
    return out


def fed_values(
    report: Report, indicators: list[Indicator], *, today: dt.date | None = None
) -> dict[int, float | None]:
    """Indicator id → fed figure, for the fed indicators among ``indicators``."""
    return fed_values_many([report.unit_id], indicators).get(report.unit_id, {})
