"""vntext against the labelled development set (skipped when the set is not present)."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from trienkhai.vntext import read
from trienkhai.vntext.eval import evaluate

DEV = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "vntext" / "dev"
pytestmark = pytest.mark.skipif(
    not (DEV / "labels.json").is_file(), reason=f"vntext dev set not found at {DEV}"
)
GOALS = {"symbols": 0.99, "dates": 0.99, "deadlines": 0.92, "units": 0.85, "tasks": 0.75}


def test_it_meets_the_goals_on_the_dev_set():
    scores = evaluate(DEV)
    for field, goal in GOALS.items():
        assert scores[field]["f1"] >= goal, (field, scores[field])
    assert scores["invented_tasks"]["count"] == 0


def test_it_finds_the_two_deliberate_inconsistencies():
    labels = json.loads((DEV / "labels.json").read_text(encoding="utf-8"))
    for rec in labels:
        text = (DEV / rec["file"]).read_text(encoding="utf-8")
        res = read(text, dt.date.fromisoformat(rec["issue_date"]))
        assert sorted(w.type for w in res.warnings) == sorted(w["type"] for w in rec["warnings"])


def test_cli_prints_json_with_spans():
    out = subprocess.run(
        [sys.executable, "-m", "trienkhai.vntext", str(DEV / "03.txt"), "--date", "2025-11-28"],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    text = (DEV / "03.txt").read_text(encoding="utf-8")
    for d in data["deadlines"]:
        assert text[d["start"] : d["end"]] == d["text"]
    assert data["symbols"][0]["text"] == "12-CT/TU"
