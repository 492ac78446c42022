"""My work, the assignment page, the one-minute update, evidence files and reopening."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.urls import reverse

from trienkhai.accounts.models import AuditEvent
from trienkhai.core.testing import make_user
from trienkhai.documents.services import document_create
from trienkhai.documents.tests.conftest import make_pdf, upload
from trienkhai.tasks.models import Assignment, ProgressUpdate, UpdateFile
from trienkhai.tasks.services import assignment_update, target_add, task_create
from trienkhai.tasks.testing import TODAY, build_cascade

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2020, 8, 25, 10, 0), tick=False):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def c(world):
    return build_cascade(world)


def _body(response) -> str:
    return response.content.decode()


def _update(client, a: Assignment, **data):
    payload = {"text": "", "progress": "0", "reason": "", "version": str(a.version)}
    payload.update(data)
    return client.post(reverse("tasks:update", args=[a.pk]), payload)


# --- my work ---------------------------------------------------------------------------------


def test_my_work_lists_the_wards_assignments_open_first_by_due_date(c, world, login):
    response = login(world.ward_officer).get(reverse("tasks:assignments"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows == [c.study_bt, c.plan_bt]  # the cell's work is the cell's, not the ward's
    assert rows[0].live == Assignment.Bucket.OVERDUE and rows[0].late == 25
    assert reverse("tasks:update", args=[c.plan_bt.pk]) in _body(response)


def test_done_work_comes_after_open_work(c, world, login):
    rows = login(world.other_ward_officer).get(reverse("tasks:assignments")).context["rows"]
    assert rows == [c.study_td, c.plan_td]
    assert not rows[1].can_update  # done: nothing to update


def test_my_work_filters_by_status(c, world, login):
    client = login(world.ward_officer)
    url = reverse("tasks:assignments")
    assert client.get(url, {"status": "overdue"}).context["rows"] == [c.study_bt]
    assert client.get(url, {"status": "within"}).context["rows"] == [c.plan_bt]
    assert client.get(url, {"status": "done"}).context["rows"] == []
    assert client.get(url, {"status": "'; drop table"}).status_code == 200


def test_my_work_filters_by_period(c, world, login):
    pc_officer = make_user("canbo.ubnd", unit=world.city_pc)
    client = login(pc_officer)
    url = reverse("tasks:assignments")
    assert client.get(url, {"period": "2020"}).context["rows"] == [c.report_pc]
    assert client.get(url, {"period": "2019"}).context["rows"] == [c.report_pc]  # not a choice


def test_leaders_also_see_what_is_reported_to_their_unit(c, world, login):
    client = login(world.city_leader)
    url = reverse("tasks:assignments")
    assert client.get(url).context["rows"] == []  # the City itself has no assignment
    rows = client.get(url, {"scope": "reported"}).context["rows"]
    assert set(rows) == {c.plan_bt, c.plan_td, c.study_bt, c.study_td, c.report_pc}
    assert "scope" not in login(world.ward_officer).get(url).context["form"].fields


def test_my_work_queries_do_not_grow(c, world, login, django_assert_max_num_queries):
    client = login(world.ward_officer)
    with django_assert_max_num_queries(10):
        client.get(reverse("tasks:assignments"))
    for i in range(10):
        task = task_create(issuer=world.city, by=None, title=f"Việc {i}", due_date=TODAY)
        target_add(task=task, by=None, mode="units", units=[world.ben_thanh])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tasks:assignments"))
    assert len(response.context["rows"]) == 12


def test_another_ward_never_sees_ben_thanhs_work(c, world, login):
    client = login(world.other_ward_officer)
    body = _body(client.get(reverse("tasks:assignments")))
    assert reverse("tasks:assignment", args=[c.plan_bt.pk]) not in body
    for name in ("assignment", "update", "tree_children"):
        assert client.get(reverse(f"tasks:{name}", args=[c.plan_bt.pk])).status_code == 404
    assert _update(client, c.plan_bt, text="x", progress="10").status_code == 404
    post = client.post(reverse("tasks:assignment_programs", args=[c.plan_bt.pk]))
    assert post.status_code == 404


# --- the assignment page ---------------------------------------------------------------------


def test_the_assignment_page_shows_status_progress_and_history(c, world, login):
    response = login(world.ward_officer).get(reverse("tasks:assignment", args=[c.study_bt.pk]))
    assert response.status_code == 200
    body = _body(response)
    assert "Đã tổ chức hội nghị cho cán bộ chủ chốt" in body
    assert "Chờ tài liệu hướng dẫn của Ban Tuyên giáo" in body
    assert 'value="60"' in body  # the progress bar
    assert reverse("tasks:update", args=[c.study_bt.pk]) in body
    assert f"{reverse('tasks:create')}?parent={c.study_bt.pk}" in body
    assert response.context["a"].late == 25


def test_the_assignment_page_lists_its_breakdown(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:assignment", args=[c.plan_bt.pk]))
    assert response.context["subtasks"] == [c.sub]
    assert response.context["subtasks"][0].counts.total == 1
    assert not response.context["can_update"]  # the City reads, the ward reports


def test_the_done_plan_links_its_output_and_offers_reopening_to_the_issuer(c, world, login):
    response = login(world.city_leader).get(reverse("tasks:assignment", args=[c.plan_td.pk]))
    body = _body(response)
    assert reverse("documents:detail", args=[c.chain.plan_td.pk]) in body
    assert reverse("tasks:reopen", args=[c.plan_td.pk]) in body
    officer = login(world.other_ward_officer).get(reverse("tasks:assignment", args=[c.plan_td.pk]))
    assert reverse("tasks:reopen", args=[c.plan_td.pk]) not in _body(officer)


def test_the_assignment_page_queries_are_bounded(c, world, login, django_assert_max_num_queries):
    client = login(world.ward_officer)
    for i in range(5):
        assignment_update(assignment=c.plan_bt, by=None, text=f"Lần {i}", progress=40 + i)
    with django_assert_max_num_queries(20):
        client.get(reverse("tasks:assignment", args=[c.plan_bt.pk]))


# --- the one-minute update -------------------------------------------------------------------


def test_sending_progress_records_it_and_returns_to_the_assignment(c, world, login):
    client = login(world.ward_officer)
    page = client.get(reverse("tasks:update", args=[c.plan_bt.pk]))
    assert page.context["form"]["version"].value() == c.plan_bt.version
    response = _update(client, c.plan_bt, text="Đã trình dự thảo", progress="70")
    assert response.status_code == 302
    assert response.url == reverse("tasks:assignment", args=[c.plan_bt.pk])
    c.plan_bt.refresh_from_db()
    assert c.plan_bt.progress == 70 and c.plan_bt.state == Assignment.State.IN_PROGRESS
    assert c.plan_bt.updates.first().by == world.ward_officer


def test_a_late_update_without_reason_keeps_the_text(c, world, login):
    client = login(world.ward_officer)
    page = client.get(reverse("tasks:update", args=[c.study_td.pk]))  # wrong ward
    assert page.status_code == 404
    other = login(world.other_ward_officer)
    page = other.get(reverse("tasks:update", args=[c.study_td.pk]))
    assert page.context["needs_reason"]  # said above the field before anything is typed
    response = _update(other, c.study_td, text="Đã học tập nghị quyết ở 3 chi bộ", progress="30")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert "Đã học tập nghị quyết ở 3 chi bộ" in _body(response)
    assert 'value="30"' in _body(response)
    assert not c.study_td.updates.exists()
    response = _update(other, c.study_td, text="Đã học tập", progress="30", reason="Chờ tài liệu")
    assert response.status_code == 302


def test_completing_a_plan_with_the_units_kh(c, world, login):
    client = login(world.ward_officer)
    page = client.get(reverse("tasks:update", args=[c.plan_bt.pk]))
    choices = list(page.context["form"].fields["output_document"].queryset)
    assert choices == [c.chain.plan_bt]  # the ward's own documents only
    assert "KH" in _body(page)  # the type that completes it is named
    response = _update(
        client,
        c.plan_bt,
        text="Đã ban hành kế hoạch",
        progress="90",
        completed="on",
        completed_on="24/08/2020",
        output_document=str(c.chain.plan_bt.pk),
    )
    assert response.status_code == 302
    c.plan_bt.refresh_from_db()
    assert c.plan_bt.is_done and c.plan_bt.progress == 100
    assert c.plan_bt.completed_on == dt.date(2020, 8, 24)
    assert c.plan_bt.output_document == c.chain.plan_bt
    assert c.plan_bt.bucket == Assignment.Bucket.DONE_ON_TIME
    tracker = login(world.city_leader).get(reverse("tasks:plans", args=[c.plan.pk]))
    assert tracker.context["counts"].done_on_time == 2


def test_the_output_must_be_of_the_expected_type(c, world, login):
    report = document_create(
        owner=world.ben_thanh, by=None, symbol="20-BC/ĐU", issue_date=dt.date(2020, 8, 20)
    )
    client = login(world.ward_officer)
    response = _update(
        client, c.plan_bt, text="Xong", progress="100", completed="on", output_document=report.pk
    )
    assert response.status_code == 200
    assert "output_document" in response.context["form"].errors
    assert not Assignment.objects.get(pk=c.plan_bt.pk).is_done


def test_another_wards_document_is_not_a_choice(c, world, login):
    response = _update(
        login(world.ward_officer),
        c.plan_bt,
        text="Xong",
        progress="100",
        completed="on",
        output_document=str(c.chain.plan_td.pk),
    )
    assert "output_document" in response.context["form"].errors


def test_a_stale_form_keeps_the_text_and_can_be_sent_again(c, world, login):
    client = login(world.ward_officer)
    old_version = c.plan_bt.version
    assignment_update(assignment=c.plan_bt, by=world.ward_officer, text="Đồng nghiệp", progress=50)
    response = client.post(
        reverse("tasks:update", args=[c.plan_bt.pk]),
        {"text": "Bản của tôi", "progress": "60", "version": str(old_version)},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Bản của tôi" in _body(response)
    fresh = response.context["form"]["version"].value()
    assert str(fresh) == str(old_version + 1)
    again = client.post(
        reverse("tasks:update", args=[c.plan_bt.pk]),
        {"text": "Bản của tôi", "progress": "60", "version": fresh},
    )
    assert again.status_code == 302


def test_progress_must_be_a_percentage(c, world, login):
    response = _update(login(world.ward_officer), c.plan_bt, text="Xong", progress="150")
    assert "progress" in response.context["form"].errors


def test_a_done_assignment_shows_no_form(c, world, login):
    response = login(world.other_ward_officer).get(reverse("tasks:update", args=[c.plan_td.pk]))
    assert response.status_code == 200
    assert 'name="text"' not in _body(response)


# --- evidence --------------------------------------------------------------------------------


def _send_with_evidence(client, a: Assignment, *files):
    return client.post(
        reverse("tasks:update", args=[a.pk]),
        {"text": "Kèm biên bản hội nghị", "progress": "50", "version": a.version, "files": files},
    )


def test_evidence_files_are_stored_and_downloaded_by_readers(c, world, login, media_root):
    content = make_pdf(["Biên bản hội nghị"])
    client = login(world.ward_officer)
    response = _send_with_evidence(
        client, c.plan_bt, upload("bien-ban.pdf", content), upload("anh.pdf", make_pdf())
    )
    assert response.status_code == 302
    stored = UpdateFile.objects.get(original_name="bien-ban.pdf")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert "bien-ban" not in stored.file.name  # a random name on disk
    page = client.get(reverse("tasks:assignment", args=[c.plan_bt.pk]))
    assert reverse("tasks:evidence", args=[stored.pk]) in _body(page)
    for user in (world.ward_officer, world.city_leader):
        download = login(user).get(reverse("tasks:evidence", args=[stored.pk]))
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment")
        assert b"".join(download.streaming_content) == content
    assert (
        login(world.other_ward_officer).get(reverse("tasks:evidence", args=[stored.pk])).status_code
        == 404
    )


def test_a_refused_file_keeps_the_text_and_records_the_refusal(c, world, login):
    client = login(world.ward_officer)
    response = _send_with_evidence(client, c.plan_bt, upload("bao-cao.pdf", b"<html>x</html>"))
    assert response.status_code == 200
    assert "files" in response.context["form"].errors
    assert "Kèm biên bản hội nghị" in _body(response)
    assert not ProgressUpdate.objects.filter(text="Kèm biên bản hội nghị").exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.UPLOAD_REFUSED).exists()


def test_a_changed_evidence_file_is_not_served(c, world, login, media_root):
    client = login(world.ward_officer)
    _send_with_evidence(client, c.plan_bt, upload("bien-ban.pdf", make_pdf()))
    stored = UpdateFile.objects.get()
    (media_root / stored.file.name).write_bytes(b"%PDF-1.4 tampered")
    response = client.get(reverse("tasks:evidence", args=[stored.pk]))
    assert response.status_code == 409
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.FILE_TAMPERED, detail__evidence=stored.pk
    ).exists()


# --- reopening and programs ------------------------------------------------------------------


def test_the_issuer_reopens_a_done_assignment_with_a_reason(c, world, login):
    client = login(world.city_leader)
    url = reverse("tasks:reopen", args=[c.plan_td.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and "reason" in empty.context["reopen_form"].errors
    response = client.post(url, {"reason": "Kế hoạch chưa có lộ trình"})
    assert response.status_code == 302
    c.plan_td.refresh_from_db()
    assert c.plan_td.state == Assignment.State.IN_PROGRESS


def test_only_the_issuer_can_reopen(c, world, login):
    url = reverse("tasks:reopen", args=[c.plan_td.pk])
    assert login(world.other_ward_officer).post(url, {"reason": "x"}).status_code == 404
    assert login(world.ward_officer).post(url, {"reason": "x"}).status_code == 404
    assert login(world.city_leader).get(url).status_code == 405


def test_the_unit_links_its_assignment_to_a_program(c, world, login):
    client = login(world.ward_officer)
    response = client.post(
        reverse("tasks:assignment_programs", args=[c.study_bt.pk]), {"programs": [c.program.pk]}
    )
    assert response.status_code == 302
    assert list(c.study_bt.programs.all()) == [c.program]
    leader = login(world.city_leader).get(reverse("tasks:assignment", args=[c.study_bt.pk]))
    assert reverse("tasks:program", args=[c.program.pk]) in _body(leader)
