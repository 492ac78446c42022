"""Text helpers for Vietnamese: accent folding and whitespace."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_space(s: str) -> str:
    """Collapse runs of whitespace into one space and trim."""
    return _SPACES.sub(" ", s or "").strip()


def strip_marks(s: str) -> str:
    """Drop diacritics but keep case and length-changing nothing else (đ → d, Đ → D)."""
    s = unicodedata.normalize("NFD", s or "").replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def fold(s: str) -> str:
    """Lowercase, drop diacritics (đ → d too, which NFD does not split) and collapse spaces."""
    return normalize_space(strip_marks(s).lower())


def fold_for_search(s: str) -> str:
    """Search key: lowercase, folded, single spaces (``Ủy ban  Nhân dân`` → ``uy ban nhan dan``).

    Kept apart from ``fold`` so that the search key may change without touching callers.
    """
    return fold(s)


def nfc(s: str) -> str:
    """Return ``s`` in NFC, the form every rule in this package is written for."""
    return unicodedata.normalize("NFC", s or "")
