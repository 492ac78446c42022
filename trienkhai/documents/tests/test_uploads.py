import hashlib

import pytest

from trienkhai.accounts.models import AuditEvent
from trienkhai.core.errors import DomainError
from trienkhai.documents.services import document_attach_file, document_create
from trienkhai.documents.tests.conftest import (
    make_docx,
    make_odt,
    make_pdf,
    make_png,
    make_xlsx,
    make_zip,
    make_zip_bomb_docx,
    upload,
)
from trienkhai.documents.uploads import check_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(world):
    return document_create(owner=world.ben_thanh, by=None, symbol="15-KH/ĐU")


def _refused(doc, world, name, content) -> AuditEvent:
    with pytest.raises(DomainError) as exc:
        document_attach_file(document=doc, upload=upload(name, content), by=world.ward_officer)
    assert exc.value.code == "upload_refused"
    assert not doc.files.exists()
    return AuditEvent.objects.get(kind=AuditEvent.Kind.UPLOAD_REFUSED)


@pytest.mark.parametrize(
    ("name", "maker", "content_type"),
    [
        ("ke-hoach.pdf", make_pdf, "application/pdf"),
        ("ke-hoach.docx", make_docx, "application/vnd.openxmlformats-officedocument"),
        ("so-lieu.xlsx", make_xlsx, "application/vnd.openxmlformats-officedocument"),
        ("ke-hoach.odt", make_odt, "application/vnd.oasis.opendocument.text"),
        ("anh.png", make_png, "image/png"),
        ("ANH.JPG", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "image/jpeg"),
    ],
)
def test_it_accepts_genuine_files(doc, world, media_root, name, maker, content_type):
    content = maker()
    stored = document_attach_file(document=doc, upload=upload(name, content), by=world.ward_officer)
    assert stored.original_name == name
    assert stored.content_type.startswith(content_type)
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    # Stored under a random name in upload_to's folder, never under the client's name.
    assert stored.file.name.startswith("documents/")
    assert name.rsplit(".", 1)[0] not in stored.file.name
    assert (media_root / stored.file.name).read_bytes() == content


def test_two_uploads_of_one_name_get_different_stored_names(doc, world):
    a = document_attach_file(document=doc, upload=upload("a.pdf", make_pdf()), by=None)
    b = document_attach_file(document=doc, upload=upload("a.pdf", make_pdf()), by=None)
    assert a.file.name != b.file.name


def test_it_refuses_html_renamed_pdf(doc, world):
    event = _refused(doc, world, "bao-cao.pdf", b"<html><script>alert(1)</script></html>")
    assert event.detail["reason"] == "content_mismatch"
    assert event.detail["filename"] == "bao-cao.pdf"
    assert event.user == world.ward_officer


def test_it_refuses_svg(doc, world):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert _refused(doc, world, "logo.svg", svg).detail["reason"] == "type_not_allowed"


def test_it_refuses_svg_renamed_png(doc, world):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert _refused(doc, world, "logo.png", svg).detail["reason"] == "content_mismatch"


def test_it_refuses_a_zip_pretending_to_be_docx(doc, world):
    fake = make_zip({"[Content_Types].xml": b"<Types/>", "hello.txt": b"hello"})
    assert _refused(doc, world, "fake.docx", fake).detail["reason"] == "content_mismatch"


def test_it_refuses_a_docx_renamed_xlsx(doc, world):
    assert _refused(doc, world, "so-lieu.xlsx", make_docx()).detail["reason"] == (
        "content_mismatch"
    )


def test_it_refuses_an_odt_without_its_mimetype(doc, world):
    fake = make_zip({"content.xml": b"<x/>", "mimetype": b"application/zip"})
    assert _refused(doc, world, "x.odt", fake).detail["reason"] == "content_mismatch"


def test_it_refuses_a_zip_bomb(doc, world):
    bomb = make_zip_bomb_docx(megabytes=40)
    assert len(bomb) < 200_000
    assert _refused(doc, world, "bomb.docx", bomb).detail["reason"] == "zip_bomb"


def test_it_refuses_a_docx_with_macros(doc, world):
    docm = make_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\x00" * 100,
        }
    )
    assert _refused(doc, world, "macro.docx", docm).detail["reason"] == "macros"


def test_it_refuses_a_damaged_pdf(doc, world):
    assert _refused(doc, world, "hong.pdf", b"%PDF-1.4\n garbage").detail["reason"] == (
        "unreadable"
    )


def test_it_refuses_files_over_the_size_cap(doc, world, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    big = make_pdf(["x" * 10] * 10) + b" " * 2000
    assert _refused(doc, world, "lon.pdf", big).detail["reason"] == "too_large"


def test_it_refuses_an_empty_file(doc, world):
    assert _refused(doc, world, "rong.pdf", b"").detail["reason"] == "empty"


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("/abs/path/x.pdf", "x.pdf"),
        ("bad\x00name.pdf", "badname.pdf"),
    ],
)
def test_path_traversal_names_are_harmless(doc, world, media_root, name, kept):
    stored = document_attach_file(document=doc, upload=upload(name, make_pdf()), by=None)
    assert stored.original_name == kept
    path = (media_root / stored.file.name).resolve()
    assert path.is_relative_to(media_root.resolve() / "documents")


def test_it_extracts_text_to_look_for_stamps():
    checked = check_upload(upload("x.docx", make_docx(["Dòng một"], header="Độ mật: Thường")))
    assert "Dòng một" in checked.text and "Độ mật" in checked.text
    assert "Phường Bến Thành" in check_upload(upload("x.xlsx", make_xlsx())).text
    assert "Kế hoạch" in check_upload(upload("x.odt", make_odt())).text


def test_files_given_to_create_are_checked_too(world):
    with pytest.raises(DomainError):
        document_create(
            owner=world.ben_thanh,
            by=world.ward_officer,
            symbol="16-KH/ĐU",
            files=[upload("x.pdf", b"<html></html>")],
        )
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.UPLOAD_REFUSED).count() == 1
    assert not doc_exists("16-KH/ĐU")


def doc_exists(symbol: str) -> bool:
    from trienkhai.documents.models import Document

    return Document.objects.filter(symbol=symbol).exists()
