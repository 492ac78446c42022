import datetime as dt

import pytest

from trienkhai.accounts.models import AuditEvent
from trienkhai.core.errors import DomainError
from trienkhai.documents.models import Document
from trienkhai.documents.services import (
    document_create,
    document_link,
    document_unlink,
    document_update,
)
from trienkhai.documents.tests.conftest import make_docx, make_pdf, upload

pytestmark = pytest.mark.django_db


def test_it_splits_a_party_symbol_into_its_parts(world):
    doc = document_create(owner=world.city, by=world.city_leader, symbol="52-NQ/TW")
    assert (doc.number, doc.type_code, doc.issuer_code, doc.year) == ("52", "NQ", "TW", None)


def test_it_reads_tu_with_odd_spacing_as_tw(world):
    doc = document_create(owner=world.city, by=world.city_leader, symbol="52 - NQ/TƯ")
    assert (doc.number, doc.type_code, doc.issuer_code) == ("52", "NQ", "TW")
    assert doc.symbol == "52 - NQ/TƯ"


def test_it_splits_a_state_symbol_with_its_year(world):
    doc = document_create(owner=world.city, by=world.city_leader, symbol="09/2019/NĐ-CP")
    assert (doc.number, doc.type_code, doc.issuer_code, doc.year) == ("09", "NĐ", "CP", 2019)


def test_it_infers_the_letter_type_of_a_state_letter(world):
    doc = document_create(owner=world.city, by=world.city_leader, symbol="1066/UBND-VXNV")
    assert (doc.number, doc.type_code, doc.issuer_code) == ("1066", "CV", "UBND")


def test_it_keeps_an_unparsable_symbol_as_printed(world):
    doc = document_create(owner=world.city, by=world.city_leader, symbol="Thông báo nội bộ")
    assert (doc.symbol, doc.number, doc.type_code) == ("Thông báo nội bộ", "", "")


def test_it_refuses_a_duplicate_symbol_of_the_same_year(world):
    document_create(owner=world.city, by=None, symbol="52-NQ/TW", issue_date=dt.date(2019, 9, 27))
    with pytest.raises(DomainError) as exc:
        document_create(
            owner=world.city,
            by=world.city_leader,
            symbol="52 - NQ/TƯ",
            issue_date=dt.date(2019, 10, 1),
        )
    assert exc.value.code == "duplicate"
    assert Document.objects.count() == 1


def test_it_refuses_a_duplicate_state_symbol_by_its_year(world):
    document_create(owner=world.city, by=None, symbol="09/2019/NĐ-CP")
    with pytest.raises(DomainError):
        document_create(owner=world.city, by=None, symbol="9/2019/NĐ-CP")


def test_it_accepts_the_same_number_in_another_year(world):
    document_create(owner=world.city, by=None, symbol="01-KH/TU", issue_date=dt.date(2020, 1, 5))
    document_create(owner=world.city, by=None, symbol="01-KH/TU", issue_date=dt.date(2021, 1, 5))
    assert Document.objects.count() == 2


def test_it_accepts_the_same_symbol_from_two_known_issuers(world):
    for ward in (world.ben_thanh, world.tan_dinh):
        document_create(
            owner=ward, by=None, symbol="15-KH/ĐU", issuer_unit=ward, issue_date=dt.date(2020, 8, 1)
        )
    assert Document.objects.count() == 2


def test_it_refuses_a_duplicate_on_update(world):
    document_create(owner=world.city, by=None, symbol="52-NQ/TW")
    other = document_create(owner=world.city, by=None, symbol="53-NQ/TW")
    with pytest.raises(DomainError):
        document_update(document=other, by=world.city_leader, symbol="52-NQ/TW")
    other.refresh_from_db()
    assert other.symbol == "53-NQ/TW"


def test_update_parses_the_new_symbol_and_records_who(world):
    doc = document_create(owner=world.city, by=world.city_leader, symbol="52-NQ/TW")
    document_update(document=doc, by=world.city_leader, symbol="116-HD/BTGTW", title="Hướng dẫn")
    assert (doc.number, doc.type_code, doc.issuer_code, doc.title) == (
        "116",
        "HD",
        "BTGTW",
        "Hướng dẫn",
    )
    latest = doc.history.first()
    assert latest.history_user == world.city_leader


def test_it_refuses_an_owner_the_user_cannot_act_for(world):
    with pytest.raises(DomainError) as exc:
        document_create(owner=world.ben_thanh, by=world.other_ward_officer, symbol="1-KH/ĐU")
    assert exc.value.field == "owner"
    # Observers read but do not act; the City leader does not act for a ward either.
    for user in (world.observer, world.city_leader):
        with pytest.raises(DomainError):
            document_create(owner=world.ben_thanh, by=user, symbol="2-KH/ĐU")


def test_it_refuses_an_issuer_outside_reach(world):
    with pytest.raises(DomainError) as exc:
        document_create(
            owner=world.ben_thanh,
            by=world.ward_officer,
            symbol="1-KH/ĐU",
            issuer_unit=world.tan_dinh,
        )
    assert exc.value.field == "issuer_unit"
    # The City above the ward is a legitimate issuer.
    document_create(
        owner=world.ben_thanh, by=world.ward_officer, symbol="2-KH/ĐU", issuer_unit=world.city
    )


def test_it_refuses_a_link_to_a_document_the_user_cannot_see(world):
    hidden = document_create(owner=world.tan_dinh, by=None, symbol="3-KH/ĐU")
    with pytest.raises(DomainError):
        document_create(
            owner=world.ben_thanh, by=world.ward_officer, symbol="4-KH/ĐU", implements=[hidden]
        )
    assert not Document.objects.filter(symbol="4-KH/ĐU").exists()


def test_it_refuses_a_link_that_closes_a_circle(chain, world):
    with pytest.raises(DomainError) as exc:
        document_link(document=chain.nq52, implements=chain.program, by=world.city_leader)
    assert exc.value.code == "cycle"
    with pytest.raises(DomainError):
        document_link(document=chain.nq52, implements=chain.nq52, by=world.city_leader)
    assert not chain.nq52.implements.exists()


def test_link_and_unlink_are_recorded_in_history(chain, world):
    extra = document_create(owner=world.city, by=None, symbol="35-CT/TW")
    document_link(document=chain.program, implements=extra, by=world.city_leader)
    assert set(chain.program.implements.all()) == {chain.letter, extra}
    document_unlink(document=chain.program, implements=extra, by=world.city_leader)
    assert set(chain.program.implements.all()) == {chain.letter}
    assert chain.program.history.filter(history_user=world.city_leader).count() == 2


def test_only_the_owner_units_staff_may_link(chain, world):
    with pytest.raises(DomainError):
        document_link(document=chain.plan_bt, implements=chain.nq52, by=world.other_ward_officer)


# --- classified documents ---------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"symbol": "12-NQ/TU", "text": "ĐẢNG BỘ THÀNH PHỐ\nTỐI MẬT\nNGHỊ QUYẾT"},
        {"symbol": "13-NQ/TU", "title": "TUYỆT MẬT"},
        {"symbol": "14-NQ/TU", "summary": "Độ mật: Mật"},
        {"symbol": "15-NQ/TU (MẬT)"},
    ],
)
def test_it_refuses_a_classified_document_and_records_it(world, fields):
    with pytest.raises(DomainError) as exc:
        document_create(owner=world.city, by=world.city_leader, **fields)
    assert exc.value.code == "classified"
    assert "bí mật nhà nước" in exc.value.message.lower()
    assert not Document.objects.exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CLASSIFIED_REFUSED)
    assert event.user == world.city_leader
    assert event.detail["symbol"] == fields["symbol"]
    assert event.detail["marker"] in ("Mật", "Tối mật", "Tuyệt mật")


@pytest.mark.django_db(transaction=True)
def test_the_refusal_record_survives_the_rolled_back_creation(world):
    stamped = upload("nghi-quyet.docx", make_docx(["Nội dung"], header="TỐI MẬT"))
    prior = document_create(owner=world.city, by=None, symbol="1-TB/TU")
    with pytest.raises(DomainError):
        document_create(
            owner=world.city,
            by=world.city_leader,
            symbol="16-NQ/TU",
            implements=[prior],
            files=[stamped],
        )
    # The document, its link and its file were written, then rolled back; the record stays.
    assert list(Document.objects.values_list("symbol", flat=True)) == ["1-TB/TU"]
    assert not prior.implemented_by.exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CLASSIFIED_REFUSED)
    assert event.detail == {
        "symbol": "16-NQ/TU",
        "filename": "nghi-quyet.docx",
        "marker": "Tối mật",
    }


def test_it_refuses_a_stamped_pdf_attached_later(world, media_root):
    from trienkhai.documents.services import document_attach_file

    doc = document_create(owner=world.city, by=None, symbol="17-NQ/TU")
    pdf = upload("scan.pdf", make_pdf(["THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH", "MẬT", "Số 17-NQ/TU"]))
    with pytest.raises(DomainError):
        document_attach_file(document=doc, upload=pdf, by=world.city_leader)
    assert not doc.files.exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CLASSIFIED_REFUSED).count() == 1
    stored = list(media_root.rglob("*.*")) if media_root.exists() else []
    assert stored == []


def test_it_refuses_an_edit_that_adds_a_classification(world):
    doc = document_create(owner=world.city, by=None, symbol="18-NQ/TU")
    with pytest.raises(DomainError):
        document_update(document=doc, by=world.city_leader, text="TỐI MẬT\nNội dung")
    doc.refresh_from_db()
    assert doc.text == ""
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CLASSIFIED_REFUSED).exists()


def test_ordinary_words_with_mat_are_accepted(world):
    doc = document_create(
        owner=world.city,
        by=world.city_leader,
        symbol="19-KH/TU",
        title="Kế hoạch giảm mật độ dân cư khu trung tâm",
        summary="Giữ bí mật nhà nước, đổi mật khẩu định kỳ; quan hệ mật thiết với Nhân dân.",
        text="QUY CHẾ BẢO VỆ BÍ MẬT NHÀ NƯỚC\nĐộ mật: Thường\nMật độ xây dựng...",
        files=[upload("ke-hoach.docx", make_docx(["Mật độ dân số", "bí mật nhà nước"]))],
    )
    assert doc.pk and doc.files.count() == 1
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CLASSIFIED_REFUSED).exists()


def test_it_requires_a_symbol_a_title_or_a_summary(world):
    with pytest.raises(DomainError):
        document_create(owner=world.city, by=world.city_leader)
