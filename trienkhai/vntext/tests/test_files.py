"""Reading .txt, .docx and .pdf files."""

import subprocess
import sys

import pytest

from trienkhai.vntext.files import PDF_NO_TEXT, VntextError, load_text


def test_docx_text(tmp_path):
    import docx

    doc = docx.Document()
    doc.add_paragraph("Số 12-CT/TU")
    path = tmp_path / "a.docx"
    doc.save(str(path))
    assert "12-CT/TU" in load_text(path)


def _blank_pdf(path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=200, height=200)
    with open(path, "wb") as f:
        w.write(f)


def test_scanned_pdf_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "scan.pdf"
    _blank_pdf(path)
    with pytest.raises(VntextError, match="không có lớp văn bản"):
        load_text(path)
    out = subprocess.run(
        [sys.executable, "-m", "trienkhai.vntext", str(path)], capture_output=True, text=True
    )
    assert out.returncode != 0 and PDF_NO_TEXT in out.stderr
