"""Loading text from .txt, .docx and .pdf files."""

from __future__ import annotations

from pathlib import Path

PDF_NO_TEXT = "Tệp PDF không có lớp văn bản (bản quét); hãy dùng tệp có văn bản hoặc dán nội dung."


class VntextError(Exception):
    """A file that cannot be read as text; the message is meant for the user."""


def load_text(path: str | Path) -> str:
    """Text of a .txt (UTF-8), .docx or .pdf file."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".docx":
        import docx

        doc = docx.Document(str(p))
        parts = [para.text for para in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                parts.append("\t".join(cell.text for cell in row.cells))
        return "\n".join(parts)
    if suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(str(p))
        pages = [(page.extract_text() or "") for page in reader.pages]
        text = "\n".join(pages)
        if not text.strip():
            raise VntextError(PDF_NO_TEXT)
        return text
    return p.read_text(encoding="utf-8-sig")
