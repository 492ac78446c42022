"""Queue every daily job that is not already waiting (safe to run at every start)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from trienkhai.core import jobs
from trienkhai.reports.jobs import daily_reports_job, ensure_reports_job
from trienkhai.tasks.jobs import daily_cascade_job, ensure_daily_job

# (label, the job, how to queue it) — in the order they run each morning
DAILY = (
    ("the daily job (sweep, new periods, reminders)", daily_cascade_job, ensure_daily_job),
    ("the reports job (fed figures)", daily_reports_job, ensure_reports_job),
)


class Command(BaseCommand):
    help = (
        "Queue the daily jobs if none is queued: the cascade's sweep and reminders (07:00"
        " local time) and the refresh of fed report figures (07:30)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="run the first ones as soon as the worker can"
        )

    def handle(self, *args, **options) -> None:
        for label, job, ensure in DAILY:
            if not jobs.can_schedule(job):
                self.stdout.write(
                    f"{label}: the task backend cannot run jobs later: nothing queued"
                )
                continue
            result = ensure(now=options["now"])
            if result is None:
                self.stdout.write(f"{label} is already queued")
                continue
            when = timezone.localtime(result.task.run_after)
            self.stdout.write(f"queued {label} for {when:%Y-%m-%d %H:%M}")
