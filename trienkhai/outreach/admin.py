from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trienkhai.outreach.models import PublicOutreach, StudySession


@admin.register(StudySession)
class StudySessionAdmin(SimpleHistoryAdmin):
    """Read-only: sessions move the coverage counters, so they change only through the
    services (the pages and the API)."""

    list_display = ("held_on", "unit", "form", "party_members", "public")
    list_filter = ("form",)
    search_fields = ("unit__name", "location", "presenter")
    raw_id_fields = ("unit", "assignment", "topic", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicOutreach)
class PublicOutreachAdmin(SimpleHistoryAdmin):
    list_display = ("held_on", "title", "unit", "kind")
    list_filter = ("kind",)
    search_fields = ("title", "unit__name")
    raw_id_fields = ("unit", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
