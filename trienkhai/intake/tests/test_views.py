"""The "New from text" pages over HTTP: paste or upload → review → confirm."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfWriter

from trienkhai.accounts.models import AuditEvent, Membership
from trienkhai.documents.models import Document
from trienkhai.documents.tests.conftest import make_docx, make_pdf
from trienkhai.intake.reading import MAX_TEXT_CHARS
from trienkhai.intake.tests.helpers import SEED_TEXT, form_data, row_index
from trienkhai.tasks.models import Assignment, Target, Task
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create

NEW = "/intake/"
CONFIRM = "/intake/confirm/"
PROGRAM_WHO = "Ban cán sự đảng UBND TP"


@pytest.fixture(autouse=True)
def _june_2020():
    with time_machine.travel(dt.datetime(2020, 6, 5, 9, 0), tick=False):
        yield


def _written() -> tuple[int, ...]:
    return (
        Document.objects.count(),
        Document.history.count(),
        Task.objects.count(),
        Target.objects.count(),
        Assignment.objects.count(),
        AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).count(),
    )


def _review(client, text: str = SEED_TEXT):
    response = client.post(NEW, {"text": text})
    assert response.status_code == 200
    assert "intake/review.html" in [t.name for t in response.templates]
    return response


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- who may use it -----------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, world):
    for url in (NEW, CONFIRM):
        response = client.post(url, {"text": SEED_TEXT})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_observer_is_told_why_and_nothing_is_read(world, login):
    c = login(world.observer)
    response = c.get(NEW)
    assert response.status_code == 403
    assert "Chỉ cán bộ và lãnh đạo của một đơn vị" in response.content.decode()
    assert c.post(NEW, {"text": SEED_TEXT}).status_code == 403
    assert c.post(CONFIRM, {"doc-text": SEED_TEXT}).status_code == 403


def test_confirm_answers_only_post(world, login):
    assert login(world.city_leader).get(CONFIRM).status_code == 405


def test_the_paste_page_reads_well(world, login):
    response = login(world.ward_officer).get(NEW)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tạo từ văn bản" in html and "Đọc văn bản" in html
    assert 'enctype="multipart/form-data"' in html


# --- reading -------------------------------------------------------------------------------


def test_the_review_proposes_the_seeds_tasks_and_creates_nothing(world, chain, login):
    before = _written()
    response = _review(login(world.city_leader))
    html = response.content.decode()
    assert "xây dựng Chương trình hành động của Thành ủy" in html
    assert "Khóa không khớp với ngày ban hành" in html
    assert "52-NQ/TW ngày 27/09/2014 không thuộc khóa XII." in html
    assert '<mark class="hl-deadline"' in html and '<a class="tnum" id="src-3"' in html
    data = form_data(response)
    i = row_index(data, PROGRAM_WHO)
    assert data[f"task-{i}-due_date"] == ["30/06/2020"]
    assert data[f"task-{i}-deadline_text"] == ["trong quý II năm 2020"]
    assert data["doc-issue_date"] == ["03/06/2020"]
    assert sorted(data["doc-implements"]) == sorted([str(chain.nq52.pk), str(chain.hd116.pk)])
    assert _written() == before


def test_script_in_the_text_is_shown_as_text(world, login):
    text = SEED_TEXT.replace("H.Thảo", '<script>alert("x")</script><img src=x onerror=alert(1)>')
    html = _review(login(world.city_leader), text).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_an_empty_or_too_long_text_is_refused_with_a_clear_message(world, login):
    c = login(world.city_leader)
    html = c.post(NEW, {"text": "   "}).content.decode()
    assert "Hãy dán nội dung văn bản hoặc chọn tệp .docx, .pdf." in html
    too_long = "a" * (MAX_TEXT_CHARS + 1)
    response = c.post(NEW, {"text": too_long})
    assert response.status_code == 200
    assert "Văn bản quá dài" in response.content.decode()


def test_a_classified_text_is_refused_and_audited(world, login):
    response = login(world.city_leader).post(NEW, {"text": "MẬT\n\n" + SEED_TEXT})
    html = response.content.decode()
    assert "intake/review.html" not in [t.name for t in response.templates]
    assert "Văn bản này có đóng dấu độ mật “Mật”" in html
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CLASSIFIED_REFUSED).exists()


# --- uploads -------------------------------------------------------------------------------


def test_a_docx_is_read(world, login):
    lines = SEED_TEXT.split("\n")
    upload = _upload("thu-52.docx", make_docx(lines))
    response = login(world.city_leader).post(NEW, {"file": upload})
    assert response.status_code == 200
    assert "xây dựng Chương trình hành động của Thành ủy" in response.content.decode()


def test_a_pdf_with_text_is_read(world, login):
    lines = [
        "Ban Thường vụ Thành ủy yêu cầu:",
        "1. Đảng ủy phường Bến Thành xây dựng kế hoạch, hoàn thành trước ngày 30/6/2020.",
    ]
    upload = _upload("kh.pdf", make_pdf(lines), "application/pdf")
    response = login(world.ward_officer).post(NEW, {"file": upload, "date": "03/06/2020"})
    data = form_data(response)
    assert data["task-0-who"] == ["Đảng ủy phường Bến Thành"]
    assert data["task-0-due_date"] == ["30/06/2020"]
    assert data["task-0-units"] == [str(world.ben_thanh.pk)]


def test_a_scanned_pdf_gets_the_clear_message(world, login):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    upload = _upload("scan.pdf", out.getvalue(), "application/pdf")
    html = login(world.city_leader).post(NEW, {"file": upload}).content.decode()
    assert "không có lớp chữ (là ảnh quét)" in html


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("thu.txt", "Kính gửi".encode(), "type_not_allowed"),
        ("thu.pdf", b"<html><script>alert(1)</script></html>", "content_mismatch"),
        ("bang.xlsx", b"PK\x03\x04not really", "type_not_allowed"),
    ],
)
def test_a_refused_upload_is_audited(world, login, name, content, reason):
    response = login(world.city_leader).post(NEW, {"file": _upload(name, content)})
    assert response.status_code == 200
    assert "intake/review.html" not in [t.name for t in response.templates]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.UPLOAD_REFUSED)
    assert event.detail == {"reason": reason} and event.user == world.city_leader


# --- confirming ----------------------------------------------------------------------------


def test_confirming_creates_the_document_and_the_ticked_tasks(world, chain, cadre_committee, login):
    c = login(world.city_leader)
    data = form_data(_review(c))
    i = row_index(data, PROGRAM_WHO)
    assert data[f"task-{i}-units"] == [str(cadre_committee.pk)]
    data["task-0-keep"] = []  # the officer removes the first task
    response = c.post(CONFIRM, data)
    assert response.status_code == 302
    doc = Document.objects.latest("pk")
    assert response["Location"] == f"/tasks/?document={doc.pk}"
    assert doc.title.startswith("Xây dựng chương trình, kế hoạch hành động")
    assert doc.issue_date == dt.date(2020, 6, 3) and doc.owner == world.city
    assert set(doc.implements.all()) == {chain.nq52, chain.hd116}
    tasks = list(doc.tasks.order_by("pk"))
    assert len(tasks) == int(data["task-TOTAL_FORMS"][0]) - 2  # minus the removed and blank rows
    assert not any(t.title.startswith("Tổ chức triển khai nghiên cứu") for t in tasks)
    program = next(t for t in tasks if "Chương trình hành động của Thành ủy" in t.title)
    assert program.due_date == dt.date(2020, 6, 30) and program.kind == Task.Kind.PLAN
    assert [a.unit for a in program.assignments.all()] == [cadre_committee]
    page = c.get(response["Location"]).content.decode()
    assert "Đã đăng ký văn bản" in page and "Chỉ đạo UBND TP tham mưu" in page


def test_a_task_added_in_the_blank_row_is_created(world, chain, login):
    c = login(world.city_leader)
    data = form_data(_review(c))
    for key in [k for k in data if k.endswith("-keep")]:
        data[key] = []
    blank = int(data["task-TOTAL_FORMS"][0]) - 1
    data.update(
        {
            f"task-{blank}-keep": ["on"],
            f"task-{blank}-title": ["Sơ kết 6 tháng việc thực hiện Nghị quyết 52"],
            f"task-{blank}-kind": ["report"],
            f"task-{blank}-deadline_text": ["trước ngày 15/12/2020"],
            f"task-{blank}-units": [str(world.ben_thanh.pk)],
        }
    )
    assert c.post(CONFIRM, data).status_code == 302
    task = Task.objects.get()
    assert task.title == "Sơ kết 6 tháng việc thực hiện Nghị quyết 52"
    assert task.due_date == dt.date(2020, 12, 15)
    assert [a.unit for a in task.assignments.all()] == [world.ben_thanh]


def test_a_wrong_date_shows_the_whole_review_again_with_what_was_typed(world, chain, login):
    c = login(world.city_leader)
    data = form_data(_review(c))
    i = row_index(data, PROGRAM_WHO)
    data[f"task-{i}-due_date"] = ["31/02/2020"]
    data[f"task-{i}-title"] = ["Tên do cán bộ sửa"]
    data["doc-symbol"] = ["99-TB/TU"]
    before = _written()
    response = c.post(CONFIRM, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Chưa có gì được tạo" in html
    assert 'value="31/02/2020"' in html and "Tên do cán bộ sửa" in html
    assert 'value="99-TB/TU"' in html
    assert '<mark class="hl-deadline"' in html  # the highlighted text is back too
    assert _written() == before


def test_a_refused_rule_is_shown_on_its_row_and_nothing_is_created(world, chain, login):
    c = login(world.city_leader)
    data = form_data(_review(c))
    i = row_index(data, PROGRAM_WHO)
    data[f"task-{i}-rule_on"] = ["on"]
    data[f"task-{i}-rule_kinds"] = [Unit.Kind.CADRE_COMMITTEE]  # none in the test tree
    before = _written()
    response = c.post(CONFIRM, data)
    assert response.status_code == 200
    form = response.context["formset"].forms[i]
    assert form.errors["rule_kinds"] == ["Không có đơn vị nào đang hoạt động phù hợp quy tắc này."]
    assert "Chưa có gì được tạo" in response.content.decode()
    assert _written() == before


def test_the_document_needs_a_symbol_or_a_title(world, chain, login):
    c = login(world.city_leader)
    data = form_data(_review(c))
    data["doc-title"] = [""]
    response = c.post(CONFIRM, data)
    assert response.context["doc_form"].errors["title"]
    data["doc-title"] = ["Thư"]
    data["doc-symbol"] = ["2156-CV/TU"]  # already registered by the City in 2020
    response = c.post(CONFIRM, data)
    assert "đã được đăng ký" in response.context["doc_form"].errors["symbol"][0]
    assert not Task.objects.exists()


def test_removing_every_task_creates_nothing(world, chain, login):
    c = login(world.city_leader)
    data = form_data(_review(c))
    for key in [k for k in data if k.endswith("-keep")]:
        data[key] = []
    response = c.post(CONFIRM, data)
    assert response.status_code == 200
    assert "Hãy giữ ít nhất một nhiệm vụ" in response.content.decode()
    assert not Document.objects.filter(owner=world.city, title__startswith="Xây dựng").exists()


def test_line_ends_posted_as_crlf_are_normalized(world, chain, login):
    c = login(world.city_leader)
    data = form_data(_review(c))
    data["doc-text"] = [data["doc-text"][0].replace("\n", "\r\n")]
    assert c.post(CONFIRM, data).status_code == 302
    doc = Document.objects.latest("pk")
    assert "\r" not in doc.text and doc.text == SEED_TEXT


def test_a_lost_text_sends_back_to_the_paste_page(world, login):
    response = login(world.city_leader).post(CONFIRM, {"doc-text": ""})
    assert response.status_code == 302 and response["Location"] == NEW


# --- scoping -------------------------------------------------------------------------------


def test_a_ward_officer_cannot_target_another_wards_unit(world, chain, login):
    c = login(world.ward_officer)
    data = form_data(_review(c))
    assert data["doc-issuer"] == [str(world.ben_thanh.pk)]
    i = row_index(data, PROGRAM_WHO)
    data[f"task-{i}-units"] = [str(world.tan_dinh.pk)]
    before = _written()
    response = c.post(CONFIRM, data)
    assert response.status_code == 200
    assert response.context["formset"].forms[i].errors["units"]
    assert _written() == before


def test_a_ward_officer_cannot_issue_for_the_city(world, chain, login):
    c = login(world.ward_officer)
    data = form_data(_review(c))
    data["doc-issuer"] = [str(world.city.pk)]
    before = _written()
    response = c.post(CONFIRM, data)
    assert response.context["doc_form"].errors["issuer"]
    assert _written() == before


def test_a_unit_in_reach_but_not_under_the_issuer_is_refused_on_its_row(world, chain, login):
    """Staff of Bến Thành who also observes the City reads Tân Định, but cannot task it."""
    Membership.objects.create(user=world.ward_officer, unit=world.city, role="observer")
    c = login(world.ward_officer)
    data = form_data(_review(c))
    assert data["doc-issuer"] == [str(world.ben_thanh.pk)]
    i = row_index(data, PROGRAM_WHO)
    data[f"task-{i}-units"] = [str(world.tan_dinh.pk)]
    before = _written()
    response = c.post(CONFIRM, data)
    assert response.status_code == 200
    [error] = response.context["formset"].forms[i].errors["units"]
    assert error.startswith("Đảng ủy phường Tân Định không trực thuộc Đảng ủy phường Bến Thành")
    assert _written() == before
    data[f"task-{i}-units"] = [str(world.ben_thanh_cell.pk)]
    assert c.post(CONFIRM, data).status_code == 302


def test_documents_the_user_cannot_read_are_not_linked(world, chain, login):
    c = login(world.other_ward_officer)
    data = form_data(_review(c, SEED_TEXT.replace("116-HD/BTGTW", "15-KH/ĐU")))
    data["doc-implements"] = [str(chain.plan_bt.pk)]  # Bến Thành's plan: not Tân Định's
    response = c.post(CONFIRM, data)
    assert response.status_code == 200
    assert response.context["doc_form"].errors["implements"]
    assert not Task.objects.exists()


# --- queries -------------------------------------------------------------------------------


def test_the_review_queries_do_not_grow_with_the_tree(
    world, chain, login, django_assert_max_num_queries
):
    c = login(world.city_leader)
    with django_assert_max_num_queries(14):
        _review(c)
    for i in range(40):
        ward = unit_create(parent=world.city, name=f"Đảng ủy phường {i}", kind="party_committee")
        unit_create(parent=ward, name=f"Ủy ban nhân dân phường {i}", kind="peoples_committee")
    with django_assert_max_num_queries(14):
        _review(c)


def test_confirm_queries_do_not_grow_with_the_units_reached(world, chain, login):
    c = login(world.city_leader)

    def confirm() -> int:
        data = form_data(_review(c))
        with CaptureQueriesContext(connection) as ctx:
            assert c.post(CONFIRM, data).status_code == 302
        return len(ctx.captured_queries)

    small = confirm()
    for i in range(40):
        ward = unit_create(parent=world.city, name=f"Đảng ủy phường {i}", kind="party_committee")
        unit_create(parent=ward, name=f"Chi bộ {i}", kind="grassroots")
    large = confirm()
    assert Assignment.objects.count() > 200
    assert large <= small + 5, (small, large)
