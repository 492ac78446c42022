"""Project-wide guarantees: migrations are complete, the Vietnamese catalog is complete."""

from __future__ import annotations

import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
APPS = [
    "core",
    "units",
    "accounts",
    "documents",
    "tasks",
    "api",
    "intake",
    "portal",
    "outreach",
    "oversight",
    "reports",
]


@pytest.mark.django_db
def test_no_migration_is_missing():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"a migration is missing:\n{out.getvalue()}") if exc.code else None


def _po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry of a .po file, plural forms joined."""
    entries, msgid, msgstr, fuzzy, cur = [], None, [], False, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if msgid is not None:
                entries.append((msgid, "".join(msgstr), fuzzy))
            msgid, msgstr, fuzzy, cur = None, [], False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, cur = line[6:].strip('"'), "id"
        elif line.startswith("msgid_plural"):
            cur = "plural"
        elif line.startswith("msgstr"):
            msgstr.append(line.split(" ", 1)[1].strip('"'))
            cur = "str"
        elif line.startswith('"'):
            if cur == "id":
                msgid += line.strip('"')
            elif cur == "str":
                msgstr[-1] += line.strip('"')
    return [e for e in entries if e[0]]


@pytest.mark.parametrize("app", APPS)
def test_vietnamese_catalog_is_complete_and_current(app, tmp_path):
    """Re-extract the app's messages into a copy and require a translation for each."""
    # `make test` installs gettext; a missing tool must fail, not hide an incomplete catalog.
    assert shutil.which("xgettext"), "gettext is not installed (apt-get install gettext)"
    src = ROOT / "trienkhai" / app
    copy = tmp_path / app
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    (copy / "locale").mkdir(exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "vi",
            "--no-obsolete",
            "-v0",
        ],
        cwd=copy,
        check=True,
    )
    po = copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        return  # the app shows no text
    missing = [m for m, s, fuzzy in _po_entries(po) if not s or fuzzy]
    assert not missing, f"untranslated or fuzzy in {app}: {missing[:20]}"
    assert (src / "locale" / "vi" / "LC_MESSAGES" / "django.mo").exists(), "run `make messages`"


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "k" * 20 + "-production-like-secret-key-with-enough-entropy-123",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_SSL_REDIRECT": "true",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
