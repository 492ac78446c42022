"""Print the current second-factor code of a demo persona (leaders and the administrator)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from trienkhai.core import demo


class Command(BaseCommand):
    help = (
        "Print the current 6-digit code of a demo persona's authenticator (leaders and the"
        " administrator of the demo; valid about 30 seconds). Real users' secrets are never"
        " printed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, **options) -> None:
        code = demo.demo_code(options["username"])
        if code is None:
            raise CommandError(f"{options['username']} has no demo authenticator.")
        self.stdout.write(code)
