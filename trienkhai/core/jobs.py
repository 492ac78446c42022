"""Daily background jobs that queue their own next run (``manage.py db_worker`` runs them).

Each daily job queues its successor first, so a crash in one step does not break the chain;
``manage.py schedule_jobs`` (run by ``make run`` before the worker starts) queues the first
run of each. Queueing happens under a lock and only when no run of the same job is waiting,
so running it again, or from two places at once, never doubles a job.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.base import Task

logger = logging.getLogger(__name__)


def at_run_time(day: dt.date, run_at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, run_at))


def next_run(run_at: dt.time, after: dt.datetime | None = None) -> dt.datetime:
    """The first ``run_at`` (local time) strictly after ``after`` (default: now)."""
    after = after or timezone.now()
    day = timezone.localtime(after).date()
    at = at_run_time(day, run_at)
    return at if at > after else at_run_time(day + dt.timedelta(days=1), run_at)


def is_queued(job: Task) -> bool:
    """Is a run of ``job`` already waiting?"""
    from django_tasks_db.backend import DatabaseBackend

    backend = job.get_backend()
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        return (
            DBTaskResult.objects.filter(
                status=TaskResultStatus.READY,
                task_path=job.module_path,
                backend_name=backend.alias,
            )
            .order_by()
            .exists()
        )
    results = getattr(backend, "results", None)  # the dummy backend of tests
    if results is not None:
        return any(r.task.func is job.func and r.status == TaskResultStatus.READY for r in results)
    return False


def can_schedule(job: Task) -> bool:
    """Only a backend that can defer a job can hold tomorrow's run (the immediate backend
    would run it, and its successor, at once)."""
    return bool(job.get_backend().supports_defer)


def ensure_queued(job: Task, when: dt.datetime) -> TaskResult | None:
    """Queue ``job`` for ``when`` unless a run is waiting; None when one was, or when the
    backend cannot defer jobs."""
    if not can_schedule(job):
        logger.warning("%s not queued: the task backend cannot run jobs later", job.name)
        return None
    with transaction.atomic():
        # Two schedulers at once: the second waits here, then sees the first one's job.
        # (SQLite needs no lock: its write transactions already run one at a time.)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                key = zlib.crc32(job.module_path.encode())
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        if is_queued(job):
            return None
        return job.using(run_after=when).enqueue()
