"""Admin: forms and rounds are browsable; reports and figures are read-only here — every
change of a report goes through the services (state machine, version, lock)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from trienkhai.reports.models import FormVersion, Indicator, Report, ReportForm, Round, Section


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportForm)
class ReportFormAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "owner", "created")
    search_fields = ("name", "code")
    raw_id_fields = ("owner", "created_by")


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    raw_id_fields = ("source_task",)


@admin.register(FormVersion)
class FormVersionAdmin(ReadOnlyAdmin):
    list_display = ("form", "number", "note", "created")
    inlines = [SectionInline, IndicatorInline]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "owner", "period_label", "deadline")
    list_filter = ("period_kind",)
    search_fields = ("title",)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("round", "unit", "receiver", "state", "version", "submitted_at")
    list_filter = ("state",)
    raw_id_fields = ("round", "unit", "receiver", "decided_by", "superseded_by")
    list_select_related = ("round", "unit", "receiver")
