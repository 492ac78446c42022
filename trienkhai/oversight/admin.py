from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trienkhai.oversight.models import Plan, Rating


@admin.register(Rating)
class RatingAdmin(SimpleHistoryAdmin):
    """The configurable scale of conclusions: rename, reorder, retire (never delete a used one)."""

    list_display = ("rank", "label", "is_active")
    list_editable = ("label", "is_active")
    ordering = ("rank",)


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ("title", "unit", "year", "kind")
    list_filter = ("kind", "year")
    search_fields = ("title", "unit__name")
    raw_id_fields = ("unit", "created_by")
    filter_horizontal = ()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
