"""Bodies are sanitized whichever way they are written; reader text is cleaned, never HTML."""

from __future__ import annotations

import re
import unicodedata

import pytest

from trienkhai.portal.markup import (
    ALLOWED_TAGS,
    clean_plain,
    html_to_text,
    render_body,
    sanitize_html,
    text_to_html,
)

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<svg onload="alert(1)"><circle></circle></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div onclick="alert(1)">x</div>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<form action="https://evil.example"><button>x</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<base href='https://evil.example/'>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("fmt", ["html", "text"])
def test_it_lets_no_script_through_either_format(attack, fmt):
    out = render_body(f"<p>Trước</p>{attack}<p>Sau</p>", fmt)
    for name, attrs in _TAG.findall(out):
        assert name.lower() in ALLOWED_TAGS, (attack, out)
        for attr, value in _ATTR.findall(attrs):
            assert attr in ("href", "title", "rel"), (attack, out)
            if attr == "href":
                assert value.startswith(("https://", "http://", "mailto:", "/")), (attack, out)


_TAG = re.compile(r"<([a-zA-Z][\w-]*)([^>]*)>")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def test_it_keeps_the_allowed_markup_of_pasted_html():
    out = sanitize_html(
        "<h2>Mục tiêu</h2><p>Chủ <strong>động</strong> <em>tham gia</em></p>"
        '<ul><li>một</li></ul><a href="https://thanhuytphcm.vn/x">nguồn</a>'
    )
    assert "<h2>Mục tiêu</h2>" in out
    assert "<strong>động</strong>" in out and "<em>tham gia</em>" in out
    assert "<ul><li>một</li></ul>" in out
    assert 'href="https://thanhuytphcm.vn/x"' in out
    assert 'rel="noopener noreferrer nofollow"' in out


def test_a_pasted_h1_becomes_a_h2_the_title_is_the_only_h1():
    assert render_body("<h1>Tiêu đề phụ</h1>", "html") == "<h2>Tiêu đề phụ</h2>"


def test_script_content_is_dropped_not_shown_as_text():
    assert "alert" not in sanitize_html("<p>a</p><script>alert(1)</script>")


def test_the_text_format_makes_paragraphs_headings_lists_quotes_and_links():
    out = text_to_html(
        "Đoạn một\ndòng hai\n\n## Nhiệm vụ\n\n- học tập\n- quán triệt\n\n1. một\n2. hai\n\n"
        "> trích dẫn\n\n**đậm** và *nghiêng* [Thành ủy](https://thanhuytphcm.vn)"
    )
    assert "<p>Đoạn một<br>dòng hai</p>" in out
    assert "<h2>Nhiệm vụ</h2>" in out
    assert "<ul><li>học tập</li><li>quán triệt</li></ul>" in out
    assert "<ol><li>một</li><li>hai</li></ol>" in out
    assert "<blockquote><p>trích dẫn</p></blockquote>" in out
    assert "<strong>đậm</strong>" in out and "<em>nghiêng</em>" in out
    assert (
        '<a href="https://thanhuytphcm.vn" rel="noopener noreferrer nofollow">Thành ủy</a>' in out
    )


def test_html_typed_in_the_text_format_shows_as_text():
    out = text_to_html("Dùng thẻ <b>đậm</b> & <script>x</script>")
    assert "&lt;b&gt;đậm&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;" in out


def test_a_link_to_a_script_url_stays_text():
    out = text_to_html("[bấm](javascript:alert(1))")
    assert "<a" not in out and "javascript" in out  # shown, not linked


def test_html_to_text_gives_the_words_with_spaces_between_blocks():
    assert html_to_text("<p>Nghị quyết&nbsp;52</p><p>Hướng dẫn<br>116</p>") == (
        "Nghị quyết 52 Hướng dẫn 116"
    )


def test_clean_plain_keeps_line_breaks_and_vietnamese():
    text = "Tôi đồng ý.\r\n\r\n\r\n\r\nCần  tuyên truyền\tsâu rộng.  "
    assert clean_plain(text) == "Tôi đồng ý.\n\nCần tuyên truyền sâu rộng."


def test_clean_plain_drops_controls_bidi_overrides_and_zero_width():
    assert clean_plain("a\u202eb\u200bc\x00d\x1be") == "abcde"


def test_clean_plain_caps_piles_of_combining_marks():
    zalgo = "a" + "\u0301\u0302\u0303\u0304\u0305" * 20
    # "a" and the first mark compose into "á"; two more marks at most
    assert clean_plain(zalgo) == unicodedata.normalize("NFC", "a\u0301") + "\u0302\u0303"
    # a decomposed Vietnamese letter keeps its two marks (and is composed)
    assert clean_plain("e\u0302\u0323") == "ệ"


def test_clean_plain_single_line_for_names():
    assert clean_plain("Nguyễn\nVăn  An", multiline=False) == "Nguyễn Văn An"
