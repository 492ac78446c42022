"""Report periods and their data cut-off windows (Decree 09/2019/NĐ-CP, article 12).

| period      | window                                                          |
|-------------|-----------------------------------------------------------------|
| monthly     | 15th of the previous month → 14th of the month                  |
| quarterly   | 15th of the month before the quarter → 14th of its last month   |
| six-monthly | 15/12 of the previous year → 14/6; 15/6 → 14/12                 |
| annual      | 15/12 of the previous year → 14/12                              |

A round may also define its own window (some regimes use calendar months or 16th–15th).
The deadline is a date, or N working days after the cut-off (weekends and Vietnamese public
holidays, Tết included, skipped: ``vntext.workdays``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from trienkhai.vntext.workdays import add_working_days

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Window:
    label: str  # 2020, 2020-Q2, 2020-H1, 2020-06
    start: dt.date
    end: dt.date


def _prev_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def cutoff_window(kind: str, year: int, number: int | None = None) -> Window:
    """The Decree 09 window of a period: ``number`` is the month, quarter or half."""
    if kind == "monthly":
        if number is None or not 1 <= number <= 12:
            raise ValueError("month must be 1-12")
        py, pm = _prev_month(year, number)
        return Window(f"{year}-{number:02d}", dt.date(py, pm, 15), dt.date(year, number, 14))
    if kind == "quarterly":
        if number is None or not 1 <= number <= 4:
            raise ValueError("quarter must be 1-4")
        last = number * 3
        py, pm = _prev_month(year, last - 2)
        return Window(f"{year}-Q{number}", dt.date(py, pm, 15), dt.date(year, last, 14))
    if kind == "six_monthly":
        if number == 1:
            return Window(f"{year}-H1", dt.date(year - 1, 12, 15), dt.date(year, 6, 14))
        if number == 2:
            return Window(f"{year}-H2", dt.date(year, 6, 15), dt.date(year, 12, 14))
        raise ValueError("half must be 1 or 2")
    if kind == "annual":
        return Window(str(year), dt.date(year - 1, 12, 15), dt.date(year, 12, 14))
    raise ValueError(f"no standard window for {kind!r}")


def deadline_after(end: dt.date, workdays: int) -> dt.date:
    """The ``workdays``-th working day after the cut-off ``end``."""
    return add_working_days(end, workdays)


def describe(kind: str, label: str) -> str:
    """The period in words, as a report title writes it: "năm 2020", "quý II năm 2020"."""
    try:
        if kind == "annual":
            return _("year %(year)s") % {"year": label}
        year, _sep, part = label.partition("-")
        if kind == "quarterly":
            return _("quarter %(q)s of %(year)s") % {"q": ROMAN[int(part[1:])], "year": year}
        if kind == "six_monthly":
            if part == "H1":
                return _("first six months of %(year)s") % {"year": year}
            return _("last six months of %(year)s") % {"year": year}
        if kind == "monthly":
            return _("month %(month)s of %(year)s") % {"month": int(part), "year": year}
    except (KeyError, ValueError, IndexError):
        pass  # a custom window's label has no standard wording: shown as written
    return label
