"""Periods of recurring tasks: one assignment per unit per period, each with its own due date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trienkhai.vntext.dates import end_of_month


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    due: dt.date


def _day_in(year: int, month: int, day: int) -> dt.date:
    last = end_of_month(year, month)
    return last if day > last.day else dt.date(year, month, day)


def _iter(recurrence: str, day: int, month: int | None, year: int):
    if recurrence == "monthly":
        for m in range(1, 13):
            yield Period(f"{year}-{m:02d}", dt.date(year, m, 1), _day_in(year, m, day))
    elif recurrence == "quarterly":
        for q in range(1, 5):
            last = q * 3
            yield Period(f"{year}-Q{q}", dt.date(year, last - 2, 1), _day_in(year, last, day))
    elif recurrence == "six_monthly":
        yield Period(f"{year}-H1", dt.date(year, 1, 1), _day_in(year, 6, day))
        yield Period(f"{year}-H2", dt.date(year, 7, 1), _day_in(year, 12, day))
    elif recurrence == "annual":
        yield Period(str(year), dt.date(year, 1, 1), _day_in(year, month or 12, day))


def periods_of(
    *,
    recurrence: str,
    day: int,
    month: int | None,
    start: dt.date,
    end: dt.date | None,
    until: dt.date,
) -> list[Period]:
    """The periods whose deadline falls in [start, end] and that have begun by ``until``.

    Later periods are created by the daily job when they begin, so a task recurring for
    years does not fill the dashboard with far-future work.
    """
    horizon = max(until, start)
    out: list[Period] = []
    for year in range(start.year, horizon.year + 1):
        for p in _iter(recurrence, day, month, year):
            if p.due < start or (end is not None and p.due > end):
                continue
            if p.start > horizon:
                continue
            out.append(p)
    return out
