"""The editors' pages: writing, publishing, the moderation queue, the staff search — scoped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trienkhai.portal.models import Announcement, Article, Comment
from trienkhai.portal.services import article_create, comment_post

pytestmark = pytest.mark.django_db


def _comment(article, text="Ý kiến chờ duyệt", ip="198.51.100.2") -> Comment:
    return comment_post(
        article=article, name="Bạn đọc", email="ban.doc@example.com", text=text, ip=ip
    ).comment


def _ward_article(portal) -> Article:
    return article_create(
        owner=portal.world.ben_thanh,
        by=portal.ward_editor,
        title="Tin phường Bến Thành",
        lead="Tóm tắt",
    )


def test_pages_need_a_login(client, portal):
    for name in (
        "portal:manage",
        "portal:moderation",
        "portal:manage_article_new",
        "portal:manage_announcements",
        "portal:staff_search",
    ):
        r = client.get(reverse(name))
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_an_editor_writes_a_draft_then_publishes_it(client, login, portal):
    login(portal.editor)
    r = client.post(
        reverse("portal:manage_article_new"),
        {
            "owner": portal.world.city.pk,
            "title": "Hội nghị quán triệt Nghị quyết 52",
            "lead": "Sáng nay, Thành ủy tổ chức hội nghị.",
            "body_format": "text",
            "body": "Đoạn một.\n\nĐoạn hai.",
            "document_symbols": "52-NQ/TW, 116 - HD/BTGTW",
            "comments_open": "on",
            "action": "save",
        },
    )
    a = Article.objects.get(title="Hội nghị quán triệt Nghị quyết 52")
    assert r.status_code == 302 and r["Location"] == reverse("portal:manage_article", args=[a.pk])
    assert a.status == "draft"
    assert {d.symbol for d in a.documents.all()} == {"52-NQ/TW", "116-HD/BTGTW"}
    r = client.post(reverse("portal:manage_article_publish", args=[a.pk]), {"version": a.version})
    a.refresh_from_db()
    assert a.is_public()


def test_an_unknown_or_internal_symbol_is_named_and_the_text_kept(client, login, portal):
    login(portal.editor)
    r = client.post(
        reverse("portal:manage_article_new"),
        {
            "owner": portal.world.city.pk,
            "title": "Tin có văn bản sai",
            "lead": "Giữ lại nội dung này",
            "body_format": "text",
            "document_symbols": "52-NQ/TW, 2156-CV/TU, 999-XX/YY",
            "action": "save",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "2156-CV/TU, 999-XX/YY" in html and "Không có văn bản công khai" in html
    assert "Giữ lại nội dung này" in html
    assert not Article.objects.filter(title="Tin có văn bản sai").exists()


def test_staff_save_drafts_but_get_no_publish_button_and_cannot_publish(client, login, portal):
    login(portal.world.ward_officer)
    r = client.get(reverse("portal:manage_article_new"))
    assert 'value="publish"' not in r.content.decode()
    r = client.post(
        reverse("portal:manage_article_new"),
        {
            "owner": portal.world.ben_thanh.pk,
            "title": "Tin của văn phòng",
            "lead": "x",
            "body_format": "text",
            "action": "publish",
        },
    )
    assert r.status_code == 200  # refused, the form comes back with the reason
    assert "cán bộ truyền thông và lãnh đạo" in r.content.decode()
    assert not Article.objects.filter(status="published", title="Tin của văn phòng").exists()


def test_the_owner_field_offers_only_the_users_own_units(client, login, portal):
    login(portal.world.ward_officer)
    r = client.post(
        reverse("portal:manage_article_new"),
        {
            "owner": portal.world.tan_dinh.pk,
            "title": "Viết hộ Tân Định",
            "body_format": "text",
            "action": "save",
        },
    )
    assert r.status_code == 200
    assert not Article.objects.filter(title="Viết hộ Tân Định").exists()


def test_another_subtree_gets_404_on_every_article_page(client, login, portal):
    a = _ward_article(portal)
    login(portal.world.other_ward_officer)
    for name in ("portal:manage_article", "portal:manage_article_edit"):
        assert client.get(reverse(name, args=[a.pk])).status_code == 404
    for name in ("portal:manage_article_publish", "portal:manage_article_unpublish"):
        assert client.post(reverse(name, args=[a.pk])).status_code == 404
    html = client.get(reverse("portal:manage")).content.decode()
    assert "Tin phường Bến Thành" not in html


def test_the_city_reads_its_wards_articles_but_does_not_edit_them(client, login, portal):
    a = _ward_article(portal)
    login(portal.editor)
    assert client.get(reverse("portal:manage_article", args=[a.pk])).status_code == 200
    assert client.get(reverse("portal:manage_article_edit", args=[a.pk])).status_code == 404


def test_the_article_list_is_paginated_with_constant_queries(
    client, login, portal, django_assert_max_num_queries
):
    for i in range(30):
        article_create(owner=portal.world.city, by=portal.editor, title=f"Bài {i}", lead="x")
    login(portal.editor)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("portal:manage"))
    assert "Trang 1/2" in r.content.decode()


def test_the_queue_shows_the_units_own_comments_only(client, login, portal):
    _comment(portal.article, "Ý kiến về tin Thành phố")
    ward = _ward_article(portal)
    from trienkhai.portal.services import article_publish

    article_publish(article=ward, by=portal.ward_editor)
    ward.refresh_from_db()
    _comment(ward, "Ý kiến về tin phường", ip="198.51.100.3")
    login(portal.ward_editor)
    html = client.get(reverse("portal:moderation")).content.decode()
    assert "Ý kiến về tin phường" in html and "ban.doc@example.com" in html
    assert "Ý kiến về tin Thành phố" not in html
    login(portal.world.ward_officer)  # staff do not moderate
    html = client.get(reverse("portal:moderation")).content.decode()
    assert "Ý kiến về tin phường" not in html


def test_moderating_through_the_queue(client, login, portal):
    c = _comment(portal.article)
    login(portal.editor)
    r = client.post(
        reverse("portal:moderate", args=[c.pk]), {"action": "approve", "state": "pending"}
    )
    assert r.status_code == 302
    assert Comment.objects.get(pk=c.pk).state == "approved"
    # a second moderator who saw it pending is told, nothing changes
    login(portal.world.city_leader)
    r = client.post(
        reverse("portal:moderate", args=[c.pk]),
        {"action": "reject", "state": "pending"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "Người khác vừa kiểm duyệt" in r.content.decode()
    assert Comment.objects.get(pk=c.pk).state == "approved"


def test_replying_through_the_queue(client, login, portal):
    c = _comment(portal.article)
    login(portal.editor)
    r = client.post(
        reverse("portal:reply", args=[c.pk]),
        {"text": "Cảm ơn bạn đã góp ý."},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "Cảm ơn bạn đã góp ý." in r.content.decode()
    assert Comment.objects.filter(parent=c, is_official=True).exists()


@pytest.mark.parametrize("who", ["other_ward_officer", "ward_officer", "observer"])
def test_others_cannot_moderate_get_404(client, login, portal, who):
    c = _comment(portal.article)
    login(getattr(portal.world, who))
    r = client.post(
        reverse("portal:moderate", args=[c.pk]), {"action": "approve", "state": "pending"}
    )
    assert r.status_code == 404
    assert client.post(reverse("portal:reply", args=[c.pk]), {"text": "x"}).status_code == 404
    assert Comment.objects.get(pk=c.pk).state == "pending"


def test_the_queue_has_constant_queries(client, login, portal, django_assert_max_num_queries):
    for i in range(30):
        _comment(portal.article, f"Ý kiến {i}", ip=f"198.51.100.{i + 10}")
    login(portal.editor)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("portal:moderation"))
    assert r.status_code == 200


def test_announcements_publish_only_with_the_right(client, login, portal):
    login(portal.world.ward_officer)
    data = {
        "owner": portal.world.ben_thanh.pk,
        "title": "Lịch họp",
        "date": "01/07/2026",
        "published": "on",
    }
    r = client.post(reverse("portal:manage_announcement_new"), data)
    assert r.status_code == 200 and not Announcement.objects.exists()
    data.pop("published")
    client.post(reverse("portal:manage_announcement_new"), data)
    a = Announcement.objects.get()
    assert a.status == "draft"
    login(portal.ward_editor)
    r = client.post(
        reverse("portal:manage_announcement_edit", args=[a.pk]),
        {"title": "Lịch họp", "date": "01/07/2026", "expires_on": "30/06/2026", "published": "on"},
    )
    assert "trước ngày thông báo" in r.content.decode()
    client.post(
        reverse("portal:manage_announcement_edit", args=[a.pk]),
        {"title": "Lịch họp", "date": "01/07/2026", "published": "on"},
    )
    assert Announcement.objects.get().status == "published"
    login(portal.world.other_ward_officer)
    assert client.get(reverse("portal:manage_announcement_edit", args=[a.pk])).status_code == 404


def test_the_staff_search_goes_through_the_scoping(client, login, portal):
    ward = _ward_article(portal)
    login(portal.world.other_ward_officer)
    html = client.get(reverse("portal:staff_search"), {"q": "ben thanh"}).content.decode()
    assert ward.title not in html
    assert "Đảng ủy phường Bến Thành" not in html
    login(portal.world.ward_officer)
    html = client.get(reverse("portal:staff_search"), {"q": "ben thanh"}).content.decode()
    assert ward.title in html and "Đảng ủy phường Bến Thành" in html


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_a_cover_image_goes_through_the_upload_checks(client, login, portal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(portal.editor)
    data = {
        "owner": portal.world.city.pk,
        "title": "Tin có ảnh",
        "lead": "x",
        "body_format": "text",
        "action": "save",
    }
    fake = SimpleUploadedFile("anh.png", b"<html><script>alert(1)</script></html>", "image/png")
    r = client.post(
        reverse("portal:manage_article_new"), {**data, "cover": fake, "cover_alt": "Ảnh"}
    )
    assert r.status_code == 200 and "không đúng với phần mở rộng" in r.content.decode()
    pdf = SimpleUploadedFile("tai-lieu.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    r = client.post(
        reverse("portal:manage_article_new"), {**data, "cover": pdf, "cover_alt": "Ảnh"}
    )
    assert r.status_code == 200
    png = SimpleUploadedFile("anh.png", PNG, "image/png")
    r = client.post(reverse("portal:manage_article_new"), {**data, "cover": png})
    assert "Mô tả ảnh" in r.content.decode()  # the description is required with an image
    png = SimpleUploadedFile("anh.png", PNG, "image/png")
    r = client.post(
        reverse("portal:manage_article_new"), {**data, "cover": png, "cover_alt": "Hội nghị"}
    )
    a = Article.objects.get(title="Tin có ảnh")
    assert r.status_code == 302 and a.cover and a.cover_type == "image/png"
    # readers of the unit see a draft's cover, others do not
    assert client.get(reverse("portal:cover", args=[a.pk])).status_code == 200
    login(portal.world.other_ward_officer)
    assert client.get(reverse("portal:cover", args=[a.pk])).status_code == 404


def test_changing_the_date_of_a_published_article_reschedules_it(client, login, portal):
    login(portal.editor)
    a = portal.article
    r = client.post(
        reverse("portal:manage_article_edit", args=[a.pk]),
        {
            "title": a.title,
            "lead": a.lead,
            "body_format": "text",
            "body": a.body,
            "publish_date": "01/01/2099",
            "publish_time": "07:30",
            "version": a.version,
            "comments_open": "on",
            "action": "save",
        },
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.is_scheduled
    client.logout()
    assert client.get(a.get_absolute_url()).status_code == 404
