"""The dashboard as an XLSX workbook: summary, one row per subordinate unit, overdue list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from trienkhai.tasks.models import Assignment
from trienkhai.tasks.selectors import Counts
from trienkhai.units.models import Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OVERDUE_CAP = 10_000
DATE_FORMAT = "DD/MM/YYYY"


def _cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    """The value as openpyxl should write it: text that starts with "=" stays text (names
    and reasons come from users), dates get a date format, headers are bold."""
    is_formula_like = isinstance(value, str) and value.startswith("=")
    if not (bold or is_formula_like or isinstance(value, dt.date)):
        return value  # plain values are written as they are, which is much faster
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(sheet, value=value)
    if is_formula_like:
        cell.data_type = "s"
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def row(sheet: Any, values: Iterable[Any], *, bold: bool = False) -> None:
    sheet.append([_cell(sheet, v, bold=bold) for v in values])


def widths(sheet: Any, widths: Iterable[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _rate(value: float | None) -> float | str:
    return "" if value is None else value


def _count_columns() -> list[str]:
    return [
        _("Total"),
        _("Done on time"),
        _("Done late"),
        _("In progress"),
        _("Not started"),
        _("Overdue"),
        _("On-time rate (%)"),
        _("Updated"),
        _("Update rate (%)"),
    ]


def _count_values(c: Counts) -> list[Any]:
    return [
        c.total,
        c.done_on_time,
        c.done_late,
        c.in_progress,
        c.not_started,
        c.overdue,
        _rate(c.on_time_rate),
        c.updated,
        _rate(c.update_rate),
    ]


def write_dashboard(
    out: IO[bytes],
    *,
    unit: Unit,
    today: dt.date,
    counts: Counts,
    rows: Iterable[Any],
    own: Any,
    overdue: QuerySet[Assignment],
    overdue_count: int,
    filters: list[tuple[str, str]],
    cap: int = OVERDUE_CAP,
) -> None:
    """Write the workbook in constant memory (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)

    summary = book.create_sheet(_("Overview"))
    widths(summary, (46, 16, 14))
    row(summary, [_("Progress of the roll-out"), unit.name], bold=True)
    row(summary, [_("As of"), today])
    for label, value in filters:
        row(summary, [label, value])
    if not filters:
        row(summary, [_("Filters"), _("none (all tasks)")])
    row(summary, [])
    row(summary, [_("Status"), _("Number"), _("Share (%)")], bold=True)
    total = counts.total
    for label, n in (
        (_("Done on time"), counts.done_on_time),
        (_("Done late"), counts.done_late),
        (_("Not done, within the deadline"), counts.within_deadline),
        (_("Overdue"), counts.overdue),
    ):
        row(summary, [label, n, round(100 * n / total, 1) if total else ""])
    row(summary, [_("Total"), total, 100 if total else ""], bold=True)
    row(summary, [])
    row(summary, [_("Done on time, of all assignments (%)"), _rate(counts.on_time_percent)])
    on_time_rate = _("On-time rate, of assignments done or past the deadline (%)")
    row(summary, [on_time_rate, _rate(counts.on_time_rate)])
    row(summary, [_("Update rate (%)"), _rate(counts.update_rate)])

    children = book.create_sheet(_("Subordinate units"))
    widths(children, (46, 12, 12, 12, 12, 12, 12, 12, 16, 12, 16))
    row(children, [_("Unit"), _("Code"), *_count_columns()], bold=True)
    if own is not None:
        label = _("Assigned directly to %(name)s") % {"name": unit.name}
        row(children, [label, unit.code, *_count_values(own.counts)])
    for line in rows:
        row(children, [line.unit.name, line.unit.code, *_count_values(line.counts)])

    late = book.create_sheet(_("Overdue"))
    widths(late, (40, 60, 10, 12, 12, 60, 10))
    row(
        late,
        [
            _("Unit"),
            _("Task"),
            _("Period"),
            _("Due date"),
            _("Days overdue"),
            _("Reason given"),
            _("ID"),
        ],
        bold=True,
    )
    written = 0
    for a in overdue[:cap].iterator(chunk_size=2000):
        row(
            late,
            [
                a.unit.name,
                a.task.title,
                a.period,
                a.due_date,
                a.days_overdue(today),
                a.reason or _("no reason given"),
                a.pk,
            ],
        )
        written += 1
    if written >= cap and overdue_count > written:
        row(late, [])
        row(
            late,
            [
                _("Only the first %(n)s of %(total)s overdue assignments are listed.")
                % {"n": written, "total": overdue_count}
            ],
            bold=True,
        )
    book.save(out)
