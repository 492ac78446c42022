"""API v1 of study and dissemination: sessions, public items, coverage — scoped, 4xx not 500."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.accounts.models import Membership
from trienkhai.core.testing import make_user
from trienkhai.outreach import rollup
from trienkhai.outreach.models import PublicOutreach, StudySession
from trienkhai.outreach.services import outreach_record
from trienkhai.outreach.testing import at, build_study, record
from trienkhai.tasks.testing import TODAY

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def study(world):
    return build_study(world)


@pytest.fixture
def sessions(world, study):
    return (
        record(study.study_bt, party_members=800, public=50),
        record(study.study_cell, party_members=30),
        record(study.study_td, party_members=200),
    )


def _payload(study, **over):
    data = {
        "assignment": study.study_bt.pk,
        "documents": [study.cascade.chain.nq52.pk],
        "held_on": "2020-08-20",
        "form": "in_person",
        "location": "Hội trường",
        "party_members": 300,
        "reason": "",
    }
    data.update(over)
    return data


def test_an_officer_records_a_session_through_the_api(world, study, login):
    client = login(world.ward_officer)
    with at(TODAY):
        r = client.post(f"{BASE}/study-sessions/", _payload(study), content_type="application/json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["attendance"]["party_members"] == 300 and body["attendance"]["total"] == 300
    assert body["documents"] == [{"id": study.cascade.chain.nq52.pk, "symbol": "52-NQ/TW"}]
    assert body["topic"]["id"] == study.topic.pk
    assert rollup.check() == []


def test_broken_rules_are_400_with_a_reason_never_500(world, study, login):
    client = login(world.ward_officer)
    cases = [
        ({"party_members": 5000}, "party_members"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"documents": [study.cascade.chain.plan_td.pk]}, "documents"),
        ({"party_members": 0}, "cadres"),
        ({"form": "telepathy"}, "form"),
        ({"party_members": "x" * 10_000}, "party_members"),
        ({"documents": [{"id": 1}]}, "documents"),
        ({"assignment": study.study_td.pk}, "assignment"),  # another subtree's: missing
    ]
    for over, field in cases:
        with at(TODAY):
            r = client.post(
                f"{BASE}/study-sessions/", _payload(study, **over), content_type="application/json"
            )
        assert r.status_code == 400, (over, r.status_code)
        body = r.json()
        assert field in body or body.get("field") == field, (over, body)
    assert StudySession.objects.count() == 0


def test_another_subtrees_assignment_reads_as_missing(world, study, login):
    client = login(world.other_ward_officer)
    r = client.post(f"{BASE}/study-sessions/", _payload(study), content_type="application/json")
    assert r.status_code == 400 and "assignment" in r.json()


def test_lists_and_details_are_scoped(world, study, sessions, login):
    bt, cell, td = sessions
    other = login(world.other_ward_officer)
    r = other.get(f"{BASE}/study-sessions/")
    assert [s["id"] for s in r.json()["results"]] == [td.pk]
    assert other.get(f"{BASE}/study-sessions/{bt.pk}/").status_code == 404
    assert other.get(f"{BASE}/study-sessions/", {"unit": world.ben_thanh.pk}).status_code == 404
    assert other.get(f"{BASE}/coverage/{world.city.pk}/").status_code == 404
    assert other.get(f"{BASE}/coverage/{world.ben_thanh.pk}/without/").status_code == 404
    leader = login(world.city_leader)
    r = leader.get(f"{BASE}/study-sessions/", {"unit": world.ben_thanh.pk, "ordering": "held_on"})
    assert {s["id"] for s in r.json()["results"]} == {bt.pk, cell.pk}
    assert leader.get(f"{BASE}/study-sessions/", {"ordering": "password"}).status_code == 400
    assert leader.get(f"{BASE}/study-sessions/{cell.pk}/").status_code == 200


def test_the_list_query_count_is_constant(
    world, study, sessions, login, django_assert_max_num_queries
):
    client = login(world.city_leader)
    with django_assert_max_num_queries(12) as few:
        r = client.get(f"{BASE}/study-sessions/")
    assert len(r.json()["results"]) == 3
    for _ in range(4):
        record(study.study_bt, party_members=10, public=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(f"{BASE}/study-sessions/")
    assert len(r.json()["results"]) == 7


def test_coverage_reads_the_counters(world, study, sessions, login):
    client = login(world.city_leader)
    r = client.get(f"{BASE}/coverage/{world.city.pk}/", {"topic": study.topic.pk})
    assert r.status_code == 200
    body = r.json()
    party = body["counts"]["groups"]["party_members"]
    assert party == {
        "headcount": 1200 + 40 + 600,
        "attended": 1030,
        "covered": 1030,
        "percent": round(100 * 1030 / 1840, 1),
    }
    assert body["counts"]["public_attended"] == 50
    assert {row["unit"]["id"] for row in body["children"]} >= {
        world.ben_thanh.pk,
        world.tan_dinh.pk,
    }
    assert client.get(f"{BASE}/coverage/{world.city.pk}/", {"topic": 999999}).status_code == 400
    assert client.get(f"{BASE}/coverage/{world.city.pk}/", {"topic": "abc"}).status_code == 400
    r = client.get(f"{BASE}/coverage/{world.city.pk}/without/")
    assert r.status_code == 200 and r.json()["count"] == 0


def test_public_items_through_the_api(world, study, login):
    client = login(world.ward_officer)
    payload = {
        "unit": world.ben_thanh.pk,
        "kind": "event",
        "title": "Hội thi tìm hiểu Nghị quyết 52",
        "held_on": "2020-08-01",
        "audience": 400,
    }
    r = client.post(f"{BASE}/public-outreach/", payload, content_type="application/json")
    assert r.status_code == 201, r.json()
    r = client.post(
        f"{BASE}/public-outreach/",
        {**payload, "unit": world.tan_dinh.pk},
        content_type="application/json",
    )
    assert r.status_code == 404  # outside the reach reads as missing
    r = client.post(
        f"{BASE}/public-outreach/",
        {**payload, "held_on": dt.date.today().replace(year=dt.date.today().year + 1).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "held_on"
    outreach_record(unit=world.tan_dinh, by=None, kind="article", title="Bài", held_on=TODAY)
    assert len(client.get(f"{BASE}/public-outreach/").json()["results"]) == 1
    assert PublicOutreach.objects.count() == 2


def test_the_inspection_committee_reads_through_the_api(world, study, sessions, login):
    inspector = make_user("ubkt.api", unit=world.city, role=Membership.Role.INSPECTION)
    client = login(inspector)
    assert len(client.get(f"{BASE}/study-sessions/").json()["results"]) == 3
    assert client.get(f"{BASE}/coverage/{world.ben_thanh_cell.pk}/").status_code == 200
    r = client.post(f"{BASE}/study-sessions/", _payload(study), content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "forbidden"


def test_anonymous_gets_nothing(client, world):
    assert client.get(f"{BASE}/study-sessions/").status_code in (401, 403)
    assert client.get(f"{BASE}/coverage/{world.city.pk}/").status_code in (401, 403)
