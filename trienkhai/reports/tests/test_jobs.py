"""The daily reports job: queued once, run by the worker, refreshing open reports only."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from trienkhai.outreach.testing import record
from trienkhai.reports.jobs import daily_reports_job, ensure_reports_job, next_run
from trienkhai.reports.models import Report, Value
from trienkhai.reports.testing import TODAY
from trienkhai.reports.tests.conftest import accept, build_fed, send

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


def travel(when: dt.datetime):
    return time_machine.travel(when, tick=False)


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def queued():
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=daily_reports_job.module_path
    )


def party_members(report: Report) -> float | None:
    value = Value.objects.filter(report=report, indicator__code="DVTG").first()
    return value.number if value else None


def settle(rep, study, world) -> None:
    """The cell's report accepted, Tân Định's sent, then more study in three units."""
    accept(send(rep.cell, rep.cell_officer), world.ward_officer)
    send(rep.td, world.other_ward_officer)
    for assignment, n, day in (
        (study.study_cell, 30, 5),  # the cell: 40 of its 40 party members now
        (study.study_td, 100, 5),  # Tân Định: still capped at 600
        (study.study_bt, 50, 6),  # Bến Thành: 950 of 1,200
    ):
        record(assignment, party_members=n, day=dt.date(2020, 11, day), today=TODAY)


def test_the_next_run_is_the_next_half_past_seven_local_time():
    assert next_run(local(2020, 12, 9, 7, 29)) == local(2020, 12, 9, 7, 30)
    assert next_run(local(2020, 12, 9, 7, 30)) == local(2020, 12, 10, 7, 30)
    assert next_run(local(2020, 12, 31, 23, 0)) == local(2021, 1, 1, 7, 30)


@pytest.mark.django_db
def test_the_schedule_command_queues_one_job_however_often_it_runs():
    with travel(local(2020, 12, 9, 20, 0)):
        assert "queued the reports job (fed figures) for 2020-12-10 07:30" in run("schedule_jobs")
        assert "reports job (fed figures) is already queued" in run("schedule_jobs")
        assert ensure_reports_job(now=True) is None
    assert queued().get().run_after == local(2020, 12, 10, 7, 30)


@pytest.mark.django_db
def test_with_a_backend_that_cannot_defer_nothing_is_queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert ensure_reports_job() is None
    assert "cannot" in run("schedule_jobs")


@pytest.mark.django_db
def test_the_job_refreshes_open_reports_leaves_the_others_and_queues_tomorrow(world):
    rep, study = build_fed(world)
    with travel(local(2020, 12, 10, 7, 30)):
        settle(rep, study, world)
        before = {r.pk: party_members(r) for r in (rep.cell, rep.td)}
        assert before == {rep.cell.pk: 10, rep.td.pk: 600}
        result = daily_reports_job.call()
    assert result == {"rounds": 1, "reports": 2}  # Bến Thành's draft and the City's
    assert party_members(rep.bt) == 50 + 900 + 40  # its cell capped at its 40 members
    assert party_members(rep.city) == 990 + 600
    assert {r.pk: party_members(r) for r in (rep.cell, rep.td)} == before
    assert queued().get().run_after == local(2020, 12, 11, 7, 30)
    with travel(local(2020, 12, 10, 9, 0)):  # a retry the same day: nothing to write
        assert daily_reports_job.call() == {"rounds": 1, "reports": 0}
    assert queued().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_job_and_accepted_reports_stay_locked():
    from trienkhai.core.testing import build_world

    world = build_world()
    rep, study = build_fed(world)
    with travel(local(2020, 12, 9, 22, 0)):
        settle(rep, study, world)
        run("schedule_jobs")
    accepted = Report.objects.get(pk=rep.cell.pk)
    with travel(local(2020, 12, 10, 7, 31)):
        call_command(
            "db_worker",
            "--batch",
            "--interval",
            "0",
            "--no-startup-delay",
            "--no-reload",
            verbosity=0,
        )
    done = DBTaskResult.objects.get(task_path=daily_reports_job.module_path, status="SUCCESSFUL")
    assert done.return_value == {"rounds": 1, "reports": 2}
    assert party_members(rep.bt) == 990
    after = Report.objects.get(pk=rep.cell.pk)
    assert (after.state, after.version, party_members(after)) == (
        Report.State.ACCEPTED,
        accepted.version,
        10,
    )
    assert queued().get().run_after == local(2020, 12, 11, 7, 30)


@pytest.mark.django_db
def test_the_refresh_command_runs_now_for_all_rounds_or_one(world):
    rep, study = build_fed(world)
    with travel(local(2020, 12, 10, 10, 0)):
        settle(rep, study, world)
        assert run("report_feeds_refresh", "--round", str(rep.round.pk)) == (
            f"round {rep.round.pk}: 2 report(s) refreshed\n"
        )
        assert run("report_feeds_refresh") == "1 round(s) with fed figures: 0 report(s) refreshed\n"
        with pytest.raises(CommandError):
            run("report_feeds_refresh", "--round", "999999")
    assert party_members(rep.cell) == 10  # accepted: untouched
