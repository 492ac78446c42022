"""A report as a Word document in the format of Party (Guidance 36-HD/VPTW) or State
(Decree 30/2020/NĐ-CP) documents, rendered with docxtpl.

The .docx templates are built here with python-docx — the layout in code, reviewable in a
diff — then filled by docxtpl with autoescaping on (every text comes from users). Layout:
issuer header (superior body, issuer, "*", number and symbol) facing the national motto and
the place-and-date line; the title; the numbered sections; the indicator table; recipients
("Nơi nhận") facing the signature block.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

from django.http import HttpResponse
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docxtpl import DocxTemplate, Listing

from trienkhai.reports.consolidation import consolidate
from trienkhai.reports.models import Report, Value
from trienkhai.reports.periods import describe
from trienkhai.units.models import Unit
from trienkhai.vntext.text import fold

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV"]
STATE_KINDS = {Unit.Kind.PEOPLES_COMMITTEE, Unit.Kind.PEOPLES_COUNCIL, Unit.Kind.DEPARTMENT}
FONT = "Times New Roman"


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _para(
    container,
    text: str = "",
    *,
    bold=False,
    italic=False,
    underline=False,
    size=14,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    space_after=0,
):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
    return p


def _first_para(cell, text: str, **kwargs):
    """A cell starts with one empty paragraph: write into it rather than below it."""
    p = cell.paragraphs[0]
    p.alignment = kwargs.get("align", WD_ALIGN_PARAGRAPH.CENTER)
    run = p.add_run(text)
    run.bold = kwargs.get("bold", False)
    run.italic = kwargs.get("italic", False)
    run.underline = kwargs.get("underline", False)
    run.font.size = Pt(kwargs.get("size", 14))
    return p


def build_template(*, party: bool) -> bytes:
    """The .docx template (with docxtpl tags) of a Party or a State report."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(head)
    left, right = head.rows[0].cells
    _first_para(left, "{{ superior }}", size=13)
    _para(left, "{{ issuer }}", bold=True, size=13)
    _para(left, "*" if party else "", size=13)
    _para(left, "{{ symbol_line }}", size=13)
    if party:
        _first_para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=14)
    else:
        _first_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13)
        _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, size=14)
    _para(right, "")
    _para(right, "{{ date_line }}", italic=True, size=14)

    _para(doc, "", space_after=6)
    _para(doc, "BÁO CÁO", bold=True, size=15)
    _para(doc, "{{ title }}", bold=True, size=14)
    _para(doc, "{{ draft_mark }}", italic=True, size=13)
    _para(doc, "-----", size=14, space_after=12)

    body = WD_ALIGN_PARAGRAPH.JUSTIFY
    _para(doc, "{%p for s in sections %}", align=body)
    _para(doc, "{{ s.heading }}", bold=True, align=body, space_after=6)
    _para(doc, "{%p for para in s.paragraphs %}", align=body)
    p = _para(doc, "{{ para }}", align=body, space_after=6)
    p.paragraph_format.first_line_indent = Cm(1)
    _para(doc, "{%p endfor %}", align=body)
    _para(doc, "{%p endfor %}", align=body)

    _para(doc, "{{ figures_heading }}", bold=True, align=body, space_after=6)
    table = doc.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    headers = ["TT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _first_para(cell, text, bold=True, size=13)
    _first_para(table.rows[1].cells[0], "{%tr for f in figures %}", size=12)
    for cell, text in zip(
        table.rows[2].cells,
        ["{{ f.no }}", "{{ f.name }}", "{{ f.unit }}", "{{ f.value }}"],
        strict=True,
    ):
        align = WD_ALIGN_PARAGRAPH.LEFT if text == "{{ f.name }}" else WD_ALIGN_PARAGRAPH.CENTER
        _first_para(cell, text, size=13, align=align)
    _first_para(table.rows[3].cells[0], "{%tr endfor %}", size=12)
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(1.2), Cm(9.3), Cm(3), Cm(3)), strict=True):
            cell.width = width

    _para(doc, "", space_after=12)
    foot = doc.add_table(rows=1, cols=2)
    _no_borders(foot)
    left, right = foot.rows[0].cells
    _first_para(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(left, "{{ recipients }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _first_para(right, "{{ signer_title }}", bold=True, size=14)
    for _i in range(3):
        _para(right, "")
    _para(right, "{{ signer_name }}", bold=True, size=14)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@lru_cache(maxsize=2)
def _template(party: bool) -> bytes:
    return build_template(party=party)


def _upper(text: str) -> str:
    return (text or "").upper()


def _title(r: Report) -> str:
    title = re.sub(r"^\s*báo cáo\s+", "", r.round.title, flags=re.IGNORECASE).strip()
    return (
        title[:1].lower() + title[1:]
        if title
        else describe(r.round.period_kind, r.round.period_label)
    )


def _figures(r: Report) -> list[dict]:
    from trienkhai.reports.services import has_sources
    from trienkhai.reports.views import fmt_figure

    indicators = list(r.round.version.indicators.all())
    values = {v.indicator_id: v for v in Value.objects.filter(report=r)}
    consolidating = has_sources(r)
    cons = consolidate(r.round, r.unit_id, indicators) if consolidating else {}
    rows = []
    for n, ind in enumerate(indicators, start=1):
        v = values.get(ind.pk)
        if v is not None:
            shown = fmt_figure(ind, v.number, v.text, count=consolidating)
        elif ind.pk in cons and cons[ind.pk].value is not None:
            shown = fmt_figure(ind, cons[ind.pk].value, count=True)
        else:
            shown = ""
        rows.append({"no": n, "name": ind.name, "unit": ind.unit_of_measure, "value": shown})
    return rows


def _issuer_lines(unit: Unit, party: bool) -> tuple[str, str]:
    """(superior line, issuer line) of the header. A Party organization's committee issues
    under its superior's name ("ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH" / "ĐẢNG ỦY PHƯỜNG BẾN THÀNH");
    a đảng bộ issues through its committee, its short name ("ĐẢNG BỘ THÀNH PHỐ HỒ CHÍ MINH" /
    "THÀNH ỦY"), as the Party's format guide (Hướng dẫn 36-HD/VPTW) shows."""
    if party and unit.short_name and fold(unit.name).startswith("dang bo "):
        return _upper(unit.name), _upper(unit.short_name)
    parent = Unit.objects.filter(path=unit.parent_path).first() if unit.depth > 1 else None
    return (_upper(parent.name) if parent is not None else ""), _upper(unit.name)


def context_for(r: Report) -> dict:
    unit = r.unit
    party = unit.kind not in STATE_KINDS
    superior, issuer = _issuer_lines(unit, party)
    symbol = r.symbol or "…"
    day = timezone.localdate(r.submitted_at) if r.submitted_at else None
    place = r.place or r.round.place or ""
    if day is not None:
        date_line = f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    else:
        date_line = f"{place}, ngày    tháng    năm {r.round.period_end.year}"
    sections = []
    for i, s in enumerate(r.round.version.sections.all()):
        text = (r.narrative or {}).get(s.key, "")
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()] or ["…"]
        heading = f"{ROMAN[i] if i < len(ROMAN) else i + 1}. {_upper(s.title)}"
        sections.append({"heading": heading, "paragraphs": paragraphs})
    n = len(sections)
    figures_heading = (
        f"{ROMAN[n] if n < len(ROMAN) else n + 1}. SỐ LIỆU CHỦ YẾU" if sections else "SỐ LIỆU"
    )
    return {
        "superior": superior,
        "issuer": issuer,
        "symbol_line": f"Số {symbol}" if party else f"Số: {symbol}",
        "date_line": date_line.strip(", "),
        "title": _title(r),
        "draft_mark": ""
        if r.state in (Report.State.SUBMITTED, Report.State.ACCEPTED)
        else "(Dự thảo)",
        "sections": sections,
        "figures_heading": figures_heading,
        "figures": _figures(r),
        "recipients": Listing(r.recipients or "- Lưu."),
        "signer_title": Listing(
            _upper(r.signer_title) or ("T/M BAN THƯỜNG VỤ" if party else "T/M ỦY BAN NHÂN DÂN")
        ),
        "signer_name": r.signer_name or "",
    }


def render_report(r: Report) -> bytes:
    party = r.unit.kind not in STATE_KINDS
    doc = DocxTemplate(io.BytesIO(_template(party)))
    doc.render(context_for(r), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def filename_for(r: Report, ext: str) -> str:
    stem = re.sub(
        r"[^a-z0-9]+",
        "-",
        fold(f"bao-cao {r.unit.short_name or r.unit.name} {r.round.period_label}"),
    )
    return f"{stem.strip('-')[:80]}.{ext}"


def report_document(r: Report) -> HttpResponse:
    response = HttpResponse(render_report(r), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename_for(r, "docx")}"'
    response["Cache-Control"] = "private, no-store"
    return response
