"""What the review page shows for a text: vntext's reading, matched to the user's units.

vntext only reads; here its result meets the database. Units found in the text are matched
against the names of the units the user may read (shallowest first, bounded so a
100,000-unit tree costs one query of a few thousand rows); referenced symbols are looked up
among the documents the user may read; each found task becomes a proposal with a title,
kind, clause and targets the officer can correct. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from trienkhai.accounts.scoping import units_for_user
from trienkhai.documents.models import Document
from trienkhai.documents.selectors import documents_for_user
from trienkhai.tasks.models import Target, Task
from trienkhai.tasks.selectors import acting_units
from trienkhai.units.models import Unit
from trienkhai.vntext import Result, read
from trienkhai.vntext.symbols import Symbol
from trienkhai.vntext.text import fold, nfc
from trienkhai.vntext.units import split_units

MAX_TEXT_CHARS = 100_000
# Directives name bodies near the top of the tree (wards, departments), not party cells:
# the shallowest units are matched, and a huge tree costs one bounded query.
KNOWN_UNITS_MAX = 2_000
CANDIDATES_PER_NAME = 5
CANDIDATES_MAX = 60
MAX_TASKS = 100
MAX_SYMBOLS = 50

_RECURRENCE = {
    "monthly": Task.Recurrence.MONTHLY,
    "quarterly": Task.Recurrence.QUARTERLY,
    "semiannual": Task.Recurrence.SIX_MONTHLY,
    "six_monthly": Task.Recurrence.SIX_MONTHLY,
    "annual": Task.Recurrence.ANNUAL,
}

# The wording of a task decides its kind; the earliest cue in the sentence wins
# ("xây dựng kế hoạch kiểm tra" is building a plan).
_KIND_CUES: list[tuple[str, str]] = [
    (r"hoc tap|quan triet|tuyen truyen|pho bien|nghien cuu, hoc tap", Task.Kind.STUDY),
    # "theo Chương trình hành động" follows a program: only building one is a plan task.
    (r"(?:xay dung|ban hanh|trien khai xay dung) (?:chuong trinh|ke hoach|de an)", Task.Kind.PLAN),
    (r"kiem tra|giam sat", Task.Kind.INSPECTION),
    (r"bao cao|so ket|tong ket|danh gia ket qua", Task.Kind.REPORT),
]

# Generic unit words of a directive ("các quận ủy", "chính quyền các cấp") stand for every
# unit of a kind: they become a targeting rule rather than chosen units.
_UNIT_KIND_CUES: list[tuple[str, str]] = [
    (r"^(?:cac )?ban can su", Unit.Kind.CADRE_COMMITTEE),
    (r"^(?:cac )?dang doan", Unit.Kind.PARTY_DELEGATION),
    (r"^(?:cac )?chi bo|^(?:cac )?to chuc (?:co so )?dang", Unit.Kind.GRASSROOTS),
    (
        r"^(?:cac )?(?:cap uy|quan uy|huyen uy|thi uy|thanh uy|tinh uy|dang uy|dang bo)",
        Unit.Kind.PARTY_COMMITTEE,
    ),
    (r"^(?:cac )?(?:ubnd|uy ban nhan dan|chinh quyen)", Unit.Kind.PEOPLES_COMMITTEE),
    (r"^(?:cac )?(?:hdnd|hoi dong nhan dan)", Unit.Kind.PEOPLES_COUNCIL),
    (r"^(?:cac )?(?:uy ban )?(?:mat tran|mttq)", Unit.Kind.FATHERLAND_FRONT),
    (
        r"^(?:cac )?(?:doan the|to chuc chinh tri - xa hoi|doan thanh nien|hoi lien hiep"
        r"|hoi phu nu|hoi nong dan|hoi cuu chien binh|cong doan|lien doan lao dong)",
        Unit.Kind.MASS_ORGANIZATION,
    ),
    (r"^(?:cac )?(?:so|phong|co quan)\b", Unit.Kind.DEPARTMENT),
    (r"^(?:cac )?ban\b", Unit.Kind.ADVISORY_BOARD),
]

_ITEM = re.compile(r"^\s*(?:(?P<roman>[IVXL]+)|(?P<num>\d+(?:\.\d+)*)|(?P<letter>[a-zđ]))[.)]\s")
_TYPE_HEADING = re.compile(
    r"^\s*(KẾ HOẠCH|CHỈ THỊ|CHƯƠNG TRÌNH(?: HÀNH ĐỘNG)?|NGHỊ QUYẾT|HƯỚNG DẪN|QUYẾT ĐỊNH"
    r"|THÔNG BÁO|BÁO CÁO|KẾT LUẬN|ĐỀ ÁN)\s*$"
)


def normalize_text(text: str) -> str:
    """The form every span refers to: NFC, Unix line ends (browsers post ``\\r\\n``)."""
    return nfc((text or "").replace("\r\n", "\n").replace("\r", "\n"))


# --- the user's units -------------------------------------------------------------------


@dataclass
class KnownUnits:
    """Names of units the user may read, and the units each name stands for."""

    names: list[str] = field(default_factory=list)
    by_name: dict[str, list[int]] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)


def known_units_for(
    user: Any, on: dt.date | None = None, below: list[Unit] | None = None
) -> KnownUnits:
    """Units in the user's reach, shallowest first, at most ``KNOWN_UNITS_MAX`` of them.

    A dissolved unit's name still appears in older directives ("Ban cán sự đảng UBND TP"):
    it stands for its successor, which carries its work today. ``kinds`` are the kinds of
    active units strictly below one of ``below`` (the units the user issues tasks for): a
    rule of other kinds would reach nobody.
    """
    on = on or timezone.localdate()
    issuers = [u.path for u in below or []]
    rows = (
        units_for_user(user)
        .order_by("depth", "path")
        .values_list(
            "pk",
            "name",
            "short_name",
            "kind",
            "successor_id",
            "active_from",
            "dissolved_on",
            "path",
        )
    )
    known = KnownUnits()
    for pk, name, short_name, kind, successor, since, dissolved, path in rows[:KNOWN_UNITS_MAX]:
        if since is not None and since > on:
            continue
        if dissolved is not None and dissolved <= on:
            if successor is None:
                continue
            pk = successor
        elif any(path.startswith(p) and path != p for p in issuers):
            known.kinds.add(kind)
        for label in {name, short_name} - {""}:
            pks = known.by_name.setdefault(label, [])
            if pk not in pks and len(pks) < CANDIDATES_PER_NAME:
                pks.append(pk)
    known.names = list(known.by_name)
    return known


# --- guesses from the wording ------------------------------------------------------------


def guess_kind(what: str) -> str:
    """The task kind whose cue comes first in the sentence (``other`` without any)."""
    folded = fold(what)
    best: tuple[int, str] | None = None
    for pattern, kind in _KIND_CUES:
        m = re.search(pattern, folded)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return best[1] if best else Task.Kind.OTHER


def guess_unit_kind(name: str) -> str | None:
    """The unit kind a generic name stands for ("các quận ủy" → party committee)."""
    folded = fold(name)
    for pattern, kind in _UNIT_KIND_CUES:
        if re.search(pattern, folded):
            return kind
    return None


def title_from(what: str, limit: int = 500) -> str:
    """A task title from the verbatim ``what``: one line, capitalized, within the limit."""
    title = " ".join(what.split()).strip(" ;,.:")
    if len(title) > limit:
        cut = title[: limit - 1].rsplit(" ", 1)[0]
        title = f"{cut}…"
    return title[:1].upper() + title[1:]


def clause_at(text: str, pos: int) -> str:
    """Where ``pos`` sits: the numbered item ("Mục II.2.a") or else the paragraph."""
    roman = num = letter = None
    paragraphs = 0
    line_end = text.find("\n", pos)
    for line in text[: line_end if line_end >= 0 else len(text)].split("\n"):
        if not line.strip():
            continue
        paragraphs += 1
        m = _ITEM.match(line)
        if not m:
            continue
        if m["roman"]:
            roman, num, letter = m["roman"], None, None
        elif m["num"]:
            num, letter = m["num"], None
        else:
            letter = m["letter"]
    parts = [p for p in (roman, num, letter) if p]
    if parts:
        return _("Item %(ref)s") % {"ref": ".".join(parts)}
    return _("Paragraph %(n)s") % {"n": max(paragraphs, 1)}


def guess_title(text: str, kind: str | None) -> str:
    """The document's title: its "V/v" subject, its type heading and the line after, or
    the headline of a news page."""
    lines = [ln.strip() for ln in text[:3000].split("\n")]
    for ln in lines:
        m = re.match(r"^V/v\.?\s*(.+)$", ln, re.I)
        if m:
            return m[1][:500]
    for i, ln in enumerate(lines):
        m = _TYPE_HEADING.match(ln)
        if m:
            rest = next((x for x in lines[i + 1 : i + 4] if x), "")
            heading = m[1].capitalize()
            if rest and not rest.startswith(("Căn cứ", "Kính gửi", "-")):
                return f"{heading} {rest[:1].lower()}{rest[1:]}"[:500]
            return heading
    if kind == "news":
        for ln in lines[1:12]:
            if len(ln) > 15 and not ln.startswith("(") and not re.search(r"\d{4}\s*$", ln):
                return ln[:500]
    return ""


# --- proposals --------------------------------------------------------------------------


@dataclass
class Proposal:
    """One task vntext found, as the review form starts it."""

    number: int
    who: str
    title: str
    description: str
    clause: str
    kind: str
    start: int
    end: int
    due_text: str = ""
    due_date: dt.date | None = None
    recurrence: str = ""
    role: str = Target.Role.LEAD
    unit_pks: list[int] = field(default_factory=list)
    rule_kinds: list[str] = field(default_factory=list)

    def initial(self) -> dict:
        """Initial data of the review form's row."""
        return {
            "keep": True,
            "who": self.who,
            "start": self.start,
            "end": self.end,
            "title": self.title,
            "description": self.description,
            "clause": self.clause,
            "kind": self.kind,
            "deadline_text": self.due_text,
            "due_date": self.due_date,
            "recurrence": self.recurrence,
            "role": self.role,
            "units": self.unit_pks,
            # "các quận ủy" means every district committee: a rule, beside any named unit
            "rule_on": bool(self.rule_kinds),
            "rule_kinds": self.rule_kinds,
        }


@dataclass
class Reference:
    """A document the text cites, and the registered document it matches (if any)."""

    symbol: Symbol
    document: Document | None


@dataclass
class Reading:
    text: str
    reference: dt.date | None
    result: Result
    proposals: list[Proposal]
    candidates: list[Unit]
    references: list[Reference]
    own_symbol: str
    title: str
    truncated: bool = False

    @property
    def found_documents(self) -> list[Document]:
        return [r.document for r in self.references if r.document is not None]

    def highlighted(self) -> SafeString:
        return highlight(self.text, self.result, self.proposals)


def _who_units(task: Any, matched: dict[str, str], known: KnownUnits) -> tuple[list, list]:
    pks: list[int] = []
    kinds: list[str] = []
    for name in split_units(task.who or ""):
        label = matched.get(fold(name))
        if label:
            pks.extend(pk for pk in known.by_name.get(label, []) if pk not in pks)
            continue
        kind = guess_unit_kind(name)
        if kind and kind in known.kinds and kind not in kinds:
            kinds.append(kind)
    return pks, kinds


def _proposal(number: int, text: str, task: Any, matched: dict, known: KnownUnits) -> Proposal:
    begin = min(task.start, task.who_start if task.who_start is not None else task.start)
    sentence = " ".join(text[begin : max(task.end, task.clause_end or 0)].split())
    pks, kinds = _who_units(task, matched, known)
    return Proposal(
        number=number,
        who=" ".join((task.who or "").split())[:1000],
        title=title_from(task.what),
        description=sentence[:5000],
        clause=clause_at(text, task.start)[:100],
        kind=guess_kind(task.what),
        start=task.start,
        end=task.end,
        due_text=(task.due_text or "")[:200],
        due_date=task.due,
        recurrence=_RECURRENCE.get(task.recurring or "", ""),
        role=task.role if task.role in Target.Role.values else Target.Role.LEAD,
        unit_pks=pks,
        rule_kinds=kinds,
    )


def _candidates(user: Any, pks: list[int]) -> list[Unit]:
    """The matched units with the name of their parent (many wards have a "Chi bộ khu phố 1")."""
    reach = units_for_user(user).active(timezone.localdate())
    units = list(reach.filter(pk__in=pks[:CANDIDATES_MAX]).order_by("path"))
    parents = {u.path: u for u in Unit.objects.parents_of_many(units)} if units else {}
    for u in units:
        parent = parents.get(u.parent_path)
        u.parent_name = (parent.short_name or parent.name) if parent else ""
    return units


def referenced_documents(user: Any, symbols: list[Symbol]) -> list[Reference]:
    """The cited symbols, each with the registered document it names (one query)."""
    symbols = symbols[:MAX_SYMBOLS]
    if not symbols:
        return []
    cond = Q()
    for s in symbols:
        bare = s.number.lstrip("0") or "0"
        cond |= Q(
            number__in={s.number, bare, bare.zfill(2), bare.zfill(3)},
            type_code=s.type,
            issuer_code=s.issuer_norm or s.issuer,
        )
    found = list(
        documents_for_user(user).filter(cond).order_by("-issue_date", "-pk")[: 4 * len(symbols)]
    )
    out = []
    for s in symbols:
        bare = s.number.lstrip("0") or "0"
        same = [
            d
            for d in found
            if (d.number.lstrip("0") or "0") == bare
            and d.type_code == s.type
            and d.issuer_code == (s.issuer_norm or s.issuer)
        ]
        year = s.year or (s.date[:4] if s.date else None)
        if year and len(same) > 1:
            dated = [d for d in same if str(d.year or getattr(d.issue_date, "year", "")) == year]
            same = dated or same
        out.append(Reference(s, same[0] if len(same) == 1 else None))
    return out


def read_for_user(user: Any, text: str, reference: dt.date | None = None) -> Reading:
    """Read ``text`` (normalized) for ``user``: proposals, candidates and references."""
    text = normalize_text(text)
    known = known_units_for(user, below=acting_units(user))
    result = read(text, reference, known_units=known.names)
    matched = {fold(u.name): u.known for u in result.units if u.known}
    own = result.own_symbol
    tasks = result.tasks[:MAX_TASKS]
    proposals = [_proposal(i, text, t, matched, known) for i, t in enumerate(tasks, 1)]
    pks: list[int] = []
    for p in proposals:
        pks.extend(pk for pk in p.unit_pks if pk not in pks)
    for label in matched.values():
        pks.extend(pk for pk in known.by_name.get(label, []) if pk not in pks)
    cited = [s for s in result.symbols if s is not own]
    return Reading(
        text=text,
        reference=result.issue_date,
        result=result,
        proposals=proposals,
        candidates=_candidates(user, pks),
        references=referenced_documents(user, cited),
        own_symbol=own.text if own else "",
        title=guess_title(text, result.kind),
        truncated=len(result.tasks) > MAX_TASKS,
    )


# --- highlighting -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    css: str
    label: str
    priority: int  # the most specific mark names a segment


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _marks(result: Result, proposals: list[Proposal]) -> list[_Mark]:
    marks: list[_Mark] = []
    for p in proposals:
        marks.append(_Mark(p.start, p.end, "hl-task", _("Task %(n)s") % {"n": p.number}, 0))
    for t in result.tasks[: len(proposals)]:
        if t.who_start is not None:
            marks.append(_Mark(t.who_start, t.who_end, "hl-who", _("Who must do it"), 2))
    for u in result.units:
        label = _("Unit")
        if u.known:
            label = _("Unit — matched to %(name)s") % {"name": u.known}
        marks.append(_Mark(u.start, u.end, "hl-unit", label, 1 if not u.known else 3))
    for d in result.periods:
        marks.append(_Mark(d.start, d.end, "hl-period", _("Period (not a deadline)"), 3))
    for f in result.dates:
        marks.append(_Mark(f.start, f.end, "hl-date", _("Date: %(d)s") % {"d": _fmt(f.value)}, 4))
    for d in result.deadlines:
        if d.due:
            label = _("Deadline: %(d)s") % {"d": _fmt(d.due)}
        elif d.recurring:
            label = _("Recurring deadline")
        else:
            label = _("Deadline")
        marks.append(_Mark(d.start, d.end, "hl-deadline", label, 5))
    for s in result.symbols:
        marks.append(_Mark(s.start, s.end, "hl-symbol", _("Document number and symbol"), 6))
    for w in result.warnings:
        marks.append(_Mark(w.start, w.end, "hl-warning", _("Check: %(d)s") % {"d": w.detail}, 7))
    return [m for m in marks if 0 <= m.start < m.end]


def highlight(text: str, result: Result, proposals: list[Proposal]) -> SafeString:
    """The text as HTML, every found item marked by its span; everything is escaped.

    Spans overlap (a deadline inside a task, a unit inside who), so the text is cut at every
    span boundary and each piece carries the classes of all spans covering it.
    """
    marks = _marks(result, proposals)
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    cuts = [c for c in cuts if 0 <= c <= len(text)]
    starts = {p.start: p.number for p in proposals}
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a in starts:
            n = starts.pop(a)
            out.append(f'<a class="tnum" id="src-{n}" href="#task-{n}">{n}</a>')
        piece = escape(text[a:b])
        covering = [m for m in marks if m.start <= a and b <= m.end]
        if not covering:
            out.append(piece)
            continue
        classes = " ".join(sorted({m.css for m in covering}))
        label = max(covering, key=lambda m: (m.priority, -(m.end - m.start))).label
        out.append(f'<mark class="{classes}" title="{escape(label)}">{piece}</mark>')
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above
