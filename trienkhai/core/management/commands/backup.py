"""Back up the database and the uploaded files into a checked folder."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trienkhai.core import backup
from trienkhai.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Write a backup (database, uploaded files, SHA-256 manifest) into a new folder under"
        " DIR (default: $BACKUP_DIR or var/backups). Safe while the server runs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dir", nargs="?", type=Path, help="where the backup folder goes")

    def handle(self, *args, **options) -> None:
        try:
            result = backup.backup(options["dir"] or backup.default_folder())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {result.path}"))
        for name, digest in result.files.items():
            self.stdout.write(f"  {name}  sha256 {digest}")
