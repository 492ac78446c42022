"""Restore a backup written by `manage.py backup` (checked first; replaces everything)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trienkhai.core import backup
from trienkhai.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Check a backup folder's checksums, then replace the database and the uploaded files"
        " with it. Stop the server and the worker first. --check only verifies."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="a folder written by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--check", action="store_true", help="only verify the backup")

    def handle(self, *args, **options) -> None:
        folder = options["folder"]
        try:
            manifest = backup.verify(folder)
            self.stdout.write(
                f"{folder}: {manifest['vendor']} backup of {manifest['created']}, checksums OK"
            )
            if options["check"]:
                return
            if not options["yes"]:
                answer = input(
                    "This replaces the whole database and puts the uploaded files back. Type yes: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled.")
            manifest = backup.restore(folder)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {folder} ({manifest['media_files']} uploaded files)."
                " Run `manage.py migrate` if this code is newer than the backup."
            )
        )
