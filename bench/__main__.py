"""`make bench`: print one line per figure — ``bench <name> <value> <unit> target <target>``.

Each benchmark group runs in a fresh, migrated test database (SQLite by default, or the
database of DATABASE_URL), so figures never depend on the developer's own data.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trienkhai.settings")
os.environ.setdefault("TRIENKHAI_BENCH", "1")

# name -> (unit, target, lower_is_better)
TARGETS: dict[str, tuple[str, float, bool]] = {
    "tree_page_ms": ("ms", 100, True),
    "tree_page_queries": ("queries", 10, True),
    "import_divisions_s": ("s", 30, True),
    "vntext_10_pages_ms": ("ms", 200, True),
}


def _print(name: str, value: float, suffix: str = "") -> None:
    unit, target, _ = TARGETS.get(name, ("", 0, True))
    shown = f"{value:.0f}" if unit == "queries" else f"{value:.1f}"
    if suffix:
        # keep the unit last in the name: tree_page_ms -> tree_page_pg_ms
        stem, _, tail = name.rpartition("_")
        name = f"{stem}{suffix}_{tail}" if stem else f"{name}{suffix}"
    print(f"bench {name} {shown} {unit} target {target:g}", flush=True)


def _groups() -> dict[str, Callable[[], dict[str, float]]]:
    from bench import units_bench
    from trienkhai.vntext.bench import bench_10_pages_ms

    return {
        "tree": units_bench.bench_tree_page,
        "divisions": units_bench.bench_import_divisions,
        "vntext": lambda: {"vntext_10_pages_ms": bench_10_pages_ms()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("groups", nargs="*", help="only these groups (default: all)")
    parser.add_argument("--suffix", default="", help="appended to every figure's name")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    groups = _groups()
    selected = args.groups or list(groups)
    failed = 0
    for name in selected:
        old = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            started = time.perf_counter()
            for key, value in groups[name]().items():
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
