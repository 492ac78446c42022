"""Export the subtree of a unit as CSV (streamed) or XLSX."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trienkhai.units import tabular
from trienkhai.units.models import Unit


class Command(BaseCommand):
    help = "Export the units under --under CODE as CSV (to stdout by default) or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--under", metavar="CODE", required=True)
        parser.add_argument("--format", choices=tabular.FORMATS, default="csv")
        parser.add_argument("--output", "-o", metavar="FILE", help="default: standard output")

    def handle(self, *args, **options) -> None:
        root = Unit.objects.filter(code=options["under"]).first()
        if root is None:
            raise CommandError(f"no unit with code {options['under']!r}")
        rows = tabular.export_rows(root)
        output = options["output"]
        if options["format"] == "xlsx":
            if not output:
                raise CommandError("--output FILE is required for XLSX")
            with open(output, "wb") as f:
                tabular.write_xlsx(rows, f)
            return
        if output:
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.writelines(tabular.stream_csv(rows))
        else:
            for chunk in tabular.stream_csv(rows):
                self.stdout.write(chunk, ending="")
