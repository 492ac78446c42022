"""Calendar dates in Vietnamese text: ``3/6/2020``, ``03-6-2020``, ``ngày 3 tháng 6 năm 2020``."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass
class FoundDate:
    """A full date found in text."""

    value: dt.date
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        """JSON-friendly form."""
        return {
            "date": self.value.isoformat(),
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class PartialDate:
    """A day and month printed without a year (``15/12``, ``ngày 14 tháng 6``)."""

    day: int
    month: int
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        """JSON-friendly form."""
        return {
            "text": self.text,
            "day": self.day,
            "month": self.month,
            "start": self.start,
            "end": self.end,
        }


# Digits joined by one separator kind; neighbours must not be digits or decimal marks, so
# that figures such as 18.426 or 97,6% never match.
_NUMERIC = re.compile(
    r"(?<![\d.,/-])(?P<d>\d{1,2})\s?(?P<s>[/.-])\s?(?P<m>\d{1,2})\s?(?P=s)\s?(?P<y>\d{4})"
    r"(?![\d]|[.,]\d|/[A-ZĐ\d])"
)
_WORDY = re.compile(
    r"\b(?:ngày|Ngày|NGÀY)\s+(?P<d>\d{1,2})\s+(?:tháng|THÁNG)\s+(?P<m>\d{1,2})\s+"
    r"(?:năm|NĂM)\s+(?P<y>\d{4})\b"
)
_PARTIAL_NUM = re.compile(
    r"(?<![\d.,/-])(?P<d>\d{1,2})(?P<s>[/-])(?P<m>\d{1,2})(?![\d]|[.,]\d|\s?[/-]\s?\d)"
)
_PARTIAL_WORDY = re.compile(
    r"\b(?:ngày|Ngày)\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\b(?!\s*(?:năm\s+\d|/\d|-\d))"
)
# A bare d/m needs a temporal word just before it, so that "2/3 số đại biểu" stays a fraction.
_PARTIAL_CONTEXT = re.compile(
    r"(?:ngày|trước|sau|sáng|chiều|tối|trưa|đêm|đến|từ|hạn|nhất|hết|vào|tới|mùng|mồng|thứ \w+,?)"
    r"\s*\(?$",
    re.IGNORECASE,
)


def _make(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[FoundDate]:
    """Every full calendar date in ``text``, in order of appearance."""
    out: list[FoundDate] = []
    for rx in (_NUMERIC, _WORDY):
        for m in rx.finditer(text):
            if rx is _NUMERIC and m["s"] == "." and not _dotted_ok(text, m):
                continue
            value = _make(int(m["y"]), int(m["m"]), int(m["d"]))
            if value and 1800 <= value.year <= 2200:
                out.append(FoundDate(value, m.group(0), m.start(), m.end()))
    out.sort(key=lambda f: f.start)
    return out


def _dotted_ok(text: str, m: re.Match) -> bool:
    # 1.234.5678 style figures are numbers; a dotted date stands alone.
    return not re.match(r"\d", text[m.end() : m.end() + 1])


def unique_dates(text: str) -> list[dt.date]:
    """Distinct full dates in order of first appearance."""
    seen: list[dt.date] = []
    for f in find_dates(text):
        if f.value not in seen:
            seen.append(f.value)
    return seen


def find_partial_dates(text: str, full: list[FoundDate] | None = None) -> list[PartialDate]:
    """Day/month mentions without a year (``15/12``, ``13-3``, ``ngày 14 tháng 6``)."""
    full = find_dates(text) if full is None else full
    spans = [(f.start, f.end) for f in full]
    out: list[PartialDate] = []
    for rx in (_PARTIAL_NUM, _PARTIAL_WORDY):
        for m in rx.finditer(text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            d, mo = int(m["d"]), int(m["m"])
            if not (1 <= mo <= 12 and 1 <= d <= 31) or _make(2024, mo, d) is None:
                continue
            if rx is _PARTIAL_NUM:
                before = text[max(0, m.start() - 24) : m.start()]
                if not _PARTIAL_CONTEXT.search(before):
                    continue
                after = text[m.end() : m.end() + 3]
                if re.match(r"\s?(?:giờ|%|tuổi)", after):
                    continue
            out.append(PartialDate(d, mo, m.group(0), m.start(), m.end()))
    out.sort(key=lambda p: p.start)
    return out


def long_date_vi(d: dt.date) -> str:
    """``Thứ Tư, ngày 3 tháng 6 năm 2020``."""
    return f"{WEEKDAYS_VI[d.weekday()]}, ngày {d.day} tháng {d.month} năm {d.year}"


def parse_date(s: str) -> dt.date | None:
    """Parse one date written as ISO, d/m/yyyy, d-m-yyyy or ``ngày d tháng m năm yyyy``."""
    s = (s or "").strip()
    with contextlib.suppress(ValueError):
        return dt.date.fromisoformat(s)
    found = find_dates(s)
    return found[0].value if found else None


def end_of_month(year: int, month: int) -> dt.date:
    """Last day of a month."""
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)
