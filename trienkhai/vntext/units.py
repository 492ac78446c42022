"""Units (bodies) addressed, assigned, directed or receiving reports.

Coordinated lists are split, a leading ``các`` is dropped, and elided heads are restored
(``UBND các phường, xã`` → ``UBND phường``, ``UBND xã``). Trailing modifiers stay on the
last conjunct only, and fixed collectives (``sở, ban, ngành``) stay whole.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .text import fold

# Words that open the name of a body. Multi-word heads come first so that the longest wins.
UNIT_HEADS = (
    "Ban Thường vụ",
    "Ban Chấp hành",
    "Ban cán sự đảng",
    "Ban Cán sự đảng",
    "Ban Bí thư",
    "Bộ Chính trị",
    "Bộ Chỉ huy",
    "Ủy ban Mặt trận Tổ quốc",
    "Ủy ban MTTQ",
    "Ủy ban Kiểm tra",
    "Ủy ban kiểm tra",
    "Ủy ban nhân dân",
    "Ủy ban Nhân dân",
    "Ủy ban",
    "Uỷ ban",
    "Hội đồng nhân dân",
    "Hội đồng",
    "Mặt trận Tổ quốc",
    "Thường trực",
    "Đảng ủy",
    "Đảng uỷ",
    "đảng ủy",
    "Đảng đoàn",
    "Đảng bộ",
    "đảng bộ",
    "Chi bộ",
    "chi bộ",
    "chi ủy",
    "Chi ủy",
    "Tỉnh ủy",
    "Thành ủy",
    "Quận ủy",
    "Huyện ủy",
    "Thị ủy",
    "tỉnh ủy",
    "thành ủy",
    "quận ủy",
    "huyện ủy",
    "thị ủy",
    "cấp ủy",
    "Cấp ủy",
    "tổ chức cơ sở đảng",
    "tổ chức đảng",
    "tổ chức Đảng",
    "Tổ chức Đảng",
    "tổ chức cơ sở Đảng",
    "Tổ chức cơ sở đảng",
    "Tổ chức đảng",
    "tổ chức chính trị - xã hội",
    "đoàn thể chính trị - xã hội",
    "đoàn thể",
    "Văn phòng",
    "Trung tâm",
    "Tiểu ban",
    "Hiệp hội",
    "Liên đoàn",
    "Đoàn Thanh niên",
    "Thành đoàn",
    "Tỉnh đoàn",
    "Công an",
    "công an",
    "Quân sự",
    "Bộ đội",
    "Thanh tra",
    "Kho bạc",
    "Bảo hiểm xã hội",
    "Ngân hàng",
    "Cục",
    "Chi cục",
    "Viện",
    "Tòa án",
    "Học viện",
    "Bệnh viện",
    "Trường",
    "trường",
    "Báo",
    "Đài",
    "Sở",
    "sở",
    "Phòng",
    "Bộ",
    "Ban",
    "ban",
    "Hội",
    "UBND",
    "UNND",
    "HĐND",
    "MTTQ",
    "BTV",
    "BCS",
    "cơ quan",
    "Cơ quan",
    "chính quyền",
    "Chính quyền",
    "đơn vị",
    "địa phương",
    "ngành",
    "quận",
    "huyện",
    "thị xã",
    "thành phố",
    "phường",
    "xã",
    "đặc khu",
    "thị trấn",
)
PERSON_HEADS = (
    "Thủ trưởng",
    "thủ trưởng",
    "Chủ tịch",
    "chủ tịch",
    "Giám đốc",
    "giám đốc",
    "Bí thư",
    "bí thư",
    "người đứng đầu",
    "Người đứng đầu",
    "Trưởng ban",
    "Trưởng",
    "Cán bộ",
    "cán bộ",
    "đảng viên",
    "Đảng viên",
    "công chức",
    "viên chức",
    "Lãnh đạo",
)
# Groups of people or the public: never units.
NOT_UNITS = {
    "cán bộ",
    "đảng viên",
    "công chức",
    "viên chức",
    "đoàn viên",
    "hội viên",
    "nhân dân",
    "người dân",
    "doanh nghiệp",
    "người lao động",
    "lực lượng vũ trang",
    "đơn vị",
    "địa phương",
    "cơ quan",
    "đơn vị, địa phương",
    "cơ quan, địa phương",
    "cơ quan, đơn vị, địa phương",
    "cấp xã",
    "cấp huyện",
    "cấp tỉnh",
}
# Nouns that inherit an elided head ("UBND các huyện, thị xã" → "UBND thị xã").
_LOCAL = (
    "quận ủy",
    "huyện ủy",
    "thị ủy",
    "thành ủy",
    "tỉnh ủy",
    "đảng ủy",
    "thị xã",
    "thành phố",
    "thị trấn",
    "đặc khu",
    "phường",
    "quận",
    "huyện",
    "xã",
    "tỉnh",
    "trường",
)
_COLLECTIVE = ("sở", "ban", "ngành", "bộ", "cơ quan", "đơn vị", "địa phương")
ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "MTTQ": "Mặt trận Tổ quốc",
    "BTV": "Ban Thường vụ",
    "BCS": "Ban cán sự",
    "TU": "Tỉnh ủy",
    "TP": "Thành phố",
    "TPHCM": "Thành phố Hồ Chí Minh",
}

_HEAD_RX = re.compile(
    r"(?:(?:các|Các|những|Những|Mỗi|mỗi|từng|Từng)\s+)?(?:"
    + "|".join(re.escape(h) for h in sorted(UNIT_HEADS, key=len, reverse=True))
    + r")(?![\wÀ-ỹ])"
    # Words that only look like heads: Hội nghị, Báo cáo, Ban hành, Trường hợp, xã hội.
    r"(?<!Hội(?= nghị| thảo| thi| diễn))(?<!Báo(?= cáo))(?<!Ban(?= hành))(?<!Trường(?= hợp))"
    r"(?<!xã(?= hội))(?<!Phòng(?=, chống| chống| ngừa))(?<!Đài(?= truyền hình,))"
    r"(?<!ban(?= hành| đầu| ngày| đêm))"
)
_PERSON_RX = re.compile(
    r"(?:(?:các|Các|Mỗi|mỗi)\s+)?(?:"
    + "|".join(re.escape(h) for h in sorted(PERSON_HEADS, key=len, reverse=True))
    + r")(?![\wÀ-ỹ])"
)


@dataclass
class Unit:
    """A normalised unit name with the verbatim span it came from."""

    name: str
    source: str
    start: int
    end: int
    alias: str | None = None
    known: str | None = None
    score: float | None = None

    def to_dict(self) -> dict:
        """JSON form."""
        out: dict = {"name": self.name}
        if fold(self.source) != fold(self.name):
            out["source"] = self.source
        if self.alias:
            out["alias"] = self.alias
        if self.known:
            out["known"] = self.known
            out["score"] = self.score
        out["start"], out["end"] = self.start, self.end
        return out


def starts_with_unit(s: str) -> bool:
    """True when ``s`` opens with the name of a body (``các Sở …``, ``UBND …``)."""
    return bool(_HEAD_RX.match(s))


def starts_with_person(s: str) -> bool:
    """True when ``s`` opens with a person or group of people (``Thủ trưởng``, ``Cán bộ``)."""
    return bool(_PERSON_RX.match(s))


def _drop_cac(s: str) -> str:
    return re.sub(r"^(?:các|Các|những|Những|Mỗi|mỗi|từng|Từng)\s+", "", s.strip())


def _split_top(s: str) -> list[str]:
    """Split on commas and on ``và`` that starts a new unit."""
    parts: list[str] = []
    for chunk in re.split(r"\s*,\s*", s):
        # "Sở Nông nghiệp và Môi trường" is one name: split on "và" only before a new head.
        pieces = [m for m in re.finditer(r"\s+và\s+", chunk) if _HEAD_RX.match(chunk, m.end())]
        last = 0
        for m in pieces:
            if chunk[last : m.start()].strip():
                parts.append(chunk[last : m.start()].strip())
            last = m.end()
        if chunk[last:].strip():
            parts.append(chunk[last:].strip())
    # "Văn phòng HĐND và UBND xã" names one office.
    merged: list[str] = []
    for p in parts:
        if merged and re.fullmatch(r"Văn phòng (?:HĐND|Hội đồng nhân dân)", merged[-1]):
            merged[-1] = f"{merged[-1]} và {p}"
        else:
            merged.append(p)
    return merged


_LOC_RX = "|".join(_LOCAL)
_HEAD_LOC = re.compile(
    rf"^(?P<head>(?:[A-ZĐƯÂÊÔƠĂỦ]|công an\b).*?)\s+(?P<cac>các\s+)?(?P<loc>{_LOC_RX})"
    r"(?!\s+hội)(?P<rest>(?:\s.*)?)$"
)


def _starts_local(s: str) -> bool:
    if not s[:1].islower():
        return False
    low = s.lower()
    return any(
        low == x or (low.startswith(x + " ") and not low.startswith("xã hội")) for x in _LOCAL
    )


def split_units(phrase: str) -> list[str]:
    """Normalised units of a coordinated phrase (see the module docstring)."""
    phrase = re.sub(r"\s*\((?:sau đây|gọi|viết) [^)]*\)", "", phrase)
    # A common misprint of the abbreviation ("UNND quận, huyện").
    phrase = re.sub(r"(?<![\wÀ-ỹ])UNND(?![\wÀ-ỹ])", "UBND", phrase)
    phrase = re.split(r",\s*(?:trước hết là|nhất là|đặc biệt là|trong đó)\s", phrase)[0]
    parts = _split_top(phrase.strip(" ,.;:"))
    out: list[str] = []
    head: str | None = None
    i = 0
    while i < len(parts):
        p = parts[i]
        # Person heads point at their body: "Chủ tịch UBND các huyện" → "UBND các huyện".
        pm = _PERSON_RX.match(p)
        if pm:
            p = p[pm.end() :].strip()
            if not p:
                i += 1
                continue
        has_cac = bool(re.match(r"(?:các|Các|những|Những|Mỗi|mỗi)\s", p))
        p = _drop_cac(p)
        low = p.lower()
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        # Fixed collectives: "sở, ban, ngành [thuộc UBND tỉnh]" stays whole.
        if low in _COLLECTIVE and nxt:
            run = [p]
            j = i + 1
            while j < len(parts):
                first = parts[j].split()[0] if parts[j].split() else ""
                whole = parts[j].lower() in _COLLECTIVE and not parts[j][0].isupper()
                if whole or (first.lower() in _COLLECTIVE and not first[0].isupper()):
                    run.append(parts[j])
                    j += 1
                    if parts[j - 1].lower() not in _COLLECTIVE:
                        break
                else:
                    break
            if len(run) > 1:
                out.append(", ".join(run))
                head = None
                i = j
                continue
        # Shared suffix: "huyện, thị, thành ủy" → "huyện ủy", "thị ủy", "thành ủy".
        if low in ("huyện", "thị", "thành", "quận", "tỉnh") and re.fullmatch(
            r"(?:huyện|thị|thành|quận|tỉnh) ủy", parts[-1].strip()
        ):
            out.append(f"{p} ủy")
            i += 1
            continue
        if (
            head
            and not has_cac
            and (
                _starts_local(p) or (head == "trường" and p[:1].islower() and not _HEAD_RX.match(p))
            )
        ):
            out.append(f"{head} {p}")
            i += 1
            continue
        hm = _HEAD_LOC.match(p)
        if hm and (hm["cac"] or (_starts_local(nxt) and not re.match(r"(?:các|Các)\s", nxt))):
            head = hm["head"]
            out.append(f"{head} {hm['loc']}{hm['rest']}".strip())
            i += 1
            continue
        if low.startswith("trường ") and nxt and nxt[:1].islower() and not _HEAD_RX.match(nxt):
            head = "trường"
        elif not _starts_local(p):
            head = None
        out.append(p)
        i += 1
    return [u for u in out if u and u.lower() not in NOT_UNITS and not _is_people(u)]


def _is_people(u: str) -> bool:
    return bool(_PERSON_RX.fullmatch(u)) or u.lower() in NOT_UNITS


# ------------------------------------------------------------- noun phrase reading
_STOP_WORDS = (
    "trước",
    "trong",
    "chậm nhất",
    "hằng",
    "hàng",
    "định kỳ",
    "vào",
    "để",
    "về",
    "theo",
    "đối với",
    "với",
    "cho",
    "từ",
    "đến",
    "tại",
    "nhằm",
    "kịp thời",
    "những",
    "là",
    "có",
    "được",
    "đã",
    "sẽ",
    "phải",
    "cần",
    "qua",
    "nếu",
    "khi",
    "thì",
    "mà",
    "làm",
    "hoàn thành",
    "xong",
    "đúng",
    "ngay",
    "căn cứ",
    "kết quả",
    "tình hình",
    "tiến độ",
    "trên địa bàn",
)


def _head_at(text: str, pos: int, people: bool) -> re.Match | None:
    m = _HEAD_RX.match(text, pos)
    if people:
        pm = _PERSON_RX.match(text, pos)
        if pm and (not m or pm.end() > m.end()):
            return pm
    return m


def read_unit_phrase(
    text: str, pos: int, verbs_rx: re.Pattern, people: bool = False
) -> tuple[int, int] | None:
    """Span of a unit phrase (possibly a coordinated list) starting at ``pos``.

    With ``people`` the phrase may also name persons (``Thủ trưởng các sở``, ``Cán bộ``).
    """
    hm = _head_at(text, pos, people)
    if not hm:
        return None
    i = pos
    n = len(text)
    end = pos
    after_head = hm.end()
    closed = text[pos:after_head].split()[-1] in _CLOSING_WORDS
    i = after_head
    end = after_head
    while i < n:
        ch = text[i]
        if ch in ".;:()\n":
            break
        if ch == ",":
            j = i + 1
            while j < n and text[j] == " ":
                j += 1
            ap = re.match(r"(?:trước hết|nhất|đặc biệt) là\s+", text[j : j + 30])
            if people and ap:
                j += ap.end()
            school = "trường" in text[pos:i].lower() and _SCHOOL_RX.match(text, j)
            if (
                _head_at(text, j, people)
                or re.match(r"(?:ban|ngành|thị|thành)\b", text[j:])
                or school
            ):
                m = _head_at(text, j, people)
                i = m.end() if m else j + len(text[j:].split(" ", 1)[0])
                end = i
                continue
            break
        if ch == " ":
            i += 1
            continue
        # A word: stop at a verb or a function word not preceded by a name head.
        wm = re.match(r"[\wÀ-ỹ/-]+", text[i:])
        if not wm:
            break
        word_end = i + wm.end()
        low_rest = text[i : i + 20].lower()
        if closed and text[i].islower() and wm.group(0) not in _CONTINUE:
            break
        # "khu" closes "đặc khu" but not "chi bộ khu dân cư".
        closed = wm.group(0) in _CLOSING_WORDS and not (
            wm.group(0) == "khu" and not text[max(0, i - 4) : i].endswith("đặc ")
        )
        if text[i].islower() or text[i].isdigit():
            if not low_rest.startswith("và") and any(
                low_rest.startswith(w) and not re.match(r"[\wÀ-ỹ]", low_rest[len(w) : len(w) + 1])
                for w in _STOP_WORDS
            ):
                break
            vm = verbs_rx.match(text, i)
            if vm and not _name_word(text, i):
                break
        if low_rest.startswith("và ") or low_rest == "và":
            j = i + 3
            if _head_at(text, j, people) or text[j : j + 1].isupper():
                m = _head_at(text, j, people)
                i = m.end() if m else j
                end = i
                continue
            break
        i = word_end
        end = word_end
    s, e = pos, end
    while e > s and text[e - 1] in " ,":
        e -= 1
    return (s, e) if e > s else None


# Kinds of school that share an elided "trường" ("các trường đại học, cao đẳng").
_SCHOOL_RX = re.compile(
    r"(?:cao đẳng|đại học|trung cấp|mầm non|tiểu học|trung học|phổ thông|mẫu giáo)(?![\wÀ-ỹ])"
)


# After a place word a name is complete; only these words may still extend it.
_CLOSING_WORDS = {
    "tỉnh",
    "phố",
    "quận",
    "huyện",
    "xã",
    "phường",
    "khu",
    "trấn",
    "ủy",
    "TP",
    "cấp",
    "phương",
    "vị",
    "tỉnh)",
    "TPHCM",
    "cư",
}
_CONTINUE = {
    "và",
    "trực",
    "thuộc",
    "cùng",
    "cấp",
    "các",
    "liên",
    "quan",
    "cơ",
    "sở",
    "của",
    "trên",
    "ủy",
    "hội",
    "phường",
    "xã",
    "tỉnh",
    "huyện",
    "quận",
    "thị",
    "thành",
    "đặc",
    "phố",
    "khu",
    "trấn",
}


def _name_word(text: str, i: int) -> bool:
    """A verb-like word right after a name head is part of the name (``Ủy ban kiểm tra``)."""
    before = text[max(0, i - 12) : i].rstrip()
    return bool(re.search(r"(?:Ủy ban|Ban|Sở|Phòng|Trung tâm|Tiểu ban|Văn phòng)$", before))


_DIRECTED = re.compile(
    r"(?:[Ll]ãnh đạo|[Cc]hỉ đạo|[Đđ]ịnh hướng|[Hh]ướng dẫn(?:,\s*hỗ trợ)?|[Tt]ham mưu(?: cho)?"
    r"|[Tt]rình|[Gg]ửi(?: về)?|về|qua|[Pp]hối hợp với|[Pp]hối hợp cùng|[Đđ]ề nghị|[Gg]iao"
    r"|[Yy]êu cầu|báo cáo)\s+"
)


def directed_units(text: str, start: int, end: int, verbs_rx: re.Pattern) -> list[tuple[int, int]]:
    """Spans of bodies directed or reported to inside ``text[start:end]``."""
    spans = []
    for m in _DIRECTED.finditer(text, start, end):
        # "báo cáo Chủ tịch UBND tỉnh" reports to the body the person heads.
        sp = read_unit_phrase(text, m.end(), verbs_rx, people=True)
        if sp and sp[1] <= end + 200:
            spans.append(sp)
    return spans


def kinh_gui(text: str) -> list[tuple[int, int]]:
    """Spans of addressees listed after ``Kính gửi:``."""
    m = re.search(r"Kính gửi\s*:?", text)
    if not m:
        return []
    spans = []
    i = m.end()
    for line in re.finditer(r"[^\n]*\n?", text[i : i + 1500]):
        raw = line.group(0)
        stripped = raw.strip()
        if not stripped:
            if spans:
                break
            continue
        a = i + line.start() + raw.index(stripped[0])
        body = re.sub(r"^[-–•+]\s*", "", stripped)
        a += len(stripped) - len(body)
        body = body.rstrip(";.,")
        if not _HEAD_RX.match(body):
            break
        spans.append((a, a + len(body)))
    return spans


def find_units(
    text: str, tasks: list, kind: str | None, known: list[str] | None = None
) -> list[Unit]:
    """Units of a text: addressees, assignees, directed bodies and report recipients."""
    from .tasks import VERBS_RX

    spans: list[tuple[int, int]] = list(kinh_gui(text))
    for t in tasks:
        if t.who_start is not None:
            spans.append((t.who_start, t.who_end))
        spans.extend(directed_units(text, t.start, t.clause_end or t.end, VERBS_RX))
        if t.extra_spans:
            spans.extend(t.extra_spans)
    if kind == "report":
        for m in re.finditer(r"(?:Đề nghị|Kiến nghị)\s+", text):
            sp = read_unit_phrase(text, m.end(), VERBS_RX)
            if sp:
                spans.append(sp)
    units: list[Unit] = []
    seen: set[str] = set()
    for a, b in sorted(set(spans)):
        src = text[a:b]
        for name in split_units(src):
            key = fold(name)
            if key in seen or not key:
                continue
            seen.add(key)
            u = Unit(name, src, a, b)
            u.alias = _alias(name)
            units.append(u)
    # A bare "chi bộ" after "chi bộ trực thuộc" names the same group again.
    names = [fold(u.name) for u in units]
    longer = {n for n in names if " thuoc" in n}
    units = [
        u
        for u, n in zip(units, names, strict=True)
        if n == "cap uy"
        or not any(x.startswith(n + " truc thuoc") or x.startswith(n + " thuoc ") for x in longer)
    ]
    if known:
        _match_known(units, known)
    return units


def _alias(name: str) -> str | None:
    if not re.search(r"\b(?:BTV|BCS)\b", name):
        return None
    out = re.sub(r"\bBTV\b", "Ban Thường vụ", name)
    return re.sub(r"\bBCS\b", "Ban cán sự", out)


def expand_abbreviations(name: str) -> str:
    """``UBND tỉnh`` → ``Ủy ban nhân dân tỉnh`` (for matching against registered names)."""
    out = name
    for k, v in ABBREVIATIONS.items():
        out = re.sub(rf"(?<![\wÀ-ỹ]){k}(?![\wÀ-ỹ])", v, out)
    return out


@functools.lru_cache(maxsize=16)
def _known_choices(known: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """Folded, expanded names of the known units: the same few thousand names come with
    every text a user reads, and preparing them took most of a read."""
    choices = {fold(expand_abbreviations(k)): k for k in known}
    return choices, list(choices)


def _match_known(units: list[Unit], known: list[str]) -> None:
    from rapidfuzz import fuzz, process

    choices, keys = _known_choices(tuple(known))
    for u in units:
        q = fold(expand_abbreviations(u.name))
        hit = process.extractOne(q, keys, scorer=fuzz.ratio, score_cutoff=85)
        if hit:
            u.known, u.score = choices[hit[0]], round(hit[1], 1)
