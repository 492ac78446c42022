"""Editing and deleting plans and visits: the rules of creating them, versions, refusals
once recommendations exist, history, protected records, and who may do it (pages)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.urls import reverse

from trienkhai.accounts.models import Membership
from trienkhai.core.errors import DomainError
from trienkhai.core.testing import make_user
from trienkhai.oversight import services
from trienkhai.oversight.models import Plan, PlanTarget, Recommendation, Visit, VisitFile
from trienkhai.oversight.services import (
    follow_up,
    plan_delete,
    plan_update,
    visit_delete,
    visit_record,
    visit_update,
)
from trienkhai.oversight.testing import TODAY, at, build_oversight, rating

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def ov(world):
    return build_oversight(world)


def _bare_visit(world, ov, **over) -> Visit:
    """A visit of the City's plan to Tân Định with no recommendation (so it may be deleted)."""
    fields = {
        "plan": ov.plan,
        "by": world.city_leader,
        "unit": world.tan_dinh,
        "starts_on": dt.date(2020, 9, 7),
        "ends_on": dt.date(2020, 9, 8),
        "team": "Đoàn kiểm tra Thành ủy",
        "rating": rating(1),
        **over,
    }
    with at(TODAY):
        return visit_record(**fields)


def _plan_form(plan: Plan, **over) -> dict:
    data = {
        "year": str(plan.year),
        "kind": plan.kind,
        "title": plan.title,
        "description": plan.description,
        "version": str(plan.version),
    }
    data.update(over)
    return data


def _visit_form(visit: Visit, **over) -> dict:
    data = {
        "unit": visit.unit_id,
        "starts_on": f"{visit.starts_on:%d/%m/%Y}",
        "ends_on": f"{visit.ends_on:%d/%m/%Y}",
        "team": visit.team,
        "rating": visit.rating_id,
        "conclusion": visit.conclusion,
        "findings": visit.findings,
        "version": str(visit.version),
    }
    data.update(over)
    return data


# --- plans -------------------------------------------------------------------------------------


def test_a_leader_edits_a_plan_and_the_history_says_who(world, ov, login):
    client = login(world.city_leader)
    url = reverse("oversight:plan_edit", args=[ov.plan.pk])
    r = client.get(url)
    assert r.status_code == 200 and "Sửa kế hoạch" in r.content.decode()
    r = client.post(url, _plan_form(ov.plan, title="Kiểm tra chuyên đề Nghị quyết 52"))
    assert r.status_code == 302
    plan = Plan.objects.get(pk=ov.plan.pk)
    assert plan.title == "Kiểm tra chuyên đề Nghị quyết 52" and plan.version == 2
    last = plan.history.order_by("-history_id").first()
    assert last.history_user == world.city_leader and last.history_type == "~"
    assert plan.targets.count() == 2  # windows are untouched by an edit


def test_an_edit_on_an_older_copy_is_refused(world, ov, login):
    client = login(world.city_leader)
    url = reverse("oversight:plan_edit", args=[ov.plan.pk])
    stale = _plan_form(ov.plan, title="Bản cũ")
    plan_update(plan=ov.plan, by=world.city_leader, year=2020, kind="inspection", title="Bản mới")
    r = client.post(url, stale)
    assert r.status_code == 400 and "Người khác đã sửa kế hoạch này" in r.content.decode()
    assert Plan.objects.get(pk=ov.plan.pk).title == "Bản mới"


def test_a_plan_cannot_move_to_a_year_its_windows_are_not_in(world, ov):
    with pytest.raises(DomainError) as refused:
        plan_update(
            plan=ov.plan, by=world.city_leader, year=2021, kind="inspection", title="Kế hoạch"
        )
    assert refused.value.code == "year"
    empty = Plan.objects.create(unit=world.city, year=2020, kind="supervision", title="Trống")
    moved = plan_update(
        plan=empty, by=world.city_leader, year=2021, kind="supervision", title="Trống"
    )
    assert moved.year == 2021


def test_an_edit_keeps_the_rules_of_creating(world, ov, login):
    client = login(world.city_leader)
    url = reverse("oversight:plan_edit", args=[ov.plan.pk])
    r = client.post(url, _plan_form(ov.plan, title="   "))
    assert r.status_code == 400
    r = client.post(url, _plan_form(ov.plan, kind="audit"))
    assert r.status_code == 400
    assert Plan.objects.get(pk=ov.plan.pk).title == ov.plan.title


def test_a_plan_with_visits_is_not_deleted(world, ov, login):
    client = login(world.city_leader)
    url = reverse("oversight:plan_delete", args=[ov.plan.pk])
    r = client.get(url)
    body = r.content.decode()
    assert r.status_code == 200 and "Không thể xóa kế hoạch này" in body
    assert 'name="reason"' not in body  # no form to fill in vain
    r = client.post(url, {"reason": "Nhập nhầm"})
    assert r.status_code == 400 and "Không thể xóa kế hoạch này" in r.content.decode()
    assert Plan.objects.filter(pk=ov.plan.pk).exists()


def test_a_plan_without_visits_is_deleted_with_its_windows_and_a_reason(world, ov, login):
    client = login(world.ward_officer)
    url = reverse("oversight:plan_delete", args=[ov.ward_plan.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"reason": ""})
    assert r.status_code == 400 and Plan.objects.filter(pk=ov.ward_plan.pk).exists()
    r = client.post(url, {"reason": "Lập trùng kế hoạch"})
    assert r.status_code == 302 and r["Location"] == reverse("oversight:plans")
    assert not Plan.objects.filter(pk=ov.ward_plan.pk).exists()
    assert not PlanTarget.objects.filter(plan_id=ov.ward_plan.pk).exists()
    gone = Plan.history.filter(id=ov.ward_plan.pk, history_type="-").get()
    assert gone.history_user == world.ward_officer
    assert gone.history_change_reason == "Lập trùng kế hoạch"
    assert PlanTarget.history.filter(plan_id=ov.ward_plan.pk, history_type="-").count() == 1


def test_only_the_supervisors_edit_or_delete_a_plan(world, ov, login):
    urls = [
        reverse("oversight:plan_edit", args=[ov.plan.pk]),
        reverse("oversight:plan_delete", args=[ov.plan.pk]),
    ]
    for user in (world.ward_officer, world.other_ward_officer, world.observer):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"reason": "x", "title": "x"}).status_code == 404
    # a sibling ward cannot touch Bến Thành's plan either
    client = login(world.other_ward_officer)
    r = client.post(reverse("oversight:plan_delete", args=[ov.ward_plan.pk]), {"reason": "x"})
    assert r.status_code == 404 and Plan.objects.filter(pk=ov.ward_plan.pk).exists()
    # the City's inspection committee may
    inspector = make_user("ubkt", unit=world.city, role=Membership.Role.INSPECTION)
    client = login(inspector)
    assert client.get(urls[0]).status_code == 200
    r = client.post(urls[0], _plan_form(ov.plan, title="Do Ủy ban Kiểm tra sửa"))
    assert r.status_code == 302


# --- visits ------------------------------------------------------------------------------------


def test_a_visit_is_corrected_and_new_recommendations_become_tasks(world, ov, login):
    client = login(world.city_leader)
    url = reverse("oversight:visit_edit", args=[ov.visit.pk])
    r = client.get(url)
    assert r.status_code == 200 and "Đã đưa ra" in r.content.decode()
    data = _visit_form(
        ov.visit,
        team="Đoàn kiểm tra Thành ủy (bổ sung)",
        rating=rating(1).pk,
        **{"r0-text": "Rà soát hồ sơ học tập", "r0-due_date": "31/12/2020"},
    )
    with at(TODAY):
        r = client.post(url, data)
    assert r.status_code == 302, r.context["form"].errors
    visit = Visit.objects.get(pk=ov.visit.pk)
    assert visit.team.endswith("(bổ sung)") and visit.rating == rating(1)
    assert visit.version == 2 and visit.recommendations.count() == 3
    new = visit.recommendations.order_by("pk").last()
    assert follow_up(new).unit == world.ben_thanh
    assert visit.history.order_by("-history_id").first().history_user == world.city_leader


def test_a_visit_with_recommendations_keeps_its_unit_and_ends_before_their_due_date(
    world, ov, login
):
    client = login(world.city_leader)
    url = reverse("oversight:visit_edit", args=[ov.visit.pk])
    r = client.get(url)
    assert r.context["form"].fields["unit"].disabled  # the page does not offer the change
    with at(TODAY):
        r = client.post(url, _visit_form(ov.visit, unit=world.tan_dinh.pk))
    assert r.status_code == 302  # a unit posted anyway is ignored
    with pytest.raises(DomainError) as moved:
        visit_update(
            visit=ov.visit,
            by=world.city_leader,
            unit=world.tan_dinh,
            starts_on=dt.date(2020, 9, 5),
            ends_on=dt.date(2020, 9, 6),
            team="Đoàn",
            rating=rating(2),
            today=TODAY,
        )
    assert moved.value.code == "has_recommendations"
    with pytest.raises(DomainError) as refused:
        visit_update(
            visit=ov.visit,
            by=world.city_leader,
            unit=world.ben_thanh,
            starts_on=dt.date(2020, 9, 5),
            ends_on=dt.date(2020, 11, 1),  # after the first due date (31/10/2020)
            team="Đoàn",
            rating=rating(2),
            today=dt.date(2020, 12, 1),
        )
    assert refused.value.code == "due_date"
    assert Visit.objects.get(pk=ov.visit.pk).unit == world.ben_thanh


def test_a_visit_edit_keeps_the_rules_of_recording(world, ov, login):
    client = login(world.city_leader)
    url = reverse("oversight:visit_edit", args=[ov.visit.pk])
    with at(TODAY):
        future = client.post(url, _visit_form(ov.visit, ends_on="20/09/2020"))
        other_year = client.post(url, _visit_form(ov.visit, starts_on="30/12/2019"))
        no_team = client.post(url, _visit_form(ov.visit, team=""))
    bare = _bare_visit(world, ov)  # no recommendation: its unit may change, within the rules
    with at(TODAY):
        outside = client.post(
            reverse("oversight:visit_edit", args=[bare.pk]), _visit_form(bare, unit=world.city.pk)
        )
    for r in (future, other_year, no_team, outside):
        assert r.status_code == 400
    assert Visit.objects.get(pk=ov.visit.pk).version == 1
    assert Visit.objects.get(pk=bare.pk).unit == world.tan_dinh


def test_a_visit_edit_on_an_older_copy_is_refused(world, ov, login):
    client = login(world.city_leader)
    url = reverse("oversight:visit_edit", args=[ov.visit.pk])
    stale = _visit_form(ov.visit, team="Bản cũ")
    with at(TODAY):
        client.post(url, _visit_form(ov.visit, team="Bản mới"))
        r = client.post(url, stale)
    assert r.status_code == 400 and "Người khác đã sửa" in r.content.decode()
    assert Visit.objects.get(pk=ov.visit.pk).team == "Bản mới"


def test_moving_a_visit_without_recommendations_takes_the_new_units_window(world, ov):
    visit = _bare_visit(world, ov, unit=world.ben_thanh_cell)
    assert visit.planned is None  # the cell has no window in the City's plan
    with at(TODAY):
        moved = visit_update(
            visit=visit,
            by=world.city_leader,
            unit=world.tan_dinh,
            starts_on=visit.starts_on,
            ends_on=visit.ends_on,
            team=visit.team,
            rating=visit.rating,
            version=1,
        )
    assert moved.planned == ov.plan.targets.get(unit=world.tan_dinh)


def test_a_visit_with_recommendations_is_not_deleted(world, ov, login):
    client = login(world.city_leader)
    url = reverse("oversight:visit_delete", args=[ov.visit.pk])
    r = client.get(url)
    assert (
        r.status_code == 200 and "Không thể xóa cuộc kiểm tra, giám sát này" in r.content.decode()
    )
    r = client.post(url, {"reason": "Nhập nhầm"})
    assert r.status_code == 400
    assert Visit.objects.filter(pk=ov.visit.pk).exists()
    assert Recommendation.objects.filter(visit=ov.visit).count() == 2


def test_a_visit_recorded_by_mistake_is_deleted_with_its_files(
    world, ov, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    visit = _bare_visit(world, ov, files=[SimpleUploadedFile("bien-ban.png", PNG)])
    stored = VisitFile.objects.get(visit=visit)
    path = tmp_path / stored.file.name
    assert path.exists()
    window = ov.plan.targets.get(unit=world.tan_dinh)
    assert visit.planned == window
    client = login(world.city_leader)
    url = reverse("oversight:visit_delete", args=[visit.pk])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"reason": "Ghi nhầm đơn vị"})
    assert r.status_code == 302 and r["Location"] == reverse("oversight:plan", args=[ov.plan.pk])
    assert not Visit.objects.filter(pk=visit.pk).exists()
    assert not path.exists()
    gone = Visit.history.filter(id=visit.pk, history_type="-").get()
    assert gone.history_user == world.city_leader
    assert gone.history_change_reason == "Ghi nhầm đơn vị"
    assert not window.visits.exists()  # the window waits for its visit again


def test_only_the_supervisors_edit_or_delete_a_visit(world, ov, login):
    urls = [
        reverse("oversight:visit_edit", args=[ov.visit.pk]),
        reverse("oversight:visit_delete", args=[ov.visit.pk]),
    ]
    # the visited ward reads the visit but does not correct the City's conclusion
    for user in (world.ward_officer, world.other_ward_officer, world.observer):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"reason": "x", "team": "x"}).status_code == 404
    assert Visit.objects.get(pk=ov.visit.pk).version == 1


def test_a_recommendation_racing_in_turns_the_delete_into_a_message(world, ov, monkeypatch):
    """The check before deleting is backed by PROTECT: a recommendation added after it makes
    the delete fail with a DomainError, not a ProtectedError (a 500)."""
    visit = _bare_visit(world, ov)
    with at(TODAY):
        services.recommendation_add(
            visit=visit, by=None, text="Bổ sung hồ sơ", due_date=dt.date(2020, 10, 30)
        )
    real = services.visit_delete_refusal
    monkeypatch.setattr(
        services, "visit_delete_refusal", lambda v, n=None: "" if n is None else real(v, n=n)
    )
    with pytest.raises(DomainError) as refused:
        visit_delete(visit=visit, by=world.city_leader, reason="Nhầm")
    assert refused.value.code == "protected"
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_records_are_protected_from_deleting_their_parents(world, ov):
    with pytest.raises(ProtectedError):
        world.tan_dinh.delete()  # planned in the City's plan
    with pytest.raises(ProtectedError):
        ov.visit.delete()  # it has recommendations
    with pytest.raises(ProtectedError):
        ov.recs[0].task.delete()  # a follow-up task is never lost from its recommendation
    with pytest.raises(ProtectedError):
        Plan.objects.get(pk=ov.plan.pk).delete()  # it has a visit
    with pytest.raises(DomainError):
        plan_delete(plan=ov.plan, by=world.city_leader, reason="x")


# --- removing a planned window ---------------------------------------------------------------


def test_a_planned_visit_not_yet_made_is_removed_from_the_page(world, ov, login):
    target = ov.plan.targets.get(unit=world.tan_dinh)
    client = login(world.city_leader)
    response = client.post(reverse("oversight:plan_target_remove", args=[target.pk]))
    assert response.status_code == 302
    assert not PlanTarget.objects.filter(pk=target.pk).exists()
    last = PlanTarget.history.filter(id=target.pk).latest("history_date")
    assert last.history_type == "-" and last.history_user == world.city_leader
    page = client.get(response["Location"]).content.decode()
    assert "Đã bỏ lượt kiểm tra, giám sát dự kiến" in page


def test_a_planned_visit_already_made_stays(world, ov, login):
    visited = ov.visit.planned
    assert visited is not None  # the visit fulfilled Bến Thành's window
    client = login(world.city_leader)
    response = client.post(reverse("oversight:plan_target_remove", args=[visited.pk]), follow=True)
    assert PlanTarget.objects.filter(pk=visited.pk).exists()
    assert "vẫn nằm trong kế hoạch" in response.content.decode()
    with pytest.raises(DomainError):
        services.plan_remove_target(target=visited, by=world.city_leader)


def test_only_the_supervisor_removes_a_planned_visit(world, ov, login):
    target = ov.plan.targets.get(unit=world.tan_dinh)
    url = reverse("oversight:plan_target_remove", args=[target.pk])
    assert login(world.ward_officer).post(url).status_code == 404  # the visited side
    assert login(world.other_ward_officer).post(url).status_code == 404
    assert login(world.observer).post(url).status_code == 404
    assert PlanTarget.objects.filter(pk=target.pk).exists()


def test_the_api_removes_a_planned_visit(world, ov, client):
    target = ov.plan.targets.get(unit=world.tan_dinh)
    client.force_login(world.city_leader)
    url = f"/api/v1/oversight-plans/{ov.plan.pk}/targets/{target.pk}/"
    response = client.delete(url)
    assert response.status_code == 200
    assert world.tan_dinh.pk not in [t["unit"]["id"] for t in response.json()["targets"]]
    assert client.delete(url).status_code == 404
    visited = ov.visit.planned
    response = client.delete(f"/api/v1/oversight-plans/{ov.plan.pk}/targets/{visited.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "protected"
