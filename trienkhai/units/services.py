"""Writes to the organization tree. Nothing outside this app touches paths."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from trienkhai.units.models import Unit

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "code",
    "cadres",
    "party_members",
    "union_members",
    "association_members",
    "active_from",
    "dissolved_on",
)


@transaction.atomic
def unit_create(*, parent: Unit | None, name: str, kind: str, **fields: Any) -> Unit:
    """Create a unit under ``parent`` (or a new root when ``parent`` is None)."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"successor"}
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    unit = Unit(name=" ".join(name.split()), kind=kind, **fields)
    if unit.code == "":
        unit.code = None
    unit.refresh_search_text()
    if parent is None:
        return Unit.objects.add_root(instance=unit)
    # Re-read the parent: treebeard needs its current numchild to pick the next path.
    parent = Unit.objects.select_for_update().get(pk=parent.pk)
    return Unit.objects.add_child(parent, instance=unit)


@transaction.atomic
def unit_update(*, unit: Unit, **fields: Any) -> Unit:
    """Change a unit's own fields (not its place in the tree)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown unit fields: {sorted(unknown)}")
    for key, value in fields.items():
        if key == "name":
            value = " ".join(value.split())
        if key == "code" and value == "":
            value = None
        setattr(unit, key, value)
    unit.refresh_search_text()
    unit.save(update_fields=[*fields.keys(), "search_text"])
    return unit
