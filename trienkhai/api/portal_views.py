"""API v1 of the public portal: published articles and current announcements, read-only.

Open to anonymous clients (the same content as the public pages), throttled as anonymous
API use is. Nothing unpublished, scheduled, expired or internal is ever listed.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from trienkhai.api import portal_serializers as ps
from trienkhai.api.views import _filters
from trienkhai.portal.models import Announcement, Article


@extend_schema_view(
    list=extend_schema(
        summary="Published articles, newest first",
        parameters=[
            OpenApiParameter("q", str, description="Words, accents optional"),
            OpenApiParameter("category", str, description="Category address (slug)"),
        ],
    ),
    retrieve=extend_schema(summary="One published article, by its address (slug)"),
)
class PublicArticleViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    serializer_class = ps.ArticleSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Article.objects.none()  # for the schema; requests use published()

    def get_queryset(self):
        return Article.objects.published().select_related("category").order_by("-publish_at", "-pk")

    def list(self, request: Request) -> Response:
        f = _filters(ps.PortalFilterSerializer, request)
        qs = self.get_queryset().defer("body", "body_html", "search_text")
        if f.get("q"):
            qs = qs.search(f["q"])
        if f.get("category"):
            qs = qs.filter(category__slug=f["category"])
        page = self.paginate_queryset(qs)
        data = ps.ArticleListSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, slug: str | None = None) -> Response:
        try:
            article = self.get_queryset().prefetch_related("documents").get(slug=slug)
        except Article.DoesNotExist:
            raise Http404
        return Response(ps.ArticleSerializer(article, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(summary="Current announcements (pinned first)"),
    retrieve=extend_schema(summary="One current announcement"),
)
class PublicAnnouncementViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    serializer_class = ps.AnnouncementSerializer
    queryset = Announcement.objects.none()

    def get_queryset(self):
        return Announcement.objects.current()
