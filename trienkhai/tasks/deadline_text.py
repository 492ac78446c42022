"""Turn a deadline as a directive writes it into a task's due date or recurrence.

"trong quý II năm 2020" → due 30/06/2020; "hằng năm, trước ngày 15/12" → annual, day 15,
month 12; "trước Đại hội …" → no date (an event), said so. Reading is vntext's; this only
maps its result onto Task fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trienkhai.vntext.deadlines import deadlines

_RECURRENCE = {
    "monthly": "monthly",
    "quarterly": "quarterly",
    "semiannual": "six_monthly",
    "six_monthly": "six_monthly",
    "annual": "annual",
}


@dataclass
class ReadDeadline:
    due_date: dt.date | None = None
    recurrence: str = ""
    recurrence_day: int | None = None
    recurrence_month: int | None = None
    event: str = ""
    found: bool = False


def read_deadline(text: str, reference: dt.date) -> ReadDeadline:
    """The task fields a deadline expression stands for (``found`` False if none)."""
    found = deadlines(text or "", reference)
    if not found:
        # A deadline already past on the reference day ("quý II năm 2020" typed in August
        # 2020, to record old work) is still a deadline: read it as of long before.
        found = deadlines(text or "", dt.date(reference.year - 30, 1, 1))
        found = [d for d in found if d.due is None or str(d.due.year) in d.text]
    if not found:
        return ReadDeadline()
    recurring = [d for d in found if d.recurring]
    if recurring:
        first = next((d for d in recurring if d.day), recurring[0])
        out = ReadDeadline(recurrence=_RECURRENCE.get(first.recurring, ""), found=True)
        day, month = first.day, first.month
        if day is None:
            # "hằng năm, trước ngày 15/12": the day comes in its own expression
            dated = next((d for d in found if d.due and not d.recurring), None)
            if dated is not None:
                day, month = dated.due.day, dated.due.month
        out.recurrence_day = day
        if out.recurrence == "annual":
            out.recurrence_month = month or 12
        if out.recurrence and not out.recurrence_day:
            out.recurrence_day = 31 if out.recurrence != "monthly" else 28
        return out
    dated = next((d for d in found if d.due), None)
    if dated is not None:
        return ReadDeadline(due_date=dated.due, found=True)
    event = next((d for d in found if d.anchor == "event"), None)
    return ReadDeadline(event=event.text if event else found[0].text, found=True)
