"""`make bench`: print one line per figure — ``bench <name> <value> <unit> target <target>``.

Each benchmark group runs in a fresh, migrated test database (SQLite by default, or the
database of DATABASE_URL), so figures never depend on the developer's own data. Only figure
lines go to stdout; notes (setup timings, skipped groups, failures) go to stderr.

Groups: tree, divisions, vntext, national (the cascade at national scale: ~60,000 units and
1,000,000 assignments — dashboard, reminders, cascade; figure names end in the database,
e.g. run it again with ``--suffix _pg`` on PostgreSQL), coverage (study coverage of the root
over 60,000 units and 500,000 sessions; run on PostgreSQL in `make bench`), peer
(PostgreSQL only), portal (the public article page; its load figures need PostgreSQL),
reports (periodic reports over the same 60,000 units: consolidation and completeness).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trienkhai.settings")
os.environ.setdefault("TRIENKHAI_BENCH", "1")

# name -> (unit, target, lower_is_better)
TARGETS: dict[str, tuple[str, float, bool]] = {
    "tree_page_ms": ("ms", 100, True),
    "tree_page_queries": ("queries", 10, True),
    "import_divisions_s": ("s", 30, True),
    "vntext_10_pages_ms": ("ms", 200, True),
    # national group: the SQLite run prints these names, the PostgreSQL run (--suffix _pg)
    # dashboard_root_p95_pg_ms, dashboard_province_p95_pg_ms, dashboard_pg_queries,
    # cascade_10k_units_pg_s and reminders_1m_pg_s
    "dashboard_root_p95_sqlite_ms": ("ms", 100, True),
    "dashboard_root_p95_ms": ("ms", 100, True),
    "dashboard_province_p95_ms": ("ms", 100, True),
    "dashboard_queries": ("queries", 20, True),  # constant whatever the size: 20 at most
    "cascade_10k_units_s": ("s", 2, True),
    "reminders_1m_s": ("s", 60, True),
    # coverage group (PostgreSQL in make bench, under this name)
    "coverage_root_ms": ("ms", 200, True),
    "peer_overdue_rps_c8": ("rps", 120, False),
    "peer_overdue_p95_c1_ms": ("ms", 25, True),
    # portal group (PostgreSQL part of `make bench`; rps and errors need PostgreSQL)
    "article_p95_ms": ("ms", 20, True),
    "article_rps": ("rps", 0, False),  # printed; any answer rate above zero
    "article_errors": ("errors", 0, True),
    "article_page_kb": ("KB", 100, True),
    # reports group (PostgreSQL in make bench, under these names)
    "consolidate_60k_units_s": ("s", 2, True),
    "completeness_root_ms": ("ms", 200, True),
}
# Groups whose SQLite database is a file (var/bench_<group>.sqlite3) rather than memory: a
# million rows are measured as the demo serves them, from disk through SQLite's page cache.
ON_DISK = {"national", "reports"}


def _print(name: str, value: float, suffix: str = "") -> None:
    unit, target, _ = TARGETS.get(name, ("", 0, True))
    shown = f"{value:.0f}" if unit in ("queries", "errors") else f"{value:.1f}"
    if suffix:
        # keep the unit last in the name: tree_page_ms -> tree_page_pg_ms
        stem, _, tail = name.rpartition("_")
        name = f"{stem}{suffix}_{tail}" if stem else f"{name}{suffix}"
    print(f"bench {name} {shown} {unit} target {target:g}", flush=True)


def _peer() -> dict[str, float]:
    from django.db import connection

    from bench.peer_bench import bench_peer

    if connection.vendor != "postgresql":
        print("# peer: PostgreSQL only (set DATABASE_URL): skipped", file=sys.stderr)
        return {}
    return bench_peer()


def _groups() -> dict[str, Callable[[], dict[str, float] | Iterable[tuple[str, float]]]]:
    from bench import coverage_bench, portal_bench, reports_bench, tasks_bench, units_bench
    from trienkhai.vntext.bench import bench_10_pages_ms

    return {
        "tree": units_bench.bench_tree_page,
        "divisions": units_bench.bench_import_divisions,
        "vntext": lambda: {"vntext_10_pages_ms": bench_10_pages_ms()},
        "national": tasks_bench.bench_national,
        "coverage": coverage_bench.bench_coverage,
        "reports": reports_bench.bench_reports,
        "peer": _peer,
        "portal": portal_bench.bench_portal,
    }


def _figures(result: dict[str, float] | Iterable[tuple[str, float]]):
    """A group returns its figures, or yields them one by one as they are measured."""
    return result.items() if isinstance(result, dict) else result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("groups", nargs="*", help="only these groups (default: all)")
    parser.add_argument("--suffix", default="", help="appended to every figure's name")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.test.utils import setup_test_environment

    setup_test_environment()
    groups = _groups()
    selected = args.groups or list(groups)
    failed = 0
    unknown = [name for name in selected if name not in groups]
    if unknown:
        parser.error(f"unknown group(s): {', '.join(unknown)}; groups: {', '.join(groups)}")
    test_settings = connection.settings_dict.setdefault("TEST", {})
    default_test_name = test_settings.get("NAME")
    for name in selected:
        if connection.vendor == "sqlite" and name in ON_DISK and not default_test_name:
            var = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var"))
            var.mkdir(parents=True, exist_ok=True)
            test_settings["NAME"] = str(var / f"bench_{name}.sqlite3")
        else:
            test_settings["NAME"] = default_test_name
        old = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            started = time.perf_counter()
            for key, value in _figures(groups[name]()):
                _print(key, value, args.suffix)
            print(
                f"# {name} on {connection.vendor} took {time.perf_counter() - started:.1f}s",
                file=sys.stderr,
            )
        except Exception as exc:  # report and go on: one broken bench must not hide the rest
            failed += 1
            print(f"# bench group {name} failed: {exc!r}", file=sys.stderr)
        finally:
            connection.creation.destroy_test_db(old, verbosity=0)
            # Django keeps an in-memory SQLite database open across close() (closing would drop
            # it): really close it, so the next group starts from an empty database, and so a
            # group whose database is a file does not go on writing into memory.
            BaseDatabaseWrapper.close(connection)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
