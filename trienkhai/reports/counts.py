"""Completeness counters: kept on every write, recounted from the reports to check drift.

Every change of a report that matters to completeness — created, submitted, returned,
accepted, reopened, waived, superseded, passed to a successor — is described as the fact it
was and the fact it becomes (``Fact``); ``record`` turns a batch into deltas for every
ancestor-or-self unit of the report's path and applies them with one multi-row upsert
(``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``, the same SQL on PostgreSQL and
SQLite), keys in a fixed order so concurrent writers lock rows in one order. The completeness
page then reads one row per child, whatever the size of the subtree.
"""

# Only table and column names from the models are interpolated into SQL here.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from trienkhai.reports.models import COUNT_FIELDS, Report, Round, RoundCount
from trienkhai.units.models import Unit

STEP = Unit.steplen
BATCH = 400
S = Report.State


@dataclass(frozen=True)
class Fact:
    """What one report contributes to the counters of its unit and every unit above."""

    path: str
    state: str
    on_time: bool

    @classmethod
    def of(cls, r: Report, deadline: dt.date) -> Fact | None:
        if r.superseded_by_id is not None:
            return None
        on_time = r.first_submitted_on is not None and r.first_submitted_on <= deadline
        return cls(r.unit_path, r.state, on_time)

    def columns(self) -> dict[str, int]:
        if self.state == S.WAIVED:
            return {"waived": 1}
        out = {"expected": 1}
        if self.state in (S.SUBMITTED, S.ACCEPTED):
            out["submitted"] = 1
            if self.on_time:
                out["on_time"] = 1
            if self.state == S.ACCEPTED:
                out["accepted"] = 1
        else:
            out["not_sent"] = 1
            if self.state == S.RETURNED:
                out["returned"] = 1
        return out


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def _ids(paths: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(paths)
    for i in range(0, len(ordered), 2000):
        chunk = ordered[i : i + 2000]
        found.update(Unit.objects.filter(path__in=chunk).order_by().values_list("path", "pk"))
    return found


def record(round_id: int, changes: Iterable[tuple[Fact | None, Fact | None]]) -> None:
    """Apply the counter deltas of a batch of (old fact, new fact) changes of one round."""
    signed = []
    for old, new in changes:
        if old == new:
            continue
        if old is not None:
            signed.append((-1, old))
        if new is not None:
            signed.append((1, new))
    if not signed:
        return
    ids = _ids({p for _s, f in signed for p in _prefixes(f.path)})
    deltas: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, fact in signed:
        columns = fact.columns()
        for prefix in _prefixes(fact.path):
            unit_id = ids.get(prefix)
            if unit_id is None:  # a path no unit holds any more: rebuild() sorts it out
                continue
            for col, n in columns.items():
                deltas[unit_id][col] += sign * n
    _upsert(round_id, deltas)


def _upsert(round_id: int, deltas: dict[int, dict[str, int]]) -> None:
    rows = [
        (round_id, unit_id, *(deltas[unit_id].get(f, 0) for f in COUNT_FIELDS))
        for unit_id in sorted(deltas)
        if any(deltas[unit_id].values())
    ]
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(RoundCount._meta.db_table)
    cols = ["round_id", "unit_id", *COUNT_FIELDS]
    col_list = ", ".join(qn(c) for c in cols)
    updates = ", ".join(f"{qn(f)} = {table}.{qn(f)} + excluded.{qn(f)}" for f in COUNT_FIELDS)
    tail = f" ON CONFLICT ({qn('round_id')}, {qn('unit_id')}) DO UPDATE SET {updates}"
    marks = "(" + ", ".join(["%s"] * len(cols)) + ")"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            chunk = rows[i : i + BATCH]
            sql = f"INSERT INTO {table} ({col_list}) VALUES " + ", ".join([marks] * len(chunk))
            cursor.execute(sql + tail, [v for row in chunk for v in row])


# --- recount from the reports ----------------------------------------------------------------


def computed(round_: Round) -> dict[int, tuple[int, ...]]:
    """Counter rows recounted from the round's reports: unit id → counts."""
    deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Report.objects.filter(round=round_, superseded_by__isnull=True)
        .order_by()
        .values_list("unit_path", "state", "first_submitted_on")
        .iterator(chunk_size=5000)
    )
    for path, state, first in rows:
        fact = Fact(path, state, first is not None and first <= round_.deadline)
        columns = fact.columns()
        for prefix in _prefixes(path):
            for col, n in columns.items():
                deltas[prefix][col] += n
    ids = _ids(set(deltas))
    return {ids[p]: tuple(d.get(f, 0) for f in COUNT_FIELDS) for p, d in deltas.items() if p in ids}


def stored(round_: Round) -> dict[int, tuple[int, ...]]:
    return {
        row[0]: tuple(row[1:])
        for row in RoundCount.objects.filter(round=round_).values_list("unit_id", *COUNT_FIELDS)
        if any(row[1:])
    }


def check(round_: Round) -> list[str]:
    """Differences between the stored counters and a recount (empty: no drift)."""
    want, have = computed(round_), stored(round_)
    return [
        f"round {round_.pk} unit {k}: stored {have.get(k)}, recounted {want.get(k)}"
        for k in sorted(set(want) | set(have))
        if want.get(k) != have.get(k)
    ]


def rebuild(round_: Round) -> None:
    """Recount the round's counters from its reports (after a bulk load or a tree change)."""
    want = computed(round_)
    RoundCount.objects.filter(round=round_).delete()
    RoundCount.objects.bulk_create(
        [
            RoundCount(round=round_, unit_id=k, **dict(zip(COUNT_FIELDS, v, strict=True)))
            for k, v in want.items()
        ],
        batch_size=2000,
    )
