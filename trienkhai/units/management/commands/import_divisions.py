"""Load the 34 provinces and 3,321 communes as People's Committee units (idempotent)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trienkhai.units.models import Unit
from trienkhai.units.services import divisions_import


class Command(BaseCommand):
    help = (
        "Create or update the People's Committee of every province (code P79…) and commune"
        " (code W26743…) from the vietnam-provinces package, under a 'Việt Nam' root (code VN)"
        " or under the unit given by --under CODE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--under", metavar="CODE", help="code of the unit to load under")

    def handle(self, *args, **options) -> None:
        under = None
        if options["under"]:
            under = Unit.objects.filter(code=options["under"]).first()
            if under is None:
                raise CommandError(f"no unit with code {options['under']!r}")
        start = time.perf_counter()
        result = divisions_import(under=under)
        self.stdout.write(
            f"created {result.created}, updated {result.updated},"
            f" unchanged {result.unchanged} in {time.perf_counter() - start:.1f} s"
        )
