"""Text helpers for Vietnamese: accent folding and whitespace."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_space(s: str) -> str:
    """Collapse runs of whitespace into one space and trim."""
    return _SPACES.sub(" ", s).strip()


def fold(s: str) -> str:
    """Lowercase, drop diacritics (đ → d too, which NFD does not split) and collapse spaces."""
    s = unicodedata.normalize("NFD", s or "").replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if not unicodedata.combining(c))
    return normalize_space(s.lower())
