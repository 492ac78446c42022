"""``python -m trienkhai.vntext FILE [--date YYYY-MM-DD]`` prints what the text says as JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from . import read
from .files import VntextError, load_text


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m trienkhai.vntext", description=__doc__)
    ap.add_argument("file")
    ap.add_argument("--date", help="issue date (YYYY-MM-DD); read from the header if omitted")
    a = ap.parse_args(argv)
    try:
        text = load_text(a.file)
    except (VntextError, OSError, ValueError) as e:
        print(str(e), file=sys.stderr)
        return 2
    ref = dt.date.fromisoformat(a.date) if a.date else None
    result = read(text, ref)
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
