"""Study sessions on the shared test cascade (``tasks.testing.build_cascade``).

Headcounts count the people a unit organizes study for itself (its subordinate units have
their own), so the City's inclusive figure of the test world is cleared:

- Bến Thành: 80 cadres, 1,200 party members, 500 union members, 900 association members;
- its party cell: 40 party members; it received a study subtask from Bến Thành;
- Tân Định: 30 cadres, 600 party members.

The study task ("Tổ chức học tập, quán triệt Nghị quyết 52-NQ/TW", from the City letter
2156-CV/TU) reaches Bến Thành and Tân Định; the clock of the cascade is 25/08/2020.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import time_machine

from trienkhai.core.testing import World
from trienkhai.outreach.models import StudySession
from trienkhai.outreach.services import session_record
from trienkhai.tasks.models import Assignment, Task
from trienkhai.tasks.services import target_add, task_create
from trienkhai.tasks.testing import TODAY, Cascade, build_cascade
from trienkhai.units.services import unit_update


@dataclass
class Study:
    cascade: Cascade
    topic: Task
    study_bt: Assignment
    study_td: Assignment
    study_cell: Assignment


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 0), tick=False)


def build_study(world: World, cascade: Cascade | None = None) -> Study:
    cascade = cascade or build_cascade(world)
    unit_update(unit=world.city, party_members=0)
    unit_update(
        unit=world.ben_thanh,
        cadres=80,
        party_members=1200,
        union_members=500,
        association_members=900,
    )
    unit_update(unit=world.tan_dinh, cadres=30, party_members=600)
    for unit in (world.city, world.ben_thanh, world.tan_dinh):
        unit.refresh_from_db()
    with at(dt.date(2020, 6, 10)):
        sub = task_create(
            issuer=world.ben_thanh,
            by=world.ward_officer,
            title="Chi bộ tổ chức học tập Nghị quyết 52-NQ/TW",
            kind=Task.Kind.STUDY,
            parent_assignment=cascade.study_bt,
            due_date=dt.date(2020, 7, 31),
        )
        target_add(task=sub, by=world.ward_officer, mode="units", units=[world.ben_thanh_cell])
    return Study(
        cascade=cascade,
        topic=cascade.study,
        study_bt=cascade.study_bt,
        study_td=cascade.study_td,
        study_cell=sub.assignments.get(),
    )


def record(
    study_assignment: Assignment,
    *,
    by=None,
    day: dt.date = dt.date(2020, 7, 15),
    documents=None,
    today: dt.date = TODAY,
    reason: str = "Chờ tài liệu hướng dẫn",
    completed: bool = False,
    **attendance,
) -> StudySession:
    """A session of the assignment's unit on ``day`` with the given attendance (the study
    assignments are overdue on the cascade's clock: a reason comes along by default)."""
    if documents is None:
        from trienkhai.documents.models import Document

        documents = [Document.objects.get(symbol="52-NQ/TW")]
    return session_record(
        assignment=study_assignment,
        by=by,
        documents=documents,
        attendance=attendance,
        held_on=day,
        form="in_person",
        location="Hội trường Đảng ủy",
        presenter="Đồng chí Bí thư",
        minutes="",
        reason=reason,
        completed=completed,
        today=today,
    )


def purge_outreach() -> None:
    """Delete every session and public item, as a test that rebuilds the world needs: they
    protect their units, assignments and topics from deletion."""
    from trienkhai.outreach.models import PublicOutreach

    StudySession.objects.all().delete()
    PublicOutreach.objects.all().delete()
