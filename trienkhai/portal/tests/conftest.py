"""The portal on the shared test world: the City's communication officer publishes news.

Personas (on top of ``core.testing.build_world``): ``editor`` is the City's communication
staff (publishes and moderates for the City), ``ward_editor`` the same for Bến Thành; the
City leader also publishes; the Bến Thành officer (staff) writes drafts for Bến Thành only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from trienkhai.accounts.models import Membership, User
from trienkhai.core.testing import Chain, World, build_chain, build_world, make_user
from trienkhai.portal.models import Article, Category
from trienkhai.portal.services import article_create, article_publish

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@dataclass
class Portal:
    world: World
    chain: Chain
    editor: User
    ward_editor: User
    news: Category
    study: Category
    article: Article


def publish(article: Article, *, by=None, at: dt.datetime | None = None) -> Article:
    return article_publish(article=article, by=by, publish_at=at)


def build_portal(world: World | None = None) -> Portal:
    world = world or build_world()
    chain = build_chain(world)
    editor = make_user(
        "bientap.thanhuy",
        unit=world.city,
        role=Membership.Role.COMMUNICATION,
        full_name="Võ Thị Em",
    )
    ward_editor = make_user(
        "bientap.benthanh",
        unit=world.ben_thanh,
        role=Membership.Role.COMMUNICATION,
        full_name="Đỗ Văn Phúc",
    )
    news = Category.objects.create(name="Tin tức - Sự kiện", slug="tin-tuc", position=1)
    study = Category.objects.create(name="Học tập Nghị quyết", slug="hoc-tap", position=2)
    article = article_create(
        owner=world.city,
        by=editor,
        title="Xây dựng chương trình, kế hoạch hành động cụ thể thực hiện Nghị quyết 52",
        lead="Ban Thường vụ Thành ủy TPHCM đã có công văn yêu cầu các cấp ủy thực hiện.",
        body="Cụ thể, tổ chức triển khai nghiên cứu, học tập, quán triệt Nghị quyết 52.\n\n"
        "Cạnh đó, xây dựng chương trình, kế hoạch hành động cụ thể.",
        author_line="H.Thảo",
        category=news,
        documents=[chain.nq52, chain.hd116],
    )
    article = publish(
        article,
        by=editor,
        at=timezone.make_aware(dt.datetime(2020, 6, 3, 8, 0)),
    )
    return Portal(world, chain, editor, ward_editor, news, study, article)


@pytest.fixture
def portal(db, settings, tmp_path) -> Portal:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_portal()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Attempt counters live in the cache: every test starts without any."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
