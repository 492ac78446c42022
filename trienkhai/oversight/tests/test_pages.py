"""The oversight pages through HTTP: roll-up, plans, visits, verification, exports, scoping."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from trienkhai.accounts.models import AuditEvent, Membership
from trienkhai.core.testing import make_user
from trienkhai.oversight.models import Plan, Recommendation, Visit
from trienkhai.oversight.services import follow_up
from trienkhai.oversight.testing import TODAY, at, build_oversight, rating
from trienkhai.tasks.services import assignment_complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def ov(world):
    return build_oversight(world)


def test_the_roll_up_page_shows_planned_done_and_open(world, ov, login):
    client = login(world.city_leader)
    with at(dt.date(2020, 12, 20)):
        r = client.get(reverse("oversight:unit", args=[world.city.pk]), {"year": 2020})
    assert r.status_code == 200
    fig = r.context["fig"]
    assert (fig.planned, fig.planned_visited, fig.never_visited, fig.open) == (3, 1, 2, 2)
    body = r.content.decode()
    assert "Đảng ủy phường Tân Định" in body and "Kiến nghị" in body


def test_the_roll_up_page_costs_the_same_queries_for_more_plans(
    world, ov, login, django_assert_max_num_queries
):
    client = login(world.city_leader)
    url = reverse("oversight:unit", args=[world.city.pk]) + "?year=2020"
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    from trienkhai.oversight.services import plan_create

    for i in range(5):
        with at(dt.date(2020, 1, 20)):
            plan_create(
                unit=world.tan_dinh,
                by=None,
                year=2020,
                kind="supervision",
                title=f"Giám sát {i}",
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_ward_officer_sees_the_ward_and_its_visits_not_the_city_plan(world, ov, login):
    client = login(world.ward_officer)
    assert client.get(reverse("oversight:unit", args=[world.city.pk])).status_code == 404
    assert client.get(reverse("oversight:plan", args=[ov.plan.pk])).status_code == 404
    assert client.get(reverse("oversight:visit", args=[ov.visit.pk])).status_code == 200
    r = client.get(reverse("oversight:recommendations"))
    assert r.context["page"].paginator.count == 2
    other = login(world.other_ward_officer)
    assert other.get(reverse("oversight:visit", args=[ov.visit.pk])).status_code == 404
    assert other.get(reverse("oversight:plan", args=[ov.ward_plan.pk])).status_code == 404
    assert other.get(reverse("oversight:recommendations")).context["page"].paginator.count == 0
    assert other.get(reverse("oversight:plans")).context["page"].paginator.count == 0
    assert other.get(reverse("oversight:unit_export", args=[world.city.pk])).status_code == 404
    rec = ov.recs[0]
    r = other.post(reverse("oversight:recommendation_verify", args=[rec.pk]), {})
    assert r.status_code == 404


def test_a_leader_creates_a_plan_with_targets(world, login):
    client = login(world.city_leader)
    assert client.get(reverse("oversight:plan_create")).status_code == 200
    data = {
        "unit": world.city.pk,
        "year": "2020",
        "kind": "supervision",
        "title": "Giám sát chuyên đề Nghị quyết 52",
        "t0-unit": world.ben_thanh.pk,
        "t0-starts_on": "01/06/2020",
        "t0-ends_on": "10/06/2020",
        "t1-unit": world.tan_dinh.pk,
        "t1-starts_on": "01/07/2021",
        "t1-ends_on": "10/07/2021",
    }
    r = client.post(reverse("oversight:plan_create"), data)
    assert r.status_code == 400 and "2020" in r.content.decode()
    assert Plan.objects.count() == 0  # nothing half-made
    data.update({"t1-starts_on": "01/07/2020", "t1-ends_on": "10/07/2020"})
    r = client.post(reverse("oversight:plan_create"), data)
    assert r.status_code == 302
    plan = Plan.objects.get()
    assert plan.targets.count() == 2 and plan.created_by == world.city_leader
    r = client.post(
        reverse("oversight:plan_target_add", args=[plan.pk]),
        {"unit": world.ben_thanh_cell.pk, "starts_on": "01/08/2020", "ends_on": "02/08/2020"},
    )
    assert r.status_code == 302 and plan.targets.count() == 3
    # the ward officer can neither add targets to the City's plan nor create one for the City
    ward = login(world.ward_officer)
    r = ward.post(
        reverse("oversight:plan_target_add", args=[plan.pk]),
        {"unit": world.ben_thanh_cell.pk, "starts_on": "01/08/2020", "ends_on": "02/08/2020"},
    )
    assert r.status_code == 404
    r = ward.post(reverse("oversight:plan_create"), {**data, "unit": world.city.pk})
    assert r.status_code == 400 and Plan.objects.count() == 1


def test_recording_a_visit_sends_follow_up_tasks_and_verification_closes_them(world, ov, login):
    client = login(world.city_leader)
    target = ov.plan.targets.get(unit=world.tan_dinh)
    url = reverse("oversight:visit_create", args=[ov.plan.pk])
    assert client.get(url, {"target": target.pk}).status_code == 200
    data = {
        "target": target.pk,
        "unit": world.tan_dinh.pk,
        "starts_on": "08/09/2020",
        "ends_on": "09/09/2020",
        "team": "Đoàn kiểm tra Thành ủy",
        "rating": rating(3).pk,
        "findings": "Chưa quán triệt đến đoàn viên",
        "r0-text": "Tổ chức quán triệt cho đoàn viên",
        "r0-due_date": "30/09/2020",
        "r1-text": "Thiếu hạn",
    }
    with at(TODAY):
        r = client.post(url, data)
    assert r.status_code == 400  # the second recommendation has no due date
    assert "Tổ chức quán triệt cho đoàn viên" in r.content.decode()  # kept as typed
    data["r1-due_date"] = "15/10/2020"
    with at(TODAY):
        r = client.post(url, data)
    assert r.status_code == 302, r.context["form"].errors
    visit = Visit.objects.get(unit=world.tan_dinh)
    assert visit.planned == target and visit.recommendations.count() == 2
    rec = visit.recommendations.order_by("pk").first()
    with at(dt.date(2020, 9, 20)):
        assignment_complete(assignment=follow_up(rec), by=world.other_ward_officer)
    client = login(world.city_leader)
    r = client.get(reverse("oversight:visit", args=[visit.pk]))
    assert "Xác nhận hoàn thành" in r.content.decode()
    r = client.post(
        reverse("oversight:recommendation_verify", args=[rec.pk]), {f"n{rec.pk}-note": "Đạt"}
    )
    assert r.status_code == 302
    rec.refresh_from_db()
    assert rec.closed_on is not None and rec.closed_by == world.city_leader
    second = visit.recommendations.order_by("pk").last()
    r = client.post(reverse("oversight:recommendation_verify", args=[second.pk]), {})
    assert r.status_code == 400 and "chưa báo cáo hoàn thành" in r.content.decode()


def test_lists_filter_search_and_page(world, ov, login, django_assert_max_num_queries):
    client = login(world.city_leader)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("oversight:plans"), {"year": 2020})
    assert r.context["page"].paginator.count == 2
    r = client.get(reverse("oversight:plans"), {"unit": world.ben_thanh.pk, "kind": "bogus"})
    assert r.context["page"].paginator.count == 1
    r = client.get(reverse("oversight:plans"), {"q": "khu pho"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode() and r.context["page"].paginator.count == 1
    with django_assert_max_num_queries(12):
        r = client.get(reverse("oversight:recommendations"), {"state": "open"})
    assert r.context["page"].paginator.count == 2
    with at(dt.date(2020, 10, 1)):
        assignment_complete(assignment=follow_up(ov.recs[0]), by=world.ward_officer)
    client = login(world.city_leader)
    r = client.get(reverse("oversight:recommendations"), {"state": "awaiting"})
    assert r.context["page"].paginator.count == 1
    r = client.get(reverse("oversight:recommendations"), {"state": "all", "sort": "password"})
    assert r.status_code == 200 and r.context["page"].paginator.count == 2


def test_the_export_is_a_workbook_and_is_audited(world, ov, login):
    import openpyxl

    r = login(world.city_leader).get(
        reverse("oversight:unit_export", args=[world.city.pk]), {"year": 2020}
    )
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert len(book.sheetnames) == 4
    rows = list(book.worksheets[3].values)
    assert len(rows) == 1 + 2 and "Bến Thành" in rows[1][0]
    assert AuditEvent.objects.filter(kind="export", detail__what="oversight").exists()


def test_the_inspection_committee_records_visits_but_not_for_another_unit(world, ov, login):
    inspector = make_user("ubkt", unit=world.city, role=Membership.Role.INSPECTION)
    client = login(inspector)
    assert client.get(reverse("oversight:plan", args=[ov.ward_plan.pk])).status_code == 200
    url = reverse("oversight:visit_create", args=[ov.plan.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("oversight:visit_create", args=[ov.ward_plan.pk])).status_code == 404
    observer = login(world.observer)
    assert observer.get(url).status_code == 404
    assert observer.get(reverse("oversight:plan", args=[ov.plan.pk])).status_code == 200
    assert Recommendation.objects.count() == 2
