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

from django.utils import timezone
from django_tasks import TaskResult, task

from trienkhai.core import jobs
from trienkhai.tasks.reminders import send_reminders
from trienkhai.tasks.services import assignments_sweep, recurring_topup

logger = logging.getLogger(__name__)

RUN_AT = dt.time(7, 0)


def next_run(after: dt.datetime | None = None) -> dt.datetime:
    """The first 07:00 (local time) strictly after ``after`` (default: now)."""
    return jobs.next_run(RUN_AT, after)


def ensure_daily_job(
    *, run_after: dt.datetime | None = None, now: bool = False
) -> TaskResult | None:
    """Queue the daily job for ``run_after`` (default: the next 07:00) unless one is waiting;
    None when one was, or when the backend cannot defer jobs."""
    when = timezone.now() if now else (run_after or next_run())
    return jobs.ensure_queued(daily_cascade_job, when)


@task()
def daily_cascade_job() -> dict[str, int]:
    """Sweep deadlines, top up recurring tasks, send the reminders; queue tomorrow's run."""
    today = timezone.localdate()
    ensure_daily_job(run_after=jobs.at_run_time(today + dt.timedelta(days=1), RUN_AT))
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
