"""Article bodies and reader text: a tiny formatting language of our own, nh3 for HTML.

No Markdown library is installed, and an article needs little: paragraphs, headings, bold,
italic, lists, quotes and links. ``text_to_html`` escapes everything the editor typed and
then turns only those marks into tags; ``sanitize_html`` (nh3, an allow-list) is applied to
its output as well as to pasted HTML, so whatever path a body takes, only the allow-list
reaches a page.

Reader comments are never HTML: ``clean_plain`` only removes characters that have no place
in a comment (controls, bidirectional overrides, piles of combining marks); the templates
escape the rest and keep line breaks.
"""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "sub",
        "sup",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "hr",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "figure",
        "figcaption",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them, not just their tags.
DROP_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "noscript", "template", "object", "svg", "math", "textarea"}
    | {"select", "title", "head", "frameset", "noembed", "xmp"}
)
LINK_REL = "noopener noreferrer nofollow"


def sanitize_html(raw: str) -> str:
    """Only the allow-list survives: no script, style, event handler, image or frame."""
    return nh3.clean(
        raw or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


_BLOCK_END = re.compile(r"<(?:br|hr)\s*/?>|</(?:p|h\d|li|td|th|blockquote|figcaption|tr)>", re.I)
_SPACES = re.compile(r"\s+")


def html_to_text(fragment: str) -> str:
    """The words of a sanitized fragment (for the search column and feed summaries)."""
    spaced = _BLOCK_END.sub(" ", fragment or "")
    text = nh3.clean(spaced, tags=set(), clean_content_tags=set(DROP_WITH_CONTENT))
    return _SPACES.sub(" ", html.unescape(text)).strip()


# --- the formatting language of article bodies ---------------------------------------------

_HEADING = re.compile(r"^(#{2,4})\s+(.+)$")
_BULLET = re.compile(r"^[-*•]\s+(.+)$")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+(.+)$")
_QUOTE = re.compile(r"^>\s?(.*)$")
_RULE = re.compile(r"^(?:-{3,}|\*{3,})$")
# Applied to escaped text: quotes are &quot; and angle brackets &lt; &gt; by then.
_LINK = re.compile(r"\[([^\]\n]{1,300})\]\(((?:https?://|mailto:|/)[^\s()]{1,500})\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def _inline(text: str) -> str:
    out = html.escape(text, quote=True)
    out = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def _block(lines: list[str]) -> str:
    if len(lines) == 1 and _RULE.match(lines[0]):
        return "<hr>"
    if len(lines) == 1 and (m := _HEADING.match(lines[0])):
        level = len(m.group(1))
        return f"<h{level}>{_inline(m.group(2))}</h{level}>"
    if all(_BULLET.match(x) for x in lines):
        items = "".join(f"<li>{_inline(_BULLET.match(x).group(1))}</li>" for x in lines)
        return f"<ul>{items}</ul>"
    if all(_NUMBERED.match(x) for x in lines):
        items = "".join(f"<li>{_inline(_NUMBERED.match(x).group(1))}</li>" for x in lines)
        return f"<ol>{items}</ol>"
    if all(_QUOTE.match(x) for x in lines):
        inner = "<br>".join(_inline(_QUOTE.match(x).group(1)) for x in lines)
        return f"<blockquote><p>{inner}</p></blockquote>"
    return "<p>" + "<br>".join(_inline(x) for x in lines) + "</p>"


def text_to_html(source: str) -> str:
    """Plain text with a few marks → sanitized HTML.

    Blank lines separate paragraphs; ``## `` and ``### `` start headings; lines starting with
    ``- `` or ``1. `` make lists, ``> `` a quote; ``**bold**``, ``*italic*`` and
    ``[text](https://…)``. Everything else is text: ``<b>`` typed here shows as ``<b>``.
    """
    text = unicodedata.normalize("NFC", source or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[str] = []
    current: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line:
            current.append(line)
        elif current:
            blocks.append(_block(current))
            current = []
    if current:
        blocks.append(_block(current))
    return sanitize_html("\n".join(blocks))


def render_body(source: str, body_format: str) -> str:
    """The stored HTML of an article body, whichever way the editor wrote it."""
    if body_format == "html":
        return sanitize_html(_demote_h1(source))
    return text_to_html(source)


def _demote_h1(raw: str) -> str:
    # The page's only <h1> is the title: headings in a pasted body start one level lower.
    return re.sub(r"<(/?)h1\b", r"<\1h2", raw or "", flags=re.I)


# --- reader text -----------------------------------------------------------------------------

MAX_COMBINING = 2  # Vietnamese needs at most two marks on a letter (ệ = e + ̂ + ̣)


def clean_plain(text: str, *, multiline: bool = True) -> str:
    """A reader's text without what has no place in it; never HTML-escaped here.

    NFC; control and format characters (bidirectional overrides, zero-width characters)
    removed, tabs become spaces; at most two combining marks on a letter; line breaks kept
    (at most one blank line in a row) when ``multiline``, else spaces.
    """
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    out: list[str] = []
    marks = 0
    for ch in text:
        if ch == "\n":
            out.append("\n" if multiline else " ")
            marks = 0
            continue
        if ch == "\t":
            ch = " "
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        if category in ("Mn", "Me"):
            marks += 1
            if marks > MAX_COMBINING:
                continue
        else:
            marks = 0
        out.append(ch)
    lines = [" ".join(line.split()) for line in "".join(out).split("\n")]
    result = "\n".join(lines)
    result = re.sub(r"\n{3,}", "\n\n", result)
    return result.strip()
