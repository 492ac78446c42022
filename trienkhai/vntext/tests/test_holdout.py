"""vntext on the team's holdout texts (tests/holdout): the issue's targets must hold."""

from pathlib import Path

from trienkhai.vntext.eval import evaluate

HOLDOUT = Path(__file__).resolve().parent / "holdout"
GOALS = {"symbols": 0.99, "dates": 0.99, "deadlines": 0.92, "units": 0.85, "tasks": 0.75}


def test_it_meets_the_targets_on_the_holdout_texts():
    scores = evaluate(HOLDOUT)
    for field, goal in GOALS.items():
        assert scores[field]["f1"] >= goal, (field, scores[field])
    assert scores["invented_tasks"]["count"] == 0
