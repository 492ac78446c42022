"""One search box over what the public may read: articles, announcements, public documents.

Accent-insensitive on both databases through the folded columns (``vntext.text.fold``):
"nghi quyet 52" finds "Nghị quyết 52". Every word must match. Each kind is ranked in SQL
(the whole query in the title first, then all words in the title, then the whole query
anywhere), at most ``PER_KIND`` of each are read, and the lists are merged by rank, then
date. The staff search goes through the scoping functions instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import and_

from django.db.models import Case, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from trienkhai.documents.models import Document
from trienkhai.documents.models import search_words as document_words
from trienkhai.portal.models import Announcement, Article, search_words

PER_KIND = 100
QUERY_MAX = 200


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    summary: str
    day: dt.date | None
    rank: int
    label: str = ""


@dataclass
class Results:
    query: str
    hits: list[Hit]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def truncated(self) -> bool:
        return any(n > PER_KIND for n in self.counts.values())


def _rank(column: str, title_column: str | None, words: list[str]) -> Case | Value:
    phrase = " ".join(words)
    whens = []
    if title_column:
        whens.append(When(**{f"{title_column}__contains": phrase}, then=Value(4)))
        all_in_title = reduce(and_, [Q(**{f"{title_column}__contains": w}) for w in words])
        whens.append(When(all_in_title, then=Value(2)))
    whens.append(When(**{f"{column}__contains": phrase}, then=Value(1)))
    return Case(*whens, default=Value(0), output_field=IntegerField())


def public_search(query: str, *, now: dt.datetime | None = None) -> Results:
    now = now or timezone.now()
    query = (query or "")[:QUERY_MAX]
    words = search_words(query)
    if not words:
        return Results(query=query, hits=[], counts={})
    hits: list[Hit] = []
    counts: dict[str, int] = {}

    articles = Article.objects.published(now).search(query)
    counts["article"] = articles.count()
    for a in (
        articles.annotate(rank=_rank("search_text", "search_title", words))
        .only("title", "slug", "lead", "publish_at")
        .order_by("-rank", "-publish_at", "-pk")[:PER_KIND]
    ):
        hits.append(
            Hit(
                "article",
                a.title,
                a.get_absolute_url(),
                a.lead,
                timezone.localtime(a.publish_at).date(),
                a.rank,
            )
        )

    announcements = Announcement.objects.current(timezone.localdate(now)).search(query)
    counts["announcement"] = announcements.count()
    for n in (
        announcements.annotate(rank=_rank("search_text", None, words))
        .only("title", "body", "date")
        .order_by("-rank", "-date", "-pk")[:PER_KIND]
    ):
        hits.append(Hit("announcement", n.title, n.get_absolute_url(), n.body, n.date, n.rank))

    dwords = document_words(query)
    if dwords:
        documents = Document.objects.public().search(query)
        counts["document"] = documents.count()
        for d in (
            documents.annotate(rank=_rank("search_text", None, dwords))
            .only("symbol", "title", "summary", "issue_date", "type_code")
            .order_by("-rank", "-issue_date", "-pk")[:PER_KIND]
        ):
            hits.append(
                Hit(
                    "document",
                    d.title or d.summary[:200] or str(d),
                    reverse("portal:document", args=[d.pk]),
                    d.summary,
                    d.issue_date,
                    d.rank,
                    label=d.symbol,
                )
            )
    hits.sort(key=lambda h: (-h.rank, -(h.day or dt.date.min).toordinal()))
    return Results(query=query, hits=hits, counts=counts)
