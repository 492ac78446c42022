"""Print the demo logins written by `manage.py demo` (passwords exist only in the demo)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from trienkhai.core import demo


class Command(BaseCommand):
    help = "Print the demo URL, usernames and passwords saved by `manage.py demo`."

    def handle(self, *args, **options) -> None:
        path = demo.logins_path()
        logins = demo.read_logins(path)
        if not logins:
            self.stdout.write(f"No demo logins found ({path} is missing or empty).")
            return
        url = settings.SITE_URL.rstrip("/") + "/"
        width = max(len(x.username) for x in logins)
        pw_width = max(len(x.password) for x in logins)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins for {url}"))
        for x in logins:
            self.stdout.write(f"  {x.username:<{width}}  {x.password:<{pw_width}}  {x.description}")
        self.stdout.write(f"(saved in {path}; they exist only in this demo database)")
        self.stdout.write(
            "Leaders and the administrator enter a second code after the password:"
            " `.venv/bin/python manage.py demo_code USERNAME` prints it."
        )
        self.stdout.write("")
