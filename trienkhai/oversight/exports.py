"""Oversight of a subtree as an XLSX workbook: figures, units, targets never visited, open
recommendations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _

from trienkhai.oversight.selectors import AGE_BUCKETS, Figures, Oversight
from trienkhai.tasks.exports import XLSX_TYPE, _row, _widths

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
    _widths(summary, (46, 16))
    _row(summary, [_("Inspection and supervision"), unit.name], bold=True)
    _row(summary, [_("Year"), rollup.year])
    _row(summary, [_("As of"), today])
    _row(summary, [])
    for label, value in zip(_columns(), _values(rollup.figures), strict=True):
        _row(summary, [label, value])

    sheet = book.create_sheet(_("Subordinate units"))
    _widths(sheet, (46, 12, *([12] * 12)))
    _row(sheet, [_("Unit"), _("Code"), *_columns()], bold=True)
    if rollup.own is not None:
        label = _("Plans of %(name)s itself") % {"name": unit.name}
        _row(sheet, [label, unit.code, *_values(rollup.own.figures)])
    for row in rollup.children:
        _row(sheet, [row.unit.name, row.unit.code, *_values(row.figures)])

    targets = book.create_sheet(_("Never visited"))
    _widths(targets, (46, 46, 12, 12))
    _row(targets, [_("Unit"), _("Plan of"), _("From"), _("To")], bold=True)
    for t in never[:CAP]:
        _row(targets, [t.unit.name, t.plan.unit.name, t.starts_on, t.ends_on])

    recs = book.create_sheet(_("Open recommendations"))
    _widths(recs, (40, 60, 12, 12, 10, 24))
    header = [_("Unit"), _("Recommendation"), _("Visit"), _("Due date"), _("Days"), _("Status")]
    _row(recs, header, bold=True)
    for r in recommendations:
        _row(
            recs,
            [r.visit.unit.name, r.text, r.visit.ends_on, r.due_date, r.age, str(r.state_label)],
        )
    book.save(out)
