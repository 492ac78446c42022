"""Consistency warnings: dates that contradict the issue date, Party terms, typos in names."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Party Central Committee terms (khóa): first and last day of each.
PARTY_TERMS: dict[str, tuple[dt.date, dt.date]] = {
    "IX": (dt.date(2001, 4, 1), dt.date(2006, 4, 30)),
    "X": (dt.date(2006, 4, 1), dt.date(2011, 1, 31)),
    "XI": (dt.date(2011, 1, 1), dt.date(2016, 1, 31)),
    "XII": (dt.date(2016, 1, 1), dt.date(2021, 1, 31)),
    "XIII": (dt.date(2021, 1, 1), dt.date(2026, 1, 31)),
    "XIV": (dt.date(2026, 1, 23), dt.date(2031, 12, 31)),
}
KNOWN_ABBREVIATIONS = ("UBND", "HĐND", "MTTQ", "BTV", "BCS", "CHXHCN", "TPHCM")
_DOC_WORDS = (
    r"(?:Nghị quyết|Quy định|Chỉ thị|Kết luận|Kế hoạch|Hướng dẫn|Quyết định|Nghị định|Thông tư"
    r"|Luật|Chương trình(?: hành động)?|Đề án|Công văn|Thông báo|Báo cáo|Thông tri)"
)


@dataclass
class Warning_:
    """One inconsistency, pointing at a verbatim span."""

    type: str
    text: str
    detail: str
    start: int
    end: int
    due: dt.date | None = None
    issue_date: dt.date | None = None
    cited_date: dt.date | None = None
    term: str | None = None

    def to_dict(self) -> dict:
        """Label-style dict."""
        out: dict = {"type": self.type, "text": self.text, "detail": self.detail}
        for k in ("due", "issue_date", "cited_date"):
            v = getattr(self, k)
            if v:
                out[k] = v.isoformat()
        if self.term:
            out["term"] = self.term
        out["start"], out["end"] = self.start, self.end
        return out


def _citing_date(text: str, pos: int, ref: dt.date, res: object) -> dt.date:
    """Date of the document that cites at ``pos``: the nearest earlier dated symbol in the
    same sentence when it is a news item about that document, else the issue date."""
    a = max(text.rfind(".", 0, pos), text.rfind("\n", 0, pos)) + 1
    best = ref
    for s in res.symbols:  # type: ignore[attr-defined]
        issued = re.search(
            r"ban hành\s+\S+(?:\s+\S+)?\s+số\s*$", text[max(0, s.start - 40) : s.start]
        )
        if a <= s.start < pos and s.date and issued:
            best = min(best, dt.date.fromisoformat(s.date))
    return best


def check(text: str, res: object, ref: dt.date | None) -> list[Warning_]:
    """Warnings for a read text (``res`` is the ``Result`` being built)."""
    out: list[Warning_] = []
    if ref:
        for d in res.deadlines:  # type: ignore[attr-defined]
            if d.due and d.due < ref and not d.reported and not d.recurring:
                out.append(
                    Warning_(
                        "deadline_before_issue",
                        d.text,
                        f"Thời hạn {d.due:%d/%m/%Y} trước ngày ban hành {ref:%d/%m/%Y}.",
                        d.start,
                        d.end,
                        due=d.due,
                        issue_date=ref,
                    )
                )
        for s in res.symbols:  # type: ignore[attr-defined]
            if not s.date or s.date_inferred:
                continue
            cited = dt.date.fromisoformat(s.date)
            own = cited == ref and text[max(0, s.start - 8) : s.start].strip().lower() in (
                "số",
                "số:",
            )
            citing = _citing_date(text, s.start, ref, res)
            if own or cited <= citing:
                continue
            found = list(
                re.finditer(rf"{_DOC_WORDS}\s+(?:số\s+)?", text[max(0, s.start - 40) : s.start])
            )
            m = found[-1] if found else None
            a = s.start - 40 + m.start() if m and s.start >= 40 else s.start
            if m and s.start < 40:
                a = m.start()
            dm = re.match(
                r"\s*ngày\s+[\d/ -]+\d|\s*ngày\s+\d+\s+tháng\s+\d+\s+năm\s+\d{4}", text[s.end :]
            )
            b = s.end + (dm.end() if dm else 0)
            out.append(
                Warning_(
                    "cited_after_issue",
                    text[a:b],
                    f"Văn bản được dẫn ({cited:%d/%m/%Y}) có ngày sau văn bản dẫn nó "
                    f"({citing:%d/%m/%Y}).",
                    a,
                    b,
                    issue_date=citing,
                    cited_date=cited,
                )
            )
    for s in res.symbols:  # type: ignore[attr-defined]
        if not (s.term and s.date and (s.issuer_norm or s.issuer) == "TW"):
            continue
        span = PARTY_TERMS.get(s.term)
        d = dt.date.fromisoformat(s.date)
        if span and not (span[0] <= d <= span[1]):
            out.append(
                Warning_(
                    "term_mismatch",
                    s.text,
                    f"{s.text} ngày {d:%d/%m/%Y} không thuộc khóa {s.term}.",
                    s.start,
                    s.end,
                    cited_date=d,
                    term=s.term,
                )
            )
    out.extend(type_mismatches(text, res))
    out.extend(misspelled_abbreviations(text))
    return out


# The type codes a document word admits. Party regulations were numbered "QĐ" before "QĐi"
# (Quy định 105-QĐ/TW, 2017), and "TT" is both a circular and a Party "thông tri".
_WORD_CODES: dict[str, frozenset[str]] = {
    "nghị quyết": frozenset({"NQ", "NQLT"}),
    "chỉ thị": frozenset({"CT"}),
    "kết luận": frozenset({"KL"}),
    "kế hoạch": frozenset({"KH"}),
    "hướng dẫn": frozenset({"HD"}),
    "quyết định": frozenset({"QĐ"}),
    "quy định": frozenset({"QĐi", "QyĐ", "QĐ", "QY"}),
    "chương trình": frozenset({"CTr"}),
    "thông báo": frozenset({"TB"}),
    "báo cáo": frozenset({"BC"}),
    "nghị định": frozenset({"NĐ"}),
    "thông tư": frozenset({"TT", "TTLT"}),
    "thông tri": frozenset({"TT"}),
    "đề án": frozenset({"ĐA", "DA"}),
    "tờ trình": frozenset({"TTr"}),
}
_WORD_BEFORE = re.compile(
    r"(?<![\wÀ-ỹ])("
    + "|".join(sorted(_WORD_CODES, key=len, reverse=True))
    + r")(?:\s+hành động)?\s+(?:số\s*:?\s*)?$",
    re.IGNORECASE,
)


def type_mismatches(text: str, res: object) -> list[Warning_]:
    """A symbol whose type code contradicts the document word before it ("Chỉ thị số
    52-NQ/TW")."""
    out = []
    for s in res.symbols:  # type: ignore[attr-defined]
        if s.type_inferred or not s.type:
            continue
        m = _WORD_BEFORE.search(text[max(0, s.start - 40) : s.start])
        if not m:
            continue
        word = m.group(1).lower()
        codes = _WORD_CODES[word]
        head = text[max(0, s.start - 60) : s.start - len(m.group(0))].rstrip().lower()
        if word == "kết luận" and head.endswith("thông báo"):
            codes = _WORD_CODES["thông báo"]  # "Thông báo kết luận số 12-TB/TW"
        if s.type in codes or s.type.upper() in {c.upper() for c in codes}:
            continue
        a = s.start - len(text[max(0, s.start - 40) : s.start]) + m.start()
        out.append(
            Warning_(
                "type_mismatch",
                text[a : s.end],
                f"“{m.group(1)}” nhưng số ký hiệu {s.text} là loại “{s.type_name}”.",
                a,
                s.end,
            )
        )
    return out


def misspelled_abbreviations(text: str) -> list[Warning_]:
    """Tokens one letter away from UBND, HĐND, MTTQ … (``UNND``)."""
    from rapidfuzz.distance import Levenshtein

    out = []
    for m in re.finditer(r"(?<![\wÀ-ỹ])[A-ZĐ]{4,6}(?![\wÀ-ỹ])", text):
        tok = m.group(0)
        if tok in KNOWN_ABBREVIATIONS:
            continue
        for good in ("UBND", "HĐND", "MTTQ"):
            if len(tok) == len(good) and Levenshtein.distance(tok, good) == 1:
                out.append(
                    Warning_(
                        "misspelled_abbreviation",
                        tok,
                        f"“{tok}” có lẽ là “{good}”.",
                        m.start(),
                        m.end(),
                    )
                )
                break
    return out
