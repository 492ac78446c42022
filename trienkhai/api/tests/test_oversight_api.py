"""API v1 of inspection and supervision: scoped reads, the follow-up lifecycle, 4xx not 500."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.accounts.models import Membership
from trienkhai.core.testing import make_user
from trienkhai.oversight.models import Plan, Recommendation
from trienkhai.oversight.services import follow_up
from trienkhai.oversight.testing import TODAY, at, build_oversight, rating
from trienkhai.tasks.services import assignment_complete

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def ov(world):
    return build_oversight(world)


def test_plans_are_created_and_read_in_scope(world, ov, login):
    client = login(world.city_leader)
    payload = {
        "unit": world.city.pk,
        "year": 2020,
        "kind": "supervision",
        "title": "Giám sát chuyên đề",
        "targets": [
            {"unit": world.tan_dinh.pk, "starts_on": "2020-11-01", "ends_on": "2020-11-05"}
        ],
    }
    r = client.post(f"{BASE}/oversight-plans/", payload, content_type="application/json")
    assert r.status_code == 201, r.json()
    assert r.json()["targets"][0]["unit"]["id"] == world.tan_dinh.pk
    bad = {
        **payload,
        "targets": [{"unit": world.city.pk, "starts_on": "2020-11-01", "ends_on": "2020-11-05"}],
    }
    r = client.post(f"{BASE}/oversight-plans/", bad, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "outside"
    r = client.post(
        f"{BASE}/oversight-plans/", {**payload, "year": "x" * 5000}, content_type="application/json"
    )
    assert r.status_code == 400
    other = login(world.other_ward_officer)
    assert other.get(f"{BASE}/oversight-plans/").json()["results"] == []
    assert other.get(f"{BASE}/oversight-plans/{ov.plan.pk}/").status_code == 404
    r = other.post(f"{BASE}/oversight-plans/", payload, content_type="application/json")
    assert r.status_code == 400 and "unit" in r.json()  # the City is out of reach: missing
    assert Plan.objects.count() == 3


def test_a_visit_through_the_api_and_the_recommendation_lifecycle(world, ov, login):
    client = login(world.city_leader)
    payload = {
        "plan": ov.plan.pk,
        "unit": world.tan_dinh.pk,
        "starts_on": "2020-09-08",
        "ends_on": "2020-09-09",
        "team": "Đoàn kiểm tra",
        "rating": rating(1).pk,
        "recommendations": [{"text": "Bổ sung hồ sơ", "due_date": "2020-10-30"}],
    }
    with at(TODAY):
        r = client.post(f"{BASE}/oversight-visits/", payload, content_type="application/json")
    assert r.status_code == 201, r.json()
    rec_id = r.json()["recommendations"][0]["id"]
    assert r.json()["recommendations"][0]["state"] == "open"
    client = login(world.city_leader)
    r = client.post(f"{BASE}/recommendations/{rec_id}/verify/", {}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "not_done"
    rec = Recommendation.objects.get(pk=rec_id)
    with at(dt.date(2020, 10, 1)):
        assignment_complete(assignment=follow_up(rec), by=world.other_ward_officer)
    client = login(world.city_leader)
    r = client.post(
        f"{BASE}/recommendations/{rec_id}/return/", {"note": ""}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "note"
    r = client.post(
        f"{BASE}/recommendations/{rec_id}/return/",
        {"note": "Hồ sơ chưa đủ"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "open"
    with at(dt.date(2020, 10, 10)):
        assignment_complete(assignment=follow_up(rec), by=world.other_ward_officer)
    client = login(world.city_leader)
    r = client.post(
        f"{BASE}/recommendations/{rec_id}/verify/", {"note": "Đạt"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["state"] == "closed"
    # the visited unit reads its recommendation, cannot verify it
    td = login(world.other_ward_officer)
    assert td.get(f"{BASE}/recommendations/{rec_id}/").status_code == 200
    r = td.post(f"{BASE}/recommendations/{rec_id}/verify/", {}, content_type="application/json")
    assert r.status_code == 404
    assert login(world.ward_officer).get(f"{BASE}/recommendations/{rec_id}/").status_code == 404


def test_broken_visits_are_400(world, ov, login):
    client = login(world.city_leader)
    base = {
        "plan": ov.plan.pk,
        "unit": world.tan_dinh.pk,
        "starts_on": "2020-09-08",
        "ends_on": "2020-09-09",
        "team": "Đoàn",
        "rating": rating(1).pk,
    }
    for over in (
        {"ends_on": "2020-09-30"},
        {"rating": 9999},
        {"recommendations": [{"text": "x", "due_date": "2020-01-01"}]},
        {"unit": world.city.pk},
        {"plan": 10**9},
    ):
        with at(TODAY):
            r = client.post(
                f"{BASE}/oversight-visits/", {**base, **over}, content_type="application/json"
            )
        assert r.status_code in (400, 404), (over, r.status_code)


def test_the_roll_up_endpoint(world, ov, login):
    client = login(world.city_leader)
    r = client.get(f"{BASE}/oversight/{world.city.pk}/", {"year": 2020})
    assert r.status_code == 200
    body = r.json()
    assert body["figures"]["planned"] == 3 and body["own"]["plans"] == 1
    assert client.get(f"{BASE}/oversight/{world.city.pk}/", {"year": 1900}).status_code == 400
    assert login(world.ward_officer).get(f"{BASE}/oversight/{world.city.pk}/").status_code == 404


def test_the_inspection_committee_through_the_api(world, ov, login):
    inspector = make_user("ubkt.api", unit=world.city, role=Membership.Role.INSPECTION)
    client = login(inspector)
    assert len(client.get(f"{BASE}/oversight-plans/").json()["results"]) == 2
    assert len(client.get(f"{BASE}/recommendations/").json()["results"]) == 2


def test_lists_cost_a_constant_number_of_queries(world, ov, login, django_assert_max_num_queries):
    client = login(world.city_leader)
    for url in ("oversight-plans", "oversight-visits", "recommendations"):
        with django_assert_max_num_queries(14):
            assert client.get(f"{BASE}/{url}/").status_code == 200
