"""A small cascade on the test world, shared by the tasks, dashboard, reminder and API tests.

Built on ``core.testing.build_world`` and ``build_chain`` (52-NQ/TW → … → ward plans), as the
seed's City letter turns into tasks. The clock is 25/08/2020 unless a test moves it:

- plan: "every party committee builds its plan" due 31/08/2020 (rule under the City),
  Bến Thành in progress (40 %), Tân Định done on time with its own KH;
- study: study and disseminate, due 31/07/2020, to Bến Thành and Tân Định (chosen units):
  Bến Thành overdue with a reason, Tân Định never updated (overdue, no reason);
- report: annual report to the City, due 15/12 each year, to the City People's Committee;
- sub: Bến Thành breaks its plan assignment down for its party cell, due 20/08/2020.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import time_machine

from trienkhai.core.testing import Chain, World, build_chain
from trienkhai.tasks.models import Assignment, Program, Target, Task
from trienkhai.tasks.services import (
    assignment_complete,
    assignment_update,
    program_create,
    target_add,
    task_create,
)
from trienkhai.units.models import Unit

TODAY = dt.date(2020, 8, 25)


@dataclass
class Cascade:
    chain: Chain
    program: Program
    plan: Task
    study: Task
    report: Task
    sub: Task
    plan_bt: Assignment
    plan_td: Assignment
    study_bt: Assignment
    study_td: Assignment
    report_pc: Assignment
    sub_cell: Assignment


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 0), tick=False)


def build_cascade(world: World, chain: Chain | None = None) -> Cascade:
    """The seed's tasks on the test world, with statuses spread as the docstring says."""
    chain = chain or build_chain(world)
    leader = world.city_leader
    with _at(dt.date(2020, 6, 5)):
        program = program_create(
            owner=world.city,
            by=leader,
            name="Đề án xây dựng Thành phố Hồ Chí Minh trở thành đô thị thông minh",
            start_year=2017,
            end_year=2020,
            vision_year=2025,
        )
        plan = task_create(
            issuer=world.city,
            by=leader,
            title="Xây dựng kế hoạch, lộ trình thực hiện Nghị quyết 52-NQ/TW",
            kind=Task.Kind.PLAN,
            source_document=chain.letter,
            clause="Mục 3",
            due_date=dt.date(2020, 8, 31),
            expected_output="Kế hoạch (KH) của đơn vị",
            output_type="KH",
            is_starred=True,
            is_public=True,
            programs=[program],
        )
        target_add(
            task=plan,
            by=leader,
            mode=Target.Mode.RULE,
            under=world.city,
            kinds=[Unit.Kind.PARTY_COMMITTEE],
        )
        study = task_create(
            issuer=world.city,
            by=leader,
            title="Tổ chức học tập, quán triệt Nghị quyết 52-NQ/TW",
            kind=Task.Kind.STUDY,
            source_document=chain.letter,
            clause="Mục 1",
            due_date=dt.date(2020, 7, 31),
        )
        target_add(task=study, by=leader, mode="units", units=[world.ben_thanh, world.tan_dinh])
        report = task_create(
            issuer=world.city,
            by=leader,
            title="Đánh giá kết quả thực hiện, báo cáo hằng năm",
            kind=Task.Kind.REPORT,
            source_document=chain.letter,
            clause="Mục 5",
            recurrence=Task.Recurrence.ANNUAL,
            recurrence_day=15,
            recurrence_month=12,
            recurrence_start=dt.date(2020, 6, 5),
        )
        target_add(task=report, by=leader, mode="units", units=[world.city_pc])
    plan_bt = plan.assignments.get(unit=world.ben_thanh)
    plan_td = plan.assignments.get(unit=world.tan_dinh)
    study_bt = study.assignments.get(unit=world.ben_thanh)
    study_td = study.assignments.get(unit=world.tan_dinh)
    with _at(dt.date(2020, 8, 2)):
        assignment_complete(
            assignment=plan_td, by=world.other_ward_officer, output_document=chain.plan_td
        )
        sub = task_create(
            issuer=world.ben_thanh,
            by=world.ward_officer,
            title="Chi bộ xây dựng kế hoạch thực hiện",
            kind=Task.Kind.PLAN,
            parent_assignment=plan_bt,
            due_date=dt.date(2020, 8, 20),
        )
        target_add(task=sub, by=world.ward_officer, mode="units", units=[world.ben_thanh_cell])
    with _at(dt.date(2020, 8, 10)):
        assignment_update(
            assignment=plan_bt, by=world.ward_officer, text="Đang dự thảo kế hoạch", progress=40
        )
        assignment_update(
            assignment=study_bt,
            by=world.ward_officer,
            text="Đã tổ chức hội nghị cho cán bộ chủ chốt",
            progress=60,
            reason="Chờ tài liệu hướng dẫn của Ban Tuyên giáo",
        )
    for a in (plan_bt, plan_td, study_bt, study_td):
        a.refresh_from_db()
    return Cascade(
        chain=chain,
        program=program,
        plan=plan,
        study=study,
        report=report,
        sub=sub,
        plan_bt=plan_bt,
        plan_td=plan_td,
        study_bt=study_bt,
        study_td=study_td,
        report_pc=report.assignments.get(),
        sub_cell=sub.assignments.get(),
    )
