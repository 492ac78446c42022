from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trienkhai.portal.models import Announcement, Article, Category, Comment


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    """Read-mostly: articles are written on the portal's own pages, through the services."""

    list_display = ("title", "owner", "status", "publish_at")
    list_filter = ("status", "category")
    search_fields = ("title",)
    readonly_fields = ("owner", "body_html", "comments_approved", "version", "created_by")
    raw_id_fields = ("documents", "tasks")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Announcement)
class AnnouncementAdmin(SimpleHistoryAdmin):
    list_display = ("title", "owner", "date", "pinned", "expires_on", "status")
    list_filter = ("status", "pinned")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(SimpleHistoryAdmin):
    """Moderation goes through the queue (it keeps the article's count); this is for lookups."""

    list_display = ("name", "article", "state", "is_official", "reports", "created")
    list_filter = ("state", "is_official")
    readonly_fields = tuple(f.name for f in Comment._meta.fields)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
