"""Send today's deadline digests (the daily job runs this too)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trienkhai.tasks.reminders import send_reminders


class Command(BaseCommand):
    help = "Email each staff member and leader one digest of their units' deadlines for today."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to remind for, YYYY-MM-DD (default: today)")

    def handle(self, *args, **options) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD")
        result = send_reminders(today=today)
        self.stdout.write(str(result))
