"""Import units from a CSV or XLSX file into the subtree of a unit (all rows or nothing)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trienkhai.core.errors import DomainError
from trienkhai.units.models import Unit
from trienkhai.units.services import units_import


class Command(BaseCommand):
    help = "Import units from FILE (.csv or .xlsx) under the unit with code --under."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--under", metavar="CODE", required=True)

    def handle(self, *args, **options) -> None:
        under = Unit.objects.filter(code=options["under"]).first()
        if under is None:
            raise CommandError(f"no unit with code {options['under']!r}")
        path = Path(options["file"])
        fmt = path.suffix.lower().lstrip(".")
        try:
            with path.open("rb") as f:
                result = units_import(rows_file=f, fmt=fmt, under=under, by=None)
        except (OSError, DomainError) as exc:
            raise CommandError(str(exc))
        if not result.ok:
            for e in result.errors:
                self.stderr.write(f"row {e.row}, column {e.column}: {e.message}")
            raise CommandError(f"{len(result.errors)} problem(s): nothing was imported")
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, moved {result.moved},"
            f" unchanged {result.unchanged}"
        )
