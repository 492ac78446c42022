"""The portal in Chromium: a reader comments, a moderator approves, "Làm mới" shows it;
script in a comment stays text; axe-core finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from trienkhai.core.testing import browser_login as _login
from trienkhai.portal.models import Comment
from trienkhai.portal.services import comment_moderate
from trienkhai.portal.tests.conftest import build_portal

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def portal(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()
    return build_portal()


def _comment(page, name: str, email: str, text: str) -> None:
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Email (không công bố)").fill(email)
    page.get_by_label("Ý kiến của bạn").fill(text)
    page.get_by_role("button", name="Gửi ý kiến").click()


def test_a_reader_comments_a_moderator_approves_refresh_shows_it(
    page, browser, live_server, portal
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    url = f"{live_server.url}{portal.article.get_absolute_url()}"
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Xây dựng chương trình")
    assert "Thứ Tư, ngày 3 tháng 6 năm 2020" in page.locator(".dateline").inner_text()
    _shot(page, "portal-01-article")

    _comment(
        page,
        "Trần Văn Bình",
        "binh@example.com",
        "Đề nghị phường tổ chức học tập sớm.\nXin cảm ơn.",
    )
    received = page.locator("#comment-form.received")
    received.wait_for()
    assert "kiểm duyệt" in received.inner_text()
    assert page.url == url  # htmx answered in place, no navigation
    list_text = page.locator("#comment-list").inner_text()
    assert "Đề nghị phường tổ chức học tập sớm." not in list_text  # held
    assert "Tổng lượt bình luận" in list_text
    assert page.locator(".comment-count strong").inner_text() == "0"
    _shot(page, "portal-02-comment-held")
    page.evaluate("window.__stayed = true")

    moderator = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    mpage = moderator.new_page()
    _login(mpage, live_server, portal.editor.username)
    mpage.goto(f"{live_server.url}{reverse('portal:moderation')}")
    item = mpage.locator("li.queue-item", has_text="Đề nghị phường tổ chức học tập sớm.")
    assert "binh@example.com" in item.inner_text()  # moderators see the email
    _shot(mpage, "portal-03-moderation-queue")
    item.get_by_role("button", name="Duyệt").click()
    mpage.locator("li.queue-item .notice").wait_for()
    _shot(mpage, "portal-04-approved")
    moderator.close()
    assert Comment.objects.get().state == "approved"

    page.get_by_role("link", name="Làm mới").click()
    page.locator("#comment-list", has_text="Đề nghị phường tổ chức học tập sớm.").wait_for()
    assert page.evaluate("window.__stayed") is True  # the list was reloaded, not the page
    list_text = page.locator("#comment-list").inner_text()
    assert page.locator(".comment-count strong").inner_text() == "1"
    assert "Đề nghị phường tổ chức học tập sớm.\nXin cảm ơn." in list_text  # line break kept
    _shot(page, "portal-05-after-refresh")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_comment_carrying_script_shows_as_text_and_runs_nothing(page, live_server, portal):
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if m.type == "error" else None)
    url = f"{live_server.url}{portal.article.get_absolute_url()}"
    page.goto(url)
    payload = (
        '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
        "<svg/onload=window.__pwned=3>\"><iframe srcdoc='<script>parent.__pwned=4</script>'>"
    )
    _comment(page, "<b onmouseover=window.__pwned=5>Kẻ xấu</b>", "x@example.com", payload)
    page.locator("#comment-form.received").wait_for()
    comment_moderate(comment=Comment.objects.get(), by=portal.editor, action="approve")
    page.reload()  # the page may be cached for a minute: a reload revalidates it (ETag)

    shown = page.locator("#comment-list .comment").first
    assert payload in shown.locator(".comment-text").inner_text()
    assert "<b onmouseover=window.__pwned=5>Kẻ xấu</b>" in shown.inner_text()
    shown.hover()
    counts = page.evaluate(
        "[...document.querySelectorAll('#comment-list script, #comment-list img,"
        " #comment-list svg, #comment-list iframe, #comment-list b')].length"
    )
    assert counts == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # after a refresh through htmx, still text
    page.get_by_role("link", name="Làm mới").click()
    page.wait_for_timeout(300)
    assert payload in page.locator("#comment-list .comment-text").first.inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    _shot(page, "portal-06-script-as-text")


ENCODED = [
    "&lt;script&gt;window.__pwned=6&lt;/script&gt;",  # typed entities stay entities
    "%3Cscript%3Ewindow.__pwned=7%3C/script%3E",  # URL-encoded
    "+ADw-script+AD4-window.__pwned=8+ADw-/script+AD4-",  # UTF-7
    "\uff1cscript\uff1ewindow.__pwned=9\uff1c/script\uff1e",  # full-width brackets
    "<scr\u200bipt>window.__pwned=10</scr\u200bipt>",  # a zero-width space inside
    "javascript:window.__pwned=11",
    "<a href=javascript:window.__pwned=12>bấm</a>",
]


def test_script_in_other_encodings_stays_text(page, live_server, portal):
    from trienkhai.portal.services import comment_post

    for i, text in enumerate(ENCODED):
        c = comment_post(
            article=portal.article,
            name=f"Bạn đọc {i}",
            email="x@example.com",
            text=text,
            ip=f"198.51.100.{i + 40}",
        ).comment
        comment_moderate(comment=c, by=portal.editor, action="approve")
    page.goto(f"{live_server.url}{portal.article.get_absolute_url()}")
    texts = page.locator("#comment-list .comment-text").all_inner_texts()
    for text in ENCODED:
        assert text.replace("\u200b", "") in texts, text  # shown as typed (zero-width removed)
    assert page.locator("#comment-list .comment-text a, #comment-list script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_without_javascript_everything_still_works(browser, live_server, portal):
    ctx = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = ctx.new_page()
    url = f"{live_server.url}{portal.article.get_absolute_url()}"
    page.goto(url)
    _comment(page, "Lê Văn Cường", "not-an-email", "Ý kiến không có JavaScript")
    page.wait_for_load_state()
    assert page.get_by_label("Ý kiến của bạn").input_value() == "Ý kiến không có JavaScript"
    assert page.locator("[role=alert]").count() >= 1
    assert "Nhập địa chỉ email hợp lệ" in page.locator("#comment-form").inner_text()
    _shot(page, "portal-07-nojs-error-kept")
    page.get_by_label("Email (không công bố)").fill("cuong@example.com")
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_load_state()
    assert "đã được gửi" in page.locator("main").inner_text()
    page.goto(url)
    page.get_by_role("link", name="Làm mới").click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("portal:comments", args=[portal.article.slug]))
    ctx.close()


def _axe(browser, url: str, name: str) -> list[dict]:
    # The page's CSP forbids inline scripts, and add_script_tag inlines the file: the test
    # context bypasses CSP to inject axe (the application's own pages are unchanged).
    ctx = browser.new_context(
        bypass_csp=True, locale="vi-VN", viewport={"width": 1280, "height": 900}
    )
    page = ctx.new_page()
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG,
    )
    _shot(page, f"portal-axe-{name}")
    ctx.close()
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def test_axe_core_finds_no_wcag_violations(browser, live_server, portal):
    comment_post_url = reverse("portal:comments", args=[portal.article.slug])
    from trienkhai.portal.services import comment_post, comment_reply

    c = comment_post(
        article=portal.article,
        name="Nguyễn Thị Hoa",
        email="hoa@example.com",
        text="Bài viết rất thiết thực.",
        ip="198.51.100.9",
    ).comment
    comment_reply(comment=c, by=portal.editor, text="Cảm ơn bạn đã theo dõi.")
    pages = {
        "home": reverse("portal:home"),
        "article": portal.article.get_absolute_url(),
        "search": reverse("portal:search") + "?q=nghi+quyet+52",
        "comments": comment_post_url,
        "category": reverse("portal:category", args=["tin-tuc"]),
        "document": reverse("portal:document", args=[portal.chain.nq52.pk]),
    }
    found = {name: _axe(browser, f"{live_server.url}{path}", name) for name, path in pages.items()}
    assert found == {name: [] for name in pages}, json.dumps(found, ensure_ascii=False, indent=1)
