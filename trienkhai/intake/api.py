"""``POST /api/v1/vntext/read/``: what vntext reads in a text, as the command line prints it.

Read-only: nothing is stored. Units found in the text are matched against the units the
caller may read, so the answer never names a unit outside their reach.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from trienkhai.intake.reading import MAX_TEXT_CHARS, known_units_for, normalize_text
from trienkhai.vntext import read


class VntextReadRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=MAX_TEXT_CHARS,
        trim_whitespace=False,
        help_text=f"The text to read (UTF-8), at most {MAX_TEXT_CHARS:,} characters.",
        error_messages={
            "required": _("Send the text to read in the “text” field."),
            "blank": _("The text is empty."),
            "max_length": _("The text is too long: at most {max_length} characters."),
        },
    )
    date = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="Issue date (YYYY-MM-DD) that deadlines such as “quý II” count from;"
        " read from the text's header when omitted.",
    )

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("The text is empty."), code="blank")
        return value


class _VntextSpan(serializers.Serializer):
    start = serializers.IntegerField(help_text="Offset of the first character (NFC text).")
    end = serializers.IntegerField(help_text="Offset after the last character.")


class VntextSymbolSerializer(_VntextSpan):
    text = serializers.CharField()
    number = serializers.CharField()
    type = serializers.CharField()
    issuer = serializers.CharField()
    year = serializers.CharField(required=False)
    term = serializers.CharField(required=False)
    issuer_norm = serializers.CharField(required=False)
    type_inferred = serializers.BooleanField(required=False)
    unit = serializers.CharField(required=False)
    date = serializers.DateField(required=False)
    date_inferred = serializers.BooleanField(required=False)


class VntextDateSpanSerializer(_VntextSpan):
    date = serializers.DateField()
    text = serializers.CharField()


class VntextPartialDateSerializer(_VntextSpan):
    text = serializers.CharField()
    day = serializers.IntegerField()
    month = serializers.IntegerField()


class VntextDeadlineSerializer(_VntextSpan):
    text = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    recurring = serializers.CharField(required=False)
    day = serializers.IntegerField(required=False)
    month = serializers.IntegerField(required=False)
    month_of_quarter = serializers.IntegerField(required=False)
    weekday = serializers.CharField(required=False)
    time = serializers.CharField(required=False)
    anchor = serializers.CharField(required=False)
    event = serializers.CharField(required=False)
    event_date = serializers.DateField(required=False)
    year_inferred = serializers.BooleanField(required=False)
    reported = serializers.BooleanField(required=False)
    tentative = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False)


class VntextPeriodSerializer(_VntextSpan):
    text = serializers.CharField()
    note = serializers.CharField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: declared here rather than as class attributes.
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields


class VntextUnitSerializer(_VntextSpan):
    name = serializers.CharField(help_text="The unit's name, abbreviations kept.")
    source = serializers.CharField(required=False, help_text="The phrase it was split from.")
    alias = serializers.CharField(required=False, help_text="BTV/BCS written out.")
    known = serializers.CharField(required=False, help_text="The matched unit of yours.")
    score = serializers.FloatField(required=False, help_text="Match confidence, 85–100.")


class VntextTaskSerializer(_VntextSpan):
    who = serializers.CharField()
    what = serializers.CharField()
    due_text = serializers.CharField(required=False)
    due = serializers.DateField(required=False, allow_null=True)
    recurring = serializers.CharField(required=False)
    role = serializers.CharField(required=False, help_text="lead or support.")
    who_start = serializers.IntegerField(required=False)
    who_end = serializers.IntegerField(required=False)


class VntextWarningSerializer(_VntextSpan):
    type = serializers.CharField(
        help_text="term_mismatch, misspelled_abbreviation, deadline_before_issue or"
        " cited_after_issue."
    )
    text = serializers.CharField()
    detail = serializers.CharField(help_text="What to check, in Vietnamese.")
    due = serializers.DateField(required=False)
    issue_date = serializers.DateField(required=False)
    cited_date = serializers.DateField(required=False)
    term = serializers.CharField(required=False)


class VntextReadResultSerializer(serializers.Serializer):
    kind = serializers.CharField(
        allow_null=True, help_text="plan, letter, directive, news or report (null if unsure)."
    )
    issue_date = serializers.DateField(allow_null=True)
    symbols = VntextSymbolSerializer(many=True)
    dates = serializers.ListField(child=serializers.DateField())
    date_spans = VntextDateSpanSerializer(many=True)
    dates_partial = VntextPartialDateSerializer(many=True)
    deadlines = VntextDeadlineSerializer(many=True)
    periods = VntextPeriodSerializer(many=True)
    units = VntextUnitSerializer(many=True)
    tasks = VntextTaskSerializer(many=True)
    warnings = VntextWarningSerializer(many=True)


@extend_schema(
    summary="Read a Vietnamese directive: symbols, dates, deadlines, units, tasks, warnings",
    description=(
        "Runs the same reader as `python -m trienkhai.vntext` and answers with the same"
        " fields. Spans are character offsets in the text normalized to NFC with Unix line"
        " ends. Units are matched against the units you may read. Nothing is stored."
    ),
    request=VntextReadRequestSerializer,
    responses={
        200: VntextReadResultSerializer,
        400: OpenApiResponse(description="The text is missing, empty or too long, or the date"),
    },
    examples=[
        OpenApiExample(
            "A letter",
            request_only=True,
            value={
                "text": "Các quận ủy, huyện ủy xây dựng kế hoạch thực hiện, hoàn thành trong"
                " quý II năm 2020.",
                "date": "2020-06-03",
            },
        )
    ],
    tags=["vntext"],
)
@api_view(["POST"])
def vntext_read(request: Request) -> Response:
    form = VntextReadRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    text = normalize_text(form.validated_data["text"])
    known = known_units_for(request.user)
    result = read(text, form.validated_data.get("date"), known_units=known.names)
    return Response(result.to_dict())
