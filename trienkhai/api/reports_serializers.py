"""API shapes of periodic reports: forms, rounds, reports, their actions and completeness.

As elsewhere, nothing here decides: input serializers check types and scope foreign keys, the
reports services apply the rules. Figures travel as ``{indicator code: value}``: a number, a
text, or for a yes/no indicator 1 / 0 (on a consolidating report, how many units said yes).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trienkhai.api.serializers import (
    MAX_ID,
    MAX_QUERY,
    ScopedPrimaryKeyField,
    UnitRefSerializer,
    _units_scope,
)
from trienkhai.api.tasks_serializers import NamedChoiceField, UnitKindField
from trienkhai.reports.models import Indicator, Report, ReportForm, Round, Section
from trienkhai.units.models import Unit

MAX_VERSION = 2**31 - 1
MAX_TEXT = 50_000


def _forms_scope(user):
    from trienkhai.reports.selectors import forms_for_user

    return forms_for_user(user)


def _tasks_scope(user):
    from trienkhai.tasks.selectors import tasks_for_user

    return tasks_for_user(user)


def _above_scope(user):
    """Units a consolidated report may go to: any unit the user reads or that is above it."""
    from django.db.models import Q

    from trienkhai.accounts.scoping import units_for_user
    from trienkhai.documents.selectors import superior_units

    return Unit.objects.filter(
        Q(pk__in=units_for_user(user).order_by().values("pk"))
        | Q(pk__in=superior_units(user).values("pk"))
        | Q(kind=Unit.Kind.EXTERNAL)
    )


def number_or_text(value: float | None, text: str) -> Any:
    if text:
        return text
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# --- forms -----------------------------------------------------------------------------------


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["key", "title", "guidance"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    min_value = serializers.FloatField(allow_null=True, read_only=True)
    max_value = serializers.FloatField(allow_null=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit_of_measure",
            "type",
            "aggregation",
            "weight_code",
            "min_value",
            "max_value",
            "required",
            "source",
            "source_task",
            "help_text",
        ]
        read_only_fields = fields


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField()
    sections = SectionSerializer(many=True)
    indicators = IndicatorSerializer(many=True)


class ReportFormSerializer(serializers.ModelSerializer):
    owner = UnitRefSerializer(read_only=True)
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = ReportForm
        fields = ["id", "name", "code", "description", "owner", "current_version"]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, form: ReportForm) -> dict | None:
        version = form.latest_version()
        if version is None:
            return None
        return VersionSerializer(
            {
                "number": version.number,
                "note": version.note,
                "sections": version.sections.all(),
                "indicators": version.indicators.all(),
            }
        ).data


class FormFilterSerializer(serializers.Serializer):
    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    q = serializers.CharField(max_length=MAX_QUERY, required=False, allow_blank=True)


# --- rounds ----------------------------------------------------------------------------------


class RoundTargetModeField(NamedChoiceField):
    enum_name = "RoundTargetModeEnum"
    enum_choices = Round.TargetMode.choices


class RoundSerializer(serializers.ModelSerializer):
    owner = UnitRefSerializer(read_only=True)
    form = serializers.PrimaryKeyRelatedField(read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    receiver_unit = UnitRefSerializer(read_only=True, allow_null=True)
    top_receiver = UnitRefSerializer(read_only=True, allow_null=True)
    target_mode = RoundTargetModeField(read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "title",
            "form",
            "version",
            "owner",
            "period_kind",
            "period_label",
            "period_start",
            "period_end",
            "deadline",
            "deadline_workdays",
            "target_mode",
            "kinds",
            "depth",
            "receiver_mode",
            "receiver_unit",
            "top_receiver",
            "place",
            "task",
            "created",
        ]
        read_only_fields = fields


class RoundCreateSerializer(serializers.Serializer):
    form = ScopedPrimaryKeyField(scope=_forms_scope)
    owner = ScopedPrimaryKeyField(scope=_units_scope)
    title = serializers.CharField(max_length=300)
    period_kind = serializers.ChoiceField(choices=Round.Period.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    number = serializers.IntegerField(min_value=1, max_value=12, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    deadline = serializers.DateField(required=False)
    deadline_workdays = serializers.IntegerField(min_value=0, max_value=60, required=False)
    target_mode = RoundTargetModeField()
    units = ScopedPrimaryKeyField(scope=_units_scope, many=True, required=False)
    under = ScopedPrimaryKeyField(scope=_units_scope, required=False, allow_null=True)
    kinds = serializers.ListField(child=UnitKindField(), required=False, max_length=20)
    depth = serializers.IntegerField(min_value=1, max_value=10, required=False)
    receiver_mode = serializers.ChoiceField(choices=Round.ReceiverMode.choices, required=False)
    receiver_unit = ScopedPrimaryKeyField(scope=_units_scope, required=False, allow_null=True)
    top_receiver = ScopedPrimaryKeyField(scope=_above_scope, required=False, allow_null=True)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True)
    task = ScopedPrimaryKeyField(scope=_tasks_scope, required=False, allow_null=True)


class RoundFilterSerializer(serializers.Serializer):
    owner = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    form = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class TallySerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    submitted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    pending = serializers.IntegerField()
    accepted = serializers.IntegerField()
    returned = serializers.IntegerField()
    waived = serializers.IntegerField()
    reporting_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)


class CompletenessRowSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    own = serializers.BooleanField(help_text="The unit's own report rather than a child's subtree.")
    tally = TallySerializer()


class CompletenessSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    past_deadline = serializers.BooleanField()
    tally = TallySerializer()
    rows = CompletenessRowSerializer(many=True)
    next_page = serializers.IntegerField(allow_null=True)


class CompletenessFilterSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    sort = serializers.ChoiceField(
        choices=["name", "-rate", "rate", "-missing", "-expected"], required=False
    )
    page = serializers.IntegerField(min_value=1, max_value=100_000, required=False)


# --- reports ---------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer(read_only=True)
    receiver = UnitRefSerializer(read_only=True, allow_null=True)
    round = serializers.PrimaryKeyRelatedField(read_only=True)
    figures = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "round",
            "unit",
            "receiver",
            "state",
            "version",
            "figures",
            "narrative",
            "symbol",
            "place",
            "signer_name",
            "signer_title",
            "recipients",
            "comment",
            "saved_at",
            "submitted_at",
            "first_submitted_on",
            "late",
            "decided_at",
            "superseded_by",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.DictField(
            child=serializers.JSONField(),
            help_text="Indicator code → number, text, or 1/0 for yes/no.",
        )
    )
    def get_figures(self, r: Report) -> dict[str, Any]:
        values = self.context.get("values", {}).get(r.pk, [])
        return {code: number_or_text(number, text) for code, number, text in values}

    def get_late(self, r: Report) -> bool:
        return r.is_late(r.round.deadline)


class ReportFilterSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    receiver = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    state = serializers.ChoiceField(choices=Report.State.choices, required=False)
    box = serializers.ChoiceField(
        choices=[("fill", "to write or fix"), ("review", "to review")],
        required=False,
        help_text="fill: reports your units must write; review: reports sent to your units.",
    )


class VersionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The version you read: a newer one answers 409.",
    )


class ReportSaveSerializer(VersionInputSerializer):
    figures = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="Indicator code → value; absent codes are left as they are, null clears.",
    )
    narrative = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_TEXT), required=False
    )
    symbol = serializers.CharField(required=False, allow_blank=True, max_length=60)
    place = serializers.CharField(required=False, allow_blank=True, max_length=100)
    signer_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    signer_title = serializers.CharField(required=False, allow_blank=True, max_length=150)
    recipients = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_figures(self, value: dict) -> dict:
        if len(value) > 500:
            raise serializers.ValidationError("At most 500 figures.")
        for code, figure in value.items():
            if isinstance(figure, (dict, list)):
                raise serializers.ValidationError(f"{str(code)[:20]}: a number or a text.")
        return value


class CommentInputSerializer(VersionInputSerializer):
    comment = serializers.CharField(max_length=2000, allow_blank=True)


class ReasonInputSerializer(VersionInputSerializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class ReceiverInputSerializer(VersionInputSerializer):
    receiver = ScopedPrimaryKeyField(scope=_units_scope)


class FigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    reports = serializers.IntegerField(help_text="Accepted reports that gave a value.")
    units = serializers.IntegerField(help_text="Reporting units those values cover.")


class ReporterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = UnitRefSerializer()
    state = serializers.CharField()
    late = serializers.BooleanField()
    missing = serializers.BooleanField()


class ConsolidationSerializer(serializers.Serializer):
    figures = FigureSerializer(many=True)
    tally = TallySerializer()
    reporters = ReporterSerializer(many=True)
    next_page = serializers.IntegerField(allow_null=True)


class ErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.CharField(), required=False)
