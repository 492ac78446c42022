"""``python -m trienkhai.vntext.eval DIR``: precision, recall and F1 per field on a labelled folder.

Matching follows the official scorer: symbols by spacing/TƯ-insensitive text, dates exactly,
deadlines by due date, recurrence and overlapping folded text, units by normalised name or
a 0.9 similarity, tasks by a 0.6 similarity of ``what``; pairs are matched greedily one to one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from . import read

FIELDS = ("symbols", "dates", "deadlines", "units", "tasks")


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s or "").casefold()
    s = re.sub(r"\s+", " ", s).strip(" .,;:-–")
    return re.sub(r"^(các|những)\s+", "", s)


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFD", _norm(s)).replace("đ", "d")
    return "".join(c for c in s if not unicodedata.combining(c))


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _fold(a), _fold(b)).ratio()


def _sym_key(x: dict | str) -> str:
    t = x if isinstance(x, str) else x.get("text") or ""
    t = unicodedata.normalize("NFC", t).replace("TƯ", "TW").replace("Tư", "TW")
    return re.sub(r"\s+", "", t).upper().removeprefix("SỐ")


def _same_deadline(g: dict, p: dict) -> bool:
    if (g.get("due") or None) != (p.get("due") or None):
        return False
    if (g.get("recurring") or None) != (p.get("recurring") or None):
        return False
    gt, pt = _fold(g.get("text", "")), _fold(p.get("text", ""))
    return bool(gt and pt and (gt in pt or pt in gt))


def _same_unit(g: str, p: dict | str) -> bool:
    name = p.get("name") or p.get("text") if isinstance(p, dict) else p
    return bool(name) and (_norm(g) == _norm(name) or _ratio(g, name) >= 0.9)


SAME: dict[str, Callable[[object, object], bool]] = {
    "symbols": lambda g, p: _sym_key(g) == _sym_key(p),
    "dates": lambda g, p: g == p,
    "deadlines": _same_deadline,
    "units": _same_unit,
    "tasks": lambda g, p: _ratio(g.get("what", ""), p.get("what", "")) >= 0.6,
}


def _match(gold: list, pred: list, same: Callable[[object, object], bool]) -> int:
    used: set[int] = set()
    hits = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(g, p):
                used.add(i)
                hits += 1
                break
    return hits


def evaluate(folder: str | Path) -> dict[str, dict[str, float]]:
    """Scores per field: ``{field: {precision, recall, f1, gold, predicted}}``."""
    folder = Path(folder)
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    tot = {f: [0, 0, 0] for f in FIELDS}
    invented = 0
    for rec in labels:
        text = (folder / rec["file"]).read_text(encoding="utf-8")
        ref = dt.date.fromisoformat(rec["issue_date"]) if rec.get("issue_date") else None
        res = read(text, ref).to_dict()
        for f in FIELDS:
            gold, pred = rec.get(f) or [], res.get(f) or []
            tot[f][0] += _match(gold, pred, SAME[f])
            tot[f][1] += len(gold)
            tot[f][2] += len(pred)
        if not rec.get("tasks"):
            invented += len(res.get("tasks") or [])
    out: dict[str, dict[str, float]] = {}
    for f, (h, g, p) in tot.items():
        prec = h / p if p else 0.0
        rec_ = h / g if g else 0.0
        f1 = 2 * prec * rec_ / (prec + rec_) if prec + rec_ else 0.0
        out[f] = {"precision": prec, "recall": rec_, "f1": f1, "gold": g, "predicted": p}
    out["invented_tasks"] = {"count": invented}
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the scores of a labelled folder."""
    ap = argparse.ArgumentParser(prog="python -m trienkhai.vntext.eval")
    ap.add_argument("folder")
    a = ap.parse_args(argv)
    scores = evaluate(a.folder)
    for f in FIELDS:
        s = scores[f]
        print(
            f"{f:10s} P={s['precision']:.3f} R={s['recall']:.3f} F1={s['f1']:.3f} "
            f"(gold {s['gold']}, predicted {s['predicted']})"
        )
    print(f"invented tasks on task-free texts: {scores['invented_tasks']['count']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
