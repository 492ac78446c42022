"""Reads of the organization tree that are more than one queryset method."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from trienkhai.units.models import Unit

MAX_CHAIN = 50  # a guard against a successor cycle written by hand in the admin


def successor_chain(unit: Unit) -> list[Unit]:
    """The units that succeeded ``unit``, in order (empty for a unit never dissolved)."""
    chain: list[Unit] = []
    seen = {unit.pk}
    current = unit
    while current.successor_id and len(chain) < MAX_CHAIN:
        if current.successor_id in seen:
            break
        current = Unit.objects.select_related("successor").get(pk=current.successor_id)
        seen.add(current.pk)
        chain.append(current)
    return chain


def current_successor(unit: Unit, on: dt.date | None = None) -> Unit | None:
    """The unit that carries ``unit``'s obligations on ``on`` (today by default).

    ``unit`` itself while it is active; otherwise the first active unit along its successor
    links; None when the chain ends in a unit dissolved without successor.
    """
    if unit.is_active(on):
        return unit
    for successor in successor_chain(unit):
        if successor.is_active(on):
            return successor
    return None


def breadcrumbs_for(units: list[Unit], *, visible: Any = None) -> dict[int, list[Unit]]:
    """Ancestors of each unit (root first), loaded in one query for the whole list.

    ``visible`` (a predicate on a Unit) drops ancestors the viewer may not see.
    """
    by_path = {a.path: a for a in Unit.objects.ancestors_of_many(units)}
    result: dict[int, list[Unit]] = {}
    for unit in units:
        crumbs = [by_path[p] for p in unit.ancestor_paths() if p in by_path]
        if visible is not None:
            crumbs = [a for a in crumbs if visible(a)]
        result[unit.pk] = crumbs
    return result


@dataclass
class Change:
    field: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: Any
    kind: str  # "+", "~", "-"
    reason: str
    changes: list[Change] = field(default_factory=list)


def unit_history(unit: Unit, *, limit: int = 20) -> list[HistoryEntry]:
    """Who changed what and when, newest first, in two queries (records and unit names)."""
    records = list(unit.history.select_related("history_user").order_by("-history_id")[: limit + 1])
    labels = {f.name: f.verbose_name for f in Unit._meta.get_fields() if hasattr(f, "verbose_name")}
    entries: list[HistoryEntry] = []
    successor_ids: set[int] = set()
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes: list[Change] = []
        if older is not None:
            delta = newer.diff_against(older)
            for c in delta.changes:
                changes.append(
                    Change(field=str(labels.get(c.field, c.field)), old=c.old, new=c.new)
                )
                if c.field == "successor":
                    successor_ids.update(x for x in (c.old, c.new) if x)
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=newer.history_user,
                kind=newer.history_type,
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    if successor_ids:
        names = dict(Unit.objects.filter(pk__in=successor_ids).values_list("pk", "name"))
        label = str(labels["successor"])
        for entry in entries:
            for c in entry.changes:
                if c.field == label:
                    c.old = names.get(c.old, c.old)
                    c.new = names.get(c.new, c.new)
    return entries[:limit]
