"""What changed in a document, for the history shown on its page: who, when, what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from trienkhai.documents.models import Document
from trienkhai.documents.selectors import documents_for_user
from trienkhai.units.models import Unit

# Fields not worth a line of history: derived from the symbol, or bookkeeping.
_HIDDEN = {"number", "type_code", "issuer_code", "year", "created", "created_by", "id"}
_LONG = {"summary", "text"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: dt.datetime
    who: str
    action: str
    changes: list[Change] = field(default_factory=list)


def _short(value: str, limit: int = 120) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


def document_history(document: Document, user, *, limit: int = 20) -> list[Entry]:
    """The latest changes, newest first; linked documents the user cannot see are left out."""
    records = list(
        document.history.select_related("history_user").order_by("-history_id")[: limit + 1]
    )
    diffs = []
    doc_ids: set[int] = set()
    unit_ids: set[int] = set()
    for newer, older in zip(records, [*records[1:], None], strict=True):
        delta = newer.diff_against(older) if older is not None else None
        diffs.append(delta)
        for change in delta.changes if delta else ():
            if change.field == "implements":
                for row in [*(change.old or []), *(change.new or [])]:
                    doc_ids.add(row.get("to_document"))
            elif change.field in ("owner", "issuer_unit"):
                unit_ids.update(v for v in (change.old, change.new) if v)
    visible = {d.pk: d.label for d in documents_for_user(user).filter(pk__in=doc_ids - {None})}
    units = {u.pk: u.name for u in Unit.objects.filter(pk__in=unit_ids)}
    entries = []
    actions = {
        "+": pgettext("history", "Created"),
        "~": pgettext("history", "Changed"),
        "-": pgettext("history", "Deleted"),
    }
    for record, delta in list(zip(records, diffs, strict=True))[:limit]:
        user_obj = record.history_user
        entry = Entry(
            when=record.history_date,
            who=str(user_obj) if user_obj else _("system"),
            action=actions.get(record.history_type, record.history_type),
        )
        if delta is not None:
            for change in delta.changes:
                if change.field in _HIDDEN:
                    continue
                described = _describe(change, visible, units)
                if described is not None:
                    entry.changes.append(described)
        entries.append(entry)
    # A link to a document the user cannot see leaves a change with nothing to show:
    # drop it rather than hint that the document exists.
    return [e for e in entries if e.changes or e.action != actions["~"]]


def _describe(change, visible: dict[int, str], units: dict[int, str]) -> Change | None:
    name = change.field
    label = _label(Document, name)
    if name == "implements":
        old = {r.get("to_document") for r in change.old or []}
        new = {r.get("to_document") for r in change.new or []}
        added = [visible[pk] for pk in new - old if pk in visible]
        removed = [visible[pk] for pk in old - new if pk in visible]
        if not (added or removed):
            return None
        return Change(label, ", ".join(removed) or "—", ", ".join(added) or "—")
    if name in ("owner", "issuer_unit"):
        return Change(label, units.get(change.old, "—"), units.get(change.new, "—"))
    if name == "visibility":
        choices = dict(Document.Visibility.choices)
        return Change(label, str(choices.get(change.old, "—")), str(choices.get(change.new, "—")))
    if name == "issue_date":
        fmt = lambda d: date_format(d, "d/m/Y") if d else "—"  # noqa: E731
        return Change(label, fmt(change.old), fmt(change.new))
    limit = 80 if name in _LONG else 120
    return Change(label, _short(change.old or "—", limit), _short(change.new or "—", limit))
