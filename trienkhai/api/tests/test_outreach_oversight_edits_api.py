"""API v1: correcting and deleting sessions, public items, plans and visits; coverage of all
topics. Scoped (another subtree is a 404), versioned (stale is a 400), refusals are 400s."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.accounts.models import Membership
from trienkhai.core.testing import make_user
from trienkhai.outreach.models import PublicOutreach, StudySession
from trienkhai.outreach.services import outreach_record
from trienkhai.outreach.testing import build_study, record
from trienkhai.oversight.models import Plan, Visit
from trienkhai.oversight.services import visit_record
from trienkhai.oversight.testing import TODAY as OV_TODAY
from trienkhai.oversight.testing import at, build_oversight, rating
from trienkhai.tasks.testing import TODAY

pytestmark = pytest.mark.django_db

BASE = "/api/v1"
JSON = "application/json"


@pytest.fixture
def study(world):
    return build_study(world)


@pytest.fixture
def ov(world):
    return build_oversight(world)


# --- sessions and items ------------------------------------------------------------------------


def test_a_session_is_corrected_with_its_version_and_deleted_with_a_reason(world, study, login):
    s = record(study.study_bt, by=world.ward_officer, party_members=800)
    client = login(world.ward_officer)
    url = f"{BASE}/study-sessions/{s.pk}/"
    assert client.get(url).json()["version"] == 1
    with at(TODAY):
        r = client.patch(url, {"party_members": 900, "version": 1}, content_type=JSON)
        assert r.status_code == 200, r.json()
        assert r.json()["attendance"]["party_members"] == 900 and r.json()["version"] == 2
        assert r.json()["location"] == s.location  # left out, kept
        r = client.patch(url, {"party_members": 950, "version": 1}, content_type=JSON)
        assert r.status_code == 409 and r.json()["code"] == "stale"
        r = client.patch(url, {"party_members": 5000}, content_type=JSON)
        assert r.status_code == 400 and r.json()["code"] == "above_headcount"
    client = login(world.ward_officer)  # the session's clock went back to 2020: log in again
    assert client.delete(url, content_type=JSON).status_code == 400  # no reason
    assert client.delete(url, {"reason": "Ghi trùng"}, content_type=JSON).status_code == 204
    assert not StudySession.objects.filter(pk=s.pk).exists()
    gone = StudySession.history.get(id=s.pk, history_type="-")
    assert gone.history_change_reason == "Ghi trùng" and gone.history_user == world.ward_officer


def test_sessions_and_items_of_another_subtree_cannot_be_changed(world, study, login):
    s = record(study.study_bt, by=world.ward_officer, party_members=800)
    item = outreach_record(
        unit=world.ben_thanh,
        by=None,
        kind="article",
        title="Bài viết",
        held_on=dt.date(2020, 8, 1),
        today=TODAY,
    )
    urls = [f"{BASE}/study-sessions/{s.pk}/", f"{BASE}/public-outreach/{item.pk}/"]
    # a sibling ward cannot see them; the City's observer reads but does not act
    for user, read in ((world.other_ward_officer, 404), (world.observer, 200)):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == read
            assert client.patch(url, {"title": "x"}, content_type=JSON).status_code == 404
            r = client.delete(url + "?reason=x")
            assert r.status_code == 404
    assert StudySession.objects.filter(pk=s.pk).exists()
    assert PublicOutreach.objects.get(pk=item.pk).title == "Bài viết"


def test_an_item_is_corrected_and_deleted(world, study, login):
    item = outreach_record(
        unit=world.ben_thanh,
        by=None,
        kind="article",
        title="Bài viết",
        held_on=dt.date(2020, 8, 1),
        today=TODAY,
    )
    client = login(world.ward_officer)
    url = f"{BASE}/public-outreach/{item.pk}/"
    with at(TODAY):
        r = client.patch(url, {"title": "Bài viết đã sửa", "audience": 300}, content_type=JSON)
        assert r.status_code == 200 and r.json()["title"] == "Bài viết đã sửa"
        r = client.patch(url, {"held_on": "2030-01-01"}, content_type=JSON)
        assert r.status_code == 400 and r.json()["code"] == "future"
    client = login(world.ward_officer)  # the session's clock went back to 2020: log in again
    assert client.delete(url + "?reason=Nh%E1%BA%ADp%20nh%E1%BA%A7m").status_code == 204
    assert not PublicOutreach.objects.filter(pk=item.pk).exists()


def test_coverage_of_all_topics_is_scoped(world, study, login):
    record(study.study_bt, by=world.ward_officer, party_members=800)
    record(study.study_td, by=world.other_ward_officer, party_members=200)
    client = login(world.city_leader)
    r = client.get(f"{BASE}/coverage/{world.city.pk}/all-topics/")
    assert r.status_code == 200
    data = r.json()
    assert data["counts"]["groups"]["party_members"]["covered"] == 1000
    assert data["rule"].startswith("Cách tính chung tất cả các nội dung")
    assert [t["topic"]["id"] for t in data["topics"]] == [study.topic.pk]
    other = login(world.other_ward_officer)
    assert other.get(f"{BASE}/coverage/{world.city.pk}/all-topics/").status_code == 404
    r = other.get(f"{BASE}/coverage/{world.tan_dinh.pk}/all-topics/")
    assert r.json()["counts"]["groups"]["party_members"]["covered"] == 200


# --- plans and visits --------------------------------------------------------------------------


def test_a_plan_is_edited_and_a_plan_with_visits_is_not_deleted(world, ov, login):
    client = login(world.city_leader)
    url = f"{BASE}/oversight-plans/{ov.plan.pk}/"
    r = client.patch(url, {"title": "Kế hoạch đã sửa", "version": 1}, content_type=JSON)
    assert r.status_code == 200 and r.json()["title"] == "Kế hoạch đã sửa"
    assert r.json()["version"] == 2 and r.json()["year"] == 2020
    r = client.patch(url, {"title": "Bản cũ", "version": 1}, content_type=JSON)
    assert r.status_code == 409 and r.json()["code"] == "stale"
    r = client.patch(url, {"year": 2021}, content_type=JSON)
    assert r.status_code == 400 and r.json()["code"] == "year"
    r = client.delete(url, {"reason": "Nhầm"}, content_type=JSON)
    assert r.status_code == 400 and r.json()["code"] == "protected"
    ward = login(world.ward_officer)
    r = ward.delete(
        f"{BASE}/oversight-plans/{ov.ward_plan.pk}/", {"reason": "Trùng"}, content_type=JSON
    )
    assert r.status_code == 204 and not Plan.objects.filter(pk=ov.ward_plan.pk).exists()


def test_a_visit_is_corrected_and_only_a_visit_without_recommendations_is_deleted(world, ov, login):
    client = login(world.city_leader)
    url = f"{BASE}/oversight-visits/{ov.visit.pk}/"
    new = [{"text": "Bổ sung biên bản", "due_date": "2020-12-15"}]
    with at(OV_TODAY):
        r = client.patch(url, {"team": "Đoàn mới", "recommendations": new}, content_type=JSON)
    assert r.status_code == 200, r.json()
    assert r.json()["team"] == "Đoàn mới" and len(r.json()["recommendations"]) == 3
    client = login(world.city_leader)  # the session's clock went back to 2020: log in again
    r = client.patch(url, {"unit": world.tan_dinh.pk}, content_type=JSON)
    assert r.status_code == 400 and r.json()["code"] == "has_recommendations"
    r = client.delete(url, {"reason": "Nhầm"}, content_type=JSON)
    assert r.status_code == 400 and r.json()["code"] == "protected"
    with at(OV_TODAY):
        bare = visit_record(
            plan=ov.plan,
            by=None,
            unit=world.tan_dinh,
            starts_on=dt.date(2020, 9, 7),
            ends_on=dt.date(2020, 9, 8),
            team="Đoàn",
            rating=rating(1),
        )
    r = client.delete(f"{BASE}/oversight-visits/{bare.pk}/", {"reason": "Nhầm"}, content_type=JSON)
    assert r.status_code == 204 and not Visit.objects.filter(pk=bare.pk).exists()


def test_plans_and_visits_of_another_subtree_cannot_be_changed(world, ov, login):
    plan_url = f"{BASE}/oversight-plans/{ov.plan.pk}/"
    visit_url = f"{BASE}/oversight-visits/{ov.visit.pk}/"
    for user in (world.ward_officer, world.other_ward_officer, world.observer):
        client = login(user)
        for url in (plan_url, visit_url):
            assert (
                client.patch(url, {"title": "x", "team": "x"}, content_type=JSON).status_code == 404
            )
            assert client.delete(url, {"reason": "x"}, content_type=JSON).status_code == 404
    inspector = make_user("ubkt", unit=world.city, role=Membership.Role.INSPECTION)
    r = login(inspector).patch(plan_url, {"title": "Ủy ban Kiểm tra sửa"}, content_type=JSON)
    assert r.status_code == 200
    assert Visit.objects.get(pk=ov.visit.pk).team.startswith("Đồng chí")
