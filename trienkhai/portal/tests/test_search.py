"""One accent-insensitive search box over what the public may read, ranked sensibly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from trienkhai.portal.search import public_search
from trienkhai.portal.services import announcement_create, article_create, article_publish

pytestmark = pytest.mark.django_db


def _publish(portal, title, **kw):
    return article_publish(
        article=article_create(owner=portal.world.city, by=portal.editor, title=title, **kw),
        by=portal.editor,
    )


def test_without_accents_it_finds_nghi_quyet_52(portal):
    r = public_search("nghi quyet 52")
    titles = [h.title for h in r.hits if h.kind == "article"]
    assert portal.article.title in titles
    # public documents too: 52-NQ/TW is "Nghị quyết" number 52
    assert any(h.kind == "document" and h.label == "52-NQ/TW" for h in r.hits)


def test_d_with_stroke_folds_to_d(portal):
    _publish(portal, "Đổi mới tư duy quản lý", lead="Đảng bộ Thành phố")
    assert [h.title for h in public_search("doi moi").hits] == ["Đổi mới tư duy quản lý"]
    assert public_search("DANG BO thanh pho").counts["article"] == 1


def test_every_word_must_match(portal):
    assert public_search("nghi quyet 999").counts.get("article") == 0


def test_a_title_match_ranks_above_a_body_match(portal):
    old = _publish(portal, "Chuyển đổi số trong cơ quan Đảng", lead="x")
    newer = _publish(portal, "Tin hoạt động tuần", body="Nội dung có nhắc tới chuyển đổi số.")
    article_publish(
        article=newer, by=portal.editor, publish_at=timezone.now() - dt.timedelta(minutes=1)
    )
    article_publish(
        article=old, by=portal.editor, publish_at=timezone.now() - dt.timedelta(days=30)
    )
    hits = [h.title for h in public_search("chuyen doi so").hits if h.kind == "article"]
    assert hits == ["Chuyển đổi số trong cơ quan Đảng", "Tin hoạt động tuần"]


def test_drafts_scheduled_and_internal_things_are_never_found(portal):
    article_create(owner=portal.world.city, by=portal.editor, title="Dự thảo bí mật xyz")
    _later = article_publish(
        article=article_create(
            owner=portal.world.city, by=portal.editor, title="Hẹn giờ xyz", lead="x"
        ),
        by=portal.editor,
        publish_at=timezone.now() + dt.timedelta(days=1),
    )
    announcement_create(owner=portal.world.city, by=portal.editor, title="Nháp xyz")
    r = public_search("xyz")
    assert r.hits == []
    # the internal letter and programme (2156-CV/TU, 30-CTr/TU) are not public documents
    assert not [h for h in public_search("2156").hits if h.kind == "document"]
    assert not [h for h in public_search("chuong trinh hanh dong").hits if h.kind == "document"]


def test_current_announcements_are_found(portal):
    announcement_create(
        owner=portal.world.city,
        by=portal.editor,
        title="Lịch tiếp công dân định kỳ",
        status="published",
    )
    hits = public_search("tiep cong dan").hits
    assert [(h.kind, h.title) for h in hits] == [("announcement", "Lịch tiếp công dân định kỳ")]


@pytest.mark.parametrize(
    "query",
    [
        "a" * 10_000,
        "\u0301\u0302" * 500,
        "%_%",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "nghi\x00quyet",
    ],
)
def test_hostile_queries_are_harmless(client, portal, query):
    r = client.get(reverse("portal:search"), {"q": query})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.content.decode()


def test_percent_and_underscore_are_literal(portal):
    assert public_search("%").counts.get("article", 0) == 0


def test_the_search_page_shows_results_with_their_kind(
    client, portal, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        r = client.get(reverse("portal:search"), {"q": "nghi quyet 52"})
    html = r.content.decode()
    assert portal.article.title in html
    assert "Văn bản" in html and "Tin tức" in html
    assert "kết quả" in html


def test_on_postgresql_a_trigram_index_serves_the_search(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no trigram index")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'portal_article_search_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
