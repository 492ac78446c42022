"""Checking uploaded files before they are stored: type, size, structure, text layer.

Only office formats and images officials actually exchange are accepted, and the bytes
must be what the extension says: an HTML page renamed ``.pdf``, an SVG, a zip that only
pretends to be a ``.docx`` or a zip bomb are refused. The text layer of PDF, DOCX, XLSX
and OpenDocument files is extracted so classification stamps can be spotted.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
_ZIP_GUESSES = {"application/zip", DOCX, XLSX, ODT, ODS}

# extension → (content type we serve, what the content sniffer may call it)
ALLOWED: dict[str, tuple[str, set[str]]] = {
    "pdf": ("application/pdf", {"application/pdf"}),
    "docx": (DOCX, _ZIP_GUESSES),
    "xlsx": (XLSX, _ZIP_GUESSES),
    "odt": (ODT, _ZIP_GUESSES),
    "ods": (ODS, _ZIP_GUESSES),
    "png": ("image/png", {"image/png"}),
    "jpg": ("image/jpeg", {"image/jpeg"}),
    "jpeg": ("image/jpeg", {"image/jpeg"}),
}
ALLOWED_EXTENSIONS = tuple(ALLOWED)

# Members a genuine file of each zip-based format must contain.
_REQUIRED_MEMBER = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "odt": "content.xml",
    "ods": "content.xml",
}
_ODF_MIMETYPE = {"odt": ODT.encode(), "ods": ODS.encode()}
_MACRO_MEMBERS = ("word/vbaProject.bin", "xl/vbaProject.bin")

ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_UNCOMPRESSED = 250 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Small members compress very well (repetitive XML): only judge the ratio of large ones.
_RATIO_FLOOR = 2 * 1024 * 1024

TEXT_MAX_CHARS = 200_000
PDF_MAX_PAGES = 10
SHEET_MAX_ROWS = 40
_CHUNK = 64 * 1024


class UploadRefused(Exception):
    """A file did not pass the checks; ``message`` is shown to the user."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass
class CheckedUpload:
    """An upload that passed every check, with what the registry stores about it."""

    upload: UploadedFile
    name: str
    ext: str
    content_type: str
    size: int
    sha256: str
    text: str


def safe_name(name: str) -> str:
    """The last path component of a client-supplied name, without control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 190 - len(ext)]}.{ext}" if dot and len(ext) <= 5 else name[:200]
    return name or "file"


def extension_of(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def sha256_of(fp: IO[bytes]) -> str:
    digest = hashlib.sha256()
    fp.seek(0)
    while chunk := fp.read(_CHUNK):
        digest.update(chunk)
    fp.seek(0)
    return digest.hexdigest()


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Check one upload; raise ``UploadRefused`` with a reason code when it must not be kept."""
    name = safe_name(upload.name or "")
    ext = extension_of(name)
    if ext not in ALLOWED:
        raise UploadRefused(
            _(
                "The file type .%(ext)s is not accepted. Accepted types: PDF, DOCX, XLSX, ODT,"
                " ODS, PNG, JPG."
            )
            % {"ext": ext or "?"},
            reason="type_not_allowed",
        )
    size = upload.size or 0
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise UploadRefused(
            _("The file is too large (%(size)s MB). The limit is %(limit)s MB.")
            % {"size": _mb(size), "limit": _mb(limit)},
            reason="too_large",
        )
    if size == 0:
        raise UploadRefused(_("The file is empty."), reason="empty")
    fp = upload.file
    fp.seek(0)
    head = fp.read(8192)
    fp.seek(0)
    content_type, sniffable = ALLOWED[ext]
    guess = filetype.guess(head)
    if guess is None or guess.mime not in sniffable:
        raise UploadRefused(_mismatch(ext), reason="content_mismatch")
    if ext in _REQUIRED_MEMBER:
        text = _check_zip(fp, ext)
    elif ext == "pdf":
        text = _pdf_text(fp)
    else:
        text = ""
    return CheckedUpload(
        upload=upload,
        name=name,
        ext=ext,
        content_type=content_type,
        size=size,
        sha256=sha256_of(fp),
        text=text,
    )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _mismatch(ext: str) -> str:
    return _(
        "The content of the file does not match its extension .%(ext)s. Save it again in"
        " the right format and upload it once more."
    ) % {"ext": ext}


def _damaged() -> UploadRefused:
    return UploadRefused(
        _("The file is damaged or cannot be read. Save it again and upload it once more."),
        reason="unreadable",
    )


def _check_zip(fp: IO[bytes], ext: str) -> str:
    """Check the structure of an OOXML or OpenDocument file and return its text."""
    try:
        archive = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRefused(_mismatch(ext), reason="content_mismatch")
    with archive:
        members = archive.infolist()
        # Judge the declared sizes before anything is decompressed: reads never go past them.
        total = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members)
        too_dense = any(
            m.file_size > _RATIO_FLOOR and m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1)
            for m in members
        )
        if (
            len(members) > ZIP_MAX_MEMBERS
            or total > ZIP_MAX_UNCOMPRESSED
            or too_dense
            or (total > _RATIO_FLOOR and total > ZIP_MAX_RATIO * max(packed, 1))
        ):
            raise UploadRefused(
                _("The file expands to an unreasonable size when opened and was refused."),
                reason="zip_bomb",
            )
        if any(m.flag_bits & 0x1 for m in members):
            raise UploadRefused(
                _("Password-protected files cannot be checked. Remove the password first."),
                reason="encrypted",
            )
        names = {m.filename for m in members}
        if _REQUIRED_MEMBER[ext] not in names:
            raise UploadRefused(_mismatch(ext), reason="content_mismatch")
        if (
            ext in _ODF_MIMETYPE
            and _read_member(archive, "mimetype", 200).strip() != (_ODF_MIMETYPE[ext])
        ):
            raise UploadRefused(_mismatch(ext), reason="content_mismatch")
        if ext in ("docx", "xlsx") and "[Content_Types].xml" not in names:
            raise UploadRefused(_mismatch(ext), reason="content_mismatch")
        if names.intersection(_MACRO_MEMBERS):
            raise UploadRefused(
                _("Files with macros are not accepted. Save the file without macros."),
                reason="macros",
            )
        try:
            if ext in ("odt", "ods"):
                return _odf_text(archive)
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            raise _damaged()
    fp.seek(0)
    try:
        return _docx_text(fp) if ext == "docx" else _xlsx_text(fp)
    except UploadRefused:
        raise
    except Exception:  # parsers raise many types on malformed input
        raise _damaged()
    finally:
        fp.seek(0)


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    if name not in archive.namelist():
        return b""
    with archive.open(name) as member:
        return member.read(limit)


def _odf_text(archive: zipfile.ZipFile) -> str:
    parts = []
    # styles.xml holds the page header and footer, where stamps are often printed.
    for member in ("content.xml", "styles.xml"):
        raw = _read_member(archive, member, 20 * 1024 * 1024).decode("utf-8", "replace")
        raw = re.sub(r"</text:(?:p|h)>|<text:line-break/>|</table:table-cell>", "\n", raw)
        parts.append(html.unescape(re.sub(r"<[^>]+>", "", raw)))
    return "\n".join(parts)[:TEXT_MAX_CHARS]


def _docx_text(fp: IO[bytes]) -> str:
    import docx

    document = docx.Document(fp)
    lines: list[str] = []
    # Headers first: a stamp in the page header belongs to the first lines.
    for section in document.sections:
        for part in (section.header, section.first_page_header):
            lines.extend(p.text for p in part.paragraphs)
    lines.extend(p.text for p in document.paragraphs)
    for table in document.tables[:50]:
        for row in table.rows[:200]:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)[:TEXT_MAX_CHARS]


def _xlsx_text(fp: IO[bytes]) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(fp, read_only=True, data_only=True)
    lines: list[str] = []
    try:
        for sheet in workbook.worksheets[:20]:
            for row in sheet.iter_rows(max_row=SHEET_MAX_ROWS, max_col=30, values_only=True):
                cells = [str(v) for v in row if v not in (None, "")]
                if cells:
                    lines.append("   ".join(cells))
    finally:
        workbook.close()
    return "\n".join(lines)[:TEXT_MAX_CHARS]


def _pdf_text(fp: IO[bytes]) -> str:
    import logging

    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # malformed-but-readable PDFs are common and noisy
    try:
        reader = PdfReader(fp)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRefused(
                _("Password-protected files cannot be checked. Remove the password first."),
                reason="encrypted",
            )
        texts = []
        for page in reader.pages[:PDF_MAX_PAGES]:
            texts.append(page.extract_text() or "")
            if sum(len(t) for t in texts) > TEXT_MAX_CHARS:
                break
        return "\n".join(texts)[:TEXT_MAX_CHARS]
    except UploadRefused:
        raise
    except Exception:  # pypdf raises many types on malformed input
        raise _damaged()
    finally:
        pypdf_log.setLevel(level)
        fp.seek(0)
