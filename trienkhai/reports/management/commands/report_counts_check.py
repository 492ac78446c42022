"""Recount the completeness counters of every round from its reports; exit 1 on drift."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from trienkhai.reports import counts
from trienkhai.reports.models import Round


class Command(BaseCommand):
    help = (
        "Compare the completeness counters of every reporting round with a recount of its"
        " reports; --fix recounts the rounds that drifted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="recount the drifted rounds")

    def handle(self, *args, **options) -> None:
        drifted = 0
        for rnd in Round.objects.order_by("pk"):
            problems = counts.check(rnd)
            if not problems:
                continue
            drifted += 1
            for line in problems[:20]:
                self.stdout.write(line)
            if options["fix"]:
                with transaction.atomic():
                    counts.rebuild(rnd)
                self.stdout.write(f"round {rnd.pk}: recounted")
        if drifted and not options["fix"]:
            raise CommandError(f"{drifted} round(s) drifted: run with --fix to recount them")
        self.stdout.write(f"report counters: {drifted} round(s) drifted")
