"""Coverage counters: kept current on every write, recounted from the facts to check drift.

Everything one unit contributes is a ``UnitFact``: its ancestors, whether it still counts (not
dissolved), its headcounts, its sessions summed per (topic, month) and its public items per
kind. A write locks the unit (``counting``), takes the fact before and after, and ``record``
applies the difference to every ancestor-or-self with the cascade's upsert
(``tasks.rollup``: ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``, keys sorted).

The cap (a unit's covered people never exceed its headcount) makes a unit's contribution a
function of all its sessions, which is why a fact is a whole unit and not one session: the
difference of two facts is exact whatever changed — a session added, edited or deleted, a
headcount edited, the unit moved or dissolved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from trienkhai.outreach.models import (
    GROUPS,
    HEADCOUNT_GROUPS,
    ITEM_COLUMNS,
    MONTH_COUNTERS,
    OUTREACH_COUNTERS,
    STUDY_COUNTERS,
    PublicOutreach,
    StudySession,
    UnitHeadcount,
    UnitOutreachRollup,
    UnitStudyMonth,
    UnitStudyRollup,
)

# The same upsert and id lookup as the cascade's counters.
from trienkhai.tasks.rollup import ids_for_paths, upsert
from trienkhai.units.models import Unit

STEP = Unit.steplen
KINDS = ("article", "broadcast", "event", "other")

Deltas = dict


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


@dataclass(frozen=True)
class Activity:
    """A unit's sessions per (topic, month) and public items per kind."""

    # (topic_id, month, sessions, attendance per group in GROUPS order), sorted
    months: tuple[tuple[int, dt.date, int, tuple[int, ...]], ...] = ()
    items: tuple[int, int, int, int] = (0, 0, 0, 0)  # per kind, in KINDS order
    audience: int = 0


@dataclass(frozen=True)
class UnitFact:
    """What one unit contributes to the counters. ``chain`` holds the ids of the unit's
    ancestors and itself, the root first: ids, not a path, so a fact taken before a move
    still names the units it was counted in."""

    chain: tuple[int, ...]
    counted: bool
    headcounts: tuple[int, int, int, int]
    activity: Activity

    def contributions(self) -> tuple[dict, dict, dict]:
        """(outreach row, rows per topic, rows per (topic, month)) of this unit alone."""
        if not self.counted:
            return {}, {}, {}
        hc = self.headcounts
        people = sum(hc) > 0
        act = self.activity
        outreach = {"units": int(people), **dict(zip(HEADCOUNT_GROUPS, hc, strict=True))}
        for kind, n in zip(KINDS, act.items, strict=True):
            outreach[ITEM_COLUMNS.get(kind, "other_items")] = n
        outreach["audience"] = act.audience
        study: dict[int, dict[str, int]] = {}
        months: dict[tuple[int, dt.date], dict[str, int]] = {}
        cumulative: dict[int, list[int]] = {}
        for topic, month, n, att in act.months:
            row = study.get(topic)
            if row is None:
                row = study[topic] = dict.fromkeys(STUDY_COUNTERS, 0)
                cumulative[topic] = [0, 0, 0, 0]
            row["sessions"] += n
            for g, value in zip(GROUPS, att, strict=True):
                row[f"att_{g}"] += value
            before = cumulative[topic]
            after = [b + a for b, a in zip(before, att[:4], strict=True)]
            # the increase of covered people this month: what the cap lets through
            months[(topic, month)] = {
                "sessions": n,
                "attendance": sum(att),
                **{
                    f"cov_{g}": min(a, h) - min(b, h)
                    for g, a, b, h in zip(HEADCOUNT_GROUPS, after, before, hc, strict=True)
                },
            }
            cumulative[topic] = after
        for row in study.values():
            for g, h in zip(HEADCOUNT_GROUPS, hc, strict=True):
                row[f"cov_{g}"] = min(row[f"att_{g}"], h)
            row["held"] = int(people and row["sessions"] > 0)
        return outreach, study, months


def _add(target: dict, key, values: dict[str, int], sign: int) -> None:
    row = target.get(key)
    if row is None:
        row = target[key] = defaultdict(int)
    for col, n in values.items():
        if n:
            row[col] += sign * n


def _accumulate(
    facts: Iterable[tuple[int, UnitFact]],
    out: tuple[dict, dict, dict],
    within: set[int] | None = None,
) -> None:
    """Add each signed fact's contributions to every ancestor-or-self (``within`` only)."""
    per_unit, per_topic, per_month = out
    for sign, fact in facts:
        outreach, study, months = fact.contributions()
        if not (any(outreach.values()) or study):
            continue
        for unit_id in fact.chain:
            if within is not None and unit_id not in within:  # above the recounted scope
                continue
            _add(per_unit, unit_id, outreach, sign)
            for topic, values in study.items():
                _add(per_topic, (unit_id, topic), values, sign)
            for (topic, month), values in months.items():
                _add(per_month, (unit_id, topic, month), values, sign)


def record(changes: Iterable[tuple[UnitFact | None, UnitFact | None]]) -> None:
    """Apply the counter deltas of a batch of (old fact, new fact) changes."""
    signed: list[tuple[int, UnitFact]] = []
    for old, new in changes:
        if old == new:
            continue
        if old is not None:
            signed.append((-1, old))
        if new is not None:
            signed.append((1, new))
    if not signed:
        return
    out: tuple[dict, dict, dict] = ({}, {}, {})
    _accumulate(signed, out)
    upsert(UnitOutreachRollup._meta.db_table, ["unit_id"], OUTREACH_COUNTERS, out[0])
    upsert(UnitStudyRollup._meta.db_table, ["unit_id", "topic_id"], STUDY_COUNTERS, out[1])
    upsert(UnitStudyMonth._meta.db_table, ["unit_id", "topic_id", "month"], MONTH_COUNTERS, out[2])


# --- facts from the database ------------------------------------------------------------------


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _month_of(value) -> dt.date:
    return _as_date(value).replace(day=1)


def _session_rows(unit_ids: list[int] | None = None) -> Iterator[tuple]:
    """(unit, topic, day, sessions, attendance per group) summed per day, from plain SQL: the
    ORM's compilation cost more than the query on the write path, and months are cut here
    the same way on both databases."""
    table = connection.ops.quote_name(StudySession._meta.db_table)
    sums = ", ".join(f"SUM({connection.ops.quote_name(g)})" for g in GROUPS)
    sql = f"SELECT unit_id, topic_id, held_on, COUNT(*), {sums} FROM {table}"  # noqa: S608
    params: list = []
    if unit_ids is not None:
        sql += f" WHERE unit_id IN ({', '.join(['%s'] * len(unit_ids))})"
        params = list(unit_ids)
    sql += " GROUP BY unit_id, topic_id, held_on"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            yield from rows


def _item_rows(unit_ids: list[int] | None = None) -> list[tuple]:
    table = connection.ops.quote_name(PublicOutreach._meta.db_table)
    sql = f"SELECT unit_id, kind, COUNT(*), SUM(audience) FROM {table}"  # noqa: S608
    params: list = []
    if unit_ids is not None:
        sql += f" WHERE unit_id IN ({', '.join(['%s'] * len(unit_ids))})"
        params = list(unit_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY unit_id, kind", params)
        return list(cursor.fetchall())


def _activities(sessions: Iterable[tuple], items: Iterable[tuple]) -> dict[int, Activity]:
    months: dict[int, dict[tuple[int, dt.date], list[int]]] = defaultdict(dict)
    for unit_id, topic_id, day, n, *att in sessions:
        key = (topic_id, _month_of(day))
        row = months[unit_id].get(key)
        if row is None:
            row = months[unit_id][key] = [0] * (1 + len(GROUPS))
        row[0] += int(n)
        for i, value in enumerate(att, start=1):
            row[i] += int(value or 0)
    kinds: dict[int, list[int]] = {}
    audience: dict[int, int] = defaultdict(int)
    for unit_id, kind, n, a in items:
        row = kinds.setdefault(unit_id, [0, 0, 0, 0])
        row[KINDS.index(kind) if kind in KINDS else 3] += int(n)
        audience[unit_id] += int(a or 0)
    out = {}
    for unit_id in set(months) | set(kinds):
        per = months.get(unit_id, {})
        out[unit_id] = Activity(
            tuple(sorted((t, m, v[0], tuple(v[1:])) for (t, m), v in per.items())),
            tuple(kinds[unit_id]) if unit_id in kinds else (0, 0, 0, 0),  # type: ignore[arg-type]
            audience.get(unit_id, 0),
        )
    return out


def activity_of(unit_id: int, *, sessions: bool = True, items: bool = True) -> Activity:
    """A unit's activity; the parts not asked for are left empty."""
    found = _activities(
        _session_rows([unit_id]) if sessions else (),
        _item_rows([unit_id]) if items else (),
    )
    return found.get(unit_id, Activity())


State = tuple[tuple[int, ...], bool, tuple[int, int, int, int]]


def _chain_text(chain: tuple[int, ...]) -> str:
    return ",".join(map(str, chain))


def _state(unit: Unit, ids: dict[str, int]) -> State:
    """(chain, counted, headcounts) of a unit now; ``ids`` maps its ancestors' paths."""
    chain = tuple(ids[p] for p in _prefixes(unit.path))
    hc = tuple(int(getattr(unit, g)) for g in HEADCOUNT_GROUPS)
    return chain, unit.dissolved_on is None, hc  # type: ignore[return-value]


def _snapshot_state(snap: UnitHeadcount) -> State:
    chain = tuple(int(x) for x in snap.chain.split(",") if x)
    hc = tuple(int(getattr(snap, g)) for g in HEADCOUNT_GROUPS)
    return chain, snap.counted, hc  # type: ignore[return-value]


def _save_snapshot(unit_id: int, state: State) -> None:
    chain, counted, hc = state
    UnitHeadcount.objects.update_or_create(
        unit_id=unit_id,
        defaults={
            "chain": _chain_text(chain),
            "counted": counted,
            **dict(zip(HEADCOUNT_GROUPS, hc, strict=True)),
        },
    )


@contextmanager
def counting(unit_id: int, *, changes: str = "all") -> Iterator[Unit]:
    """``with counting(unit.pk) as unit:`` — lock the unit, change its sessions or items, and
    leave with the counters moved by exactly the change of its contribution.

    The unit row's lock serializes writers of one unit, so the fact taken before is the one
    the counters hold (on SQLite every writer is serialized anyway). ``changes`` says what the
    block may change — "sessions", "items", "all" or "none" (the unit itself) — so what it
    cannot change is read only once.
    """
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit_id)
        snap = UnitHeadcount.objects.filter(unit_id=unit_id).first()
        act = activity_of(unit_id)
        before = UnitFact(*_snapshot_state(snap), act) if snap is not None else None
        yield unit
        state = _state(unit, ids_for_paths(set(_prefixes(unit.path))))
        if changes == "sessions":
            fresh = activity_of(unit_id, items=False)
            act = Activity(fresh.months, act.items, act.audience)
        elif changes == "items":
            fresh = activity_of(unit_id, sessions=False)
            act = Activity(act.months, fresh.items, fresh.audience)
        elif changes == "all":
            act = activity_of(unit_id)
        after = UnitFact(*state, act)
        record([(before, after)])
        if snap is None or _snapshot_state(snap) != state:
            _save_snapshot(unit_id, state)


def count_new(unit: Unit) -> None:
    """A unit just created: it has no session nor item yet, only its headcounts to count (the
    demo and imports create hundreds: three queries instead of a full ``counting``)."""
    state = _state(unit, ids_for_paths(set(_prefixes(unit.path))))
    record([(None, UnitFact(*state, Activity()))])
    chain, counted, hc = state
    UnitHeadcount.objects.create(
        unit_id=unit.pk,
        chain=_chain_text(chain),
        counted=counted,
        **dict(zip(HEADCOUNT_GROUPS, hc, strict=True)),
    )


def sync(unit_ids: Iterable[int]) -> int:
    """Count the units whose headcounts, place or dissolution changed since last counted;
    returns how many moved the counters."""
    ids = sorted(set(unit_ids))
    changed = 0
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        units = {
            u.pk: u
            for u in Unit.objects.filter(pk__in=chunk).only(
                "path", "depth", "dissolved_on", *HEADCOUNT_GROUPS
            )
        }
        snaps = {s.unit_id: s for s in UnitHeadcount.objects.filter(unit_id__in=chunk)}
        path_ids = ids_for_paths({p for u in units.values() for p in _prefixes(u.path)})
        for pk in chunk:
            unit, snap = units.get(pk), snaps.get(pk)
            if unit is None:
                continue
            state = _state(unit, path_ids)
            if snap is None and (not state[1] or not any(state[2])):
                continue  # never counted and nothing to count (no headcount: no session either)
            if snap is not None and _snapshot_state(snap) == state:
                continue
            with counting(pk, changes="none"):
                pass  # only the unit's own state moved: its sessions and items are read once
            changed += 1
    return changed


# --- recount from the facts -------------------------------------------------------------------


def recount(scope: Unit | None = None) -> tuple[dict, dict, dict, dict]:
    """Counter rows as the facts say they should be, for every unit of ``scope``'s subtree
    (everything when None), and each unit's state: (per unit, per topic, per month, states)."""
    units = Unit.objects.all() if scope is None else Unit.objects.subtree_of(scope)
    rows = list(units.order_by().only("path", "depth", "dissolved_on", *HEADCOUNT_GROUPS))
    ids = {u.path: u.pk for u in rows}
    if scope is not None:
        ids.update(Unit.objects.ancestors_of(scope).values_list("path", "pk"))
    states: dict[int, State] = {u.pk: _state(u, ids) for u in rows}
    inside = set(states)
    activities = _activities(
        (r for r in _session_rows() if r[0] in inside),
        [r for r in _item_rows() if r[0] in inside],
    )
    out: tuple[dict, dict, dict] = ({}, {}, {})
    facts = (
        (1, UnitFact(*states[pk], activities.get(pk, Activity())))
        for pk in states
        if pk in activities or any(states[pk][2])
    )
    _accumulate(facts, out, within=None if scope is None else {u.pk for u in rows})
    return (*out, states)


def _clean(rows: dict) -> dict:
    return {k: {c: n for c, n in v.items() if n} for k, v in rows.items() if any(v.values())}


def _stored(scope: Unit | None) -> tuple[dict, dict, dict]:
    inside = Unit.objects.subtree_of(scope).order_by().values("pk") if scope else None
    out: tuple[dict, dict, dict] = ({}, {}, {})
    specs = (
        (UnitOutreachRollup, ("unit_id",), OUTREACH_COUNTERS),
        (UnitStudyRollup, ("unit_id", "topic_id"), STUDY_COUNTERS),
        (UnitStudyMonth, ("unit_id", "topic_id", "month"), MONTH_COUNTERS),
    )
    for (model, keys, fields), target in zip(specs, out, strict=True):
        qs = model.objects.all() if inside is None else model.objects.filter(unit__in=inside)
        for row in qs.values_list(*keys, *fields).iterator():
            key = row[0] if len(keys) == 1 else tuple(row[: len(keys)])
            values = dict(zip(fields, row[len(keys) :], strict=True))
            target[key] = values
    return tuple(_clean(t) for t in out)  # type: ignore[return-value]


def check(scope: Unit | None = None) -> list[str]:
    """Differences between the stored counters and a recount (empty = no drift), and units
    whose last counted state is not their state now."""
    *want, states = recount(scope)
    have = _stored(scope)
    problems: list[str] = []
    snaps = UnitHeadcount.objects.all()
    if scope is not None:
        snaps = snaps.filter(unit__in=Unit.objects.subtree_of(scope).order_by().values("pk"))
    stored_states = {s.unit_id: _snapshot_state(s) for s in snaps.iterator()}
    for pk, state in sorted(states.items()):
        snap = stored_states.get(pk)
        contributes = state[1] and any(state[2])
        if (snap is None and contributes) or (snap is not None and snap != state):
            problems.append(f"unit {pk}: counted as {snap}, is now {state}")
    for name, w, h in zip(("unit", "topic", "month"), map(_clean, want), have, strict=True):
        for key in sorted(set(w) | set(h), key=str):
            if w.get(key) != h.get(key):
                problems.append(f"{name} {key}: stored {h.get(key)}, recounted {w.get(key)}")
    return problems


def rebuild() -> None:
    """Recompute every counter and every unit's counted state from the facts."""
    per_unit, per_topic, per_month, states = recount(None)
    for model in (UnitOutreachRollup, UnitStudyRollup, UnitStudyMonth, UnitHeadcount):
        model.objects.all().delete()
    UnitHeadcount.objects.bulk_create(
        [
            UnitHeadcount(
                unit_id=pk,
                chain=_chain_text(chain),
                counted=counted,
                **dict(zip(HEADCOUNT_GROUPS, hc, strict=True)),
            )
            for pk, (chain, counted, hc) in states.items()
        ],
        batch_size=2000,
    )
    UnitOutreachRollup.objects.bulk_create(
        [UnitOutreachRollup(unit_id=k, **v) for k, v in _clean(per_unit).items()],
        batch_size=2000,
    )
    UnitStudyRollup.objects.bulk_create(
        [UnitStudyRollup(unit_id=k[0], topic_id=k[1], **v) for k, v in _clean(per_topic).items()],
        batch_size=2000,
    )
    UnitStudyMonth.objects.bulk_create(
        [
            UnitStudyMonth(unit_id=k[0], topic_id=k[1], month=k[2], **v)
            for k, v in _clean(per_month).items()
        ],
        batch_size=2000,
    )
