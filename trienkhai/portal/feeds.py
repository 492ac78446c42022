"""RSS 2.0 and Atom feeds of the latest published articles."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.utils.translation import gettext as _

from trienkhai.portal.http import FEED_MAX_AGE
from trienkhai.portal.models import Article

ITEMS = 20


def portal_name() -> str:
    return getattr(settings, "PORTAL_NAME", "") or _("Public portal")


class LatestArticles(Feed):
    def title(self) -> str:
        return portal_name()

    def link(self) -> str:
        return reverse("portal:home")

    def description(self) -> str:
        return _("The latest news and articles.")

    def items(self):
        return (
            Article.objects.published()
            .select_related("category")
            .only("title", "slug", "lead", "publish_at", "updated", "author_line", "category")
            .order_by("-publish_at", "-pk")[:ITEMS]
        )

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.lead

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article) -> dt.datetime:
        return item.publish_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return max(item.updated, item.publish_at)

    def item_author_name(self, item: Article) -> str:
        return item.author_line

    def item_categories(self, item: Article) -> list[str]:
        return [item.category.name] if item.category_id else []

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        latest = Article.objects.published().aggregate(p=Max("publish_at"), u=Max("updated"))
        # a scheduled article changes the feed when its time comes (publish_at), an edit
        # when it is saved (updated)
        stamp = max(filter(None, (latest["p"], latest["u"])), default=None)
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        if stamp is not None:
            response["Last-Modified"] = http_date(stamp.timestamp())
        return get_conditional_response(
            request,
            last_modified=int(stamp.timestamp()) if stamp else None,
            response=response,
        )


class LatestArticlesAtom(LatestArticles):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()
