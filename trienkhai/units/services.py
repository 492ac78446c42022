"""Writes to the organization tree. Nothing outside this app touches paths."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from trienkhai.core.errors import DomainError
from trienkhai.units.models import Unit
from trienkhai.units.signals import tree_changed
from trienkhai.vntext.text import fold, normalize_space

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
        unit = Unit.objects.add_root(instance=unit)
    else:
        # Re-read the parent: treebeard needs its current numchild to pick the next path.
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        unit = Unit.objects.add_child(parent, instance=unit)
    tree_changed.send(sender=Unit, created=[unit], ended=[], scope=None)
    return unit


def common_ancestor(units: list[Unit]) -> Unit | None:
    """The deepest unit whose subtree holds all ``units`` (None if they have no common root)."""
    paths = [Unit.objects.get(pk=u.pk).path for u in units]
    prefix = paths[0]
    for p in paths[1:]:
        n = 0
        while n < min(len(prefix), len(p)) and prefix[n] == p[n]:
            n += 1
        prefix = prefix[:n]
    prefix = prefix[: len(prefix) - len(prefix) % Unit.steplen]
    return Unit.objects.filter(path=prefix).first() if prefix else None


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


# --- reorganization ------------------------------------------------------------------------
#
# Memberships are deliberately NOT moved by a reorganization: they stay on the old units so
# that history ("who was leader of Quận 2 in 2020") remains true. People are given roles on
# the successor by its leaders; the pages say so after each reorganization.


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _set_author(unit: Unit, by: Any, reason: str) -> None:
    if by is not None and getattr(by, "is_authenticated", False):
        unit._history_user = by  # type: ignore[attr-defined]
    unit._change_reason = reason  # type: ignore[attr-defined]


def _check_can_end(unit: Unit, on: dt.date) -> None:
    if unit.dissolved_on is not None:
        raise DomainError(
            _("%(unit)s was already dissolved on %(date)s.")
            % {"unit": unit.name, "date": _fmt(unit.dissolved_on)},
            code="already_dissolved",
        )
    if unit.active_from and on < unit.active_from:
        raise DomainError(
            _("The date %(date)s is before %(unit)s became active (%(start)s).")
            % {"date": _fmt(on), "unit": unit.name, "start": _fmt(unit.active_from)},
            code="before_active",
            field="on",
        )


def _check_receiver(receiver: Unit, ending: list[Unit], on: dt.date) -> None:
    for unit in ending:
        if receiver.pk == unit.pk:
            raise DomainError(
                _("A unit cannot succeed itself."), code="self_successor", field="successor"
            )
        if receiver.is_within(unit):
            raise DomainError(
                _("%(receiver)s is inside %(unit)s: a unit cannot pass to its own subordinate.")
                % {"receiver": receiver.name, "unit": unit.name},
                code="into_descendant",
                field="successor",
            )
    if receiver.dissolved_on is not None:
        raise DomainError(
            _("%(unit)s is dissolved and cannot receive other units.") % {"unit": receiver.name},
            code="receiver_dissolved",
            field="successor",
        )
    if receiver.active_from and receiver.active_from > on:
        raise DomainError(
            _("%(unit)s only becomes active on %(start)s.")
            % {"unit": receiver.name, "start": _fmt(receiver.active_from)},
            code="receiver_not_active",
            field="successor",
        )


def _move_children(*, units: list[Unit], to: Unit, reason: str, by: Any) -> list[Unit]:
    """Move the direct children of ``units`` under ``to`` and note it in their history."""
    moved: list[Unit] = []
    for unit in units:
        for child in list(Unit.objects.children_of(unit)):
            Unit.objects.move(child, to, pos="last-child")
            moved.append(child)
    if moved:
        user = by if getattr(by, "is_authenticated", False) else None
        Unit.history.bulk_history_create(
            moved, update=True, default_user=user, default_change_reason=reason
        )
    return moved


def _end_unit(*, unit: Unit, on: dt.date, successor: Unit | None, reason: str, by: Any) -> None:
    unit.refresh_from_db()
    unit.dissolved_on = on
    unit.successor = successor
    _set_author(unit, by, reason)
    unit.save(update_fields=["dissolved_on", "successor"])


@transaction.atomic
def unit_merge(
    *,
    sources: list[Unit],
    into: Unit | None = None,
    name: str | None = None,
    parent: Unit | None = None,
    on: dt.date,
    by: Any = None,
    kind: str | None = None,
) -> Unit:
    """Merge ``sources`` into ``into`` (or into a new unit ``name`` under ``parent``).

    Each source is dissolved on ``on`` with the successor as its successor; the sources'
    subordinate units move under the successor. Sources keep their names and memberships.
    """
    sources = [Unit.objects.select_for_update().get(pk=u.pk) for u in sources]
    if len({u.pk for u in sources}) != len(sources):
        raise DomainError(_("A unit is listed twice."), code="duplicate", field="sources")
    if not sources or (into is None and len(sources) < 2):
        raise DomainError(
            _("Choose at least two units to merge, or one unit and the unit receiving it."),
            code="too_few",
            field="sources",
        )
    for unit in sources:
        _check_can_end(unit, on)
        for other in sources:
            if other.pk != unit.pk and other.is_within(unit):
                raise DomainError(
                    _("%(inner)s is inside %(outer)s: merge units of the same level.")
                    % {"inner": other.name, "outer": unit.name},
                    code="nested_sources",
                    field="sources",
                )
    if into is not None:
        into = Unit.objects.get(pk=into.pk)
        if any(u.pk == into.pk for u in sources):
            raise DomainError(
                _("The receiving unit cannot be one of the merged units."),
                code="self_successor",
                field="into",
            )
        _check_receiver(into, sources, on)
        successor = into
    else:
        name = " ".join((name or "").split())
        if not name:
            raise DomainError(_("Enter the name of the new unit."), code="required", field="name")
        if parent is None:
            parent_paths = {u.parent_path for u in sources}
            if len(parent_paths) != 1 or sources[0].depth == 1:
                raise DomainError(
                    _("The merged units have different parents: choose the new unit's parent."),
                    code="parent_required",
                    field="parent",
                )
            parent = Unit.objects.get(path=sources[0].parent_path)
        else:
            parent = Unit.objects.get(pk=parent.pk)
        _check_receiver(parent, sources, on)
        successor = unit_create(
            parent=parent, name=name, kind=kind or sources[0].kind, active_from=on
        )
        if _user_or_none(by) is not None:
            successor.history.update(history_user=by)
    names = ", ".join(u.name for u in sources)
    reason = _("Moved to %(successor)s on %(date)s after the merger of %(names)s.") % {
        "successor": successor.name,
        "date": _fmt(on),
        "names": names,
    }
    _move_children(units=sources, to=successor, reason=str(reason), by=by)
    for unit in sources:
        _end_unit(
            unit=unit,
            on=on,
            successor=successor,
            reason=str(
                _("Merged into %(successor)s on %(date)s.")
                % {"successor": successor.name, "date": _fmt(on)}
            ),
            by=by,
        )
    successor.refresh_from_db()
    tree_changed.send(
        sender=Unit, created=[], ended=sources, scope=common_ancestor([*sources, successor])
    )
    return successor


def _user_or_none(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


@transaction.atomic
def unit_split(
    *, source: Unit, parts: list[dict[str, Any]], on: dt.date, by: Any = None
) -> list[Unit]:
    """Split ``source`` into new units described by ``parts`` and dissolve it on ``on``.

    Each part is a dict: ``name`` (required), optional ``kind``, ``short_name``, ``code``,
    ``parent`` (default: the source's parent), ``children`` (direct children of the source
    that move to this part) and ``main`` (the successor recorded on the source; default the
    first part). Children not given to any part move to the main part.
    """
    source = Unit.objects.select_for_update().get(pk=source.pk)
    _check_can_end(source, on)
    if len(parts) < 2:
        raise DomainError(_("A split needs at least two new units."), code="too_few", field="parts")
    if source.depth == 1 and any(p.get("parent") is None for p in parts):
        raise DomainError(
            _("Choose the parent of the new units."), code="parent_required", field="parent"
        )
    default_parent = None if source.depth == 1 else Unit.objects.get(path=source.parent_path)
    child_pks = set(Unit.objects.children_of(source).values_list("pk", flat=True))
    given: set[int] = set()
    for part in parts:
        if not " ".join(str(part.get("name") or "").split()):
            raise DomainError(_("Enter the name of each new unit."), code="required", field="parts")
        code = part.get("code") or None
        if code and Unit.objects.filter(code=code).exists():
            raise DomainError(
                _("The code %(code)s is already used by another unit.") % {"code": code},
                code="code_taken",
                field="parts",
            )
        parent = part.get("parent") or default_parent
        _check_receiver(parent, [source], on)
        for child in part.get("children") or []:
            if child.pk not in child_pks or child.pk in given:
                raise DomainError(
                    _("%(unit)s is not a direct subordinate of %(source)s, or is listed twice.")
                    % {"unit": child.name, "source": source.name},
                    code="bad_child",
                    field="parts",
                )
            given.add(child.pk)
    codes = [p["code"] for p in parts if p.get("code")]
    if len(codes) != len(set(codes)):
        raise DomainError(_("Two new units have the same code."), code="duplicate", field="parts")

    created: list[Unit] = []
    for part in parts:
        fields = {k: part[k] for k in ("short_name", "code") if part.get(k)}
        unit = unit_create(
            parent=part.get("parent") or default_parent,
            name=part["name"],
            kind=part.get("kind") or source.kind,
            active_from=on,
            **fields,
        )
        created.append(unit)
    if _user_or_none(by) is not None:
        Unit.history.model.objects.filter(id__in=[u.pk for u in created]).update(history_user=by)
    main_index = next((i for i, p in enumerate(parts) if p.get("main")), 0)
    main = created[main_index]
    for part, unit in zip(parts, created, strict=True):
        for child in part.get("children") or []:
            child = Unit.objects.get(pk=child.pk)
            Unit.objects.move(child, unit, pos="last-child")
            _note_move(child, unit, source, on, by)
    _move_children(
        units=[source],
        to=main,
        reason=str(
            _("Moved to %(successor)s on %(date)s after the split of %(source)s.")
            % {"successor": main.name, "date": _fmt(on), "source": source.name}
        ),
        by=by,
    )
    _end_unit(
        unit=source,
        on=on,
        successor=main,
        reason=str(
            _("Split on %(date)s into %(names)s.")
            % {"date": _fmt(on), "names": ", ".join(u.name for u in created)}
        ),
        by=by,
    )
    for unit in created:
        unit.refresh_from_db()
    tree_changed.send(
        sender=Unit, created=[], ended=[source], scope=common_ancestor([source, *created])
    )
    return created


def _note_move(child: Unit, to: Unit, source: Unit, on: dt.date, by: Any) -> None:
    reason = _("Moved to %(successor)s on %(date)s after the split of %(source)s.") % {
        "successor": to.name,
        "date": _fmt(on),
        "source": source.name,
    }
    Unit.history.bulk_history_create(
        [child], update=True, default_user=_user_or_none(by), default_change_reason=str(reason)
    )


@transaction.atomic
def unit_dissolve(
    *, unit: Unit, on: dt.date, successor: Unit | None = None, by: Any = None
) -> Unit:
    """Dissolve ``unit`` on ``on``; its subordinate units pass to ``successor`` when given."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _check_can_end(unit, on)
    if successor is not None:
        successor = Unit.objects.get(pk=successor.pk)
        _check_receiver(successor, [unit], on)
        _move_children(
            units=[unit],
            to=successor,
            reason=str(
                _("Moved to %(successor)s on %(date)s after %(unit)s was dissolved.")
                % {"successor": successor.name, "date": _fmt(on), "unit": unit.name}
            ),
            by=by,
        )
    else:
        active = Unit.objects.children_of(unit).active(on).count()
        if active:
            raise DomainError(
                _(
                    "%(unit)s still has %(count)s active subordinate units: choose a successor"
                    " to receive them, or dissolve them first."
                )
                % {"unit": unit.name, "count": active},
                code="has_children",
                field="successor",
            )
    reason = _("Dissolved on %(date)s.") % {"date": _fmt(on)}
    if successor is not None:
        reason = _("Dissolved on %(date)s, succeeded by %(successor)s.") % {
            "date": _fmt(on),
            "successor": successor.name,
        }
    _end_unit(unit=unit, on=on, successor=successor, reason=str(reason), by=by)
    scope = common_ancestor([unit, successor]) if successor is not None else None
    tree_changed.send(sender=Unit, created=[], ended=[unit], scope=scope)
    return unit


# --- administrative divisions ---------------------------------------------------------------


@dataclass
class DivisionsResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _node(code: str, name: str, short_name: str, kind: str) -> dict[str, Any]:
    unit = Unit(name=name, short_name=short_name, code=code, kind=kind)
    unit.refresh_search_text()
    return {
        "data": {
            "name": name,
            "short_name": short_name,
            "code": code,
            "kind": kind,
            "search_text": unit.search_text,
        }
    }


def _codes_in_db(codes: list[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for i in range(0, len(codes), 900):  # stay under SQLite's bound-parameter limit
        found.update({u.code: u for u in Unit.objects.filter(code__in=codes[i : i + 900])})
    return found


@transaction.atomic
def divisions_import(*, under: Unit | None = None, by: Any = None) -> DivisionsResult:
    """Create or update the People's Committee of every province and commune.

    New subtrees are bulk-loaded (a few seconds for the whole country); existing units
    (matched by code, wherever they are) get their names updated. Idempotent.
    """
    from trienkhai.units import divisions as dv

    pc = Unit.Kind.PEOPLES_COMMITTEE
    result = DivisionsResult()
    if under is None:
        under = Unit.objects.filter(code=dv.ROOT_CODE).first() or unit_create(
            parent=None, name=dv.ROOT_NAME, kind=Unit.Kind.EXTERNAL, code=dv.ROOT_CODE
        )
    wanted: dict[str, tuple[str, str]] = {}
    tree: list[tuple[str, list[str]]] = []
    for p_code, p_name, p_type in dv.provinces():
        code = dv.province_unit_code(p_code)
        wanted[code] = dv.peoples_committee_name(p_name, p_type)
        ward_codes = []
        for w_code, w_name, w_type in dv.divisions_for_province(p_code):
            wcode = dv.ward_unit_code(w_code)
            wanted[wcode] = dv.peoples_committee_name(w_name, w_type)
            ward_codes.append(wcode)
        tree.append((code, ward_codes))
    existing = _codes_in_db(list(wanted))

    changed = []
    for code, unit in existing.items():
        name, short = wanted[code]
        if (unit.name, unit.short_name) == (name, short):
            result.unchanged += 1
            continue
        unit.name, unit.short_name = name, short
        unit.refresh_search_text()
        changed.append(unit)
    if changed:
        Unit.objects.bulk_update(changed, ["name", "short_name", "search_text"], batch_size=500)
        Unit.history.bulk_history_create(
            changed,
            update=True,
            default_user=_user_or_none(by),
            default_change_reason="import_divisions",
        )
        result.updated = len(changed)

    new_provinces: list[dict[str, Any]] = []
    for p_code, ward_codes in tree:
        missing = [_node(c, *wanted[c], pc) for c in ward_codes if c not in existing]
        if p_code not in existing:
            new_provinces.append({**_node(p_code, *wanted[p_code], pc), "children": missing})
        elif missing:
            Unit.objects.load_bulk(missing, parent=existing[p_code], bulk_create=True)
    if new_provinces:
        under = Unit.objects.get(pk=under.pk)
        Unit.objects.load_bulk(new_provinces, parent=under, bulk_create=True)
    created_codes = [c for c in wanted if c not in existing]
    if created_codes:
        created = list(_codes_in_db(created_codes).values())
        Unit.history.bulk_history_create(
            created,
            default_user=_user_or_none(by),
            default_change_reason="import_divisions",
            batch_size=1000,
        )
        result.created = len(created)
        tree_changed.send(sender=Unit, created=created, ended=[], scope=None)
    return result


# --- import from CSV / XLSX ------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    code: str
    values: dict[str, Any]
    parent_ref: str = ""
    unit: Unit | None = None  # the existing unit with this code


def _parse_rows(rows: list[tuple[int, dict]], errors: list[RowError]) -> list[_Row]:
    from trienkhai.units import tabular as tb

    kinds = tb.kind_lookup()
    limits = {"code": 40, "name": 255, "short_name": 80}
    parsed: list[_Row] = []
    first_row: dict[str, int] = {}

    def err(number: int, column: str, message: str) -> None:
        errors.append(RowError(number, column, str(message)))

    for number, raw in rows:
        values: dict[str, Any] = {}
        for col in ("code", "name", "short_name", "parent_code"):
            text = normalize_space(str(raw.get(col, "") or ""))
            if len(text) > limits.get(col, 40):
                err(
                    number,
                    col,
                    _("Too long (at most %(max)s characters).") % {"max": limits.get(col, 40)},
                )
            values[col] = text
        code = values.pop("code")
        if not code:
            err(number, "code", _("Required."))
        elif code in first_row:
            err(
                number,
                "code",
                _("The code %(code)s is already on row %(row)s.")
                % {"code": code, "row": first_row[code]},
            )
        else:
            first_row[code] = number
        kind_text = normalize_space(str(raw.get("kind", "") or ""))
        if kind_text:
            kind = kinds.get(fold(kind_text))
            if kind is None:
                err(
                    number,
                    "kind",
                    _("Unknown kind “%(value)s” (see the Instructions sheet of the template).")
                    % {"value": kind_text},
                )
            values["kind"] = kind
        for col in tb.NUMBER_COLUMNS:
            try:
                values[col] = tb.parse_number(raw.get(col, "") or "")
            except ValueError:
                err(number, col, _("Not a whole number of 0 or more."))
                values[col] = None
        for col in tb.DATE_COLUMNS:
            try:
                values[col] = tb.parse_date(raw.get(col, "") or "")
            except ValueError:
                err(number, col, _("Not a date in the form dd/mm/yyyy."))
                values[col] = None
        parsed.append(
            _Row(number=number, code=code, values=values, parent_ref=values.pop("parent_code"))
        )
    return parsed


def _lookup_refs(refs: set[str]) -> dict[str, Unit]:
    from trienkhai.units.tabular import ID_PREFIX

    ids = {r: r[len(ID_PREFIX) :] for r in refs if r.startswith(ID_PREFIX)}
    found = _codes_in_db([r for r in refs if r not in ids])
    pks = [int(v) for v in ids.values() if v.isdigit()]
    if pks:
        by_pk = Unit.objects.in_bulk(pks)
        for ref, value in ids.items():
            if value.isdigit() and int(value) in by_pk:
                found[ref] = by_pk[int(value)]
    return found


def units_import(*, rows_file: Any, fmt: str, under: Unit, by: Any = None) -> ImportResult:
    """Create or update units of ``under``'s subtree from a CSV or XLSX file.

    Every row is checked first; when any row is wrong the result lists every problem (row,
    column, reason) and nothing is written. Existing codes update their unit (and move it
    when ``parent_code`` changes); new codes create units. Parents may come later in the
    file. Nothing outside ``under``'s subtree can be touched or used as a parent.
    """
    from trienkhai.units import tabular as tb

    result = ImportResult()
    header, rows = tb.read_table(rows_file, fmt)
    missing = [c for c in tb.REQUIRED_COLUMNS if c not in header]
    for col in missing:
        result.errors.append(
            RowError(1, col, str(_("This column is missing from the header row.")))
        )
    if missing:
        return result
    if not rows:
        result.errors.append(RowError(2, "code", str(_("The file has no data rows."))))
        return result
    under = Unit.objects.get(pk=under.pk)
    parsed = _parse_rows(rows, result.errors)
    by_code = {r.code: r for r in parsed if r.code}
    refs = set(by_code) | {r.parent_ref for r in parsed if r.parent_ref}
    known = _lookup_refs(refs)
    ancestors = list(Unit.objects.ancestors_of_many([*known.values(), under]))
    by_pk = {u.pk: u for u in [*known.values(), *ancestors, under]}
    by_path = {u.path: u for u in by_pk.values()}

    def err(row: _Row, column: str, message: Any) -> None:
        result.errors.append(RowError(row.number, column, str(message)))

    for row in parsed:
        if not row.code:
            continue
        unit = known.get(row.code)
        if unit is None and row.code.startswith(tb.ID_PREFIX):
            err(
                row,
                "code",
                _("No unit with the id %(code)s in %(under)s.")
                % {"code": row.code, "under": under.name},
            )
            continue
        if unit is not None and not unit.is_within(under):
            err(
                row,
                "code",
                _("The code %(code)s belongs to a unit outside %(under)s.")
                % {"code": row.code, "under": under.name},
            )
            continue
        row.unit = unit
        if unit is None:
            if not row.values.get("name"):
                err(row, "name", _("Required."))
            if "kind" not in row.values:
                err(row, "kind", _("Required for a new unit."))
        start = row.values["active_from"] or (unit.active_from if unit else None)
        end = row.values["dissolved_on"] or (unit.dissolved_on if unit else None)
        if start and end and end < start:
            err(row, "dissolved_on", _("The dissolution date is before the start date."))
        if not row.parent_ref:
            continue
        if unit is not None and unit.pk == under.pk:
            err(
                row,
                "parent_code",
                _(
                    "The unit you import into cannot be moved by its own import:"
                    " leave this cell blank."
                ),
            )
            continue
        if row.parent_ref == row.code:
            err(row, "parent_code", _("A unit cannot be its own parent."))
            continue
        parent = known.get(row.parent_ref)
        if row.parent_ref in by_code:
            continue
        if parent is None:
            err(
                row,
                "parent_code",
                _("No unit with the code %(code)s in this file or in %(under)s.")
                % {"code": row.parent_ref, "under": under.name},
            )
        elif not parent.is_within(under):
            err(
                row,
                "parent_code",
                _("The parent %(code)s is outside %(under)s.")
                % {"code": row.parent_ref, "under": under.name},
            )
        elif parent.dissolved_on is not None:
            err(
                row,
                "parent_code",
                _("The parent %(code)s is dissolved.") % {"code": row.parent_ref},
            )

    depths: dict[Any, int] = {}
    if not result.errors:
        depths = _check_cycles(parsed, by_code, known, by_pk, by_path, under, result)
    if result.errors:
        result.errors.sort(
            key=lambda e: (e.row, tb.COLUMNS.index(e.column) if e.column in tb.COLUMNS else 99)
        )
        return result
    with transaction.atomic():
        _apply_import(parsed, by_code, known, under, by, result, depths)
    return result


def _row_key(row: _Row) -> Any:
    return row.unit.pk if row.unit is not None else row.code


def _check_cycles(parsed, by_code, known, by_pk, by_path, under, result) -> dict[Any, int]:
    """Refuse rows whose new parent lies inside the unit itself (after the whole import)."""
    explicit: dict[Any, Any] = {}
    for row in parsed:
        if row.parent_ref:
            target = by_code.get(row.parent_ref)
            explicit[_row_key(row)] = _row_key(target) if target else known[row.parent_ref].pk

    def parent_of(key: Any) -> Any:
        if key in explicit:
            return explicit[key]
        if isinstance(key, str):
            return under.pk
        unit = by_pk.get(key)
        if unit is None or unit.depth == 1:
            return None
        parent = by_path.get(unit.parent_path)
        return parent.pk if parent else None

    depths: dict[Any, int] = {}
    for row in parsed:
        if not row.parent_ref:
            continue
        start = _row_key(row)
        seen, key = {start}, explicit[start]
        while key is not None:
            if key in seen:
                result.errors.append(
                    RowError(
                        row.number,
                        "parent_code",
                        str(_("This would place the unit inside itself.")),
                    )
                )
                break
            seen.add(key)
            key = parent_of(key)
        depths[start] = len(seen)
    return depths


def _apply_import(parsed, by_code, known, under, by, result, depths) -> None:
    user = _user_or_none(by)
    reason = str(_("Imported from a file."))
    new_rows = [r for r in parsed if r.unit is None]
    children: dict[Any, list[_Row]] = {}
    for row in new_rows:
        if row.parent_ref in by_code:
            key = _row_key(by_code[row.parent_ref])
        elif row.parent_ref:
            key = known[row.parent_ref].pk
        else:
            key = under.pk
        children.setdefault(key, []).append(row)

    def node(row: _Row) -> dict[str, Any]:
        v = row.values
        unit = Unit(name=v["name"], short_name=v["short_name"], code=row.code)
        unit.refresh_search_text()
        data = {
            "name": v["name"],
            "short_name": v["short_name"],
            "code": row.code,
            "kind": v["kind"],
            "search_text": unit.search_text,
            "active_from": v["active_from"],
            "dissolved_on": v["dissolved_on"],
        }
        for col in Unit.HEADCOUNT_FIELDS:
            data[col] = v[col] or 0
        return {"data": data, "children": [node(c) for c in children.get(row.code, [])]}

    for key, rows in children.items():
        if isinstance(key, int):
            parent = Unit.objects.get(pk=key)
            Unit.objects.load_bulk([node(r) for r in rows], parent=parent, bulk_create=True)
    created_codes = [r.code for r in new_rows]
    if created_codes:
        created = list(_codes_in_db(created_codes).values())
        Unit.history.bulk_history_create(created, default_user=user, default_change_reason=reason)
        result.created = len(created)
    else:
        created = []

    # Move top-down in the final tree, so no unit is ever moved under its current descendant.
    existing_rows = sorted(
        (r for r in parsed if r.unit is not None), key=lambda r: depths.get(r.unit.pk, 0)
    )
    for row in existing_rows:
        unit = Unit.objects.get(pk=row.unit.pk)
        moved = False
        if row.parent_ref:
            target_row = by_code.get(row.parent_ref)
            if target_row is not None and target_row.unit is None:
                target = Unit.objects.get(code=target_row.code)
            else:
                target = Unit.objects.get(
                    pk=(target_row.unit if target_row else known[row.parent_ref]).pk
                )
            if unit.parent_path != target.path:
                Unit.objects.move(unit, target, pos="last-child")
                unit.refresh_from_db()
                moved = True
                result.moved += 1
        changed = []
        for col, value in row.values.items():
            if value is None or value == "" or getattr(unit, col) == value:
                continue
            setattr(unit, col, value)
            changed.append(col)
        if changed:
            unit.refresh_search_text()
            _set_author(unit, by, reason)
            unit.save(update_fields=[*changed, "search_text"])
            result.updated += 1
        elif moved:
            Unit.history.bulk_history_create(
                [unit], update=True, default_user=user, default_change_reason=reason
            )
        else:
            result.unchanged += 1
    tree_changed.send(sender=Unit, created=created, ended=[], scope=under if result.moved else None)
