"""Serializers of the public portal's read endpoints: only what the public pages show."""

from __future__ import annotations

from rest_framework import serializers

from trienkhai.documents.models import Document
from trienkhai.portal.models import Announcement, Article


class PublicDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "symbol", "title", "summary", "issue_date"]


class ArticleListSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", default="", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "lead",
            "author_line",
            "category",
            "publish_at",
            "comments_approved",
            "url",
        ]

    def get_url(self, obj: Article) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ArticleSerializer(ArticleListSerializer):
    body_html = serializers.CharField(read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields, "body_html", "documents"]

    def get_documents(self, obj: Article) -> list[dict]:
        docs = [d for d in obj.documents.all() if d.visibility == Document.Visibility.PUBLIC]
        return PublicDocumentSerializer(docs, many=True).data


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "date", "pinned", "expires_on"]


class PortalFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=200, allow_blank=True)
    category = serializers.SlugField(required=False, max_length=120)
