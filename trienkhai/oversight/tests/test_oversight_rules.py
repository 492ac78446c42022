"""Plans, visits and the life of a recommendation: follow-up task → done → verified closed."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.accounts.models import Membership
from trienkhai.core.errors import DomainError
from trienkhai.core.testing import make_user
from trienkhai.oversight.models import Plan, Recommendation, Visit
from trienkhai.oversight.selectors import (
    can_supervise,
    never_visited,
    open_recommendations,
    oversight,
    plans_for_user,
    recommendations_for_user,
    visits_for_user,
)
from trienkhai.oversight.services import (
    follow_up,
    plan_add_target,
    plan_create,
    recommendation_return,
    recommendation_verify,
    state_of,
    visit_record,
)
from trienkhai.oversight.testing import TODAY, at, build_oversight, rating
from trienkhai.tasks import rollup as task_rollup
from trienkhai.tasks.models import Assignment, Task
from trienkhai.tasks.selectors import assignments_for_user
from trienkhai.tasks.services import assignment_complete, assignment_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def ov(world):
    return build_oversight(world)


def _state(rec: Recommendation) -> str:
    rec.refresh_from_db()
    return state_of(rec, follow_up(rec))


def test_each_recommendation_becomes_a_follow_up_task_of_the_visited_unit(world, ov):
    rec = ov.recs[0]
    task = rec.task
    assert task.issuer == world.city and task.kind == Task.Kind.INSPECTION
    assert task.due_date == dt.date(2020, 10, 31)
    assert "Bổ sung lộ trình" in task.title
    a = follow_up(rec)
    assert a.unit == world.ben_thanh and a.due_date == dt.date(2020, 10, 31)
    # the visited unit meets it in its own work, like any assignment
    assert assignments_for_user(world.ward_officer).filter(pk=a.pk).exists()
    assert not assignments_for_user(world.other_ward_officer).filter(pk=a.pk).exists()
    assert _state(rec) == Recommendation.State.OPEN
    assert task_rollup.check() == []


def test_a_recommendation_lives_until_the_supervisor_verifies_it_closed(world, ov):
    rec = ov.recs[0]
    a = follow_up(rec)
    with at(TODAY), pytest.raises(DomainError) as err:
        recommendation_verify(recommendation=rec, by=world.city_leader)
    assert err.value.code == "not_done" and "Bến Thành" in err.value.message
    with at(dt.date(2020, 10, 1)):
        assignment_update(assignment=a, by=world.ward_officer, text="Đang bổ sung", progress=50)
        assignment_complete(assignment=a, by=world.ward_officer, text="Đã bổ sung lộ trình")
    assert _state(rec) == Recommendation.State.AWAITING
    # not satisfied: returned, the follow-up task is open again
    with at(dt.date(2020, 10, 5)):
        recommendation_return(
            recommendation=rec, by=world.city_leader, reason="Lộ trình chưa có mốc thời gian"
        )
    a.refresh_from_db()
    assert a.state == Assignment.State.IN_PROGRESS
    assert _state(rec) == Recommendation.State.OPEN
    with at(dt.date(2020, 10, 20)):
        assignment_complete(assignment=a, by=world.ward_officer, text="Đã bổ sung mốc thời gian")
        recommendation_verify(recommendation=rec, by=world.city_leader, note="Đạt yêu cầu")
    rec.refresh_from_db()
    assert rec.closed_on == dt.date(2020, 10, 20) and rec.closed_by == world.city_leader
    assert _state(rec) == Recommendation.State.CLOSED
    with pytest.raises(DomainError) as err:
        recommendation_verify(recommendation=rec, by=world.city_leader)
    assert err.value.code == "already_closed"
    assert rec.history.count() >= 3  # created, returned, closed
    assert task_rollup.check() == []


def test_the_visited_unit_cannot_verify_its_own_recommendation(world, ov):
    rec = ov.recs[0]
    with at(dt.date(2020, 10, 1)):
        assignment_complete(assignment=follow_up(rec), by=world.ward_officer)
    with pytest.raises(DomainError) as err:
        recommendation_verify(recommendation=rec, by=world.ward_officer)
    assert err.value.code == "forbidden"


def test_the_inspection_committee_acts_for_oversight_only(world, ov):
    inspector = make_user("ubkt.tu", unit=world.city, role=Membership.Role.INSPECTION)
    assert can_supervise(inspector, world.city)
    assert not can_supervise(inspector, world.ben_thanh)
    assert not can_supervise(world.observer, world.city)
    with at(TODAY):
        visit = visit_record(
            plan=ov.plan,
            by=inspector,
            unit=world.ben_thanh_cell,
            starts_on=dt.date(2020, 9, 7),
            ends_on=dt.date(2020, 9, 7),
            team="Ủy ban Kiểm tra Thành ủy",
            rating=rating(3),
            recommendations=[("Kiện toàn sổ sách", dt.date(2020, 9, 30))],
        )
    assert visit.created_by == inspector and visit.planned is None  # unplanned: the cell
    assert visit.recommendations.get().task.issuer == world.city
    # ...but it does not act for the City's tasks or documents
    from trienkhai.accounts.scoping import can_act_for_unit

    assert not can_act_for_unit(inspector, world.city)
    with pytest.raises(DomainError), at(TODAY):
        plan_create(unit=world.ben_thanh, by=inspector, year=2020, kind="inspection", title="X")


def test_targets_lie_strictly_inside_the_supervisors_subtree(world, ov):
    for target in (world.city, world.tan_dinh):
        with pytest.raises(DomainError) as err:
            plan_add_target(
                plan=ov.ward_plan,
                by=world.ward_officer,
                unit=target,
                starts_on=dt.date(2020, 9, 1),
                ends_on=dt.date(2020, 9, 2),
            )
        assert err.value.code == "outside"
    with pytest.raises(DomainError) as err:
        plan_add_target(
            plan=ov.ward_plan,
            by=world.ward_officer,
            unit=world.ben_thanh_cell,
            starts_on=dt.date(2021, 1, 1),
            ends_on=dt.date(2021, 1, 2),
        )
    assert err.value.code == "year"
    with pytest.raises(DomainError):
        plan_add_target(
            plan=ov.plan,
            by=world.other_ward_officer,
            unit=world.tan_dinh,
            starts_on=dt.date(2020, 9, 1),
            ends_on=dt.date(2020, 9, 2),
        )


def test_a_visit_is_recorded_after_it_happened_with_a_rating_and_due_dates_ahead(world, ov):
    base = {
        "plan": ov.plan,
        "by": world.city_leader,
        "unit": world.tan_dinh,
        "starts_on": dt.date(2020, 9, 8),
        "ends_on": dt.date(2020, 9, 9),
        "team": "Đoàn kiểm tra",
        "rating": rating(1),
    }
    cases = [
        ({"ends_on": dt.date(2020, 9, 11)}, "future"),
        ({"rating": None}, "required"),
        ({"team": "  "}, "required"),
        ({"recommendations": [("Làm ngay", dt.date(2020, 9, 1))]}, "due_date"),
        ({"recommendations": [("", dt.date(2020, 12, 1))]}, "required"),
    ]
    for over, code in cases:
        with at(TODAY), pytest.raises(DomainError) as err:
            visit_record(**{**base, **over})
        assert err.value.code == code, over
    assert Visit.objects.filter(unit=world.tan_dinh).count() == 0
    assert Task.objects.filter(kind=Task.Kind.INSPECTION).count() == 2


def test_a_visit_fulfils_the_units_planned_window(world, ov):
    assert ov.visit.planned == ov.plan.targets.get(unit=world.ben_thanh)
    assert set(never_visited(world.city, 2020).values_list("unit_id", flat=True)) == {
        world.tan_dinh.pk,
        world.ben_thanh_cell.pk,
    }
    assert not never_visited(world.tan_dinh, 2020).exists()


def test_the_roll_up_counts_planned_done_never_visited_and_open_by_age(world, ov):
    with at(dt.date(2020, 9, 20)):
        visit_record(
            plan=ov.ward_plan,
            by=world.ward_officer,
            unit=world.ben_thanh_cell,
            starts_on=dt.date(2020, 9, 18),
            ends_on=dt.date(2020, 9, 18),
            team="Thường trực Đảng ủy",
            rating=rating(1),
            recommendations=[("Cập nhật sổ đảng viên", dt.date(2020, 10, 15))],
        )
    with at(dt.date(2020, 10, 1)):
        assignment_complete(assignment=follow_up(ov.recs[1]), by=world.ward_officer)
    r = oversight(world.city, 2020, today=dt.date(2020, 12, 20))
    f = r.figures
    assert (f.plans, f.planned, f.planned_visited, f.unplanned) == (2, 3, 2, 0)
    assert (f.targets, f.never_visited) == (3, 1)  # Tân Định
    assert f.open == 3 and f.awaiting == 1
    # ages on 20/12/2020: the City's visit ended 06/09 (105 days), the cell's 18/09 (93)
    assert f.open_by_age == {"d30": 0, "d90": 0, "d180": 3, "older": 0}
    assert f.overdue == 2  # due 31/10 and 15/10, not reported done
    assert r.own.figures.plans == 1 and r.own.figures.open == 2
    rows = {row.unit.pk: row.figures for row in r.children}
    assert rows[world.ben_thanh.pk].plans == 1 and rows[world.ben_thanh.pk].open == 1
    assert rows[world.tan_dinh.pk].plans == 0
    ward = oversight(world.ben_thanh, 2020, today=dt.date(2020, 12, 20))
    assert ward.figures.plans == 1 and ward.figures.open == 1  # not the City's plan
    assert oversight(world.city, 2021).figures.plans == 0
    assert open_recommendations(world.ben_thanh).count() == 1


def test_readers_see_their_plans_and_the_visits_of_their_unit(world, ov):
    assert set(plans_for_user(world.ward_officer)) == {ov.ward_plan}
    assert set(visits_for_user(world.ward_officer)) == {ov.visit}  # visited: reads it
    assert set(recommendations_for_user(world.ward_officer)) == set(ov.recs)
    assert not plans_for_user(world.other_ward_officer).exists()
    assert not visits_for_user(world.other_ward_officer).exists()
    inspector = make_user("ubkt", unit=world.city, role="inspection")
    assert plans_for_user(inspector).count() == 2
    assert set(visits_for_user(inspector)) == {ov.visit}


def test_a_plan_needs_a_title_a_kind_and_a_year(world):
    for over, code in (
        ({"title": " "}, "required"),
        ({"kind": "audit"}, "invalid"),
        ({"year": 1990}, "range"),
        ({"year": "abc"}, "invalid"),
    ):
        with pytest.raises(DomainError) as err:
            plan_create(
                **{
                    "unit": world.city,
                    "by": world.city_leader,
                    "year": 2020,
                    "kind": "inspection",
                    "title": "Kế hoạch",
                    **over,
                }
            )
        assert err.value.code == code
    assert Plan.objects.count() == 0
