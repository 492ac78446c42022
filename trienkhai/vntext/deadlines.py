"""Deadlines of assignments, and the time look-alikes (periods) that must not become deadlines.

A deadline's ``due`` is the last day it covers: the stated day for ``trước ngày X``, the end
of the month, quarter or year for ``trong tháng/quý/năm``. Recurring rules (``hằng quý``) and
event anchors (``trước Đại hội …``, ``trước Tết``) have no single due date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .dates import end_of_month
from .workdays import add_working_days, can_chi, tet_date, year_of_can_chi

WEEKDAY_NAMES = {
    "hai": "monday",
    "ba": "tuesday",
    "tư": "wednesday",
    "năm": "thursday",
    "sáu": "friday",
    "bảy": "saturday",
    "chủ nhật": "sunday",
}
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass
class Deadline:
    """A time limit of an assignment."""

    text: str
    due: dt.date | None
    start: int
    end: int
    recurring: str | None = None
    day: int | None = None
    month: int | None = None
    month_of_quarter: int | None = None
    weekday: str | None = None
    time: str | None = None
    anchor: str | None = None
    event: str | None = None
    event_date: dt.date | None = None
    year_inferred: bool = False
    reported: bool = False
    tentative: bool = False
    note: str | None = None
    rule: str = field(default="", repr=False)

    def to_dict(self) -> dict:
        """Label-style dict; optional fields only when set."""
        out: dict = {"text": self.text, "due": self.due.isoformat() if self.due else None}
        for k in (
            "recurring",
            "day",
            "month",
            "month_of_quarter",
            "weekday",
            "time",
            "anchor",
            "event",
        ):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        if self.event_date:
            out["event_date"] = self.event_date.isoformat()
        for k in ("year_inferred", "reported", "tentative"):
            if getattr(self, k):
                out[k] = True
        if self.note:
            out["note"] = self.note
        out["start"], out["end"] = self.start, self.end
        return out


@dataclass
class Period:
    """A time span that is not a deadline (term, phase, horizon, reporting span…)."""

    text: str
    start: int
    end: int
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    note: str | None = None

    def to_dict(self) -> dict:
        """JSON form: ``start``/``end`` are offsets, ``from``/``to`` the dates covered."""
        out: dict = {"text": self.text}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        if self.note:
            out["note"] = self.note
        out["start"], out["end"] = self.start, self.end
        return out


# ---------------------------------------------------------------- building blocks
_I = re.IGNORECASE
FULL = (
    r"(?:\d{1,2}\s?(?P<sep>[/.-])\s?\d{1,2}\s?(?P=sep)\s?\d{4}"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
)
_FULL_NOGROUP = (
    r"(?:\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
)
DM = r"(?:\d{1,2}\s?[/-]\s?\d{1,2}(?!\s?[/-]\s?\d|\d)|\d{1,2}\s+tháng\s+\d{1,2}(?!\s+năm\s+\d|\d))"
BEFORE = (
    r"(?:trước|chậm nhất(?:\s+là)?(?:\s+vào)?|muộn nhất(?:\s+là)?|không quá|không muộn hơn"
    r"|hạn chót(?:\s+là)?|hết hạn|đến hết)"
)
REC_CORE = (
    r"(?:định kỳ\s+)?(?:hằng|hàng)\s+(?P<unit>tuần|tháng|quý|năm)"
    r"|định kỳ\s+(?P<six>6|sáu|06)\s+tháng(?:\s+(?:một|1)\s+lần)?"
    r"|(?P<six2>6|sáu)\s+tháng\s+(?:một|1)\s+lần"
    r"|định kỳ\s+(?P<three>3|ba|03)\s+tháng"
)
DETAIL = (
    r"(?:\s*\((?P<paren>[^()\n]{2,80})\)"
    r"|\s*,\s*(?P<comma>(?:trước|chậm nhất|vào|muộn nhất)[^,;.()\n]{2,60}?)(?=\s*[,;.()\n]))?"
)
_REC = re.compile(rf"(?P<core>{REC_CORE}){DETAIL}", _I)
_REC_PRE = re.compile(
    rf"(?P<pre>{BEFORE}\s+(?:ngày\s+)?\d{{1,2}}(?:\s?[/-]\s?\d{{1,2}})?)"
    r"\s+(?:của\s+)?(?:hằng|hàng|mỗi)\s+(?P<unit>tuần|tháng|quý|năm)",
    _I,
)
_REC_QUARTER = re.compile(
    rf"(?:(?:{BEFORE}|vào)\s+)?ngày\s+(?P<day>\d{{1,2}})\s+(?:của\s+)?tháng\s+"
    r"(?P<which>cuối|đầu|giữa|thứ hai|thứ ba|thứ nhất)\s+(?:của\s+)?(?:mỗi\s+|hằng\s+)?quý",
    _I,
)
_DATED = re.compile(rf"(?P<pre>{BEFORE}|trong ngày)\s+(?:ngày\s+)?(?P<date>{FULL})", _I)
_DATED_DM = re.compile(rf"(?P<pre>{BEFORE})\s+(?:ngày\s+)?(?P<dm>{DM})", _I)
_PREP = r"(?:trong|vào|ngay trong|trước|chậm nhất(?:\s+là)?(?:\s+trong)?)"
_MONTH = re.compile(
    rf"(?P<pre>{_PREP})\s+tháng\s+(?P<m>\d{{1,2}})(?:\s?[/-]\s?|\s+năm\s+)(?P<y>\d{{4}})(?!\d)",
    _I,
)
_MONTH_NOYEAR = re.compile(
    r"(?P<pre>trong|vào|ngay trong)\s+tháng\s+(?P<m>\d{1,2})(?![\d/-])(?!\s+năm)"
    r"(?!\s+(?:vừa\s+)?qua)",
    _I,
)
_QUARTER = re.compile(
    rf"(?:(?P<pre>{_PREP}|cuối)\s+)?quý\s+(?P<q>IV|I{{1,3}}|[1-4])(?:\s?[/-]\s?|\s+năm\s+)(?P<y>\d{{4}})"
    r"(?!\d)",
    _I,
)
_YEAR = re.compile(
    r"(?P<pre>(?:ngay\s+)?trong|(?:vào\s+)?cuối|trước)\s+năm\s+(?P<y>\d{4})(?![\d\s]*[-–]\s*\d{4})",
    _I,
)
_TET = re.compile(
    r"(?:(?:xong|hoàn thành)\s+)?(?:trước|ngay trước)\s+(?:dịp\s+)?Tết(?:\s+Nguyên\s+[Đđ]án)?"
    r"(?:\s+(?P<cc>(?:Giáp|Ất|Bính|Đinh|Mậu|Kỷ|Canh|Tân|Nhâm|Quý)\s+"
    r"(?:Tý|Sửu|Dần|Mão|Thìn|Tỵ|Tị|Ngọ|Mùi|Thân|Dậu|Tuất|Hợi)))?"
    r"(?:\s+năm\s+(?P<y>\d{4}))?"
)
_EVENT = re.compile(
    r"(?:(?:từ nay|từ nay cho)\s+đến|trước|đến trước)\s+(?:khi\s+(?:tổ chức|diễn ra)\s+)?"
    r"(?:Đại hội|Hội nghị|kỳ họp|Kỳ họp|mùa mưa bão|mùa mưa lũ|mùa mưa|mùa khô|mùa lũ|mùa bão"
    r"|ngày khai giảng|khai giảng năm học|năm học mới|ngày bầu cử|cuộc bầu cử)"
    r"(?:[^.;,:\n()]{0,90}?)(?=\s*[.;,:\n()]|$)"
)
_RIGHT_AFTER = re.compile(r"ngay sau khi\s+[^.;,:\n()]{2,50}?(?=\s*[.;,:\n()]|$)", _I)
_WITHIN_DAYS = re.compile(
    r"(?:trong\s+(?:vòng|thời hạn|thời gian)|chậm nhất(?:\s+là)?|không quá)\s+(?:0?)(?P<n>\d{1,3})"
    r"\s+ngày(?P<wd>\s+làm\s+việc)?(?:\s*,?\s*kể\s+từ\s+(?P<from>(?:ngày|khi)\s+[^.,;:\n()]{2,40}))?",
    _I,
)

# Periods.
DASH = r"\s*[-–—]\s*"
_P_TERM = re.compile(rf"nhiệm kỳ\s+(?P<a>\d{{4}}){DASH}(?P<b>\d{{4}})", _I)
_P_PHASE = re.compile(rf"giai đoạn\s+(?P<a>\d{{4}}){DASH}(?P<b>\d{{4}})", _I)
_P_YEARS = re.compile(
    rf"(?:\d{{1,2}}|một|hai|ba|bốn|năm|mười)\s+năm\s*\((?P<a>\d{{4}}){DASH}(?P<b>\d{{4}})\)", _I
)
_P_SCHOOL = re.compile(rf"năm học\s+(?P<a>\d{{4}}){DASH}(?P<b>\d{{4}})", _I)
_P_HORIZON = re.compile(r"(?:tầm nhìn\s+)?(?:đến|tới)\s+(?:cuối\s+|hết\s+)?năm\s+(?P<y>\d{4})", _I)
_P_HALF = re.compile(
    r"(?:(?:6|sáu|9|chín|3|ba)\s+tháng|quý)\s+(?P<w>đầu|cuối)\s+năm(?:\s+(?P<y>\d{4}))?", _I
)
_P_SAME = re.compile(r"cùng kỳ(?:\s+năm\s+(?:\d{4}|trước))?", _I)
_P_FROM_TO = re.compile(
    rf"(?:từ|Từ)\s+(?:ngày\s+)?(?P<a>{_FULL_NOGROUP})\s+(?:đến|tới)\s+(?:ngày\s+)?(?P<b>{_FULL_NOGROUP})",
)
_P_FROM_TO_M = re.compile(
    r"(?:từ|Từ)\s+tháng\s+(?P<m1>\d{1,2})\s?[/-]\s?(?P<y1>\d{4})\s+(?:đến|tới)\s+"
    r"(?:tháng\s+)?(?P<m2>\d{1,2})\s?[/-]\s?(?P<y2>\d{4})"
)
_P_UNTIL = re.compile(rf"(?:[Tt]ính|[Ss]ố liệu)\s+(?:đến|tới)\s+(?:ngày\s+)?(?P<b>{_FULL_NOGROUP})")
_P_SINCE = re.compile(rf"(?:từ|Từ)\s+ngày\s+(?P<a>{_FULL_NOGROUP})")
_P_CUTOFF = re.compile(
    r"(?:từ|Từ)\s+ngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+trước(?:\s+kỳ báo cáo)?)?"
    r"\s+đến\s+ngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+(?:của|năm)\s+kỳ báo cáo)?"
)
_P_RANGE = re.compile(rf"(?P<a>{_FULL_NOGROUP}){DASH}(?P<b>{_FULL_NOGROUP})")

_PROGRAMME_ATTR = re.compile(
    r"(?:chương trình|kế hoạch|dự toán|ngân sách)(?:\s+(?:công tác|làm việc|hoạt động|kiểm tra"
    r"|giám sát|kiểm tra, giám sát|đào tạo|bồi dưỡng|thi đua|ngân sách))?\s+$",
    _I,
)
_CITED_TITLE = re.compile(
    r"(?:Nghị quyết|Quy định|Chỉ thị|Kết luận|Kế hoạch|Hướng dẫn|Quyết định|Nghị định|Thông tư"
    r"|Luật|Chương trình|Đề án|Công văn)\s+(?:số\s+)?\S+[^;\n]*?\svề\s",
)


def _parse_full(s: str) -> dt.date | None:
    m = re.match(r"(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4})", s) or re.match(
        r"(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", s
    )
    if not m:
        return None
    try:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None


def _parse_dm(s: str) -> tuple[int, int] | None:
    m = re.match(r"(\d{1,2})\s?[/-]\s?(\d{1,2})", s) or re.match(
        r"(\d{1,2})\s+tháng\s+(\d{1,2})", s
    )
    if not m:
        return None
    d, mo = int(m[1]), int(m[2])
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return d, mo


def _next_dm(ref: dt.date, d: int, m: int) -> dt.date | None:
    """First day/month on or after ``ref``."""
    for y in (ref.year, ref.year + 1):
        try:
            cand = dt.date(y, m, d)
        except ValueError:
            continue
        if cand >= ref:
            return cand
    return None


def _quarter_end(q: int, y: int) -> dt.date:
    return end_of_month(y, q * 3)


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    a = max(text.rfind(c, 0, pos) for c in ".;\n:") + 1
    ends = [i for i in (text.find(c, pos) for c in ".;\n") if i != -1]
    return a, min(ends) if ends else len(text)


def _detail(d: Deadline, s: str | None) -> None:
    """Fill day/month/weekday/time from a recurring rule's detail text."""
    if not s:
        return
    low = s.lower()
    m = re.search(r"(\d{1,2})\s*giờ(?:\s*(\d{1,2}))?", low)
    if m:
        d.time = f"{int(m[1]):02d}:{int(m[2] or 0):02d}"
        low = low[: m.start()] + low[m.end() :]
    m = re.search(r"(thứ\s+(hai|ba|tư|năm|sáu|bảy)|chủ nhật)", low)
    if m:
        d.weekday = WEEKDAY_NAMES[m[2] if m[2] else "chủ nhật"]
    m = re.search(r"ngày\s+(\d{1,2})\s+(?:của\s+)?tháng\s+(cuối|đầu|giữa|thứ hai|thứ ba)", low)
    if m:
        d.day = int(m[1])
        d.month_of_quarter = {"đầu": 1, "giữa": 2, "thứ hai": 2, "thứ ba": 3, "cuối": 3}[m[2]]
        return
    m = re.search(r"(\d{1,2})\s?[/-]\s?(\d{1,2})(?!\s?[/-]\s?\d)", low) or re.search(
        r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})", low
    )
    if m and 1 <= int(m[2]) <= 12:
        d.day, d.month = int(m[1]), int(m[2])
        return
    m = re.search(r"ngày\s+(\d{1,2})\b", low)
    if m:
        d.day = int(m[1])


_UNIT_REC = {
    "tuần": "weekly",
    "tháng": "monthly",
    "quý": "quarterly",
    "năm": "annual",
}


def _overlaps(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(x < b and a < y for x, y in spans)


def _tentative(text: str, start: int) -> bool:
    a, _ = _clause_bounds(text, start)
    return "dự kiến" in text[a:start].lower()


def scan(
    text: str, reference_date: dt.date | None = None, kind: str | None = None
) -> tuple[list[Deadline], list[Period]]:
    """Deadlines and periods of ``text`` in one pass (they compete for the same words)."""
    ref = reference_date
    found: list[Deadline] = []
    periods: list[Period] = []
    taken: list[tuple[int, int]] = []

    def add(d: Deadline) -> None:
        if _overlaps(d.start, d.end, taken):
            return
        found.append(d)
        taken.append((d.start, d.end))

    def add_period(p: Period) -> None:
        if _overlaps(p.start, p.end, taken):
            return
        periods.append(p)
        taken.append((p.start, p.end))

    # Recurring rules first: their detail holds a day/month that must not become a date.
    for m in _REC.finditer(text):
        a, _ = _clause_bounds(text, m.start())
        head = text[a : m.start()]
        if _CITED_TITLE.search(head):
            add_period(Period(m.group(0), m.start(), m.end(), note="inside a cited title"))
            continue
        if (
            not m["paren"]
            and not m["comma"]
            and not m.group(0).lower().startswith("định kỳ")
            and _PROGRAMME_ATTR.search(text[max(a, m.start() - 60) : m.start()])
        ):
            # "chương trình công tác hằng năm": the kind of programme, not a reporting rule.
            add_period(Period(m.group(0), m.start(), m.end(), note="attribute of a programme"))
            continue
        unit = m["unit"]
        rec = _UNIT_REC[unit.lower()] if unit else None
        if m["six"] or m["six2"]:
            rec = "semiannual"
        if m["three"]:
            rec = "quarterly"
        detail = m["paren"] or m["comma"]
        end = m.end()
        if detail and not re.search(r"\d|thứ|chủ nhật", detail, _I):
            # A parenthesis without a time (e.g. "(qua Sở Nội vụ)") is not part of the rule.
            end, detail = m.end("core"), None
        d = Deadline(text[m.start() : end], None, m.start(), end, recurring=rec, rule="recurring")
        _detail(d, detail)
        add(d)
    for m in _REC_PRE.finditer(text):
        d = Deadline(
            m.group(0),
            None,
            m.start(),
            m.end(),
            recurring=_UNIT_REC[m["unit"].lower()],
            rule="recurring",
        )
        _detail(d, m["pre"])
        if d.recurring != "annual":
            d.month = None
        # The recurring rule wins over a plain "hằng năm" found above inside this span.
        found[:] = [x for x in found if not (m.start() <= x.start and x.end <= m.end())]
        taken[:] = [t for t in taken if not (m.start() <= t[0] and t[1] <= m.end())]
        add(d)
    for m in _REC_QUARTER.finditer(text):
        d = Deadline(m.group(0), None, m.start(), m.end(), recurring="quarterly", rule="recurring")
        _detail(d, m.group(0))
        add(d)

    # Event anchors.
    for m in _TET.finditer(text):
        d = Deadline(m.group(0), None, m.start(), m.end(), anchor="event", rule="event")
        year = None
        near = ref.year if ref else dt.date.today().year
        if m["cc"]:
            year = year_of_can_chi(m["cc"], near + 1)
        elif m["y"]:
            year = int(m["y"])
        elif ref:
            year = ref.year if tet_date(ref.year) >= ref else ref.year + 1
        if year:
            d.event = f"Tết Nguyên đán {can_chi(year)}"
            d.event_date = tet_date(year)
        else:
            d.event = "Tết Nguyên đán"
        add(d)
    for rx in (_EVENT, _RIGHT_AFTER):
        for m in rx.finditer(text):
            a, b = _clause_bounds(text, m.start())
            if rx is _RIGHT_AFTER and re.search(r"\bđã\b|được ban hành", text[a:b]):
                continue
            add(
                Deadline(
                    m.group(0).rstrip(), None, m.start(), m.end(), anchor="event", rule="event"
                )
            )

    # Periods that contain deadline look-alikes.
    for rx, note in (
        (_P_CUTOFF, "data cut-off window"),
        (_P_FROM_TO, "reporting span"),
        (_P_FROM_TO_M, "data span"),
        (_P_UNTIL, "data cut-off"),
        (_P_RANGE, "span"),
        (_P_SINCE, "start"),
        (_P_TERM, "term"),
        (_P_PHASE, "phase"),
        (_P_YEARS, "phase"),
        (_P_SCHOOL, "school year"),
        (_P_HORIZON, "horizon"),
        (_P_HALF, "reporting span"),
        (_P_SAME, "same period"),
    ):
        for m in rx.finditer(text):
            add_period(_period(m, rx, note))

    # Dated deadlines.
    for m in _DATED.finditer(text):
        due = _parse_full(m["date"])
        if due is None:
            continue
        d = Deadline(m.group(0), due, m.start(), m.end(), rule="dated")
        if m["pre"].lower() == "đến hết":
            d.note = "until"
        add(d)
    for m in _DATED_DM.finditer(text):
        dm = _parse_dm(m["dm"])
        if dm is None or ref is None:
            continue
        due = _next_dm(ref, *dm)
        add(Deadline(m.group(0), due, m.start(), m.end(), year_inferred=True, rule="dated"))
    for m in _WITHIN_DAYS.finditer(text):
        n = int(m["n"])
        frm = (m["from"] or "").lower()
        own = not frm or re.match(r"ngày\s+(ký|ban hành)", frm)
        if own and ref:
            due = add_working_days(ref, n) if m["wd"] else ref + dt.timedelta(days=n)
            add(
                Deadline(
                    m.group(0), due, m.start(), m.end(), note="counted from issue", rule="days"
                )
            )
        elif m["from"]:
            add(Deadline(m.group(0), None, m.start(), m.end(), anchor="event", rule="days"))

    # Month, quarter and year forms.
    for m in _MONTH.finditer(text):
        mo, y = int(m["m"]), int(m["y"])
        if not 1 <= mo <= 12:
            continue
        pre = m["pre"].lower()
        # "trước tháng 9/2026" ends with August; "trong tháng 9/2026" with September.
        due = dt.date(y, mo, 1) - dt.timedelta(days=1) if pre == "trước" else end_of_month(y, mo)
        add(Deadline(_trim_pre(m), due, _start_pre(m), m.end(), rule="month"))
    if ref:
        for m in _MONTH_NOYEAR.finditer(text):
            mo = int(m["m"])
            if not 1 <= mo <= 12:
                continue
            y = ref.year if end_of_month(ref.year, mo) >= ref else ref.year + 1
            due = end_of_month(y, mo)
            add(Deadline(m.group(0), due, m.start(), m.end(), year_inferred=True, rule="month"))
    for m in _QUARTER.finditer(text):
        if not m["pre"]:
            continue
        q, y = ROMAN[m["q"].upper()], int(m["y"])
        due = _quarter_end(q, y)
        if m["pre"].lower() == "trước":
            due = dt.date(y, q * 3 - 2, 1) - dt.timedelta(days=1)
        add(Deadline(_trim_pre(m), due, _start_pre(m), m.end(), rule="quarter"))
    for m in _YEAR.finditer(text):
        y = int(m["y"])
        pre = m["pre"].lower()
        due = dt.date(y - 1, 12, 31) if pre == "trước" else dt.date(y, 12, 31)
        add(Deadline(_trim_pre(m), due, _start_pre(m), m.end(), rule="year"))

    found.sort(key=lambda d: d.start)
    out: list[Deadline] = []
    for d in found:
        if d.tentative or _tentative(text, d.start):
            d.tentative = True
            d.note = d.note or "tentative (dự kiến)"
        if ref and d.due and d.due < ref:
            if d.rule in ("month", "quarter", "year") and not d.year_inferred:
                # A past month or quarter in a text names when something happened.
                periods.append(
                    Period(d.text, d.start, d.end, _period_from(d), d.due, "reported event time")
                )
                continue
            if kind == "report" or _reported(text, d.start):
                d.reported = True
        out.append(d)
    periods.sort(key=lambda p: p.start)
    # A repeated look-alike ("nhiệm kỳ 2020 - 2025" twice) is listed once.
    seen: set[str] = set()
    unique: list[Period] = []
    for p in periods:
        if p.text not in seen:
            seen.add(p.text)
            unique.append(p)
    return out, unique


def _reported(text: str, start: int) -> bool:
    a, b = _clause_bounds(text, start)
    return bool(re.search(r"\bđã\b|\bxong\b.*\bđạt\b|bảo đảm yêu cầu", text[a:b], _I))


def _period_from(d: Deadline) -> dt.date | None:
    if d.due is None:
        return None
    if d.rule == "month":
        return d.due.replace(day=1)
    if d.rule == "quarter":
        return dt.date(d.due.year, d.due.month - 2, 1)
    if d.rule == "year":
        return dt.date(d.due.year, 1, 1)
    return None


def _start_pre(m: re.Match) -> int:
    # "vào" is not part of a deadline's text in the labels ("vào cuối năm 2022" → "cuối năm 2022").
    pre = m["pre"]
    if pre and pre.lower().startswith("vào "):
        return m.start("pre") + 4
    if pre and pre.lower() == "vào":
        return m.end("pre") + 1
    return m.start()


def _trim_pre(m: re.Match) -> str:
    return m.string[_start_pre(m) : m.end()]


def _period(m: re.Match, rx: re.Pattern, note: str) -> Period:
    gd = m.groupdict()
    p = Period(m.group(0), m.start(), m.end(), note=note)
    if gd.get("a") and gd.get("b") and len(gd["a"]) == 4:
        p.date_from, p.date_to = dt.date(int(gd["a"]), 1, 1), dt.date(int(gd["b"]), 12, 31)
        if rx is _P_SCHOOL:
            p.date_from, p.date_to = dt.date(int(gd["a"]), 9, 1), dt.date(int(gd["b"]), 5, 31)
    elif gd.get("a") or gd.get("b"):
        p.date_from = _parse_full(gd["a"]) if gd.get("a") else None
        p.date_to = _parse_full(gd["b"]) if gd.get("b") else None
    elif gd.get("m1"):
        p.date_from = dt.date(int(gd["y1"]), int(gd["m1"]), 1)
        p.date_to = end_of_month(int(gd["y2"]), int(gd["m2"]))
    elif gd.get("y"):
        y = int(gd["y"])
        if rx is _P_HORIZON:
            p.date_to = dt.date(y, 12, 31)
        elif gd.get("w"):
            first = gd["w"].lower() == "đầu"
            p.date_from = dt.date(y, 1 if first else 7, 1)
            p.date_to = dt.date(y, 6, 30) if first else dt.date(y, 12, 31)
    return p


def deadlines(
    text: str, reference_date: dt.date | None = None, kind: str | None = None
) -> list[Deadline]:
    """Deadlines in ``text``; ``reference_date`` (the issue date) resolves day/month forms."""
    return scan(text, reference_date, kind)[0]


def periods(text: str, reference_date: dt.date | None = None) -> list[Period]:
    """Terms, phases, horizons, reporting spans and other look-alikes of deadlines."""
    return scan(text, reference_date)[1]
