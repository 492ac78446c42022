"""Reports as spreadsheets: the indicator table across units, and the import template.

Workbooks are written in openpyxl's write-only mode (rows streamed, values by chunks of
reports) and any text starting with "=" is written as text, never as a formula. An import is
all or nothing: every cell is checked first, each problem named by row and column.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.http import FileResponse
from django.utils.translation import gettext as _

from trienkhai.reports.consolidation import consolidate
from trienkhai.reports.models import Indicator, Report, Round, Value
from trienkhai.units.models import Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 2000
MAX_IMPORT_ROWS = 5000
SEP = " — "


def _cell(sheet: Any, value: Any, *, bold: bool = False) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    formula_like = isinstance(value, str) and value.startswith("=")
    if not (bold or formula_like or isinstance(value, dt.date)):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if formula_like:
        cell.data_type = "s"
    if isinstance(value, dt.date):
        cell.number_format = "DD/MM/YYYY"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _row(sheet: Any, values, *, bold: bool = False) -> None:
    sheet.append([_cell(sheet, v, bold=bold) for v in values])


def _widths(sheet: Any, widths) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = w


def _header(ind: Indicator) -> str:
    text = f"{ind.code}{SEP}{ind.name}"
    return f"{text} ({ind.unit_of_measure})" if ind.unit_of_measure else text


def _cell_value(ind: Indicator, v: Value | None) -> Any:
    if v is None:
        return None
    if ind.type == Indicator.Type.TEXT:
        return v.text
    if v.number is None:
        return None
    return int(v.number) if float(v.number).is_integer() else round(v.number, 4)


def _values_by_report(ids: list[int]) -> dict[int, dict[int, Value]]:
    out: dict[int, dict[int, Value]] = {}
    for v in Value.objects.filter(report_id__in=ids).only(
        "report_id", "indicator_id", "number", "text", "units"
    ):
        out.setdefault(v.report_id, {})[v.indicator_id] = v
    return out


def _response(workbook: Any, filename: str) -> FileResponse:
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


def _states() -> dict[str, str]:
    return {k: str(v) for k, v in Report.State.choices}


def _report_rows(sheet, reports, indicators, deadline: dt.date, states) -> int:
    n = 0
    for start in range(0, len(reports), CHUNK):
        chunk = reports[start : start + CHUNK]
        values = _values_by_report([r.pk for r in chunk])
        for r in chunk:
            n += 1
            mine = values.get(r.pk, {})
            on_time = ""
            if r.first_submitted_on is not None:
                on_time = _("yes") if r.first_submitted_on <= deadline else _("no")
            _row(
                sheet,
                [
                    n,
                    r.unit.name,
                    r.receiver.name if r.receiver_id else "",
                    states.get(r.state, r.state),
                    r.first_submitted_on,
                    on_time,
                    *(_cell_value(ind, mine.get(ind.pk)) for ind in indicators),
                ],
            )
    return n


def _fixed_columns() -> list[str]:
    return [_("No."), _("Unit"), _("Sent to"), _("State"), _("First sent on"), _("On time")]


def round_workbook(rnd: Round, unit: Unit) -> FileResponse:
    """Every report of the round in ``unit``'s subtree, one column per indicator."""
    from openpyxl import Workbook

    indicators = list(rnd.version.indicators.all())
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("Figures"))
    _widths(sheet, [6, 40, 30, 14, 12, 9, *([18] * len(indicators))])
    _row(sheet, [rnd.title], bold=True)
    _row(sheet, [_("Unit and the units below: %(unit)s") % {"unit": unit.name}])
    _row(sheet, [])
    _row(sheet, [*_fixed_columns(), *(_header(i) for i in indicators)], bold=True)
    qs = (
        Report.objects.filter(round=rnd)
        .within(unit)
        .counted()
        .select_related("unit", "receiver")
        .order_by("unit_path", "pk")
    )
    reports = list(qs)
    _report_rows(sheet, reports, indicators, rnd.deadline, _states())
    return _response(wb, f"round-{rnd.pk}-unit-{unit.pk}.xlsx")


def report_workbook(r: Report, *, sources: bool = True) -> FileResponse:
    """The report's own figures, its reporters' (one row each, when ``sources``: see
    ``selectors.can_trace_report``) and their consolidation."""
    from openpyxl import Workbook

    from trienkhai.reports.documents import filename_for
    from trienkhai.reports.services import has_sources

    rnd = r.round
    indicators = list(rnd.version.indicators.all())
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("Figures"))
    _widths(sheet, [6, 40, 30, 14, 12, 9, *([18] * len(indicators))])
    _row(sheet, [rnd.title], bold=True)
    _row(sheet, [r.unit.name])
    _row(sheet, [])
    _row(sheet, [*_fixed_columns(), *(_header(i) for i in indicators)], bold=True)
    states = _states()
    reporters = (
        list(
            Report.objects.filter(round=rnd, receiver_id=r.unit_id)
            .counted()
            .select_related("unit", "receiver")
            .order_by("unit_path", "pk")
        )
        if sources
        else []
    )
    n = _report_rows(sheet, reporters, indicators, rnd.deadline, states)
    if has_sources(r):
        cons = consolidate(rnd, r.unit_id, indicators)
        _row(
            sheet,
            [
                "",
                _("Consolidated from the accepted reports above"),
                "",
                "",
                None,
                "",
                *(
                    None
                    if cons[i.pk].value is None
                    else (
                        round(cons[i.pk].value, 4) if i.is_numeric or i.type == "yes_no" else None
                    )
                    for i in indicators
                ),
            ],
            bold=True,
        )
    own = _values_by_report([r.pk]).get(r.pk, {})
    _row(
        sheet,
        [
            n + 1 if n else 1,
            _("%(unit)s (this report)") % {"unit": r.unit.name},
            r.receiver.name if r.receiver_id else "",
            states.get(r.state, r.state),
            r.first_submitted_on,
            "",
            *(_cell_value(i, own.get(i.pk)) for i in indicators),
        ],
        bold=True,
    )
    return _response(wb, filename_for(r, "xlsx"))


# --- import ----------------------------------------------------------------------------------


def import_template(rnd: Round, reports: list[Report]) -> FileResponse:
    """One row per report the user still has to send, its current figures filled in."""
    from openpyxl import Workbook

    indicators = [i for i in rnd.version.indicators.all() if not i.is_fed]
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("Figures"))
    _widths(sheet, [12, 40, *([20] * len(indicators))])
    _row(sheet, [_("Report ID"), _("Unit"), *(_header(i) for i in indicators)], bold=True)
    values = _values_by_report([r.pk for r in reports])
    for r in reports:
        mine = values.get(r.pk, {})
        cells = []
        for ind in indicators:
            v = mine.get(ind.pk)
            value = _cell_value(ind, v)
            if ind.type == Indicator.Type.YES_NO and value is not None:
                value = _("Yes") if value else _("No")
            cells.append(value)
        _row(sheet, [r.pk, r.unit.name, *cells])
    return _response(wb, f"round-{rnd.pk}-template.xlsx")


@dataclass
class Problem:
    row: int
    column: str
    message: str


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value


def import_figures(rnd: Round, upload: IO[bytes], *, by: Any) -> int:
    """Check every cell of a filled-in template, then save each report — or raise
    ``ImportFailed`` with every problem and save nothing. Returns the reports updated."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from trienkhai.core.errors import DomainError
    from trienkhai.reports.selectors import to_fill
    from trienkhai.reports.services import has_sources, parse_figure, report_save

    upload.seek(0)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file is the user's mistake, not a server error
        raise ImportFailed([Problem(1, "A", _("The file cannot be read as an .xlsx workbook."))])
    sheet = wb.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    by_code = {i.code: i for i in rnd.version.indicators.all() if not i.is_fed}
    problems: list[Problem] = []
    columns: dict[int, Indicator] = {}
    for col, title in enumerate(header):
        if col < 2 or title in (None, ""):
            continue
        code = str(title).split(SEP)[0].strip()
        ind = by_code.get(code)
        letter = get_column_letter(col + 1)
        if ind is None:
            problems.append(
                Problem(
                    1,
                    letter,
                    _("Unknown indicator “%(code)s”: keep the template's headers.")
                    % {"code": code[:20]},
                )
            )
        else:
            columns[col] = ind
    mine = {r.pk: r for r in to_fill(by).filter(round=rnd).select_related("unit", "round__version")}
    wanted: dict[int, dict[str, Any]] = {}
    seen_rows: dict[int, int] = {}
    for number, row in enumerate(rows, start=2):
        if number > MAX_IMPORT_ROWS + 1:
            problems.append(Problem(number, "A", _("At most %(n)s rows.") % {"n": MAX_IMPORT_ROWS}))
            break
        if not row or all(v in (None, "") for v in row):
            continue
        raw_id = _text(row[0]) if row else None
        try:
            report_id = int(str(raw_id).strip())
        except (TypeError, ValueError):
            problems.append(Problem(number, "A", _("The report ID is missing or not a number.")))
            continue
        report = mine.get(report_id)
        if report is None:
            locked = Report.objects.filter(pk=report_id, round=rnd).values_list("state", flat=True)
            state = locked.first()
            if state in (Report.State.SUBMITTED, Report.State.ACCEPTED):
                message = _(
                    "This report has already been sent and is locked: it cannot be imported."
                )
            else:
                message = _("This report is not one your units have to fill in this round.")
            problems.append(Problem(number, "A", message))
            continue
        if report_id in seen_rows:
            problems.append(
                Problem(
                    number,
                    "A",
                    _("The same report is already on row %(row)s.") % {"row": seen_rows[report_id]},
                )
            )
            continue
        seen_rows[report_id] = number
        consolidating = has_sources(report)
        figures: dict[str, Any] = {}
        for col, ind in columns.items():
            value = _text(row[col]) if col < len(row) else None
            if ind.type == Indicator.Type.YES_NO and isinstance(value, str):
                value = value.strip()
            _number, _t, error = parse_figure(value, ind, consolidating=consolidating)
            if error:
                letter = get_column_letter(col + 1)
                problems.append(Problem(number, f"{letter} ({ind.code})", error))
            else:
                figures[ind.code] = "" if value is None else value
        wanted[report_id] = figures
    wb.close()
    if problems:
        raise ImportFailed(problems)
    for report_id, figures in wanted.items():
        try:
            report_save(report=mine[report_id], by=by, figures=figures)
        except DomainError as exc:  # a race with another writer: report it, keep nothing
            row = seen_rows[report_id]
            messages = getattr(exc, "errors", None) or {"": exc.message}
            raise ImportFailed([Problem(row, "A", m) for m in messages.values()]) from exc
    return len(wanted)
