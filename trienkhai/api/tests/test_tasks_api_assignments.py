"""The assignments API: scoped lists with truthful statuses, and actions through the services.

The cascade of ``tasks.testing`` on 25/08/2020: the daily sweep has not run, so the stored
status of Tân Định's study assignment and of the cell's plan still says "not started" while
both are overdue. The API must tell the truth.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from trienkhai.documents.services import document_create
from trienkhai.documents.tests.conftest import make_png
from trienkhai.tasks.models import Assignment, ProgressUpdate, Target, Task, UpdateFile
from trienkhai.tasks.services import target_add, task_create
from trienkhai.tasks.testing import TODAY, build_cascade
from trienkhai.units.services import unit_create

URL = "/api/v1/assignments/"


@pytest.fixture
def cascade(world):
    built = build_cascade(world)
    with time_machine.travel(dt.datetime(2020, 8, 25, 9, 0), tick=False):
        yield built


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {a["id"] for a in response.json()["results"]}


def _token_client(client, user):
    token = Token.objects.create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


# --- reading ---------------------------------------------------------------------------------


def test_anonymous_gets_nothing(client, cascade):
    assert client.get(URL).status_code in (401, 403)
    assert client.get(f"{URL}{cascade.plan_bt.pk}/").status_code in (401, 403)


def test_the_ward_officer_lists_the_assignments_of_their_subtree(world, cascade, login):
    ids = _ids(login(world.ward_officer).get(URL))
    assert ids == {cascade.plan_bt.pk, cascade.study_bt.pk, cascade.sub_cell.pk}


def test_a_tan_dinh_token_cannot_reach_ben_thanh_s_assignments(world, cascade, client):
    client = _token_client(client, world.other_ward_officer)
    ids = _ids(client.get(URL))
    assert ids == {cascade.plan_td.pk, cascade.study_td.pk}
    pk = cascade.study_bt.pk
    assert client.get(f"{URL}{pk}/").status_code == 404
    assert client.get(f"{URL}{pk}/updates/").status_code == 404
    assert client.get(URL, {"subtree": world.ben_thanh.pk}).status_code == 404
    assert _ids(client.get(URL, {"unit": world.ben_thanh.pk})) == set()
    assert _ids(client.get(URL, {"task": cascade.sub.pk})) == set()
    for action in ("update", "complete", "reopen", "cascade"):
        response = _post(client, f"{URL}{pk}/{action}/", {"text": "x", "reason": "x"})
        assert response.status_code == 404, action
    assert not ProgressUpdate.objects.filter(text="x").exists()


def test_one_assignment_reads_with_its_status_today(world, cascade, login):
    response = login(world.other_ward_officer).get(f"{URL}{cascade.study_td.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["unit"] == {
        "id": world.tan_dinh.pk,
        "name": world.tan_dinh.name,
        "short_name": world.tan_dinh.short_name,
    }
    assert body["task"]["id"] == cascade.study.pk and body["task"]["kind"] == "study"
    assert body["report_to"] == world.city.pk
    # The stored bucket lags until the sweep; the API says what is true today.
    assert Assignment.objects.get(pk=cascade.study_td.pk).bucket == "not_started"
    assert body["state"] == "not_started"
    assert (body["status"], body["days_overdue"]) == ("overdue", 25)
    assert body["due_date"] == "2020-07-31"
    assert body["version"] == cascade.study_td.version


def test_the_subtree_filter_reaches_every_level_below(world, cascade, login):
    client = login(world.city_leader)
    assert _ids(client.get(URL, {"subtree": world.ben_thanh.pk})) == {
        cascade.plan_bt.pk,
        cascade.study_bt.pk,
        cascade.sub_cell.pk,
    }
    assert _ids(client.get(URL, {"subtree": world.ben_thanh_cell.pk})) == {cascade.sub_cell.pk}
    assert client.get(URL, {"subtree": 999999}).status_code == 404


def test_statuses_are_computed_on_the_day_not_read_from_the_stored_bucket(world, cascade, login):
    client = login(world.city_leader)
    overdue = {cascade.study_bt.pk, cascade.study_td.pk, cascade.sub_cell.pk}
    assert _ids(client.get(URL, {"status": "overdue"})) == overdue
    assert _ids(client.get(URL, {"overdue": "true", "subtree": world.city.pk})) == overdue
    assert _ids(client.get(URL, {"status": "not_started"})) == {cascade.report_pc.pk}
    assert _ids(client.get(URL, {"status": "in_progress"})) == {cascade.plan_bt.pk}
    assert _ids(client.get(URL, {"status": "done_on_time"})) == {cascade.plan_td.pk}
    assert _ids(client.get(URL, {"status": "done_late"})) == set()
    assert _ids(client.get(URL, {"overdue": "false"})) == {
        cascade.plan_bt.pk,
        cascade.plan_td.pk,
        cascade.report_pc.pk,
    }
    rows = client.get(URL, {"overdue": "true"}).json()["results"]
    assert {r["status"] for r in rows} == {"overdue"}
    assert _ids(client.get(URL, {"overdue": "true", "status": "overdue"})) == overdue
    assert _ids(client.get(URL, {"overdue": "true", "status": "in_progress"})) == set()
    assert _ids(client.get(URL, {"overdue": "false", "status": "in_progress"})) == {
        cascade.plan_bt.pk
    }


def test_it_filters_by_task_unit_dates_and_period(world, cascade, login):
    client = login(world.city_leader)
    assert _ids(client.get(URL, {"task": cascade.study.pk})) == {
        cascade.study_bt.pk,
        cascade.study_td.pk,
    }
    assert _ids(client.get(URL, {"unit": world.tan_dinh.pk})) == {
        cascade.plan_td.pk,
        cascade.study_td.pk,
    }
    assert _ids(client.get(URL, {"due_before": "2020-08-20"})) == {
        cascade.study_bt.pk,
        cascade.study_td.pk,
        cascade.sub_cell.pk,
    }
    assert _ids(client.get(URL, {"due_after": "2020-09-01"})) == {cascade.report_pc.pk}
    assert _ids(client.get(URL, {"period": "2020"})) == {cascade.report_pc.pk}


def test_it_orders_only_by_allowed_keys(world, cascade, login):
    client = login(world.city_leader)
    dues = [r["due_date"] for r in client.get(URL).json()["results"]]
    assert dues == sorted(dues)
    dues = [r["due_date"] for r in client.get(URL, {"ordering": "-due_date"}).json()["results"]]
    assert dues == sorted(dues, reverse=True)
    names = [r["unit"]["name"] for r in client.get(URL, {"ordering": "unit"}).json()["results"]]
    assert names == sorted(names)


@pytest.mark.parametrize(
    "params",
    [
        {"ordering": "unit__memberships__user__password"},
        {"ordering": "-unit__memberships__user__password"},
        {"ordering": "?"},
        {"status": "bogus"},
        {"subtree": "abc"},
        {"subtree": str(10**30)},
        {"unit": "1 OR 1=1"},
        {"task": "-1"},
        {"due_before": "2020-13-01"},
        {"overdue": "maybe"},
        {"period": "p" * 50},
    ],
)
def test_malformed_or_hostile_filters_are_400_with_a_reason(world, cascade, login, params):
    response = login(world.city_leader).get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_unknown_parameters_are_ignored(world, cascade, login):
    client = login(world.other_ward_officer)
    plain = client.get(URL).json()
    for params in (
        {"_connector": "OR"},
        {"_negated": "1", "unit__path__startswith": ""},
        {"unit__memberships__user__password__startswith": "pbkdf2"},
        {"report_to__in": str(world.ben_thanh.pk)},
    ):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert response.json() == plain


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "1.5", str(10**30)])
def test_malformed_ids_are_404(world, cascade, login, pk):
    assert login(world.city_leader).get(f"{URL}{pk}/").status_code == 404


def _many_assignments(world, n_units: int = 40, n_tasks: int = 3) -> None:
    for i in range(n_units):
        unit_create(parent=world.city, name=f"Đảng ủy xã {i}", kind="party_committee")
    for t in range(n_tasks):
        task = task_create(
            issuer=world.city,
            by=None,
            title=f"Nhiệm vụ {t}",
            due_date=dt.date(2020, 7, 1 + t),
        )
        target_add(task=task, by=None, mode="rule", under=world.city, kinds=["party_committee"])


def test_pages_hold_at_most_100_and_the_query_count_stays_flat(
    world, cascade, login, django_assert_max_num_queries
):
    _many_assignments(world)
    client = login(world.city_leader)
    params = {"subtree": world.city.pk, "overdue": "true", "page_size": "1000"}
    # Session, user, memberships (with the user's own unit), page (no output documents when
    # open), and the session's "last seen" write in a savepoint. No COUNT of the subtree.
    with django_assert_max_num_queries(7):
        response = client.get(URL, params)
    body = response.json()
    assert "count" not in body
    assert len(body["results"]) == 100
    assert body["previous"] is None
    second = client.get(body["next"]).json()
    assert len(second["results"]) == 3 + 3 * 42 - 100
    assert second["next"] is None and second["previous"]
    ids = {r["id"] for r in body["results"]} | {r["id"] for r in second["results"]}
    assert len(ids) == 3 + 3 * 42
    assert len(client.get(URL, {"page_size": "7"}).json()["results"]) == 7
    for page in ("3", "abc", "0", "-1", "1e3", "9" * 30, "100001"):
        assert client.get(URL, {**params, "page": page}).status_code == 404, page


def test_the_token_list_of_overdue_work_costs_a_handful_of_queries(
    world, cascade, client, django_assert_max_num_queries
):
    _many_assignments(world)
    client = _token_client(client, world.city_leader)
    # Token and user, memberships (which bring the user's own unit), page.
    with django_assert_max_num_queries(3):
        response = client.get(
            URL, {"subtree": world.city.pk, "overdue": "true", "page_size": "100"}
        )
    assert len(response.json()["results"]) == 100


# --- progress --------------------------------------------------------------------------------


def test_the_ward_officer_reports_progress(world, cascade, login):
    a = cascade.plan_bt
    response = _post(
        login(world.ward_officer),
        f"{URL}{a.pk}/update/",
        {"text": "Đã trình Ban Thường vụ dự thảo", "progress": 80, "version": a.version},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["update"]["progress"] == 80
    assert body["update"]["by"] == str(world.ward_officer)
    assert body["assignment"]["progress"] == 80
    assert body["assignment"]["status"] == "in_progress"
    assert body["assignment"]["version"] == a.version + 1
    assert ProgressUpdate.objects.filter(assignment=a).count() == 2


def test_a_stale_version_is_409(world, cascade, login):
    a = cascade.plan_bt
    client = login(world.ward_officer)
    url = f"{URL}{a.pk}/update/"
    assert (
        _post(client, url, {"text": "Lần 1", "progress": 50, "version": a.version}).status_code
        == 201
    )
    response = _post(client, url, {"text": "Lần 2", "progress": 60, "version": a.version})
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert response.json()["field"] == "version"
    assert response.json()["detail"]
    assert Assignment.objects.get(pk=a.pk).progress == 50


def test_a_late_update_without_a_reason_is_400_on_the_reason(world, cascade, login):
    client = login(world.other_ward_officer)
    url = f"{URL}{cascade.study_td.pk}/update/"
    response = _post(client, url, {"text": "Đã tổ chức hội nghị", "progress": 30})
    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["code"]) == ("reason", "reason_required")
    assert "31/07/2020" in body["detail"]
    response = _post(
        client, url, {"text": "Đã tổ chức hội nghị", "progress": 30, "reason": "Chờ tài liệu"}
    )
    assert response.status_code == 201
    assert response.json()["assignment"]["reason"] == "Chờ tài liệu"


def test_readers_who_do_not_act_for_the_unit_cannot_update(world, cascade, login):
    for user in (world.city_leader, world.observer):
        response = _post(
            login(user), f"{URL}{cascade.plan_bt.pk}/update/", {"text": "X", "progress": 10}
        )
        assert response.status_code == 404
    assert not ProgressUpdate.objects.filter(text="X").exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"text": "x", "progress": 101},
        {"text": "x", "progress": -1},
        {"text": "x", "progress": "lots"},
        {"text": "x", "progress": 10, "version": "v2"},
        {"text": "x", "progress": 10, "version": 10**30},
        {"text": "x", "progress": 10, "completed_on": "31/08/2020"},
        {"text": "x", "progress": 10, "output_document": {"id": 1}},
        {"text": "x", "progress": 10, "files": "evil.pdf"},
        {"text": "x" * 30_000, "progress": 10},
        {"text": "   ", "progress": 10},
    ],
)
def test_bad_update_input_is_400_with_a_reason(world, cascade, login, data):
    response = _post(login(world.ward_officer), f"{URL}{cascade.plan_bt.pk}/update/", data)
    assert response.status_code == 400
    assert response.json()


def test_evidence_files_come_with_a_multipart_update(world, cascade, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(world.ward_officer)
    url = f"{URL}{cascade.plan_bt.pk}/update/"
    photo = SimpleUploadedFile("hội nghị.png", make_png(), content_type="image/png")
    response = client.post(url, {"text": "Ảnh hội nghị", "progress": "50", "files": [photo]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [f["original_name"] for f in body["update"]["files"]] == ["hội nghị.png"]
    stored = UpdateFile.objects.get()
    assert "hội" not in stored.file.name
    fake = SimpleUploadedFile("trang.png", b"<html><script>x</script></html>")
    response = client.post(url, {"text": "Giả", "progress": "55", "files": [fake]})
    assert response.status_code == 400
    assert response.json()["field"] == "files"


def test_the_ward_officer_completes_with_their_own_plan(world, cascade, login):
    response = _post(
        login(world.ward_officer),
        f"{URL}{cascade.plan_bt.pk}/complete/",
        {"output_document": cascade.chain.plan_bt.pk},
    )
    assert response.status_code == 201, response.json()
    body = response.json()["assignment"]
    assert (body["state"], body["status"]) == ("done", "done_on_time")
    assert body["completed_on"] == "2020-08-01"  # the plan's issue date
    assert body["output_document"] == cascade.chain.plan_bt.pk


def test_completing_late_needs_a_reason_and_only_the_unit_s_own_document(world, cascade, login):
    client = login(world.other_ward_officer)
    url = f"{URL}{cascade.study_td.pk}/complete/"
    response = _post(client, url, {})
    assert (response.status_code, response.json()["field"]) == (400, "reason")
    city_doc = cascade.chain.letter.pk
    response = _post(client, url, {"reason": "Chậm tài liệu", "output_document": city_doc})
    assert (response.status_code, response.json()["code"]) == (400, "not_own_document")
    response = _post(client, url, {"reason": "Chậm tài liệu"})
    assert response.status_code == 201
    assert response.json()["assignment"]["status"] == "done_late"
    # Someone else's hidden document reads as unknown.
    hidden = _post(
        client, f"{URL}{cascade.plan_td.pk}/update/", {"text": "x", "output_document": 999999}
    )
    assert hidden.status_code == 400


def test_a_done_assignment_cannot_be_updated_again(world, cascade, login):
    response = _post(
        login(world.other_ward_officer),
        f"{URL}{cascade.plan_td.pk}/update/",
        {"text": "Bổ sung", "progress": 100},
    )
    assert (response.status_code, response.json()["code"]) == (400, "already_done")


def test_the_issuer_reopens_a_done_assignment_with_a_reason(world, cascade, login):
    client = login(world.city_leader)
    url = f"{URL}{cascade.plan_td.pk}/reopen/"
    response = _post(client, url, {"reason": "  "})
    assert (response.status_code, response.json()["field"]) == (400, "reason")
    response = _post(client, url, {"reason": "Kế hoạch chưa có lộ trình cụ thể"})
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["status"]) == ("in_progress", "in_progress")


def test_the_assignee_cannot_reopen_its_own_work(world, cascade, login):
    response = _post(
        login(world.other_ward_officer),
        f"{URL}{cascade.plan_td.pk}/reopen/",
        {"reason": "Muốn sửa"},
    )
    assert (response.status_code, response.json()["code"]) == (400, "forbidden")
    assert Assignment.objects.get(pk=cascade.plan_td.pk).state == "done"


def test_the_history_of_updates_is_paginated_latest_first(world, cascade, login):
    client = login(world.ward_officer)
    a = cascade.study_bt
    _post(client, f"{URL}{a.pk}/update/", {"text": "Lần hai", "progress": 70})
    response = client.get(f"{URL}{a.pk}/updates/", {"page_size": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [u["text"] for u in body["results"]] == ["Lần hai"]
    assert body["next"]
    # The City leader reads the ward's history too.
    assert login(world.city_leader).get(f"{URL}{a.pk}/updates/").json()["count"] == 2


# --- breaking an assignment down -------------------------------------------------------------


def test_the_ward_breaks_its_assignment_down_for_its_cell(world, cascade, login):
    response = _post(
        login(world.ward_officer),
        f"{URL}{cascade.study_bt.pk}/cascade/",
        {
            "title": "Chi bộ tổ chức học tập Nghị quyết 52",
            "kind": "study",
            "due_date": "2020-07-30",
            "targets": [{"mode": "units", "units": [world.ben_thanh_cell.pk]}],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent_assignment"] == cascade.study_bt.pk
    assert body["issuer"]["id"] == world.ben_thanh.pk
    assert body["targets"][0]["created"] == 1
    task = Task.objects.get(pk=body["id"])
    assert task.parent_assignment_id == cascade.study_bt.pk
    assert task.assignments.get().unit == world.ben_thanh_cell


def test_a_breakdown_cannot_end_after_the_assignment_or_reach_outside(world, cascade, login):
    client = login(world.ward_officer)
    url = f"{URL}{cascade.plan_bt.pk}/cascade/"
    response = _post(client, url, {"title": "Quá hạn", "due_date": "2020-09-30"})
    assert (response.status_code, response.json()["field"]) == (400, "due_date")
    response = _post(
        client,
        url,
        {"title": "Ra ngoài", "targets": [{"mode": "units", "units": [world.tan_dinh.pk]}]},
    )
    assert response.status_code == 400
    # A rule that matches no unit leaves no half-made task behind.
    response = _post(
        client,
        url,
        {"title": "Không ai", "targets": [{"mode": "rule", "kinds": ["peoples_committee"]}]},
    )
    assert (response.status_code, response.json()["code"]) == (400, "no_match")
    assert not Task.objects.filter(title__in=["Quá hạn", "Ra ngoài", "Không ai"]).exists()


def test_only_the_assignee_breaks_an_assignment_down(world, cascade, login):
    response = _post(
        login(world.city_leader), f"{URL}{cascade.plan_bt.pk}/cascade/", {"title": "X"}
    )
    assert response.status_code == 404
    assert not Task.objects.filter(title="X").exists()


def test_output_documents_the_reader_may_not_see_read_as_null(world, cascade, login):
    # A City task reporting to Tân Định: Tân Định reads Bến Thành's assignment, not its plan.
    task = task_create(issuer=world.city, by=None, title="Phối hợp", due_date=TODAY)
    target, _n = target_add(
        task=task,
        by=None,
        mode=Target.Mode.UNITS,
        units=[world.ben_thanh],
        report_to=world.tan_dinh,
    )
    a = task.assignments.get()
    doc = document_create(owner=world.ben_thanh, by=None, symbol="20-KH/ĐU", summary="Nội bộ")
    Assignment.objects.filter(pk=a.pk).update(output_document=doc)
    body = login(world.other_ward_officer).get(f"{URL}{a.pk}/").json()
    assert body["unit"]["id"] == world.ben_thanh.pk
    assert body["output_document"] is None
    assert login(world.ward_officer).get(f"{URL}{a.pk}/").json()["output_document"] == doc.pk


def test_head_and_options_do_not_tell_hidden_assignments_apart(world, cascade, login):
    client = login(world.other_ward_officer)
    hidden, missing = f"{URL}{cascade.study_bt.pk}/", f"{URL}999999/"
    assert client.head(hidden).status_code == 404
    for suffix in ("", "update/", "cascade/"):
        a, b = client.options(hidden + suffix), client.options(missing + suffix)
        assert (a.status_code, a.content) == (b.status_code, b.content)


def test_a_token_reports_progress_without_a_session(world, cascade, client):
    client = _token_client(client, world.ward_officer)
    response = _post(
        client, f"{URL}{cascade.plan_bt.pk}/update/", {"text": "Qua API", "progress": 45}
    )
    assert response.status_code == 201, response.json()
    assert ProgressUpdate.objects.get(text="Qua API").by == world.ward_officer


@pytest.mark.parametrize("many", [0, 10**9])
def test_the_subtree_list_is_the_same_whichever_query_shape_is_picked(
    world, cascade, login, monkeypatch, many
):
    from trienkhai.api import tasks_views

    monkeypatch.setattr(tasks_views, "MANY_OVERDUE", many)
    client = login(world.city_leader)
    assert _ids(client.get(URL, {"subtree": world.ben_thanh.pk})) == {
        cascade.plan_bt.pk,
        cascade.study_bt.pk,
        cascade.sub_cell.pk,
    }
    assert _ids(client.get(URL, {"subtree": world.ben_thanh.pk, "overdue": "true"})) == {
        cascade.study_bt.pk,
        cascade.sub_cell.pk,
    }
    assert len(_ids(client.get(URL, {"subtree": world.city.pk}))) == 6
