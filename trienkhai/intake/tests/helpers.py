"""Test helpers: the seed text, and the form a browser would post from a rendered page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
# A copy of the seed's news item about the City's letter on Resolution 52 (3 June 2020).
SEED_TEXT = (HERE / "seed_letter.txt").read_text(encoding="utf-8")


class _FormParser(HTMLParser):
    """Collects what a browser submits from the form posting to ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.data.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._first_option, self._selected = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self.data.append((self._select, value))
                self._selected = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The HTML spec drops one newline right after <textarea>.
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None:
                self.data.append((self._select, self._first_option))
            self._select = None


def form_data(response, action: str = "/intake/confirm/") -> dict[str, list[str]]:
    """The fields the page's form would post, as a dict of lists (for ``client.post``)."""
    parser = _FormParser(action)
    parser.feed(response.content.decode())
    out: dict[str, list[str]] = {}
    for name, value in parser.data:
        out.setdefault(name, []).append(value)
    return out


def row_index(data: dict, who: str) -> int:
    """The formset index of the first proposed row whose "who" is ``who``."""
    for key, values in data.items():
        if key.endswith("-who") and values == [who]:
            return int(key.split("-")[1])
    raise KeyError(who)
