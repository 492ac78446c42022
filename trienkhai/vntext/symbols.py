"""Document symbols (số, ký hiệu) of Party and State documents.

Party form: ``number-TYPE/ISSUER`` (``52-NQ/TW``, ``45- KH/TU``, ``35-CT/TƯ``).
State form: ``number[/year]/TYPE-ISSUER`` (``62/QĐ-VPCP``, ``09/2019/NĐ-CP``); official letters
carry no type code (``3521/UBND-TH``) and Quốc hội acts none at all (``198/2025/QH15``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

SYMBOL_TYPES: dict[str, str] = {
    "NQ": "Nghị quyết",
    "NQLT": "Nghị quyết liên tịch",
    "QĐ": "Quyết định",
    "QĐi": "Quy định",
    "QyĐ": "Quy định",
    "CT": "Chỉ thị",
    "KL": "Kết luận",
    "QC": "Quy chế",
    "HD": "Hướng dẫn",
    "KH": "Kế hoạch",
    "CTr": "Chương trình",
    "BS": "Bổ sung",
    "BC": "Báo cáo",
    "TB": "Thông báo",
    "TT": "Thông tư/Thông tri",
    "TTLT": "Thông tư liên tịch",
    "TTr": "Tờ trình",
    "ĐA": "Đề án",
    "PA": "Phương án",
    "CV": "Công văn",
    "NĐ": "Nghị định",
    "CĐ": "Công điện",
    "GM": "Giấy mời",
    "GP": "Giấy phép",
    "BB": "Biên bản",
    "HĐ": "Hợp đồng",
    "QY": "Quy định",
    "L": "Luật",
    "PL": "Pháp lệnh",
    "KNTT": "Kết luận thanh tra",
    "DA": "Dự án",
    "SL": "Sắc lệnh",
    "LCT": "Lệnh",
}

# Word before a symbol that carries no type code ("Nghị quyết số 198/2025/QH15").
_TYPE_WORDS: dict[str, str] = {
    "nghị quyết": "NQ",
    "luật": "L",
    "bộ luật": "L",
    "pháp lệnh": "PL",
    "nghị định": "NĐ",
    "quyết định": "QĐ",
    "chỉ thị": "CT",
    "thông tư": "TT",
    "công văn": "CV",
    "kế hoạch": "KH",
    "báo cáo": "BC",
    "thông báo": "TB",
    "hướng dẫn": "HD",
    "kết luận": "KL",
    "quy định": "QĐi",
    "chương trình": "CTr",
    "tờ trình": "TTr",
    "đề án": "ĐA",
}

_UP = "A-ZĐƯÂÊÔƠĂ"
_LETTER = "A-Za-zĐđƯưÂâÊêÔôƠơĂă"

# Party: number - TYPE / ISSUER. The type is one capital plus up to 4 letters (CTr, QĐi).
_PARTY = re.compile(
    rf"(?<![\w/.-])(?P<number>\d{{1,5}}[a-z]?)\s*-\s*(?P<type>[{_UP}][{_LETTER}]{{0,4}})"
    rf"\s*/\s*(?P<issuer>[{_UP}][{_UP}0-9]{{0,11}}(?:-[{_UP}][{_UP}0-9]{{0,9}})?)(?![\w/])"
)
# State: number[/year]/PART-PART[-PART] or number/year/ISSUER (laws and QH resolutions).
_STATE = re.compile(
    rf"(?<![\w/.-])(?P<number>\d{{1,5}})(?:/(?P<year>(?:19|20)\d\d))?/"
    rf"(?P<first>[{_UP}][{_LETTER}0-9]{{0,9}})"
    rf"(?P<rest>(?:-[{_UP}][{_LETTER}0-9]{{0,11}})*)(?![\w/])"
)
_TYPE_BEFORE = re.compile(
    r"(" + "|".join(sorted(_TYPE_WORDS, key=len, reverse=True)) + r")\s+(?:số\s*:?\s*)?$",
    re.IGNORECASE,
)

PARTY_ISSUER_NORM = {"TƯ": "TW", "Tư": "TW"}


@dataclass
class Symbol:
    """A document symbol found in text, with its parts and character span."""

    text: str
    number: str
    type: str
    issuer: str
    year: str | None = None
    term: str | None = None
    issuer_norm: str | None = None
    type_inferred: bool = False
    unit: str | None = None
    date: str | None = None
    date_inferred: bool = False
    start: int = 0
    end: int = 0
    kind: str = "party"
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Spacing- and TƯ-insensitive identity used to merge repeats."""
        return symbol_key(self.text)

    @property
    def type_name(self) -> str:
        """Vietnamese name of the type code, or the code itself."""
        return SYMBOL_TYPES.get(self.type, self.type)

    def to_dict(self) -> dict:
        """Label-style dict: optional fields only when set."""
        d = asdict(self)
        d.pop("extra")
        d.pop("kind")
        out: dict = {}
        for k, v in d.items():
            if k in ("start", "end", "text", "number", "type", "issuer") or v not in (
                None,
                False,
            ):
                out[k] = v
        return out


def symbol_key(text: str) -> str:
    """Comparable form of a symbol: no spaces, TƯ → TW, upper case."""
    t = text.replace("TƯ", "TW").replace("Tư", "TW")
    return re.sub(r"\s+", "", t).upper()


def _is_type(code: str) -> bool:
    return code in SYMBOL_TYPES or code.upper() in {k.upper() for k in SYMBOL_TYPES}


def _canon_type(code: str) -> str:
    if code in SYMBOL_TYPES:
        return code
    for k in SYMBOL_TYPES:
        if k.upper() == code.upper():
            return k
    return code


def _party(m: re.Match, text: str) -> Symbol | None:
    typ, issuer = m["type"], m["issuer"]
    # A Party type is a known code; an unknown one must at least be short and upper-case.
    if not (_is_type(typ) or (typ.isupper() and len(typ) <= 3)):
        return None
    sym = Symbol(
        text=m.group(0),
        number=m["number"],
        type=_canon_type(typ),
        issuer=issuer,
        start=m.start(),
        end=m.end(),
        kind="party",
    )
    if issuer in PARTY_ISSUER_NORM or "TƯ" in issuer:
        sym.issuer_norm = issuer.replace("TƯ", "TW")
    return sym


def _state(m: re.Match, text: str) -> Symbol | None:
    first, rest, year = m["first"], m["rest"], m["year"]
    parts = [p for p in rest.split("-") if p]
    sym = Symbol(text=m.group(0), number=m["number"], type="", issuer="", year=year, kind="state")
    sym.start, sym.end = m.start(), m.end()
    if parts and _is_type(first) and first not in ("UBND", "HĐND"):
        sym.type = _canon_type(first)
        sym.issuer = "-".join(parts)
    elif parts:
        # Official letters: ISSUER-DRAFTING_UNIT with no type code (Decree 30/2020).
        if not any(c.isupper() for c in parts[0]):
            return None
        sym.type, sym.type_inferred = "CV", True
        sym.issuer, sym.unit = first, "-".join(parts)
    else:
        # number/year/ISSUER: type from the word before it ("Nghị quyết số 198/2025/QH15").
        if not year or not re.search(r"[A-ZĐ]{2}", first):
            return None
        sym.issuer = first
        before = text[max(0, m.start() - 30) : m.start()]
        tm = _TYPE_BEFORE.search(before)
        sym.type = _TYPE_WORDS[tm.group(1).lower()] if tm else ""
        sym.type_inferred = True
    return sym


def _scan(text: str) -> list[Symbol]:
    found: list[Symbol] = []
    taken: list[tuple[int, int]] = []
    for m in _PARTY.finditer(text):
        s = _party(m, text)
        if s:
            found.append(s)
            taken.append((s.start, s.end))
    for m in _STATE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        s = _state(m, text)
        if s:
            found.append(s)
    found.sort(key=lambda s: s.start)
    return found


_DATE_AFTER = re.compile(
    r"\s*,?\s*(?:ban hành\s+)?(?:ngày|ngay)\s+(?P<d>\d{1,2})\s*(?:[/.-]|\s+tháng\s+)\s*"
    r"(?P<m>\d{1,2})\s*(?:[/.-]|\s+năm\s+)\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
_SAME_DAY = re.compile(r"^\s*,?\s*cùng ngày", re.IGNORECASE)


def _date_after(text: str, end: int) -> str | None:
    import datetime as dt

    m = _DATE_AFTER.match(text, end, min(len(text), end + 40))
    if not m:
        return None
    try:
        return dt.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
    except ValueError:
        return None


def find_symbols(text: str, issue_date: str | None = None) -> list[Symbol]:
    """All full document symbols in ``text``, first occurrence of each, with printed dates.

    ``issue_date`` (ISO) is given to the document's own symbol (the ``Số …`` line of the
    header), which is printed apart from its date.
    """
    out: dict[str, Symbol] = {}
    prev_date: str | None = None
    for s in _scan(text):
        date = _date_after(text, s.end)
        inferred = False
        if date is None and _SAME_DAY.match(text, s.end) and prev_date:
            date, inferred = prev_date, True
        if date is None and issue_date and _is_own(text, s):
            date = issue_date
        if date:
            prev_date = date
        if s.key in out:
            if out[s.key].date is None and date:
                out[s.key].date, out[s.key].date_inferred = date, inferred
            continue
        s.date, s.date_inferred = date, inferred
        s.term = _term_after(text, s.end)
        out[s.key] = s
    return list(out.values())


_TERM = re.compile(r"\bkhóa\s+(?P<t>[XVI]{1,5})\b")


def _term_after(text: str, end: int) -> str | None:
    """Roman Party term printed in the citation ("... của Bộ Chính trị khóa XII")."""
    stop = len(text)
    for ch in (".", ";", "\n"):
        i = text.find(ch, end)
        if i != -1:
            stop = min(stop, i)
    window = text[end : min(stop, end + 140)]
    nxt = _PARTY.search(window) or _STATE.search(window)
    if nxt:
        window = window[: nxt.start()]
    m = _TERM.search(window)
    return m["t"] if m else None


def _is_own(text: str, s: Symbol) -> bool:
    """The header line ``Số 115-KH/QU`` / ``Số: 3521/UBND-TH`` names the text's own symbol."""
    line_start = text.rfind("\n", 0, s.start) + 1
    prefix = text[line_start : s.start].strip().rstrip(":").strip()
    return prefix.lower() in ("số", "so") and s.start < 1500


def own_symbol(text: str) -> Symbol | None:
    """The text's own symbol from its header, if any."""
    for s in _scan(text):
        if _is_own(text, s):
            return s
    return None


def parse_symbol(s: str) -> Symbol | None:
    """Split a typed symbol (``"52-NQ/TW"``, ``"Số: 09/2019/NĐ-CP"``) into its fields."""
    s = (s or "").strip()
    s = re.sub(r"^(?:số|Số|SỐ)\s*:?\s*", "", s)
    m = _PARTY.fullmatch(s)
    if m:
        return _party(m, s)
    m = _STATE.fullmatch(s)
    if m:
        return _state(m, s)
    return None
