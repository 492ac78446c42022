"""Background jobs run by the task worker (``manage.py db_worker``).

``daily_cascade_job`` sweeps deadlines, tops up recurring tasks and sends the reminders, then
makes sure the next one waits in the queue for 07:00 (local time) the next day. It queues its
successor first, so a crash in one step does not break the chain. ``schedule_jobs`` (run by
``make run`` before the worker starts) queues the first one. Both only queue when no job of
the same name is waiting, under a lock, so running them again or from two places at once never
doubles the job; and each step is idempotent anyway (the sweep moves a row once, the top-up
creates missing periods only, a digest is claimed once per person per day).
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task

from trienkhai.tasks.reminders import send_reminders
from trienkhai.tasks.services import assignments_sweep, recurring_topup

logger = logging.getLogger(__name__)

RUN_AT = dt.time(7, 0)
_LOCK_KEY = zlib.crc32(b"trienkhai.tasks.jobs.daily_cascade_job")


def _at_run_time(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, RUN_AT))


def next_run(after: dt.datetime | None = None) -> dt.datetime:
    """The first 07:00 (local time) strictly after ``after`` (default: now)."""
    after = after or timezone.now()
    local_day = timezone.localtime(after).date()
    at = _at_run_time(local_day)
    return at if at > after else _at_run_time(local_day + dt.timedelta(days=1))


def _queued(backend) -> bool:
    """Is a daily job already waiting to run?"""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        return (
            DBTaskResult.objects.filter(
                status=TaskResultStatus.READY,
                task_path=daily_cascade_job.module_path,
                backend_name=backend.alias,
            )
            .order_by()
            .exists()
        )
    results = getattr(backend, "results", None)  # the dummy backend of tests
    if results is not None:
        return any(
            r.task.func is daily_cascade_job.func and r.status == TaskResultStatus.READY
            for r in results
        )
    return False


def can_schedule() -> bool:
    """Only a backend that can defer a job can hold tomorrow's run."""
    return bool(daily_cascade_job.get_backend().supports_defer)


def ensure_daily_job(
    *, run_after: dt.datetime | None = None, now: bool = False
) -> TaskResult | None:
    """Queue the daily job for ``run_after`` (default: the next 07:00) unless one is waiting.

    Returns the queued result, or None when one was already waiting or the backend cannot
    defer jobs (the immediate backend would run it, and its successor, at once).
    """
    if not can_schedule():
        logger.warning("daily job not queued: the task backend cannot run jobs later")
        return None
    when = timezone.now() if now else (run_after or next_run())
    with transaction.atomic():
        # Two schedulers at once: the second waits here, then sees the first one's job.
        # (SQLite needs no lock: its write transactions already run one at a time.)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        if _queued(daily_cascade_job.get_backend()):
            return None
        return daily_cascade_job.using(run_after=when).enqueue()


@task()
def daily_cascade_job() -> dict[str, int]:
    """Sweep deadlines, top up recurring tasks, send the reminders; queue tomorrow's run."""
    today = timezone.localdate()
    ensure_daily_job(run_after=_at_run_time(today + dt.timedelta(days=1)))
    counts: dict[str, int] = {}
    failures: list[BaseException] = []
    try:
        counts["overdue"] = assignments_sweep(today=today)
    except Exception as exc:  # the other steps still run
        logger.exception("daily job: the sweep failed")
        failures.append(exc)
    try:
        counts["recurring"] = recurring_topup(today=today)
    except Exception as exc:
        logger.exception("daily job: the recurring top-up failed")
        failures.append(exc)
    try:
        result = send_reminders(today=today)
        counts.update(
            digests=result.digests,
            items=result.items,
            skipped=result.skipped,
            failed=result.failed,
        )
    except Exception as exc:
        logger.exception("daily job: the reminders failed")
        failures.append(exc)
    if failures:
        raise failures[0]  # the job shows as failed, with the first error
    return counts
