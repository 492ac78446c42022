"""Units as rows of a CSV or XLSX file: reading, parsing cells, writing (streamed) exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from trienkhai.core.errors import DomainError
from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold, normalize_space

COLUMNS = (
    "code",
    "name",
    "short_name",
    "kind",
    "parent_code",
    "cadres",
    "party_members",
    "union_members",
    "association_members",
    "active_from",
    "dissolved_on",
)
REQUIRED_COLUMNS = ("code", "name")
NUMBER_COLUMNS = ("cadres", "party_members", "union_members", "association_members")
DATE_COLUMNS = ("active_from", "dissolved_on")
MAX_ROWS = 100_000
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A unit without an official code is written as "#<id>" so that a file can be re-imported.
ID_PREFIX = "#"

_THOUSANDS = re.compile(r"^\d{1,3}([. ]\d{3})+$")
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
MAX_INT = 2_147_483_647


def unit_ref(unit: Unit) -> str:
    return unit.code or f"{ID_PREFIX}{unit.pk}"


# --- reading ---------------------------------------------------------------------------------


# Spreadsheet programs run a cell that starts with one of these as a formula ("CSV
# injection"): exports write such text with a leading apostrophe, imports take it off.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date | int):
        return value if isinstance(value, dt.date) else str(value)
    return str(value)


def read_table(rows_file: IO[bytes], fmt: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header (normalized names) and (row number, {column: value}) of non-empty data rows.

    Row numbers are those a spreadsheet shows: the header is row 1.
    """
    if fmt not in FORMATS:
        raise DomainError(_("Choose a CSV or XLSX file."), code="format", field="fmt")
    data = rows_file.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise DomainError(_("The file is too large."), code="too_large", field="file")
    if not data.strip():
        raise DomainError(_("The file is empty."), code="empty", field="file")
    try:
        raw_rows = _read_xlsx(data) if fmt == "xlsx" else _read_csv(data)
        header = [normalize_space(str(_cell_text(h))).lower() for h in next(raw_rows, [])]
        rows: list[tuple[int, dict]] = []
        for number, values in enumerate(raw_rows, start=2):
            cells = [_cell_text(v) for v in values]
            if not any(str(c).strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise DomainError(
                    _("The file has more than %(max)s rows.") % {"max": MAX_ROWS},
                    code="too_many",
                    field="file",
                )
            rows.append((number, dict(zip(header, cells, strict=False))))
    except DomainError:
        raise
    except Exception:  # a broken file can fail anywhere inside the readers
        raise DomainError(
            _("The file cannot be read as %(fmt)s.") % {"fmt": fmt.upper()},
            code="unreadable",
            field="file",
        )
    return header, rows


def _read_csv(data: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return iter(csv.reader(io.StringIO(text), delimiter=delimiter))


def _read_xlsx(data: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return book.worksheets[0].iter_rows(values_only=True)


# --- cells -----------------------------------------------------------------------------------


def kind_lookup() -> dict[str, str]:
    """Folded Vietnamese and English labels, and the codes, mapped to kind codes."""
    table: dict[str, str] = {}
    for code, label in Unit.Kind.choices:
        table[fold(code)] = code
        for lang in ("vi", "en"):
            with translation.override(lang):
                table[fold(str(label))] = code
    return table


def kind_label(code: str) -> str:
    with translation.override("vi"):
        return str(Unit.Kind(code).label)


def parse_number(value: Any) -> int | None:
    """A head count: blank → None; '1.200' and '1 200' are read as 1200."""
    text = normalize_space(str(value))
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = text.replace(".", "").replace(" ", "")
    if not text.isdigit() or int(text) > MAX_INT:
        raise ValueError(text)
    return int(text)


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = normalize_space(str(value))
    if not text:
        return None
    if m := _DATE.match(text):
        day, month, year = (int(x) for x in m.groups())
    elif m := _ISO_DATE.match(text):
        year, month, day = (int(x) for x in m.groups())
    else:
        raise ValueError(text)
    return dt.date(year, month, day)


# --- writing ---------------------------------------------------------------------------------


def _fmt_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def export_rows(root: Unit) -> Iterator[list[Any]]:
    """One row per unit of ``root``'s subtree, parents before children, read in chunks."""
    codes: dict[str, str] = {}
    labels = {code: kind_label(code) for code in Unit.Kind.values}
    qs = Unit.objects.subtree_of(root).select_related(None).order_by("path")
    for unit in qs.iterator(chunk_size=2000):
        ref = unit_ref(unit)
        if unit.numchild:
            codes[unit.path] = ref
        parent = "" if unit.pk == root.pk else codes.get(unit.parent_path, "")
        yield [
            ref,
            unit.name,
            unit.short_name,
            labels.get(unit.kind, unit.kind),
            parent,
            unit.cadres,
            unit.party_members,
            unit.union_members,
            unit.association_members,
            _fmt_date(unit.active_from),
            _fmt_date(unit.dissolved_on),
        ]


def _guarded(row: Iterable[Any]) -> list[Any]:
    """Text that a spreadsheet would run as a formula, kept as text (names come from users)."""
    return [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in row]


def _text_cell(sheet: Any, value: Any) -> Any:
    """In XLSX only a leading "=" makes a formula: such text is written as a text cell."""
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV lines for a StreamingHttpResponse, with a BOM so that Excel reads UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for row in rows:
        yield writer.writerow(_guarded(row))


def write_xlsx(rows: Iterable[list[Any]], out: IO[bytes], *, instructions: bool = False) -> None:
    """Write an XLSX in constant memory (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Units"))
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_text_cell(sheet, v) for v in row])
    if instructions:
        help_sheet = book.create_sheet(_("Instructions"))
        for line in instructions_lines():
            help_sheet.append(line)
    book.save(out)


def instructions_lines() -> list[list[str]]:
    lines = [
        [_("Column"), _("What to enter")],
        ["code", _("Required. The unit's code; an existing code updates that unit.")],
        ["name", _("Required. Full name of the unit.")],
        ["short_name", _("Optional. Short name, e.g. UBND phường.")],
        ["kind", _("Required for a new unit: one of the kinds listed below (name or code).")],
        [
            "parent_code",
            _(
                "Code of the parent unit, in this file or already in the tree. Blank: a new"
                " unit goes directly under the unit you import into; an existing unit stays"
                " where it is."
            ),
        ],
        ["cadres, party_members, union_members, association_members", _("Whole numbers.")],
        ["active_from, dissolved_on", _("Dates as dd/mm/yyyy.")],
        ["", ""],
        [_("Kind (code)"), _("Kind (name)")],
    ]
    lines.extend([code, kind_label(code)] for code in Unit.Kind.values)
    return lines
