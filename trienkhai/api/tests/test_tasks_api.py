"""The tasks, roll-up and programs API: scoped reads, writes through the cascade services."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from trienkhai.tasks.models import Assignment, Target, Task
from trienkhai.tasks.services import program_create, task_create
from trienkhai.tasks.testing import build_cascade

URL = "/api/v1/tasks/"


@pytest.fixture
def cascade(world):
    built = build_cascade(world)
    with time_machine.travel(dt.datetime(2020, 8, 25, 9, 0), tick=False):
        yield built


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {t["id"] for t in response.json()["results"]}


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- reading tasks ---------------------------------------------------------------------------


def test_anonymous_gets_nothing(client, cascade):
    for url in (URL, "/api/v1/programs/", f"/api/v1/rollup/{cascade.plan.issuer_id}/"):
        assert client.get(url).status_code in (401, 403)


def test_each_ward_sees_the_city_s_tasks_and_only_its_own_breakdowns(world, cascade, login):
    c = cascade
    city_tasks = {c.plan.pk, c.study.pk, c.report.pk}
    assert _ids(login(world.ward_officer).get(URL)) == city_tasks | {c.sub.pk}
    assert _ids(login(world.other_ward_officer).get(URL)) == city_tasks
    assert _ids(login(world.city_leader).get(URL)) == city_tasks | {c.sub.pk}


def test_a_tan_dinh_token_gets_404_on_ben_thanh_s_breakdown(world, cascade, client):
    token = Token.objects.create(user=world.other_ward_officer)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    pk = cascade.sub.pk
    assert client.get(f"{URL}{pk}/").status_code == 404
    assert _patch(client, f"{URL}{pk}/", {"title": "X"}).status_code == 404
    units = {"mode": "units", "units": [world.ben_thanh_cell.pk]}
    assert _post(client, f"{URL}{pk}/targets/", units).status_code == 404
    assert pk not in _ids(client.get(URL, {"q": "chi bo"}))


def test_one_task_reads_with_its_links(world, cascade, login):
    body = login(world.ward_officer).get(f"{URL}{cascade.plan.pk}/").json()
    assert body["title"] == cascade.plan.title
    assert body["issuer"]["id"] == world.city.pk
    assert body["source_document"] == {
        "id": cascade.chain.letter.pk,
        "symbol": cascade.chain.letter.symbol,
    }
    assert body["programs"] == [cascade.program.pk]
    assert (body["kind"], body["is_starred"], body["due_date"]) == ("plan", True, "2020-08-31")
    sub = login(world.ward_officer).get(f"{URL}{cascade.sub.pk}/").json()
    assert sub["parent_assignment"] == cascade.plan_bt.pk


def test_linked_objects_the_reader_may_not_see_read_as_null(world, cascade, login):
    # A City task whose source is Bến Thành's internal plan, sent to Tân Định.
    task = task_create(
        issuer=world.city, by=None, title="Nhân rộng", source_document=cascade.chain.plan_bt
    )
    Assignment.objects.create(task=task, unit=world.tan_dinh, report_to=world.city)
    body = login(world.other_ward_officer).get(f"{URL}{task.pk}/").json()
    assert body["source_document"] is None
    body = login(world.ward_officer).get(f"{URL}{task.pk}/").json()
    assert body["source_document"]["id"] == cascade.chain.plan_bt.pk


def test_it_filters_tasks_by_allowed_keys(world, cascade, login):
    c = cascade
    client = login(world.city_leader)
    assert _ids(client.get(URL, {"kind": "plan"})) == {c.plan.pk, c.sub.pk}
    assert _ids(client.get(URL, {"starred": "true"})) == {c.plan.pk}
    assert _ids(client.get(URL, {"issuer": world.ben_thanh.pk})) == {c.sub.pk}
    assert _ids(client.get(URL, {"source_document": c.chain.letter.pk})) == {
        c.plan.pk,
        c.study.pk,
        c.report.pk,
    }
    assert _ids(client.get(URL, {"q": "hoc tap quan triet"})) == {c.study.pk}
    titles = [t["title"] for t in client.get(URL, {"ordering": "title"}).json()["results"]]
    assert titles == sorted(titles)


def test_a_source_document_filter_must_be_a_document_the_user_reads(world, cascade, login):
    response = login(world.other_ward_officer).get(
        URL, {"source_document": cascade.chain.plan_bt.pk}
    )
    assert response.status_code == 400
    assert "source_document" in response.json()


@pytest.mark.parametrize(
    "params",
    [
        {"ordering": "created_by__password"},
        {"ordering": "issuer__memberships__user__password"},
        {"kind": "secret"},
        {"starred": "perhaps"},
        {"issuer": "1;DROP TABLE"},
        {"q": "q" * 10_000},
        {"q": "a\x00b"},
    ],
)
def test_malformed_or_hostile_task_filters_are_400(world, cascade, login, params):
    response = login(world.city_leader).get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_unknown_task_parameters_are_ignored(world, cascade, login):
    client = login(world.other_ward_officer)
    plain = client.get(URL).json()
    for params in (
        {"_connector": "OR"},
        {"issuer__path__startswith": ""},
        {"created_by__password__startswith": "md5"},
    ):
        assert client.get(URL, params).json() == plain


def test_the_task_list_query_count_is_constant(
    world, cascade, login, django_assert_max_num_queries
):
    for i in range(30):
        task_create(
            issuer=world.city,
            by=None,
            title=f"Nhiệm vụ {i}",
            source_document=cascade.chain.letter,
            programs=[cascade.program],
        )
    client = login(world.ward_officer)
    # Session, user, memberships, units above (for the task scope), count, page, programs,
    # visible documents, units above and visible programs, and the session's "last seen"
    # write (savepoint, update, release): the same however many tasks the page holds.
    with django_assert_max_num_queries(13):
        response = client.get(URL)
    assert response.json()["count"] == 34


# --- writing tasks ---------------------------------------------------------------------------


def test_the_city_leader_creates_a_task_with_its_targets(world, cascade, login):
    response = _post(
        login(world.city_leader),
        URL,
        {
            "issuer": world.city.pk,
            "title": "  Tổng kết   5 năm thực hiện Nghị quyết 52 ",
            "kind": "report",
            "due_date": "2020-12-15",
            "source_document": cascade.chain.letter.pk,
            "programs": [cascade.program.pk],
            "targets": [
                {"mode": "units", "units": [world.ben_thanh.pk, world.tan_dinh.pk]},
                {"mode": "rule", "kinds": ["peoples_committee"], "role": "support"},
            ],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Tổng kết 5 năm thực hiện Nghị quyết 52"
    assert [t["created"] for t in body["targets"]] == [2, 1]
    task = Task.objects.get(pk=body["id"])
    assert task.created_by == world.city_leader
    assert task.assignments.count() == 3
    assert task.assignments.get(unit=world.city_pc).role == "support"


def test_nobody_creates_a_task_for_a_unit_they_do_not_act_for(world, cascade, login):
    # Outside the reach: the issuer reads as unknown.
    response = _post(login(world.ward_officer), URL, {"issuer": world.city.pk, "title": "X"})
    assert response.status_code == 400
    assert "issuer" in response.json()
    # Within reach, but an observer (or a leader of a unit above) does not act for it.
    response = _post(login(world.observer), URL, {"issuer": world.city.pk, "title": "X"})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("forbidden", "issuer")
    response = _post(login(world.city_leader), URL, {"issuer": world.ben_thanh.pk, "title": "X"})
    assert response.json()["code"] == "forbidden"
    assert not Task.objects.filter(title="X").exists()


def test_a_refused_inline_target_leaves_no_task_behind(world, cascade, login):
    response = _post(
        login(world.ward_officer),
        URL,
        {
            "issuer": world.ben_thanh.pk,
            "title": "Không ai nhận",
            "targets": [{"mode": "rule", "kinds": ["peoples_committee"]}],
        },
    )
    assert (response.status_code, response.json()["code"]) == (400, "no_match")
    assert not Task.objects.filter(title="Không ai nhận").exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"issuer": "ISSUER"},
        {"issuer": "ISSUER", "title": "   "},
        {"issuer": "ISSUER", "title": "X", "kind": "secret"},
        {"issuer": "ISSUER", "title": "X", "due_date": "2020-02-30"},
        {"issuer": "ISSUER", "title": "X", "recurrence_day": 40},
        {"issuer": "ISSUER", "title": "X", "recurrence_day": 10**9},
        {"issuer": "ISSUER", "title": "X", "recurrence": "annual", "recurrence_day": 15},
        {"issuer": "ISSUER", "title": "X", "recurrence": "monthly", "due_date": "2020-09-01"},
        {"issuer": "ISSUER", "title": "X", "programs": [999999]},
        {"issuer": "ISSUER", "title": "X", "programs": "1"},
        {"issuer": "ISSUER", "title": "X", "source_document": 999999},
        {"issuer": "ISSUER", "title": "X", "targets": [{"mode": "everyone"}]},
        {"issuer": "ISSUER", "title": "X", "targets": [{"mode": "units"}]},
        {"issuer": "ISSUER", "title": "X", "targets": [{"mode": "units", "units": ["a"]}]},
        {"issuer": "ISSUER", "title": "X", "targets": [{"mode": "rule", "depth": 99}]},
        {"issuer": "ISSUER", "title": "X", "targets": [{"mode": "rule", "kinds": ["x"]}]},
        {"issuer": "ISSUER", "title": "X", "targets": [{"mode": "units"}] * 50},
        {"issuer": "ISSUER", "title": "X" * 600},
        {"issuer": True, "title": "X"},
    ],
)
def test_bad_task_input_is_400_with_a_reason(world, cascade, login, data):
    data = {k: (world.city.pk if v == "ISSUER" else v) for k, v in data.items()}
    response = _post(login(world.city_leader), URL, data)
    assert response.status_code == 400
    assert response.json()
    assert Task.objects.count() == 4


def test_targets_reach_only_units_within_the_reach(world, cascade, login):
    url = f"{URL}{cascade.sub.pk}/targets/"
    # The City leader reads Bến Thành's breakdown but does not act for Bến Thành.
    response = _post(login(world.city_leader), url, {"mode": "units", "units": [world.city_pc.pk]})
    assert response.status_code == 404
    client = login(world.ward_officer)
    response = _post(client, url, {"mode": "units", "units": [world.tan_dinh.pk]})
    assert response.status_code == 400
    assert "units" in response.json()
    response = _post(client, url, {"mode": "rule", "under": world.city.pk})
    assert response.status_code == 400
    assert "under" in response.json()
    assert cascade.sub.assignments.count() == 1


def test_the_issuer_sends_a_task_to_more_units(world, cascade, login):
    response = _post(
        login(world.city_leader),
        f"{URL}{cascade.study.pk}/targets/",
        {"mode": "units", "units": [world.city_pc.pk], "report_to": world.city.pk},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 1
    target = Target.objects.get(pk=response.json()["target"])
    assert target.task == cascade.study
    assert cascade.study.assignments.filter(unit=world.city_pc).exists()


def test_the_issuer_changes_a_task_and_the_deadlines_follow(world, cascade, login):
    response = _patch(
        login(world.city_leader),
        f"{URL}{cascade.plan.pk}/",
        {"due_date": "2020-09-15", "is_starred": False, "programs": []},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["due_date"], body["is_starred"], body["programs"]) == ("2020-09-15", False, [])
    assert Assignment.objects.get(pk=cascade.plan_bt.pk).due_date == dt.date(2020, 9, 15)
    assert Task.objects.get(pk=cascade.plan.pk).title == cascade.plan.title


def test_only_the_issuer_changes_a_task(world, cascade, login):
    for user in (world.ward_officer, world.observer):
        response = _patch(login(user), f"{URL}{cascade.plan.pk}/", {"title": "X"})
        assert response.status_code == 404
    assert Task.objects.get(pk=cascade.plan.pk).title != "X"


def test_a_recurring_task_keeps_its_recurrence_once_assigned(world, cascade, login):
    response = _patch(
        login(world.city_leader), f"{URL}{cascade.report.pk}/", {"recurrence": "quarterly"}
    )
    assert (response.status_code, response.json()["field"]) == (400, "recurrence")


def test_put_and_delete_are_not_allowed(world, cascade, login):
    client = login(world.city_leader)
    url = f"{URL}{cascade.plan.pk}/"
    assert client.put(url, {"title": "X"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405
    assert client.delete(f"/api/v1/assignments/{cascade.plan_bt.pk}/").status_code == 405


# --- roll-up ---------------------------------------------------------------------------------


def _rollup(client, unit, **params):
    return client.get(f"/api/v1/rollup/{unit.pk}/", params)


def test_the_roll_up_counts_the_subtree_and_each_child(world, cascade, login):
    response = _rollup(login(world.city_leader), world.city)
    assert response.status_code == 200, response.json()
    body = response.json()
    counts = body["counts"]
    assert counts["total"] == 6
    # Overdue today even where the sweep has not moved the stored bucket yet.
    assert counts["overdue"] == 3
    assert (counts["done_on_time"], counts["in_progress"], counts["not_started"]) == (1, 1, 1)
    children = {row["unit"]["name"]: row["counts"] for row in body["children"]}
    assert set(children) == {world.city_pc.name, world.ben_thanh.name, world.tan_dinh.name}
    assert children[world.ben_thanh.name]["total"] == 3
    assert children[world.ben_thanh.name]["overdue"] == 2
    assert body["filtered"] is False


def test_the_roll_up_filters_by_task_document_kind_and_priority(world, cascade, login):
    client = login(world.city_leader)
    body = _rollup(client, world.city, task=cascade.study.pk).json()
    assert (body["counts"]["total"], body["counts"]["overdue"], body["filtered"]) == (2, 2, True)
    assert _rollup(client, world.city, kind="plan").json()["counts"]["total"] == 3
    assert _rollup(client, world.city, starred="true").json()["counts"]["total"] == 2
    body = _rollup(client, world.city, document=cascade.chain.letter.pk).json()
    assert body["counts"]["total"] == 5


def test_the_roll_up_is_scoped(world, cascade, login):
    client = login(world.other_ward_officer)
    assert _rollup(client, world.ben_thanh).status_code == 404
    assert _rollup(client, world.city).status_code == 404
    assert _rollup(client, world.tan_dinh).json()["counts"]["total"] == 2
    response = _rollup(client, world.tan_dinh, task=cascade.sub.pk)
    assert (response.status_code, set(response.json())) == (400, {"task"})
    response = _rollup(client, world.tan_dinh, document=cascade.chain.plan_bt.pk)
    assert (response.status_code, set(response.json())) == (400, {"document"})
    assert client.get("/api/v1/rollup/abc/").status_code == 404


@pytest.mark.parametrize(
    "params", [{"task": "x"}, {"kind": "bogus"}, {"starred": "2"}, {"document": "-4"}]
)
def test_malformed_roll_up_filters_are_400(world, cascade, login, params):
    response = _rollup(login(world.city_leader), world.city, **params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_roll_up_costs_a_constant_number_of_queries(
    world, cascade, login, django_assert_max_num_queries
):
    client = login(world.city_leader)
    _rollup(client, world.city)
    # Session, user, memberships, unit, children, counters, correction.
    with django_assert_max_num_queries(8):
        assert _rollup(client, world.city).status_code == 200


# --- programs --------------------------------------------------------------------------------


def test_wards_read_the_city_s_programs_but_not_each_other_s(world, cascade, login):
    own = program_create(owner=world.ben_thanh, by=None, name="Đề án chuyển đổi số phường")
    response = login(world.other_ward_officer).get("/api/v1/programs/")
    assert {p["id"] for p in response.json()["results"]} == {cascade.program.pk}
    assert login(world.other_ward_officer).get(f"/api/v1/programs/{own.pk}/").status_code == 404
    body = login(world.ward_officer).get(f"/api/v1/programs/{own.pk}/").json()
    assert (body["name"], body["owner"]["id"]) == (own.name, world.ben_thanh.pk)
    mine = login(world.ward_officer).get("/api/v1/programs/", {"q": "chuyen doi so"}).json()
    assert [p["id"] for p in mine["results"]] == [own.pk]
    mine = login(world.ward_officer).get("/api/v1/programs/", {"owner": world.city.pk}).json()
    assert [p["id"] for p in mine["results"]] == [cascade.program.pk]


def test_programs_are_read_only(world, cascade, login):
    client = login(world.city_leader)
    assert _post(client, "/api/v1/programs/", {"name": "X"}).status_code == 405


# --- schema ----------------------------------------------------------------------------------


def test_the_schema_documents_the_cascade_without_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    for path in (
        "/api/v1/tasks/{id}/targets/",
        "/api/v1/assignments/{id}/update/",
        "/api/v1/assignments/{id}/cascade/",
        "/api/v1/assignments/{id}/updates/",
        "/api/v1/rollup/{unit_id}/",
        "/api/v1/programs/",
    ):
        assert path in schema
