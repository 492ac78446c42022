"""Build the demo: the City's organization, the Resolution 52 chain and three personas."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trienkhai.core import demo


class Command(BaseCommand):
    help = (
        "Build the demo data (Hồ Chí Minh City, its 168 wards and communes, the 52-NQ/TW"
        " chain, three personas). Refuses when the database already has units; with"
        " --if-empty it then does nothing instead (what `make run` uses)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (successfully) when the database already has units",
        )

    def handle(self, *args, **options) -> None:
        if not demo.is_empty():
            if options["if_empty"]:
                self.stdout.write("Demo: the database already has data, nothing to do.")
                return
            raise CommandError(
                "The database already has units: the demo is built only on an empty database."
                " Use --if-empty to skip silently, or start from a fresh database."
            )
        result = demo.build_demo(log=lambda msg: self.stdout.write(f"  {msg}", ending="\n"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo built: {result.units} units, {result.documents} documents,"
                f" {len(result.logins)} logins in {result.seconds:.1f} s."
                f" Logins saved to {demo.logins_path()} (run `manage.py demo_logins`)."
            )
        )
