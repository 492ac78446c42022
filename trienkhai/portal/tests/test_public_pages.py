"""The public pages through HTTP, anonymous: what shows, what never shows, headers, forms."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from trienkhai.portal.models import Comment
from trienkhai.portal.services import (
    announcement_create,
    article_create,
    article_publish,
    comment_moderate,
    comment_post,
    comment_reply,
)
from trienkhai.portal.tests.conftest import ORIGIN

pytestmark = pytest.mark.django_db


def _url(portal) -> str:
    return reverse("portal:article", args=[portal.article.slug])


def _comments_url(portal) -> str:
    return reverse("portal:comments", args=[portal.article.slug])


_ips = iter(range(1, 10_000))


def _approved(portal, text: str, name: str = "Lê Thị Hoa") -> Comment:
    ip = f"198.18.{next(_ips) // 250}.{next(_ips) % 250 + 1}"  # a new reader each time
    c = comment_post(
        article=portal.article, name=name, email="hoa@example.com", text=text, ip=ip
    ).comment
    return comment_moderate(comment=c, by=portal.editor, action="approve")


def test_the_article_page_reads_like_the_seed(client, portal):
    r = client.get(_url(portal))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Thứ Tư, ngày 3 tháng 6 năm 2020" in html
    assert "Xây dựng chương trình, kế hoạch hành động cụ thể" in html
    assert "H.Thảo" in html
    for heading in ("Ý kiến bạn đọc", "Tổng lượt bình luận", "Làm mới", "Tin khác", "Thông báo"):
        assert heading in html, heading
    assert "52-NQ/TW" in html and "116-HD/BTGTW" in html  # related public documents


def test_the_article_page_needs_few_queries(client, portal, django_assert_max_num_queries):
    for i in range(5):
        _approved(portal, f"Ý kiến {i}", name=f"Bạn đọc {i}")
    # constant: article, documents, progress links (2), other news (3), announcements,
    # categories, comments (count, page, replies)
    with django_assert_max_num_queries(12):
        assert client.get(_url(portal)).status_code == 200


def test_drafts_and_scheduled_articles_are_not_found(client, portal):
    w = portal.world
    draft = article_create(owner=w.city, by=portal.editor, title="Bản nháp bí mật", lead="x")
    later = article_publish(
        article=article_create(owner=w.city, by=portal.editor, title="Tin hẹn giờ", lead="y"),
        by=portal.editor,
        publish_at=timezone.now() + dt.timedelta(hours=2),
    )
    for a in (draft, later):
        assert client.get(reverse("portal:article", args=[a.slug])).status_code == 404
    home = client.get(reverse("portal:home")).content.decode()
    assert "Bản nháp bí mật" not in home and "Tin hẹn giờ" not in home


def test_pending_comments_never_show_and_the_count_is_of_approved_ones(client, portal):
    comment_post(
        article=portal.article,
        name="Ẩn Danh",
        email="a@example.com",
        text="Đang chờ duyệt",
        ip="198.51.100.5",
    )
    _approved(portal, "Ý kiến đã duyệt")
    html = client.get(_url(portal)).content.decode()
    assert "Đang chờ duyệt" not in html and "Ẩn Danh" not in html
    assert "Ý kiến đã duyệt" in html
    assert re.search(r"Tổng lượt bình luận:\s*<strong>1</strong>", html)
    assert "hoa@example.com" not in html  # the email is never shown


def test_an_official_reply_shows_under_the_comment(client, portal):
    c = _approved(portal, "Khi nào phường tổ chức học tập?")
    comment_reply(comment=c, by=portal.editor, text="Phường sẽ tổ chức trong tháng 7.")
    html = client.get(_url(portal)).content.decode()
    assert "Phường sẽ tổ chức trong tháng 7." in html
    assert "Trả lời chính thức" in html


def test_a_comment_carrying_html_is_shown_as_text(client, portal):
    _approved(
        portal, '<script>alert("x")</script>\n<img src=x onerror=alert(1)>', name="<b>Kẻ xấu</b>"
    )
    html = client.get(_url(portal)).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;img src=x" in html
    assert "&lt;b&gt;Kẻ xấu&lt;/b&gt;" in html


def test_the_refresh_fragment_has_the_list_only_and_is_revalidated(client, portal):
    _approved(portal, "Ý kiến mới")
    r = client.get(_comments_url(portal), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="comment-list"')
    assert "Ý kiến mới" in html and "<html" not in html
    assert "no-cache" in r["Cache-Control"] and r.has_header("ETag")
    again = client.get(_comments_url(portal), HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=r["ETag"])
    assert again.status_code == 304


def test_without_javascript_the_refresh_link_is_a_page(client, portal):
    r = client.get(_comments_url(portal))
    assert r.status_code == 200
    assert "<html" in r.content.decode()


def test_posting_a_comment_holds_it_and_gives_a_removal_link(client, portal):
    r = client.post(
        _comments_url(portal),
        {"name": "Trần Văn Bình", "email": "binh@example.com", "text": "Ý kiến của tôi\ndòng 2"},
        **ORIGIN,
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "kiểm duyệt" in html
    assert "/portal/binh-luan/go/" in html
    assert "no-store" in r["Cache-Control"]
    c = Comment.objects.get()
    assert (c.state, c.name, c.text) == ("pending", "Trần Văn Bình", "Ý kiến của tôi\ndòng 2")
    assert "Ý kiến của tôi" not in client.get(_url(portal)).content.decode()


def test_htmx_posting_answers_with_the_fragment(client, portal):
    r = client.post(
        _comments_url(portal),
        {"name": "Bình", "email": "binh@example.com", "text": "Qua htmx"},
        HTTP_HX_REQUEST="true",
        **ORIGIN,
    )
    assert r.status_code == 200
    assert r.content.decode().lstrip().startswith('<div id="comment-form"')


def test_bad_input_keeps_the_text_with_a_clear_message(client, portal):
    long_text = "Nội dung rất dài " * 200
    r = client.post(
        _comments_url(portal), {"name": "Bình", "email": "sai", "text": long_text}, **ORIGIN
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "Nhập địa chỉ email hợp lệ" in html
    r = client.post(
        _comments_url(portal),
        {"name": "Bình", "email": "binh@example.com", "text": long_text},
        HTTP_HX_REQUEST="true",
        **ORIGIN,
    )
    html = r.content.decode()
    assert r.status_code == 200  # htmx swaps 2xx only
    assert "tối đa 2000 ký tự" in html or "2000" in html
    assert long_text.strip()[:100] in html  # the reader's text is kept in the form
    assert not Comment.objects.exists()


def test_a_post_from_another_site_is_refused(client, portal):
    data = {"name": "Bình", "email": "binh@example.com", "text": "Giả mạo"}
    r = client.post(_comments_url(portal), data, HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403
    r = client.post(_comments_url(portal), data)  # neither Origin nor Referer
    assert r.status_code == 403
    r = client.post(_comments_url(portal), data, HTTP_REFERER=f"http://testserver{_url(portal)}")
    assert r.status_code == 200
    assert Comment.objects.count() == 1


def test_the_honeypot_looks_like_success(client, portal):
    r = client.post(
        _comments_url(portal),
        {"name": "Bot", "email": "b@example.com", "text": "spam", "website": "http://x"},
        **ORIGIN,
    )
    assert r.status_code == 200 and "kiểm duyệt" in r.content.decode()
    assert not Comment.objects.exists()


def test_the_fourth_comment_in_ten_minutes_is_held_back_with_the_text_kept(client, portal):
    for i in range(3):
        client.post(
            _comments_url(portal),
            {"name": "Bình", "email": "binh@example.com", "text": f"Ý kiến {i}"},
            **ORIGIN,
        )
    r = client.post(
        _comments_url(portal),
        {"name": "Bình", "email": "binh@example.com", "text": "Ý kiến thứ tư"},
        **ORIGIN,
    )
    assert r.status_code == 429
    assert "Ý kiến thứ tư" in r.content.decode()
    assert Comment.objects.count() == 3


def test_a_flood_of_attempts_is_cut_off_by_the_cache_counter(client, portal):
    for _ in range(30):
        client.post(_comments_url(portal), {"name": "", "email": "", "text": ""}, **ORIGIN)
    r = client.post(
        _comments_url(portal),
        {"name": "Bình", "email": "binh@example.com", "text": "Hợp lệ"},
        **ORIGIN,
    )
    assert r.status_code == 429
    assert not Comment.objects.exists()


def test_report_button_counts_once(client, portal):
    c = _approved(portal, "Nội dung bị báo cáo")
    url = reverse("portal:comment_report")
    r = client.post(url, {"comment": c.pk}, **ORIGIN)
    assert r.status_code == 200 and "Cảm ơn" in r.content.decode()
    client.post(url, {"comment": c.pk}, **ORIGIN)
    assert Comment.objects.get(pk=c.pk).reports == 1
    assert (
        client.post(url, {"comment": c.pk}, HTTP_ORIGIN="https://evil.example").status_code == 403
    )
    assert client.post(url, {"comment": "x"}, **ORIGIN).status_code == 404


def test_a_waiting_comment_cannot_be_reported_through_the_page(client, portal):
    c = comment_post(
        article=portal.article, name="A", email="a@example.com", text="chờ", ip="198.51.100.8"
    ).comment
    r = client.post(reverse("portal:comment_report"), {"comment": c.pk}, **ORIGIN)
    assert r.status_code == 404


def test_the_removal_link_confirms_then_erases(client, portal):
    receipt = comment_post(
        article=portal.article,
        name="A",
        email="a@example.com",
        text="Gỡ giúp tôi",
        ip="198.51.100.8",
    )
    url = reverse("portal:comment_remove", args=[receipt.removal_token])
    r = client.get(url)
    assert r.status_code == 200 and "Gỡ giúp tôi" in r.content.decode()
    assert "no-store" in r["Cache-Control"] and r["X-Robots-Tag"] == "noindex"
    assert Comment.objects.exists()
    assert client.post(url, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert client.post(url, **ORIGIN).status_code == 200
    assert not Comment.objects.exists()
    assert client.get(url).status_code == 404


def test_anonymous_pages_are_cacheable_with_an_etag_and_set_no_cookie(client, portal):
    r = client.get(_url(portal))
    assert "public" in r["Cache-Control"] and "max-age=60" in r["Cache-Control"]
    assert r.has_header("ETag")
    assert not r.cookies  # no CSRF or session cookie: any cache may keep the page
    again = client.get(_url(portal), HTTP_IF_NONE_MATCH=r["ETag"])
    assert again.status_code == 304


def test_signed_in_users_get_private_pages(client, portal, login):
    login(portal.editor)
    r = client.get(_url(portal))
    assert r.status_code == 200
    assert "private" in r["Cache-Control"] and "public" not in r["Cache-Control"]


def test_the_content_security_policy_allows_no_inline_code(client, portal):
    r = client.get(_url(portal))
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = r.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no event handler attributes


def test_a_public_page_weighs_under_100_kb_before_images(client, portal):
    from django.contrib.staticfiles import finders

    for i in range(20):
        _approved(
            portal,
            f"Ý kiến {i}: " + "một ý kiến khá dài về việc học tập Nghị quyết. " * 8,
            name=f"Bạn đọc {i}",
        )
    html = client.get(_url(portal)).content
    total = len(html)
    for path in re.findall(rb'(?:src|href)="/static/([^"]+)"', html):
        found = finders.find(path.decode())
        if found:
            with open(found, "rb") as fh:
                total += len(fh.read())
    assert total < 100 * 1024, total


def test_home_lists_latest_and_pinned_announcements(client, portal, django_assert_max_num_queries):
    w = portal.world
    announcement_create(
        owner=w.city,
        by=portal.editor,
        title="Lịch tiếp công dân",
        date=timezone.localdate(),
        pinned=True,
        status="published",
    )
    announcement_create(
        owner=w.city,
        by=portal.editor,
        title="Thông báo đã hết hạn",
        date=timezone.localdate() - dt.timedelta(days=10),
        expires_on=timezone.localdate() - dt.timedelta(days=1),
        status="published",
    )
    announcement_create(owner=w.city, by=portal.editor, title="Thông báo nháp")
    with django_assert_max_num_queries(6):
        r = client.get(reverse("portal:home"))
    html = r.content.decode()
    assert "Lịch tiếp công dân" in html
    assert "Thông báo đã hết hạn" not in html and "Thông báo nháp" not in html
    assert portal.article.title in html


def test_category_and_date_archives_paginate(client, portal, django_assert_max_num_queries):
    w = portal.world
    june = timezone.make_aware(dt.datetime(2020, 6, 10, 9))
    for i in range(25):
        a = article_create(
            owner=w.city,
            by=portal.editor,
            title=f"Tin số {i}",
            lead="Tóm tắt",
            category=portal.news,
        )
        article_publish(article=a, by=portal.editor, publish_at=june + dt.timedelta(hours=i))
    url = reverse("portal:category", args=["tin-tuc"])
    with django_assert_max_num_queries(6):
        page1 = client.get(url).content.decode()
    assert "Trang 1/2" in page1
    assert client.get(url + "?page=2").status_code == 200
    assert client.get(url + "?page=99").status_code == 404
    assert client.get(url + "?page=abc").status_code == 200
    month = client.get(reverse("portal:archive_month", args=[2020, 6])).content.decode()
    assert "Tin số 24" in month and "Xây dựng chương trình" not in month  # page 1: newest
    assert client.get(reverse("portal:archive_month", args=[2020, 13])).status_code == 404
    assert client.get(reverse("portal:archive_year", args=[2020])).status_code == 200


def test_rss_and_atom_feeds(client, portal):
    rss = client.get(reverse("portal:rss"))
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    assert portal.article.title in rss.content.decode()
    assert "public" in rss["Cache-Control"] and rss.has_header("Last-Modified")
    again = client.get(reverse("portal:rss"), HTTP_IF_MODIFIED_SINCE=rss["Last-Modified"])
    assert again.status_code == 304
    atom = client.get(reverse("portal:atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "<feed" in atom.content.decode()


def test_the_public_document_page_shows_public_documents_only(client, portal):
    ok = client.get(reverse("portal:document", args=[portal.chain.nq52.pk]))
    assert ok.status_code == 200 and "52-NQ/TW" in ok.content.decode()
    assert portal.article.title in ok.content.decode()
    internal = client.get(reverse("portal:document", args=[portal.chain.letter.pk]))
    assert internal.status_code == 404


def test_other_news_prefers_shared_documents_then_category(client, portal):
    w = portal.world

    def pub(title, **kw):
        return article_publish(
            article=article_create(owner=w.city, by=portal.editor, title=title, lead="x", **kw),
            by=portal.editor,
        )

    pub("Tin mới nhất không liên quan")
    pub("Cùng chuyên mục", category=portal.news)
    pub("Cùng văn bản 52", documents=[portal.chain.nq52], category=portal.study)
    from trienkhai.portal.views import other_news

    titles = [a.title for a in other_news(portal.article, [portal.chain.nq52, portal.chain.hd116])]
    assert titles[:3] == ["Cùng văn bản 52", "Cùng chuyên mục", "Tin mới nhất không liên quan"]


def test_the_cover_image_is_served_for_published_articles_only(client, portal, settings):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    w = portal.world
    draft = article_create(
        owner=w.city,
        by=portal.editor,
        title="Có ảnh",
        lead="x",
        cover=SimpleUploadedFile("anh bia.png", BytesIO(png).read(), "image/png"),
        cover_alt="Hội nghị quán triệt",
    )
    assert draft.cover.name.endswith(".png") and "anh" not in draft.cover.name
    assert client.get(reverse("portal:cover", args=[draft.pk])).status_code == 404
    article_publish(article=draft, by=portal.editor)
    r = client.get(reverse("portal:cover", args=[draft.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content) == png


def test_an_anonymous_page_is_served_from_the_cache_until_a_write(
    client, portal, django_assert_max_num_queries
):
    url = _url(portal)
    client.get(url)
    with django_assert_max_num_queries(0):
        cached = client.get(url)
    assert cached.status_code == 200 and portal.article.title in cached.content.decode()
    _approved(portal, "Ý kiến vừa được duyệt")
    assert "Ý kiến vừa được duyệt" in client.get(url).content.decode()


def test_signed_in_users_and_odd_query_strings_bypass_the_page_cache(client, portal, login):
    url = _url(portal)
    client.get(url)
    from django.core.cache import cache

    keys = len(cache._cache)  # locmem: one entry per page kept
    client.get(url + "?utm_source=x")
    client.get(url, HTTP_HX_REQUEST="true")
    assert len(cache._cache) == keys
    login(portal.editor)
    assert "private" in client.get(url)["Cache-Control"]
