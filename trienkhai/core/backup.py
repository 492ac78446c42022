"""Backups a restore can trust: the database and the uploaded files, with their checksums.

A backup is a folder ``trienkhai-<date>-<time>/`` holding

* ``database.sqlite3`` (SQLite's online backup: a consistent copy while the server runs) or
  ``database.pgdump`` (``pg_dump --format=custom``, one consistent snapshot);
* ``media.tar`` — every uploaded file (document files, evidence), paths relative to
  ``MEDIA_ROOT``;
* ``MANIFEST.json`` — when, which database kind, the latest migration of each app, and the
  SHA-256 of each file.

``restore`` checks every checksum and the database kind before touching anything, then
replaces the database (SQLite: the backup API again, so the live file stays consistent;
PostgreSQL: ``pg_restore --clean --single-transaction``) and puts the files back (a tar
member that would land outside ``MEDIA_ROOT`` is refused).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from trienkhai.core.errors import DomainError

MANIFEST = "MANIFEST.json"
MEDIA = "media.tar"
FORMAT = 1


@dataclass
class BackupResult:
    path: Path
    files: dict[str, str]  # name -> sha256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def postgres_url(scheme: str = "postgresql") -> str:
    """The default database's connection as a URL (for pg_dump, or a child process)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{scheme}://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DomainError(
            f"{name} is not installed (Debian: apt-get install postgresql-client).", code="tool"
        )
    return path


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise DomainError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def backup(into: Path, *, now: dt.datetime | None = None) -> BackupResult:
    """Write a new backup folder under ``into`` and return it with its checksums."""
    now = now or dt.datetime.now(dt.UTC)
    folder = Path(into) / f"trienkhai-{now:%Y%m%d-%H%M%S}"
    if folder.exists():
        raise DomainError(f"{folder} already exists.", code="exists")
    folder.mkdir(parents=True)
    try:
        if connection.vendor == "sqlite":
            db_file = folder / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(db_file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        elif connection.vendor == "postgresql":
            db_file = folder / "database.pgdump"
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "-f",
                    str(db_file),
                    postgres_url(),
                ]
            )
        else:
            raise DomainError(f"No backup for {connection.vendor}.", code="vendor")
        media = folder / MEDIA
        with tarfile.open(media, "w") as tar:
            root = Path(settings.MEDIA_ROOT)
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
        files = {p.name: _sha256(p) for p in (db_file, media)}
        manifest = {
            "format": FORMAT,
            "created": now.isoformat(),
            "vendor": connection.vendor,
            "migrations": _migrations(),
            "files": files,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave a half backup that looks whole
        raise
    return BackupResult(folder, files)


def verify(folder: Path) -> dict:
    """The manifest of a backup whose files are all present and unchanged; else an error."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DomainError(f"{folder} is not a backup: {exc}", code="manifest") from exc
    if manifest.get("format") != FORMAT:
        raise DomainError(f"Unknown backup format {manifest.get('format')!r}.", code="format")
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if Path(name).name != name or not path.is_file():
            raise DomainError(f"{name} is missing from the backup.", code="missing")
        if _sha256(path) != expected:
            raise DomainError(f"{name} does not match its checksum: damaged.", code="checksum")
    return manifest


def _restore_media(tar_path: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path) as tar:
        members = tar.getmembers()
        for m in members:
            if not m.isfile() or Path(m.name).is_absolute() or ".." in Path(m.name).parts:
                raise DomainError(f"Refused a file outside the media folder: {m.name}")
        # "data" also refuses links, devices and absolute or escaping paths
        tar.extractall(root, members=members, filter="data")
    return len(members)


def restore(folder: Path) -> dict:
    """Replace the database and the uploaded files with the backup's; returns the manifest."""
    folder = Path(folder)
    manifest = verify(folder)
    if manifest["vendor"] != connection.vendor:
        raise DomainError(
            f"This backup is of a {manifest['vendor']} database; this server uses"
            f" {connection.vendor}.",
            code="vendor",
        )
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(folder / "database.sqlite3")
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # pg_restore drops the tables: hold no lock on them
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                postgres_url(),
                str(folder / "database.pgdump"),
            ]
        )
    manifest["media_files"] = _restore_media(folder / MEDIA)
    return manifest


def default_folder() -> Path:
    return Path(os.environ.get("BACKUP_DIR") or Path(settings.VAR_DIR) / "backups")
