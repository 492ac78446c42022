"""Recount the roll-up counters from the assignments and report (or fix) any drift."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trienkhai.tasks import rollup


class Command(BaseCommand):
    help = "Compare the stored roll-up counters with a recount; exit 1 on drift (--fix rebuilds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fix", action="store_true", help="rebuild the counters from the assignments"
        )

    def handle(self, *args, **options) -> None:
        problems = rollup.check()
        for line in problems:
            self.stdout.write(line)
        if not problems:
            self.stdout.write("counters match the assignments")
            return
        if not options["fix"]:
            raise CommandError(f"{len(problems)} counter(s) drifted; run with --fix to rebuild")
        rollup.rebuild()
        left = rollup.check()
        if left:
            for line in left:
                self.stdout.write(line)
            raise CommandError(f"{len(left)} counter(s) still differ after the rebuild")
        self.stdout.write(f"rebuilt: {len(problems)} counter(s) fixed")
