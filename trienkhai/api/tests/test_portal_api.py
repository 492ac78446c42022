"""API v1 of the public portal: what the public pages show, nothing more, read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from trienkhai.portal.services import (
    announcement_create,
    article_create,
    article_publish,
)
from trienkhai.portal.tests.conftest import build_portal

pytestmark = pytest.mark.django_db
BASE = "/api/v1/portal"


@pytest.fixture
def portal(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()  # throttling counters
    return build_portal()


@pytest.fixture
def api():
    return APIClient()


def test_anyone_lists_published_articles_only(api, portal):
    w = portal.world
    article_create(owner=w.city, by=portal.editor, title="Bản nháp", lead="x")
    article_publish(
        article=article_create(owner=w.city, by=portal.editor, title="Hẹn giờ", lead="x"),
        by=portal.editor,
        publish_at=timezone.now() + dt.timedelta(days=1),
    )
    r = api.get(f"{BASE}/articles/")
    assert r.status_code == 200
    assert [a["title"] for a in r.json()["results"]] == [portal.article.title]
    assert r.json()["results"][0]["url"].endswith(portal.article.get_absolute_url())


def test_one_article_with_its_public_documents(api, portal):
    r = api.get(f"{BASE}/articles/{portal.article.slug}/")
    assert r.status_code == 200
    body = r.json()
    assert body["author_line"] == "H.Thảo" and "<p>" in body["body_html"]
    assert {d["symbol"] for d in body["documents"]} == {"52-NQ/TW", "116-HD/BTGTW"}
    assert "email" not in str(body)


def test_a_draft_is_404_by_its_address(api, portal):
    draft = article_create(owner=portal.world.city, by=portal.editor, title="Nháp", lead="x")
    assert api.get(f"{BASE}/articles/{draft.slug}/").status_code == 404


def test_search_and_category_filters(api, portal):
    assert api.get(f"{BASE}/articles/", {"q": "nghi quyet 52"}).json()["count"] == 1
    assert api.get(f"{BASE}/articles/", {"q": "khong co"}).json()["count"] == 0
    assert api.get(f"{BASE}/articles/", {"category": "tin-tuc"}).json()["count"] == 1
    assert api.get(f"{BASE}/articles/", {"category": "hoc-tap"}).json()["count"] == 0
    bad = api.get(f"{BASE}/articles/", {"category": "a b/../c"})
    assert bad.status_code == 400


def test_current_announcements_only(api, portal):
    w = portal.world
    announcement_create(owner=w.city, by=portal.editor, title="Hiện hành", status="published")
    announcement_create(owner=w.city, by=portal.editor, title="Nháp")
    announcement_create(
        owner=w.city,
        by=portal.editor,
        title="Hết hạn",
        status="published",
        date=timezone.localdate() - dt.timedelta(days=9),
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )
    r = api.get(f"{BASE}/announcements/")
    assert [a["title"] for a in r.json()["results"]] == ["Hiện hành"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_is_read_only_even_for_editors(api, portal, method):
    api.force_authenticate(portal.editor)
    url = f"{BASE}/articles/{portal.article.slug}/" if method != "post" else f"{BASE}/articles/"
    r = getattr(api, method)(url, {"title": "Đổi"}, format="json")
    assert r.status_code == 405
