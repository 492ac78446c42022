from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trienkhai.units.models import Unit


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    # Structure changes go through the reorganization services, not free-form path edits.
    list_display = ("name", "short_name", "kind", "code", "depth", "dissolved_on")
    list_filter = ("kind", "depth")
    search_fields = ("name", "short_name", "code", "search_text")
    readonly_fields = ("path", "depth", "numchild")
    raw_id_fields = ("successor",)

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)
