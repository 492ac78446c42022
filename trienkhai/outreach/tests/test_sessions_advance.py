"""Recording a session advances the unit's study assignment through the cascade."""

from __future__ import annotations

import datetime as dt

import pytest

from trienkhai.core.errors import DomainError
from trienkhai.outreach.models import StudySession
from trienkhai.outreach.services import study_topic
from trienkhai.outreach.testing import build_study, record
from trienkhai.tasks import rollup as task_rollup
from trienkhai.tasks.models import Assignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(world):
    return build_study(world)


def test_a_session_reports_progress_on_the_assignment(world, study):
    before = study.study_bt.updates.count()
    record(study.study_bt, by=world.ward_officer, party_members=600, cadres=40)
    a = Assignment.objects.get(pk=study.study_bt.pk)
    assert a.updates.count() == before + 1
    update = a.updates.first()
    assert "15/07/2020" in update.text and "640" in update.text and "52-NQ/TW" in update.text
    assert update.by == world.ward_officer
    # progress: the unit's own coverage (640 of 2,680 people), kept if it was higher
    assert a.progress == max(60, int(100 * 640 / 2680))
    assert a.state == Assignment.State.IN_PROGRESS
    assert task_rollup.check() == []


def test_progress_follows_coverage_and_stops_below_a_hundred(world, study):
    record(study.study_bt, cadres=80, party_members=1200, union_members=500)
    record(study.study_bt, association_members=900)
    a = Assignment.objects.get(pk=study.study_bt.pk)
    assert a.progress == 99 and a.state == Assignment.State.IN_PROGRESS


def test_ticking_completed_marks_the_assignment_done(world, study):
    record(study.study_bt, party_members=100, completed=True)
    a = Assignment.objects.get(pk=study.study_bt.pk)
    assert a.state == Assignment.State.DONE and a.progress == 100
    assert a.bucket == Assignment.Bucket.DONE_LATE  # due 31/07/2020, done 25/08/2020
    # more sessions may follow; the done assignment is left alone
    record(study.study_bt, party_members=100)
    assert Assignment.objects.get(pk=a.pk).updates.count() == a.updates.count()
    assert task_rollup.check() == []


def test_a_late_assignment_without_a_reason_records_nothing(world, study):
    with pytest.raises(DomainError) as err:
        record(study.study_td, party_members=100, reason="")
    assert err.value.field == "reason"
    assert StudySession.objects.count() == 0
    from trienkhai.outreach import rollup

    assert rollup.check() == []


def test_a_session_on_time_needs_no_reason(world, study):
    record(study.study_td, party_members=100, reason="", today=dt.date(2020, 7, 20))
    a = Assignment.objects.get(pk=study.study_td.pk)
    assert a.state == Assignment.State.IN_PROGRESS and a.reason == ""


def test_the_cells_sessions_count_for_the_citys_topic(world, study):
    assert study_topic(study.study_cell) == study.topic
    s = record(study.study_cell, party_members=20)
    assert s.topic == study.topic and s.assignment == study.study_cell
    assert Assignment.objects.get(pk=study.study_cell.pk).state == Assignment.State.IN_PROGRESS


def test_staff_of_another_unit_and_observers_cannot_record(world, study):
    for user in (world.other_ward_officer, world.observer, world.city_leader):
        with pytest.raises(DomainError) as err:
            record(study.study_bt, by=user, party_members=10)
        assert err.value.code == "forbidden"
    assert StudySession.objects.count() == 0
