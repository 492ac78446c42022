"""The cascade's subtle rules, tested on the services: targeting, counters, time, reorganizations."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from trienkhai.core.errors import DomainError
from trienkhai.tasks import rollup
from trienkhai.tasks.models import Assignment, Target, Task
from trienkhai.tasks.selectors import TaskFilter
from trienkhai.tasks.selectors import rollup as read_rollup
from trienkhai.tasks.services import (
    assignment_complete,
    assignment_update,
    assignments_sweep,
    recurring_topup,
    target_add,
    task_create,
)
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create, unit_dissolve, unit_merge

pytestmark = pytest.mark.django_db

D = dt.date


def plan_task(world, **kw) -> Task:
    fields = {
        "title": "Xây dựng kế hoạch thực hiện Nghị quyết 52",
        "kind": Task.Kind.PLAN,
        "due_date": D(2020, 8, 31),
        "output_type": "KH",
    }
    fields.update(kw)
    return task_create(issuer=world.city, by=world.city_leader, **fields)


def party_committees_rule(world, task, **kw):
    return target_add(
        task=task,
        by=world.city_leader,
        mode=Target.Mode.RULE,
        under=world.city,
        kinds=[Unit.Kind.PARTY_COMMITTEE],
        today=D(2020, 6, 10),
        **kw,
    )


def test_it_creates_one_assignment_per_matching_unit(world):
    task = plan_task(world)
    target, created = party_committees_rule(world, task)
    assert created == 2
    units = set(task.assignments.values_list("unit__name", flat=True))
    assert units == {world.ben_thanh.name, world.tan_dinh.name}
    assert set(task.assignments.values_list("report_to", flat=True)) == {world.city.pk}
    # applying again creates nothing
    from trienkhai.tasks.services import target_apply

    assert target_apply(target=target, today=D(2020, 6, 10)) == 0


def test_a_rule_with_depth_reaches_only_that_level(world):
    task = plan_task(world)
    _t, created = target_add(
        task=task,
        by=world.city_leader,
        mode=Target.Mode.RULE,
        under=world.city,
        kinds=[],
        depth=2,
        today=D(2020, 6, 10),
    )
    assert created == 1
    assert task.assignments.get().unit == world.ben_thanh_cell


def test_it_refuses_units_outside_the_issuers_subtree(world):
    task = task_create(issuer=world.ben_thanh, by=world.ward_officer, title="Học tập")
    with pytest.raises(DomainError) as err:
        target_add(task=task, by=world.ward_officer, mode="units", units=[world.tan_dinh])
    assert err.value.code == "outside"


def test_an_officer_cannot_issue_tasks_for_another_unit(world):
    with pytest.raises(DomainError):
        task_create(issuer=world.city, by=world.ward_officer, title="X")


def test_counters_follow_every_change_and_never_drift(world):
    task = plan_task(world)
    party_committees_rule(world, task)
    bt = task.assignments.get(unit=world.ben_thanh)
    td = task.assignments.get(unit=world.tan_dinh)
    with time_machine.travel(dt.datetime(2020, 7, 1, 9, 0), tick=False):
        assignment_update(assignment=bt, by=world.ward_officer, text="Đang dự thảo", progress=40)
    with time_machine.travel(dt.datetime(2020, 8, 20, 9, 0), tick=False):
        assignment_complete(assignment=td, by=world.other_ward_officer, completed_on=D(2020, 8, 20))
    r = read_rollup(world.city, today=D(2020, 8, 25))
    assert (r.counts.in_progress, r.counts.done_on_time, r.counts.total) == (1, 1, 2)
    assert r.counts.updated == 2
    rows = {row.unit.pk: row.counts for row in r.children}
    assert rows[world.ben_thanh.pk].in_progress == 1
    assert rows[world.tan_dinh.pk].done_on_time == 1
    assert rows[world.city_pc.pk].total == 0
    assert rollup.check() == []


def test_midnight_makes_open_work_overdue_without_a_write(world):
    task = plan_task(world)
    party_committees_rule(world, task)
    before = read_rollup(world.city, today=D(2020, 8, 31))
    assert before.counts.overdue == 0 and before.counts.not_started == 2
    after = read_rollup(world.city, today=D(2020, 9, 1))
    assert after.counts.overdue == 2 and after.counts.not_started == 0
    # the sweep moves the rows and their counters; the page shows the same figures
    assert assignments_sweep(today=D(2020, 9, 1)) == 2
    assert assignments_sweep(today=D(2020, 9, 1)) == 0
    swept = read_rollup(world.city, today=D(2020, 9, 1))
    assert swept.counts == after.counts
    assert rollup.check() == []


def test_late_work_needs_a_reason(world):
    task = plan_task(world)
    party_committees_rule(world, task)
    bt = task.assignments.get(unit=world.ben_thanh)
    with time_machine.travel(dt.datetime(2020, 9, 10, 9, 0), tick=False):
        with pytest.raises(DomainError) as err:
            assignment_update(assignment=bt, by=world.ward_officer, text="Đang làm", progress=50)
        assert err.value.field == "reason"
        assignment_update(
            assignment=bt,
            by=world.ward_officer,
            text="Đang làm",
            progress=50,
            reason="Chờ ý kiến Thường trực",
        )
    bt.refresh_from_db()
    assert bt.bucket == Assignment.Bucket.OVERDUE
    assert bt.reason == "Chờ ý kiến Thường trực"


def test_a_stale_version_is_refused_and_nothing_is_lost(world):
    task = plan_task(world)
    party_committees_rule(world, task)
    bt = task.assignments.get(unit=world.ben_thanh)
    with time_machine.travel(dt.datetime(2020, 7, 1, 9, 0), tick=False):
        assignment_update(assignment=bt, by=world.ward_officer, text="A", progress=10, version=1)
        with pytest.raises(DomainError) as err:
            assignment_update(
                assignment=bt, by=world.ward_officer, text="B", progress=20, version=1
            )
    assert err.value.code == "stale"
    assert bt.updates.count() == 1


def test_the_units_own_plan_completes_the_assignment(world):
    from trienkhai.core.testing import build_chain

    chain = build_chain(world)
    task = plan_task(world, source_document=chain.letter)
    party_committees_rule(world, task)
    bt = task.assignments.get(unit=world.ben_thanh)
    with time_machine.travel(dt.datetime(2020, 8, 5, 9, 0), tick=False):
        with pytest.raises(DomainError) as err:
            assignment_complete(assignment=bt, by=world.ward_officer, output_document=chain.plan_td)
        assert err.value.code == "not_own_document"
        assignment_complete(assignment=bt, by=world.ward_officer, output_document=chain.plan_bt)
    bt.refresh_from_db()
    assert bt.is_done and bt.completed_on == chain.plan_bt.issue_date
    assert bt.bucket == Assignment.Bucket.DONE_ON_TIME


def test_a_new_unit_gets_the_rules_assignment(world):
    task = plan_task(world)
    party_committees_rule(world, task)
    with time_machine.travel(dt.datetime(2020, 7, 1, 9, 0), tick=False):
        ward = unit_create(parent=world.city, name="Đảng ủy phường Mới", kind="party_committee")
    assert task.assignments.filter(unit=ward).exists()
    assert rollup.check() == []


def test_a_dissolved_units_open_work_passes_to_its_successor(world):
    task = plan_task(world)
    party_committees_rule(world, task)
    with time_machine.travel(dt.datetime(2020, 7, 1, 9, 0), tick=False):
        unit_merge(sources=[world.tan_dinh], into=world.ben_thanh, on=D(2020, 7, 1))
    # Bến Thành already had its own: Tân Định's is closed as transferred, nothing counted twice
    assert task.assignments.active().count() == 1
    r = read_rollup(world.city, today=D(2020, 7, 2))
    assert r.counts.total == 1
    assert rollup.check() == []


def test_dissolving_passes_assignments_to_a_successor_without_one(world):
    task = task_create(issuer=world.city, by=world.city_leader, title="Học tập", kind="study")
    target_add(task=task, by=world.city_leader, mode="units", units=[world.tan_dinh])
    with time_machine.travel(dt.datetime(2020, 7, 1, 9, 0), tick=False):
        unit_dissolve(unit=world.tan_dinh, on=D(2020, 7, 1), successor=world.ben_thanh)
    a = task.assignments.get()
    assert a.unit == world.ben_thanh
    assert rollup.check() == []


def test_recurring_tasks_get_one_assignment_per_period(world):
    task = task_create(
        issuer=world.city,
        by=world.city_leader,
        title="Báo cáo kết quả thực hiện hằng năm",
        kind="report",
        recurrence="annual",
        recurrence_day=15,
        recurrence_month=12,
        recurrence_start=D(2020, 6, 3),
    )
    target_add(
        task=task, by=world.city_leader, mode="units", units=[world.ben_thanh], today=D(2020, 6, 3)
    )
    assert list(task.assignments.values_list("period", "due_date")) == [("2020", D(2020, 12, 15))]
    assert recurring_topup(today=D(2022, 1, 5)) == 2
    assert list(task.assignments.order_by("due_date").values_list("period", flat=True)) == [
        "2020",
        "2021",
        "2022",
    ]


def test_quarterly_periods_end_on_the_day_of_the_quarters_last_month(world):
    task = task_create(
        issuer=world.city,
        by=world.city_leader,
        title="Báo cáo quý",
        kind="report",
        recurrence="quarterly",
        recurrence_day=31,
        recurrence_start=D(2026, 1, 1),
    )
    target_add(
        task=task,
        by=world.city_leader,
        mode="units",
        units=[world.ben_thanh],
        today=D(2026, 11, 26),
    )
    dues = list(task.assignments.order_by("due_date").values_list("period", "due_date"))
    assert dues == [
        ("2026-Q1", D(2026, 3, 31)),
        ("2026-Q2", D(2026, 6, 30)),
        ("2026-Q3", D(2026, 9, 30)),
        ("2026-Q4", D(2026, 12, 31)),
    ]


def test_a_subtask_breaks_down_only_the_units_own_assignment(world):
    task = plan_task(world)
    party_committees_rule(world, task)
    bt = task.assignments.get(unit=world.ben_thanh)
    td = task.assignments.get(unit=world.tan_dinh)
    with pytest.raises(DomainError):
        task_create(issuer=world.ben_thanh, by=world.ward_officer, title="X", parent_assignment=td)
    with pytest.raises(DomainError) as err:
        task_create(
            issuer=world.ben_thanh,
            by=world.ward_officer,
            title="Chi bộ xây dựng kế hoạch",
            parent_assignment=bt,
            due_date=D(2020, 9, 30),
        )
    assert err.value.code == "after_parent"
    sub = task_create(
        issuer=world.ben_thanh,
        by=world.ward_officer,
        title="Chi bộ xây dựng kế hoạch",
        parent_assignment=bt,
        due_date=D(2020, 8, 15),
    )
    target_add(task=sub, by=world.ward_officer, mode="units", units=[world.ben_thanh_cell])
    r = read_rollup(world.ben_thanh, today=D(2020, 8, 1))
    assert r.counts.total == 2  # its own assignment and its cell's


def test_filters_count_only_matching_tasks(world):
    task = plan_task(world, is_starred=True)
    party_committees_rule(world, task)
    other = task_create(issuer=world.city, by=world.city_leader, title="Học tập", kind="study")
    target_add(task=other, by=world.city_leader, mode="units", units=[world.ben_thanh])
    assert read_rollup(world.city, today=D(2020, 7, 1)).counts.total == 3
    assert (
        read_rollup(world.city, flt=TaskFilter(starred=True), today=D(2020, 7, 1)).counts.total == 2
    )
    assert (
        read_rollup(world.city, flt=TaskFilter(kind="study"), today=D(2020, 7, 1)).counts.total == 1
    )
    assert (
        read_rollup(world.city, flt=TaskFilter(task=other), today=D(2020, 7, 1)).counts.total == 1
    )


def test_the_shared_cascade_builds_with_its_statuses(world):
    from trienkhai.tasks.testing import TODAY, build_cascade

    c = build_cascade(world)
    assert c.plan_td.bucket_on(TODAY) == Assignment.Bucket.DONE_ON_TIME
    assert c.plan_bt.bucket_on(TODAY) == Assignment.Bucket.IN_PROGRESS
    assert c.study_bt.bucket_on(TODAY) == Assignment.Bucket.OVERDUE
    assert c.study_td.bucket_on(TODAY) == Assignment.Bucket.OVERDUE
    assert c.sub_cell.bucket_on(TODAY) == Assignment.Bucket.OVERDUE
    assert c.report_pc.due_date == D(2020, 12, 15)
    r = read_rollup(world.city, today=TODAY)
    assert r.counts.total == 6 and r.counts.overdue == 3
    assert rollup.check() == []


def _paths_true() -> bool:
    return all(a.unit_path == a.unit.path for a in Assignment.objects.select_related("unit"))


def test_assignments_carry_their_units_path_and_follow_a_move(world):
    cell = unit_create(parent=world.tan_dinh, name="Chi bộ khu phố 3", kind=Unit.Kind.GRASSROOTS)
    task = task_create(issuer=world.city, by=world.city_leader, title="Học tập", kind="study")
    target_add(task=task, by=world.city_leader, mode="units", units=[cell, world.ben_thanh])
    party_committees_rule(world, plan_task(world))
    assert _paths_true()
    old = Assignment.objects.get(unit=cell).unit_path
    with time_machine.travel(dt.datetime(2020, 7, 1, 9, 0), tick=False):
        unit_merge(sources=[world.tan_dinh], into=world.ben_thanh, on=D(2020, 7, 1))
    cell.refresh_from_db()
    moved = Assignment.objects.get(unit=cell)
    assert moved.unit_path == cell.path != old
    assert _paths_true()
    assert set(Assignment.objects.within(world.ben_thanh).values_list("unit", flat=True)) >= {
        cell.pk,
        world.ben_thanh.pk,
    }
    assert not Assignment.objects.within(world.tan_dinh).filter(unit=cell).exists()
    assert rollup.check() == []


def test_a_stale_path_is_reported_and_rebuilt(world):
    task = task_create(issuer=world.city, by=world.city_leader, title="Học tập", kind="study")
    target_add(task=task, by=world.city_leader, mode="units", units=[world.ben_thanh])
    a = task.assignments.get()
    Assignment.objects.filter(pk=a.pk).update(unit_path=world.tan_dinh.path)
    problems = rollup.check()
    assert problems and problems[0].startswith(f"path assignment {a.pk}:")
    rollup.rebuild()
    assert rollup.check() == []
    a.refresh_from_db()
    assert a.unit_path == world.ben_thanh.path


def test_a_passed_on_assignment_takes_the_successors_path(world):
    task = task_create(issuer=world.city, by=world.city_leader, title="Học tập", kind="study")
    target_add(task=task, by=world.city_leader, mode="units", units=[world.tan_dinh])
    with time_machine.travel(dt.datetime(2020, 7, 1, 9, 0), tick=False):
        unit_dissolve(unit=world.tan_dinh, on=D(2020, 7, 1), successor=world.ben_thanh)
    assert task.assignments.get().unit_path == world.ben_thanh.path
    assert _paths_true()
