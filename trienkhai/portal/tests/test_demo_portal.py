"""The demo's portal on the test world: the seed article first, with its date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from trienkhai.core.demo_portal import SEED_TITLE, build_portal_demo
from trienkhai.core.testing import build_chain, build_world
from trienkhai.documents.models import Document
from trienkhai.portal.models import Announcement, Article, Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    world = build_world()
    chain = build_chain(world)
    Document.objects.filter(pk=chain.letter.pk).update(visibility="public")
    chain.letter.refresh_from_db()
    return build_portal_demo(city=world.city, letter=chain.letter, today=dt.date(2026, 3, 10))


def test_the_seed_article_is_published_on_3_june_2020(client, demo):
    seed = Article.objects.get(title=SEED_TITLE)
    assert seed.is_public() and seed.author_line == "H.Thảo"
    html = client.get(reverse("portal:article", args=[seed.slug])).content.decode()
    assert "Thứ Tư, ngày 3 tháng 6 năm 2020" in html
    assert "Thời gian trình Ban Thường vụ Thành ủy trong quý II năm 2020." in html
    assert {d.symbol for d in seed.documents.all()} == {"52-NQ/TW", "116-HD/BTGTW", "2156-CV/TU"}


def test_it_has_approved_and_pending_comments_and_an_official_reply(demo):
    seed = Article.objects.get(title=SEED_TITLE)
    assert seed.comments.filter(state="pending").count() == 2
    assert seed.comments.filter(state="approved", is_official=False).count() == 3
    assert seed.comments.filter(is_official=True).count() == 1
    assert seed.comments_approved == 4
    assert Comment.objects.filter(state="approved").count() == 4


def test_it_has_related_news_a_scheduled_article_a_draft_and_announcements(demo):
    noon = timezone.make_aware(dt.datetime(2026, 3, 10, 12))  # the demo's "today"
    assert Article.objects.published(noon).count() == 4
    assert Article.objects.filter(status="draft").count() == 1
    assert Article.objects.filter(status="published").count() == 5  # one scheduled
    assert Announcement.objects.current(dt.date(2026, 3, 10)).filter(pinned=True).count() == 1
    assert Announcement.objects.current(dt.date(2026, 3, 10)).count() == 2
    assert [x[0] for x in demo.logins] == ["bientap.thanhuy"]
