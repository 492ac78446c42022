"""The daily job and the commands the worker and the operators run."""

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

from trienkhai.tasks.jobs import daily_cascade_job, ensure_daily_job, next_run
from trienkhai.tasks.models import Assignment, ReminderDigest, UnitRollup
from trienkhai.tasks.testing import build_cascade

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


def travel(when: dt.datetime):
    return time_machine.travel(when, tick=False)


@pytest.fixture
def cascade(world):
    c = build_cascade(world)
    for user in (world.city_leader, world.ward_officer, world.other_ward_officer):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return c


def queued():
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=daily_cascade_job.module_path
    )


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


# --- scheduling ----------------------------------------------------------------------------


def test_the_next_run_is_the_next_seven_oclock_local_time():
    assert next_run(local(2020, 8, 25, 6, 59)) == local(2020, 8, 25, 7, 0)
    assert next_run(local(2020, 8, 25, 7, 0)) == local(2020, 8, 26, 7, 0)
    assert next_run(local(2020, 8, 25, 23, 30)) == local(2020, 8, 26, 7, 0)


def test_schedule_jobs_queues_one_job_however_often_it_runs(db):
    with travel(local(2020, 8, 24, 20, 0)):
        assert "queued" in run("schedule_jobs")
        assert "already queued" in run("schedule_jobs")
        assert ensure_daily_job(now=True) is None
    job = queued().get()
    assert job.run_after == local(2020, 8, 25, 7, 0)


def test_the_daily_job_sweeps_reminds_and_queues_tomorrows_run(world, cascade, mailoutbox):
    with travel(local(2020, 8, 25, 7, 0)):
        counts = daily_cascade_job.call()
    # the sub-plan (due 20/08) and Tân Định's study were still "in progress"/"not started"
    assert counts["overdue"] >= 1
    assert not Assignment.objects.filter(
        due_date__lt=dt.date(2020, 8, 25), bucket__in=["not_started", "in_progress"]
    ).exists()
    assert counts["digests"] == 3 == len(mailoutbox)
    assert queued().get().run_after == local(2020, 8, 26, 7, 0)
    # run again the same day (a retry): nothing new is sent, nothing more is queued
    with travel(local(2020, 8, 25, 9, 0)):
        again = daily_cascade_job.call()
    assert (again["digests"], again["skipped"], again["overdue"]) == (0, 3, 0)
    assert len(mailoutbox) == 3
    assert queued().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_job_at_seven_and_it_queues_the_next(mailoutbox):
    from trienkhai.core.testing import build_world

    world = build_world()
    build_cascade(world)
    world.ward_officer.email = "canbo@example.org"
    world.ward_officer.save(update_fields=["email"])
    with travel(local(2020, 8, 24, 22, 0)):
        run("schedule_jobs")
    with travel(local(2020, 8, 25, 7, 1)):
        call_command(
            "db_worker",
            "--batch",
            "--interval",
            "0",
            "--no-startup-delay",
            "--no-reload",
            verbosity=0,
        )
    done = DBTaskResult.objects.get(task_path=daily_cascade_job.module_path, status="SUCCESSFUL")
    assert done.return_value["digests"] == 1
    assert [m.to for m in mailoutbox] == [["canbo@example.org"]]
    assert queued().get().run_after == local(2020, 8, 26, 7, 0)
    assert ReminderDigest.objects.get().day == dt.date(2020, 8, 25)


def test_with_a_backend_that_cannot_defer_nothing_is_queued(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert ensure_daily_job() is None
    assert "cannot" in run("schedule_jobs")


def test_the_dummy_backend_keeps_one_job_too(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert ensure_daily_job() is not None
    assert ensure_daily_job() is None


# --- commands ------------------------------------------------------------------------------


def test_send_reminders_prints_its_counts(world, cascade, mailoutbox):
    out = run("send_reminders", "--date", "2020-08-24")
    assert "digests sent: 3" in out
    assert "skipped: 3" in run("send_reminders", "--date", "2020-08-24")
    with pytest.raises(CommandError):
        run("send_reminders", "--date", "24/08/2020")


def test_sweep_assignments_moves_late_work_and_tops_up_recurring_tasks(world, cascade):
    with travel(local(2021, 1, 5, 7, 0)):
        out = run("sweep_assignments")
    assert "overdue: " in out and "new recurring assignments: 1" in out
    # the annual report's 2021 period now exists
    assert cascade.report.assignments.count() == 2
    with travel(local(2021, 1, 5, 8, 0)):
        assert run("sweep_assignments").strip() == "overdue: 0, new recurring assignments: 0"


def test_rollup_check_reports_drift_and_fix_rebuilds(world, cascade):
    assert "match" in run("rollup_check")
    UnitRollup.objects.filter(unit=world.city).update(overdue=999)
    with pytest.raises(CommandError):
        run("rollup_check")
    out = run("rollup_check", "--fix")
    assert "fixed" in out
    assert "match" in run("rollup_check")
