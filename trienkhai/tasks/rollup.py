"""Roll-up counters: kept current on every write, recomputed from the facts to check drift.

Every change of an assignment is described as the fact it was and the fact it becomes
(``Fact``); ``record`` turns a batch of such changes into counter deltas for every
ancestor-or-self unit and applies them with one multi-row upsert per table
(``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` — the same SQL on PostgreSQL and
SQLite). Keys are applied in a fixed order so concurrent writers lock rows in the same order.
"""

# Only table and column names from the models and integers are interpolated into SQL here;
# every value travels as a parameter.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from trienkhai.tasks.models import (
    COUNTER_FIELDS,
    Assignment,
    UnitMonthRollup,
    UnitRollup,
    UnitTaskRollup,
)
from trienkhai.units.models import Unit

STEP = Unit.steplen
BATCH = 400


@dataclass(frozen=True)
class Fact:
    """What one assignment contributes to the counters."""

    path: str
    task_id: int
    bucket: str
    updated: bool
    due_date: dt.date | None
    completed_on: dt.date | None

    @classmethod
    def of(cls, a: Assignment, path: str) -> Fact | None:
        if a.transferred_to_id is not None:
            return None
        return cls(
            path=path,
            task_id=a.task_id,
            bucket=a.bucket,
            updated=a.last_update is not None,
            due_date=a.due_date,
            completed_on=a.completed_on,
        )


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def ids_for_paths(paths: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(paths)
    for i in range(0, len(ordered), 2000):
        chunk = ordered[i : i + 2000]
        found.update(Unit.objects.filter(path__in=chunk).order_by().values_list("path", "pk"))
    return found


def record(
    changes: Iterable[tuple[Fact | None, Fact | None]], *, known: dict[str, int] | None = None
) -> None:
    """Apply the counter deltas of a batch of (old fact, new fact) changes.

    ``known`` maps unit paths to ids the caller already has, to save looking them up.
    """
    all_units: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_task: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_month: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    signed: list[tuple[int, Fact]] = []
    for old, new in changes:
        if old == new:
            continue
        if old is not None:
            signed.append((-1, old))
        if new is not None:
            signed.append((1, new))
    if not signed:
        return
    known = known or {}
    wanted = {p for _s, f in signed for p in _prefixes(f.path)}
    ids = {p: known[p] for p in wanted if p in known}
    ids.update(ids_for_paths(wanted - ids.keys()))
    for sign, fact in signed:
        columns = {fact.bucket: sign}
        if fact.updated:
            columns["updated"] = sign
        months: list[tuple[dt.date, str]] = []
        if fact.due_date is not None:
            months.append((_month(fact.due_date), "due"))
        if fact.bucket in ("done_on_time", "done_late") and fact.completed_on is not None:
            months.append((_month(fact.completed_on), fact.bucket))
        for prefix in _prefixes(fact.path):
            unit_id = ids[prefix]
            for col, n in columns.items():
                all_units[unit_id][col] += n
                per_task[(unit_id, fact.task_id)][col] += n
            for month, col in months:
                per_month[(unit_id, month)][col] += sign
    upsert(UnitRollup._meta.db_table, ["unit_id"], COUNTER_FIELDS, all_units)
    upsert(UnitTaskRollup._meta.db_table, ["unit_id", "task_id"], COUNTER_FIELDS, per_task)
    upsert(
        UnitMonthRollup._meta.db_table,
        ["unit_id", "month"],
        ("due", "done_on_time", "done_late"),
        per_month,
    )


def upsert(table: str, keys: list[str], fields: tuple[str, ...], deltas: dict) -> None:
    rows = []
    for key in sorted(deltas):
        values = deltas[key]
        if not any(values.values()):
            continue
        key_tuple = key if isinstance(key, tuple) else (key,)
        rows.append((*key_tuple, *(values.get(f, 0) for f in fields)))
    if not rows:
        return
    qn = connection.ops.quote_name
    cols = [*keys, *fields]
    col_list = ", ".join(qn(c) for c in cols)
    updates = ", ".join(f"{qn(f)} = {qn(table)}.{qn(f)} + excluded.{qn(f)}" for f in fields)
    tail = f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > COPY_FROM:
            _upsert_by_copy(cursor, table, keys, cols, rows, tail)
        elif connection.vendor == "postgresql":
            placeholders = "(" + ", ".join(["%s"] * len(cols)) + ")"
            head = f"INSERT INTO {qn(table)} ({col_list}) VALUES "
            for i in range(0, len(rows), BATCH):
                chunk = rows[i : i + BATCH]
                sql = head + ", ".join([placeholders] * len(chunk)) + tail
                cursor.execute(sql, [v for row in chunk for v in row])
        else:
            # one prepared statement, many rows: SQLite's executemany runs in C
            marks = ", ".join(["%s"] * len(cols))
            cursor.executemany(f"INSERT INTO {qn(table)} ({col_list}) VALUES ({marks}){tail}", rows)


# Above this many rows PostgreSQL gets the deltas by COPY into a temporary table and one
# INSERT … SELECT (parsing a statement with tens of thousands of parameters costs seconds).
COPY_FROM = 500


def _upsert_by_copy(cursor, table: str, keys: list[str], cols: list[str], rows, tail) -> None:
    qn = connection.ops.quote_name
    temp = qn(f"delta_{table}")
    types = ", ".join(f"{qn(c)} {'date' if c == 'month' else 'bigint'}" for c in cols)
    col_list = ", ".join(qn(c) for c in cols)
    with transaction.atomic():
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} ({types}) ON COMMIT DELETE ROWS")
        cursor.execute(f"TRUNCATE {temp}")
        with cursor.cursor.copy(f"COPY {temp} ({col_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        order = ", ".join(qn(k) for k in keys)
        cursor.execute(
            f"INSERT INTO {qn(table)} ({col_list}) SELECT {col_list} FROM {temp} "
            f"ORDER BY {order}{tail}"
        )


# --- recompute from the facts ----------------------------------------------------------------


def _bucket_sums(alias: str = "a") -> str:
    parts = [
        f"SUM(CASE WHEN {alias}.bucket = '{b}' THEN 1 ELSE 0 END)"
        for b in ("not_started", "in_progress", "done_on_time", "done_late", "overdue")
    ]
    parts.append(f"SUM(CASE WHEN {alias}.last_update IS NOT NULL THEN 1 ELSE 0 END)")
    return ", ".join(parts)


def _max_depth(scope: Unit | None) -> int:
    from django.db.models import Max

    qs = Unit.objects.subtree_of(scope) if scope else Unit.objects.all()
    return qs.order_by().aggregate(m=Max("depth"))["m"] or 0


def _computed(scope: Unit | None) -> dict[str, dict]:
    """Counter rows computed from the assignments, for every unit of ``scope``'s subtree."""
    a_t, u_t = Assignment._meta.db_table, Unit._meta.db_table
    first = scope.depth if scope else 1
    out: dict[str, dict] = {"all": {}, "task": {}, "month": {}}
    where = "a.transferred_to_id IS NULL"
    params: list = []
    if scope is not None:
        where += " AND u.path LIKE %s"
        params.append(scope.path + "%")
    month_expr = _month_sql("a.due_date")
    done_month = _month_sql("a.completed_on")
    with connection.cursor() as cursor:
        for depth in range(first, _max_depth(scope) + 1):
            n = depth * STEP
            base = (
                f"FROM {a_t} a JOIN {u_t} u ON u.id = a.unit_id "
                f"WHERE {where} AND u.depth >= {depth}"
            )
            cursor.execute(
                f"SELECT p.id, s.* FROM (SELECT SUBSTR(u.path, 1, {n}) AS pfx, {_bucket_sums()} "
                f"{base} GROUP BY SUBSTR(u.path, 1, {n})) s JOIN {u_t} p ON p.path = s.pfx",
                params,
            )
            for unit_id, _pfx, *counts in cursor.fetchall():
                out["all"][unit_id] = tuple(int(c) for c in counts)
            cursor.execute(
                f"SELECT p.id, s.* FROM (SELECT SUBSTR(u.path, 1, {n}) AS pfx, a.task_id, "
                f"{_bucket_sums()} {base} GROUP BY SUBSTR(u.path, 1, {n}), a.task_id) s "
                f"JOIN {u_t} p ON p.path = s.pfx",
                params,
            )
            for unit_id, _pfx, task_id, *counts in cursor.fetchall():
                out["task"][(unit_id, task_id)] = tuple(int(c) for c in counts)
            cursor.execute(
                f"SELECT p.id, s.* FROM (SELECT SUBSTR(u.path, 1, {n}) AS pfx, {month_expr} AS m, "
                f"COUNT(*) {base} AND a.due_date IS NOT NULL "
                f"GROUP BY SUBSTR(u.path, 1, {n}), {month_expr}) s JOIN {u_t} p ON p.path = s.pfx",
                params,
            )
            months: dict = defaultdict(lambda: [0, 0, 0])
            for unit_id, _pfx, m, count in cursor.fetchall():
                months[(unit_id, _as_date(m))][0] += int(count)
            cursor.execute(
                f"SELECT p.id, s.* FROM (SELECT SUBSTR(u.path, 1, {n}) AS pfx, {done_month} AS m, "
                f"SUM(CASE WHEN a.bucket = 'done_on_time' THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN a.bucket = 'done_late' THEN 1 ELSE 0 END) {base} "
                f"AND a.completed_on IS NOT NULL AND a.bucket IN ('done_on_time', 'done_late') "
                f"GROUP BY SUBSTR(u.path, 1, {n}), {done_month}) s "
                f"JOIN {u_t} p ON p.path = s.pfx",
                params,
            )
            for unit_id, _pfx, m, on_time, late in cursor.fetchall():
                row = months[(unit_id, _as_date(m))]
                row[1] += int(on_time)
                row[2] += int(late)
            out["month"].update({k: tuple(v) for k, v in months.items()})
    return out


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('month', {column}) AS date)"
    return f"DATE({column}, 'start of month')"


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _stored(scope: Unit | None) -> dict[str, dict]:
    units = Unit.objects.subtree_of(scope).values("pk") if scope else None
    out: dict[str, dict] = {"all": {}, "task": {}, "month": {}}
    qs = UnitRollup.objects.all()
    tq = UnitTaskRollup.objects.all()
    mq = UnitMonthRollup.objects.all()
    if units is not None:
        qs, tq, mq = (q.filter(unit__in=units) for q in (qs, tq, mq))
    for row in qs.values_list("unit_id", *COUNTER_FIELDS):
        if any(row[1:]):
            out["all"][row[0]] = tuple(row[1:])
    for row in tq.values_list("unit_id", "task_id", *COUNTER_FIELDS):
        if any(row[2:]):
            out["task"][(row[0], row[1])] = tuple(row[2:])
    for row in mq.values_list("unit_id", "month", "due", "done_on_time", "done_late"):
        if any(row[2:]):
            out["month"][(row[0], row[1])] = tuple(row[2:])
    return out


def _stale_paths(scope: Unit | None):
    """Assignments whose copy of their unit's path is not the unit's path (moved units)."""
    units = Unit.objects.all() if scope is None else Unit.objects.subtree_of(scope)
    current = Unit.objects.filter(pk=OuterRef("unit_id")).values("path")[:1]
    qs = Assignment.objects.filter(unit__in=units.order_by().values("pk"))
    return qs.exclude(unit_path=Subquery(current)), current


def sync_paths(scope: Unit | None = None) -> int:
    """Copy the units' paths into their assignments (within ``scope``); how many changed."""
    stale, current = _stale_paths(scope)
    return stale.update(unit_path=Subquery(current))


def check(scope: Unit | None = None) -> list[str]:
    """Differences between the stored counters and a recount of the facts (empty = no drift),
    and assignments whose copy of their unit's path is stale."""
    stale, _current = _stale_paths(scope)
    problems = [
        f"path assignment {pk}: stored {path!r}, unit {unit_id} has moved"
        for pk, path, unit_id in stale.order_by("pk").values_list("pk", "unit_path", "unit_id")[:20]
    ]
    if len(problems) == 20:
        problems.append(f"path: {stale.count()} assignment(s) in all carry a stale path")
    want, have = _computed(scope), _stored(scope)
    for table in ("all", "task", "month"):
        for key in sorted(set(want[table]) | set(have[table]), key=str):
            w, h = want[table].get(key), have[table].get(key)
            if w != h:
                problems.append(f"{table} {key}: stored {h}, recounted {w}")
    return problems


def rebuild(scope: Unit | None = None) -> None:
    """Recompute the counters of ``scope``'s subtree (everything when None) from the facts,
    after the copies of moved units' paths."""
    sync_paths(scope)
    want = _computed(scope)
    units = Unit.objects.subtree_of(scope).values("pk") if scope else None
    for model in (UnitRollup, UnitTaskRollup, UnitMonthRollup):
        qs = model.objects.all()
        if units is not None:
            qs = qs.filter(unit__in=units)
        qs.delete()
    UnitRollup.objects.bulk_create(
        [
            UnitRollup(unit_id=k, **dict(zip(COUNTER_FIELDS, v, strict=True)))
            for k, v in want["all"].items()
        ],
        batch_size=2000,
    )
    UnitTaskRollup.objects.bulk_create(
        [
            UnitTaskRollup(unit_id=k[0], task_id=k[1], **dict(zip(COUNTER_FIELDS, v, strict=True)))
            for k, v in want["task"].items()
        ],
        batch_size=2000,
    )
    UnitMonthRollup.objects.bulk_create(
        [
            UnitMonthRollup(unit_id=k[0], month=k[1], due=v[0], done_on_time=v[1], done_late=v[2])
            for k, v in want["month"].items()
        ],
        batch_size=2000,
    )
