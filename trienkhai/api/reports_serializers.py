"""API shapes of periodic reports: forms, rounds, reports, their actions and completeness.

As elsewhere, nothing here decides: input serializers check types and scope foreign keys, the
reports services apply the rules. Figures travel as ``{indicator code: value}``: a number, a
text, or for a yes/no indicator 1 / 0 (on a consolidating report, how many units said yes).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

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
MAX_FIGURES = 500


# --- input fields whose errors read in the user's language ------------------------------------
# DRF's Vietnamese catalog leaves most of its messages in English ("A valid integer is
# required.", "Ensure this value is less than or equal to …"), so every input field here says
# it in our own words. Subclasses rather than error_messages=: DRF builds the bound validators'
# messages when a field is created, from its class's messages.


class _Said:
    default_error_messages = {
        "required": _("This field is required."),
        "null": _("This field may not be empty."),
    }


class Int(_Said, serializers.IntegerField):
    default_error_messages = {
        "invalid": _("Enter a whole number."),
        "max_value": _("Enter a number of at most {max_value}."),
        "min_value": _("Enter a number of at least {min_value}."),
        "max_string_length": _("The number is too long."),
    }


class Text(_Said, serializers.CharField):
    default_error_messages = {
        "invalid": _("Enter a text."),
        "blank": _("This field may not be blank."),
        "max_length": _("At most {max_length} characters."),
        "min_length": _("At least {min_length} characters."),
    }


_CHOICE = {
    "invalid_choice": _("“{input}” is not one of the allowed values."),
    "not_a_list": _("Expected a list, not {input_type}."),
    "empty": _("Choose at least one."),
}


class Choice(_Said, serializers.ChoiceField):
    default_error_messages = _CHOICE


class Date(_Said, serializers.DateField):
    default_error_messages = {
        "invalid": _("Enter a date as YYYY-MM-DD."),
        "datetime": _("Enter a date without a time."),
    }


class Dict(_Said, serializers.DictField):
    default_error_messages = {
        "not_a_dict": _("Expected an object of names and values, not {input_type}."),
        "empty": _("This may not be empty."),
    }


class List(_Said, serializers.ListField):
    default_error_messages = {
        "not_a_list": _("Expected a list, not {input_type}."),
        "empty": _("Choose at least one."),
        "min_length": _("Give at least {min_length} items."),
        "max_length": _("Give at most {max_length} items."),
    }


class KeyList(_Said, serializers.ManyRelatedField):
    default_error_messages = {
        "not_a_list": _CHOICE["not_a_list"],
        "empty": _CHOICE["empty"],
    }


class Key(_Said, ScopedPrimaryKeyField):
    """An id inside the user's reach (one outside reads as one that does not exist)."""

    default_error_messages = {
        "does_not_exist": _("Nothing with id {pk_value} is within your reach."),
        "incorrect_type": _("Expected an id (a whole number), not {data_type}."),
    }

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> KeyList:
        # DRF's own, with the list's messages ours too
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({k: v for k, v in kwargs.items() if k in MANY_RELATION_KWARGS})
        return KeyList(**list_kwargs)


class Kind(_Said, UnitKindField):
    default_error_messages = _CHOICE


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
    owner = Int(min_value=1, max_value=MAX_ID, required=False)
    q = Text(max_length=MAX_QUERY, required=False, allow_blank=True)


# --- rounds ----------------------------------------------------------------------------------


class RoundTargetModeField(_Said, NamedChoiceField):
    default_error_messages = _CHOICE
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
    form = Key(scope=_forms_scope)
    owner = Key(scope=_units_scope)
    title = Text(max_length=300)
    period_kind = Choice(choices=Round.Period.choices)
    year = Int(min_value=2000, max_value=2100, required=False)
    number = Int(min_value=1, max_value=12, required=False)
    period_start = Date(required=False)
    period_end = Date(required=False)
    deadline = Date(required=False)
    deadline_workdays = Int(min_value=0, max_value=60, required=False)
    target_mode = RoundTargetModeField()
    units = Key(scope=_units_scope, many=True, required=False)
    under = Key(scope=_units_scope, required=False, allow_null=True)
    kinds = List(child=Kind(), required=False, max_length=20)
    depth = Int(min_value=1, max_value=10, required=False)
    receiver_mode = Choice(choices=Round.ReceiverMode.choices, required=False)
    receiver_unit = Key(scope=_units_scope, required=False, allow_null=True)
    top_receiver = Key(scope=_above_scope, required=False, allow_null=True)
    place = Text(max_length=100, required=False, allow_blank=True)
    task = Key(scope=_tasks_scope, required=False, allow_null=True)


class RoundFilterSerializer(serializers.Serializer):
    owner = Int(min_value=1, max_value=MAX_ID, required=False)
    form = Int(min_value=1, max_value=MAX_ID, required=False)


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
    unit = Int(min_value=1, max_value=MAX_ID, required=False)
    sort = Choice(choices=["name", "-rate", "rate", "-missing", "-expected"], required=False)
    page = Int(min_value=1, max_value=100_000, required=False)


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
    round = Int(min_value=1, max_value=MAX_ID, required=False)
    unit = Int(min_value=1, max_value=MAX_ID, required=False)
    receiver = Int(min_value=1, max_value=MAX_ID, required=False)
    state = Choice(choices=Report.State.choices, required=False)
    box = Choice(
        choices=[("fill", "to write or fix"), ("review", "to review")],
        required=False,
        help_text="fill: reports your units must write; review: reports sent to your units.",
    )


class VersionInputSerializer(serializers.Serializer):
    version = Int(
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The version you read: a newer one answers 409.",
    )


class ReportSaveSerializer(VersionInputSerializer):
    figures = Dict(
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="Indicator code → value; absent codes are left as they are, null clears.",
    )
    narrative = Dict(child=Text(allow_blank=True, max_length=MAX_TEXT), required=False)
    symbol = Text(required=False, allow_blank=True, max_length=60)
    place = Text(required=False, allow_blank=True, max_length=100)
    signer_name = Text(required=False, allow_blank=True, max_length=150)
    signer_title = Text(required=False, allow_blank=True, max_length=150)
    recipients = Text(required=False, allow_blank=True, max_length=2000)

    def validate_figures(self, value: dict) -> dict:
        if len(value) > MAX_FIGURES:
            raise serializers.ValidationError(
                _("At most %(n)s figures at once.") % {"n": MAX_FIGURES}
            )
        for code, figure in value.items():
            if isinstance(figure, (dict, list)):
                raise serializers.ValidationError(
                    _("%(code)s: give a number or a text.") % {"code": str(code)[:20]}
                )
        return value


class CommentInputSerializer(VersionInputSerializer):
    comment = Text(max_length=2000, allow_blank=True)


class ReasonInputSerializer(VersionInputSerializer):
    reason = Text(max_length=2000, allow_blank=True)


class ReceiverInputSerializer(VersionInputSerializer):
    receiver = Key(scope=_units_scope)


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
