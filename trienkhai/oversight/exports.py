"""Oversight of a subtree as an XLSX workbook: figures, units, targets never visited, open
recommendations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _

from trienkhai.oversight.selectors import AGE_BUCKETS, Figures, Oversight
from trienkhai.tasks.exports import XLSX_TYPE, row, widths

__all__ = ["CAP", "XLSX_TYPE", "write_oversight"]
CAP = 10_000
AGES = {"d30": "≤ 30", "d90": "31–90", "d180": "91–180", "older": "> 180"}


def _columns() -> list[str]:
    return [
        _("Plans"),
        _("Planned visits"),
        _("Planned visits made"),
        _("Unplanned visits"),
        _("Targets never visited"),
        *[_("Open, %(days)s days") % {"days": AGES[k]} for k, *_r in AGE_BUCKETS],
        _("Awaiting verification"),
        _("Overdue"),
        _("Closed this year"),
    ]


def _values(fig: Figures) -> list[Any]:
    return [
        fig.plans,
        fig.planned,
        fig.planned_visited,
        fig.unplanned,
        fig.never_visited,
        *[fig.open_by_age[k] for k, *_r in AGE_BUCKETS],
        fig.awaiting,
        fig.overdue,
        fig.closed,
    ]


def write_oversight(
    out: IO[bytes],
    *,
    rollup: Oversight,
    today: dt.date,
    never: Iterable[Any],
    recommendations: list[Any],
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    unit = rollup.unit
    summary = book.create_sheet(_("Overview"))
    widths(summary, (46, 16))
    row(summary, [_("Inspection and supervision"), unit.name], bold=True)
    row(summary, [_("Year"), rollup.year])
    row(summary, [_("As of"), today])
    row(summary, [])
    for label, value in zip(_columns(), _values(rollup.figures), strict=True):
        row(summary, [label, value])

    sheet = book.create_sheet(_("Subordinate units"))
    widths(sheet, (46, 12, *([12] * 12)))
    row(sheet, [_("Unit"), _("Code"), *_columns()], bold=True)
    if rollup.own is not None:
        label = _("Plans of %(name)s itself") % {"name": unit.name}
        row(sheet, [label, unit.code, *_values(rollup.own.figures)])
    for line in rollup.children:
        row(sheet, [line.unit.name, line.unit.code, *_values(line.figures)])

    targets = book.create_sheet(_("Never visited"))
    widths(targets, (46, 46, 12, 12))
    row(targets, [_("Unit"), _("Plan of"), _("From"), _("To")], bold=True)
    for t in never[:CAP]:
        row(targets, [t.unit.name, t.plan.unit.name, t.starts_on, t.ends_on])

    recs = book.create_sheet(_("Open recommendations"))
    widths(recs, (40, 60, 12, 12, 10, 24))
    header = [_("Unit"), _("Recommendation"), _("Visit"), _("Due date"), _("Days"), _("Status")]
    row(recs, header, bold=True)
    for r in recommendations:
        row(
            recs,
            [r.visit.unit.name, r.text, r.visit.ends_on, r.due_date, r.age, str(r.state_label)],
        )
    book.save(out)
