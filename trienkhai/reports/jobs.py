"""The reports' daily job, run by the task worker (``manage.py db_worker``).

``daily_reports_job`` refreshes the figures fed from the cascade and the study records on
every open report (drafts and returned ones: submitted reports keep what was sent, accepted
ones are locked), then queues its own next run. It runs at 07:30, after the cascade's 07:00
sweep has moved late work to "overdue" (the on-time rate reads it). ``schedule_jobs`` queues
the first one (see ``core/jobs.py``); the refresh is idempotent (a figure already current is
not written again).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import TaskResult, task

from trienkhai.core import jobs
from trienkhai.reports.services import rounds_refresh_feeds

RUN_AT = dt.time(7, 30)


def next_run(after: dt.datetime | None = None) -> dt.datetime:
    """The first 07:30 (local time) strictly after ``after`` (default: now)."""
    return jobs.next_run(RUN_AT, after)


def ensure_reports_job(
    *, run_after: dt.datetime | None = None, now: bool = False
) -> TaskResult | None:
    """Queue the reports job for ``run_after`` (default: the next 07:30) unless one is
    waiting; None when one was, or when the backend cannot defer jobs."""
    when = timezone.now() if now else (run_after or next_run())
    return jobs.ensure_queued(daily_reports_job, when)


@task()
def daily_reports_job() -> dict[str, int]:
    """Refresh the fed figures of every open report; queue tomorrow's run first, so a failure
    here does not break the chain."""
    today = timezone.localdate()
    ensure_reports_job(run_after=jobs.at_run_time(today + dt.timedelta(days=1), RUN_AT))
    rounds, reports = rounds_refresh_feeds(today=today)
    return {"rounds": rounds, "reports": reports}
