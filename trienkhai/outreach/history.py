"""The latest changes of an object, for the history box of the study and oversight pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def history_entries(obj: Any, model_labels: dict[str, str], limit: int = 20) -> list[dict]:
    """The latest changes of a session or item: who, when, which fields."""
    records = list(obj.history.select_related("history_user").order_by("-history_id")[: limit + 1])
    actions = {
        "+": pgettext("history", "Created"),
        "~": pgettext("history", "Changed"),
        "-": pgettext("history", "Deleted"),
    }
    out = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changed = []
        if older is not None:
            delta = newer.diff_against(older)
            changed = [model_labels.get(c.field, c.field) for c in delta.changes]
            changed = [c for c in changed if c]
        who = newer.history_user
        out.append(
            {
                "when": newer.history_date,
                "who": str(who) if who else _("system"),
                "action": actions.get(newer.history_type, newer.history_type),
                "fields": ", ".join(dict.fromkeys(changed)),
                "reason": newer.history_change_reason or "",
            }
        )
    return out[:limit]


def field_labels(model) -> dict[str, str]:
    labels = {}
    for field in model._meta.get_fields():
        name = getattr(field, "name", "")
        if name in ("search_text", "id", "created", "created_by", "version"):
            labels[name] = ""
        elif hasattr(field, "verbose_name"):
            labels[name] = str(field.verbose_name).capitalize()
    return labels
