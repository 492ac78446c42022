"""Queue the daily cascade job unless one is already waiting (safe to run at every start)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from trienkhai.tasks.jobs import can_schedule, ensure_daily_job


class Command(BaseCommand):
    help = "Queue the daily sweep and reminders job (07:00 local time) if none is queued."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="run the first one as soon as the worker can"
        )

    def handle(self, *args, **options) -> None:
        if not can_schedule():
            self.stdout.write("the task backend cannot run jobs later: nothing queued")
            return
        result = ensure_daily_job(now=options["now"])
        if result is None:
            self.stdout.write("the daily job is already queued")
            return
        when = timezone.localtime(result.task.run_after)
        self.stdout.write(f"queued the daily job for {when:%Y-%m-%d %H:%M}")
