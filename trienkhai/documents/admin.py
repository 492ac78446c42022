from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trienkhai.documents.models import Document, DocumentFile


class DocumentFileInline(admin.TabularInline):
    model = DocumentFile
    extra = 0
    readonly_fields = ("original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ("symbol", "issue_date", "issuer_name", "owner", "visibility")
    list_filter = ("type_code", "visibility")
    search_fields = ("symbol", "summary", "search_text")
    raw_id_fields = ("issuer_unit", "owner", "created_by")
    filter_horizontal = ("implements",)
    inlines = [DocumentFileInline]

    def save_model(self, request, obj, form, change) -> None:
        obj.refresh_search_text()
        super().save_model(request, obj, form, change)
