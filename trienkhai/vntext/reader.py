"""``read()``: everything vntext finds in one text, as one result."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .dates import FoundDate, PartialDate, find_dates, find_partial_dates
from .deadlines import Deadline, Period, scan
from .symbols import Symbol, find_symbols
from .text import nfc

KINDS = ("plan", "letter", "directive", "news", "report")
_KIND_LINE = re.compile(r"\A#\s*kind\s*:\s*(\w+)")
_HEADER_DATE = re.compile(
    r"^[^\n]{0,60}?,?\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\s*$", re.M | re.I
)
_NEWS_DATE = re.compile(
    r"\A(?:#[^\n]*\n\s*)?(?:Thứ\s+\w+|Chủ nhật),?\s+(?:ngày\s+)?"
    r"(\d{1,2})(?:[/-]|\s+tháng\s+)(\d{1,2})(?:[/-]|\s+năm\s+)(\d{4})"
)
# The press lead: "(Thanhuytphcm.vn) – Ban Thường vụ …", "(ĐNO) – Ngày 11-3, …".
_NEWS_LEAD = re.compile(r"^\s*\([^()\n]{2,40}\)\s*[-–—]\s*\S", re.M)


@dataclass
class Result:
    """What ``read()`` found; ``to_dict()`` gives the CLI's JSON."""

    kind: str | None
    issue_date: dt.date | None
    symbols: list[Symbol] = field(default_factory=list)
    dates: list[FoundDate] = field(default_factory=list)
    dates_partial: list[PartialDate] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    units: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def own_symbol(self) -> Symbol | None:
        """The text's own symbol (printed in its header), if any."""
        return next((s for s in self.symbols if s.extra.get("own")), None)

    def to_dict(self) -> dict:
        """JSON-ready dict with the label field names."""
        seen: list[str] = []
        for f in self.dates:
            iso = f.value.isoformat()
            if iso not in seen:
                seen.append(iso)
        return {
            "kind": self.kind,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "symbols": [s.to_dict() for s in self.symbols],
            "dates": seen,
            "date_spans": [f.to_dict() for f in self.dates],
            "dates_partial": [p.to_dict() for p in self.dates_partial],
            "deadlines": [d.to_dict() for d in self.deadlines],
            "periods": [p.to_dict() for p in self.periods],
            "units": [u.to_dict() for u in self.units],
            "tasks": [t.to_dict() for t in self.tasks],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def detect_kind(text: str) -> str | None:
    """Kind from a ``# kind:`` first line, else from the header's wording."""
    m = _KIND_LINE.match(text)
    if m and m[1] in KINDS:
        return m[1]
    head = text[:1500]
    if _NEWS_DATE.match(text) or (
        _NEWS_LEAD.search(head) and not re.search(r"^\s*Số\s*:?\s*\d", head, re.M)
    ):
        return "news"
    for word, kind in (
        ("BÁO CÁO", "report"),
        ("CHỈ THỊ", "directive"),
        ("KẾ HOẠCH", "plan"),
        ("CHƯƠNG TRÌNH", "plan"),
    ):
        if re.search(rf"^\s*{word}\s*$", head, re.M):
            return kind
    if re.search(r"Kính gửi|^V/v", head, re.M):
        return "letter"
    return None


def detect_issue_date(text: str) -> dt.date | None:
    """The date of the header ("Hà Nội, ngày 3 tháng 6 năm 2020") or a news page date."""
    for rx in (_NEWS_DATE, _HEADER_DATE):
        m = rx.search(text[:2000])
        if m:
            try:
                return dt.date(int(m[3]), int(m[2]), int(m[1]))
            except ValueError:
                continue
    return None


def read(
    text: str,
    reference_date: dt.date | None = None,
    known_units: list[str] | None = None,
    kind: str | None = None,
) -> Result:
    """Read one text: symbols, dates, deadlines, periods, units, tasks and warnings.

    ``reference_date`` is the issue date (read from the header when omitted);
    ``known_units`` are names of real bodies that found units are matched against.
    """
    from .checks import check
    from .tasks import find_tasks
    from .units import find_units

    text = nfc(text)
    kind = kind or detect_kind(text)
    ref = reference_date or detect_issue_date(text)
    res = Result(kind=kind, issue_date=ref)
    res.symbols = find_symbols(text, ref.isoformat() if ref else None)
    full = find_dates(text)
    sym_spans = [(s.start, s.end) for s in res.symbols]
    res.dates = [f for f in full if not any(a < f.end and f.start < b for a, b in sym_spans)]
    seen: set[str] = set()
    for p in find_partial_dates(text, full):
        if p.text not in seen:
            seen.add(p.text)
            res.dates_partial.append(p)
    res.deadlines, res.periods = scan(text, ref, kind)
    res.tasks = find_tasks(text, res.deadlines, kind, ref)
    res.units = find_units(text, res.tasks, kind, known_units)
    res.warnings = check(text, res, ref)
    return res
