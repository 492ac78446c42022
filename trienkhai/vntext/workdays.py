"""Working days in Vietnam: weekends and public holidays (lunar Tết included) are skipped."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("VN", years=[year]).keys())


def is_holiday(d: dt.date) -> bool:
    """True on a Vietnamese public holiday (including the days off around Tết)."""
    return d in _holidays(d.year)


def is_working_day(d: dt.date) -> bool:
    """Monday to Friday and not a public holiday."""
    return d.weekday() < 5 and not is_holiday(d)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``n`` = 0 gives the next working day or start).

    Negative ``n`` counts backwards.
    """
    d = start
    if n == 0:
        while not is_working_day(d):
            d += dt.timedelta(days=1)
        return d
    step = dt.timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    while left:
        d += step
        if is_working_day(d):
            left -= 1
    return d


@lru_cache(maxsize=64)
def tet_date(year: int) -> dt.date:
    """First day of the lunar new year (Tết Nguyên đán) falling in Gregorian ``year``."""
    for day, name in holidays.country_holidays("VN", years=[year], language="en_US").items():
        if name == "Lunar New Year":
            return day
    from holidays.calendars.chinese import _ChineseLunisolar

    return _ChineseLunisolar().lunar_new_year_date(year)[0]


_STEMS = ("Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý")
_BRANCHES = ("Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi")


def can_chi(year: int) -> str:
    """Sexagenary name of a lunar year (2026 → ``Bính Ngọ``)."""
    return f"{_STEMS[(year - 4) % 10]} {_BRANCHES[(year - 4) % 12]}"


def year_of_can_chi(name: str, near: int) -> int | None:
    """Gregorian year of the lunar year ``name`` closest to ``near``."""
    norm = " ".join(name.split()).lower().replace("tị", "tỵ")
    best = None
    for y in range(near - 40, near + 40):
        if can_chi(y).lower() == norm and (best is None or abs(y - near) < abs(best - near)):
            best = y
    return best
