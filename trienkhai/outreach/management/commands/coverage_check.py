"""Recount the coverage counters from the sessions, items and units; report (or fix) drift."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trienkhai.outreach import rollup


class Command(BaseCommand):
    help = (
        "Compare the stored coverage counters with a recount from the study sessions, public"
        " items and units; exit 1 on drift (--fix rebuilds them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="rebuild the counters")

    def handle(self, *args, **options) -> None:
        problems = rollup.check()
        for line in problems[:200]:
            self.stdout.write(line)
        if not problems:
            self.stdout.write("coverage counters match the facts")
            return
        if not options["fix"]:
            raise CommandError(f"{len(problems)} difference(s); run with --fix to rebuild")
        rollup.rebuild()
        left = rollup.check()
        if left:
            for line in left[:200]:
                self.stdout.write(line)
            raise CommandError(f"{len(left)} difference(s) still there after the rebuild")
        self.stdout.write(f"rebuilt: {len(problems)} difference(s) fixed")
