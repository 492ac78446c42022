"""Spotting security classification stamps (Mật, Tối mật, Tuyệt mật) in document text.

The State Secrets Law forbids storing state secrets on a networked computer, so the
registry refuses any document that carries a classification marker. The word "mật" is
also an ordinary word ("mật độ", "mật khẩu", "bí mật", "mật thiết"), so a marker is only
recognised where a stamp or a classification field puts it:

- a line holding nothing but the marker ("MẬT", "(Tối mật)", "TUYỆT MẬT");
- a segment of a header line set apart by wide spacing ("Số: 12-NQ/TU        MẬT");
- a classification field starting a line or a header segment ("Độ mật: Tối mật");
- an upper-case marker inside lower-case prose ("tài liệu MẬT"), but not inside an
  upper-case heading ("QUY CHẾ BẢO VỆ BÍ MẬT NHÀ NƯỚC").

Prose that merely talks about the levels ('các độ mật "Tuyệt mật", "Tối mật"') is not a
stamp: a guidance on protecting secrets is itself an ordinary document.
"""

from __future__ import annotations

import re
import unicodedata

# Canonical markers, most specific first.
MARKERS = {"tuyệt mật": "Tuyệt mật", "tối mật": "Tối mật", "mật": "Mật"}
# Text layers of scanned or badly encoded PDFs often lose the diacritics of a stamp.
_BARE_STAMPS = {"TUYET MAT": "Tuyệt mật", "TOI MAT": "Tối mật", "MAT": "Mật"}

HEADER_LINES = 15
MAX_CHARS = 500_000

_PUNCT = " \t\u00a0*-–—•·.:;,!?()[]{}<>\"'“”‘’«»|_=~#/\\"
_SPACE = re.compile(r"[ \t\u00a0]+")
_WIDE_GAP = re.compile(r"[ \u00a0]{3,}|\t+|\|")
_FIELD = re.compile(
    r"(?:^|[ \u00a0]{2,}|\t|\|)[ \t*•\-]*(?:mức\s+)?độ\s+mật\s*[:：]\s*"
    r"[\"“«(\[]?\s*(tuyệt\s+mật|tối\s+mật|mật)(?!\w)"
    r"(?!\s+(?:độ|khẩu|thiết|mã|ong)\b)",
    re.IGNORECASE,
)
_UPPER = re.compile(r"(?<!\w)(TUYỆT MẬT|TỐI MẬT|MẬT)(?!\w)")
_WORD = re.compile(r"\w+")


def _canonical(words: str) -> str:
    return MARKERS[_SPACE.sub(" ", words.strip().lower())]


def _standalone(segment: str) -> str | None:
    """The marker if ``segment`` holds nothing else (punctuation and brackets aside)."""
    core = _SPACE.sub(" ", segment.strip(_PUNCT))
    if not core or len(core) > 12:
        return None
    if core.lower() in MARKERS:
        return MARKERS[core.lower()]
    return _BARE_STAMPS.get(core)


def _is_upper_word(word: str | None) -> bool:
    return bool(word) and any(c.isalpha() for c in word) and word.isupper()


def _neighbours(line: str, start: int, end: int) -> tuple[str | None, str | None]:
    before = _WORD.findall(line[:start])
    after = _WORD.search(line, end)
    return (before[-1] if before else None, after.group(0) if after else None)


def classification_marker(text: str, *, header_lines: int = HEADER_LINES) -> str | None:
    """The classification marker carried by ``text`` ("Mật", "Tối mật", "Tuyệt mật"), if any."""
    if not text:
        return None
    text = unicodedata.normalize("NFC", text[:MAX_CHARS])
    for number, line in enumerate(text.splitlines()):
        if "ật" not in line and "ẬT" not in line and "MAT" not in line:
            continue
        marker = _standalone(line)
        if marker:
            return marker
        in_header = number < header_lines
        if in_header:
            for segment in _WIDE_GAP.split(line):
                marker = _standalone(segment)
                if marker:
                    return marker
        match = _FIELD.search(line)
        if match:
            return _canonical(match.group(1))
        for match in _UPPER.finditer(line):
            prev_word, next_word = _neighbours(line, match.start(), match.end())
            # Inside an upper-case heading the word is ordinary: "BẢO VỆ BÍ MẬT NHÀ NƯỚC".
            if _is_upper_word(prev_word) or _is_upper_word(next_word):
                continue
            return _canonical(match.group(1))
    return None


def symbol_marker(symbol: str) -> str | None:
    """A classification word written into the symbol itself ("15-NQ/TW (MẬT)")."""
    match = re.search(r"(?<!\w)(tuyệt\s+mật|tối\s+mật|mật)(?!\w)", symbol or "", re.IGNORECASE)
    return _canonical(match.group(1)) if match else None
