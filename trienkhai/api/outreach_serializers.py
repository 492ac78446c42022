"""API shapes of study and dissemination: sessions, public information items, coverage.

As elsewhere, nothing here decides anything: input serializers check types and scope foreign
keys (an assignment or document outside the reach reads as one that does not exist); the
outreach services apply the rules.
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
    _documents_scope,
)
from trienkhai.api.tasks_serializers import DocumentRefSerializer, NamedChoiceField
from trienkhai.outreach.models import GROUPS, PublicOutreach, StudySession

MAX_TEXT = 20_000
MAX_PEOPLE = 10_000_000
MAX_DOCUMENTS = 50

SESSION_ORDERINGS = {
    "held_on": ("held_on", "pk"),
    "-held_on": ("-held_on", "-pk"),
    "unit": ("unit__path", "-held_on", "-pk"),
}
OUTREACH_ORDERINGS = SESSION_ORDERINGS


def _assignments_scope(user):
    from trienkhai.tasks.selectors import assignments_for_user

    return assignments_for_user(user)


def _id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text=help_text
    )


class OutreachKindField(NamedChoiceField):
    enum_name = "PublicOutreachKindEnum"
    enum_choices = PublicOutreach.Kind.choices


class TopicRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class AttendanceSerializer(serializers.Serializer):
    cadres = serializers.IntegerField()
    party_members = serializers.IntegerField()
    union_members = serializers.IntegerField()
    association_members = serializers.IntegerField()
    public = serializers.IntegerField()
    total = serializers.IntegerField()


class FileRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    content_type = serializers.CharField()


class StudySessionSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    topic = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    files = FileRefSerializer(many=True)

    class Meta:
        model = StudySession
        fields = [
            "id",
            "unit",
            "assignment",
            "topic",
            "documents",
            "held_on",
            "form",
            "location",
            "presenter",
            "attendance",
            "minutes",
            "files",
            "version",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(TopicRefSerializer)
    def get_topic(self, s: StudySession) -> dict[str, Any]:
        return {"id": s.topic_id, "title": s.topic.title}

    @extend_schema_field(DocumentRefSerializer(many=True))
    def get_documents(self, s: StudySession) -> list[dict[str, Any]]:
        """Only the documents the reader may see (ids of the others are not given out)."""
        visible = self.context.get("visible_documents", set())
        return [{"id": d.pk, "symbol": d.symbol} for d in s.documents.all() if d.pk in visible]

    @extend_schema_field(AttendanceSerializer)
    def get_attendance(self, s: StudySession) -> dict[str, int]:
        return {**s.attendance, "total": s.attendance_total}


class StudySessionCreateSerializer(serializers.Serializer):
    assignment = ScopedPrimaryKeyField(
        scope=_assignments_scope, help_text="Id of your unit's study assignment."
    )
    documents = serializers.ListField(
        child=ScopedPrimaryKeyField(scope=_documents_scope),
        min_length=1,
        max_length=MAX_DOCUMENTS,
        help_text="Ids of the documents studied (those the assignment asks to study).",
    )
    held_on = serializers.DateField()
    form = serializers.ChoiceField(choices=StudySession.Form.choices)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True)
    presenter = serializers.CharField(max_length=255, required=False, allow_blank=True)
    minutes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    cadres = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, default=0)
    party_members = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, default=0)
    union_members = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, default=0)
    association_members = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, default=0)
    public = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, default=0)
    completed = serializers.BooleanField(
        required=False, help_text="Mark the study assignment done."
    )
    reason = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        help_text="Reason for the delay, once the assignment's deadline has passed.",
    )
    files = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=False),
        required=False,
        help_text="Minutes, attendance sheets, photos (multipart/form-data).",
    )

    def attendance(self) -> dict[str, int]:
        return {g: self.validated_data.get(g, 0) for g in GROUPS}

    def fields_for_service(self) -> dict[str, Any]:
        d = self.validated_data
        return {
            "held_on": d["held_on"],
            "form": d["form"],
            "location": d.get("location", ""),
            "presenter": d.get("presenter", ""),
            "minutes": d.get("minutes", ""),
        }


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read: a change made since then refuses the edit (400, stale).",
    )


class StudySessionUpdateSerializer(serializers.Serializer):
    """A correction: fields left out keep their value (the assignment and unit stay)."""

    documents = serializers.ListField(
        child=ScopedPrimaryKeyField(scope=_documents_scope),
        min_length=1,
        max_length=MAX_DOCUMENTS,
        required=False,
    )
    held_on = serializers.DateField(required=False)
    form = serializers.ChoiceField(choices=StudySession.Form.choices, required=False)
    location = serializers.CharField(max_length=255, required=False, allow_blank=True)
    presenter = serializers.CharField(max_length=255, required=False, allow_blank=True)
    minutes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    cadres = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, required=False)
    party_members = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, required=False)
    union_members = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, required=False)
    association_members = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, required=False
    )
    public = serializers.IntegerField(min_value=0, max_value=MAX_PEOPLE, required=False)
    files = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=False),
        required=False,
        help_text="Files to add (multipart/form-data).",
    )
    version = _version()


class DeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why it is deleted (kept in its history)."
    )


class StudySessionFilterSerializer(serializers.Serializer):
    unit = _id("Sessions of this unit and of every unit under it.")
    topic = _id("Sessions on this study topic (the study task at the top of the cascade).")
    form = serializers.ChoiceField(choices=StudySession.Form.choices, required=False)
    held_after = serializers.DateField(required=False, help_text="On or after this day.")
    held_before = serializers.DateField(required=False, help_text="On or before this day.")
    q = serializers.CharField(max_length=MAX_QUERY, required=False, allow_blank=True)
    ordering = serializers.ChoiceField(choices=list(SESSION_ORDERINGS), required=False)


class PublicOutreachSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    kind = OutreachKindField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = PublicOutreach
        fields = [
            "id",
            "unit",
            "kind",
            "title",
            "held_on",
            "channel",
            "audience",
            "summary",
            "documents",
            "version",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(DocumentRefSerializer(many=True))
    def get_documents(self, item: PublicOutreach) -> list[dict[str, Any]]:
        visible = self.context.get("visible_documents", set())
        return [{"id": d.pk, "symbol": d.symbol} for d in item.documents.all() if d.pk in visible]


class PublicOutreachCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of a unit you act for."
    )
    kind = OutreachKindField()
    title = serializers.CharField(max_length=300)
    held_on = serializers.DateField()
    channel = serializers.CharField(max_length=255, required=False, allow_blank=True)
    audience = serializers.IntegerField(
        min_value=0, max_value=1_000_000_000, required=False, allow_null=True
    )
    summary = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    documents = serializers.ListField(
        child=ScopedPrimaryKeyField(scope=_documents_scope),
        required=False,
        max_length=MAX_DOCUMENTS,
    )


class PublicOutreachUpdateSerializer(serializers.Serializer):
    """A correction: fields left out keep their value (the unit stays)."""

    kind = OutreachKindField(required=False)
    title = serializers.CharField(max_length=300, required=False)
    held_on = serializers.DateField(required=False)
    channel = serializers.CharField(max_length=255, required=False, allow_blank=True)
    audience = serializers.IntegerField(
        min_value=0, max_value=1_000_000_000, required=False, allow_null=True
    )
    summary = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    documents = serializers.ListField(
        child=ScopedPrimaryKeyField(scope=_documents_scope),
        required=False,
        max_length=MAX_DOCUMENTS,
    )
    version = _version()


class PublicOutreachFilterSerializer(serializers.Serializer):
    unit = _id("Items of this unit and of every unit under it.")
    kind = OutreachKindField(required=False)
    q = serializers.CharField(max_length=MAX_QUERY, required=False, allow_blank=True)
    ordering = serializers.ChoiceField(choices=list(OUTREACH_ORDERINGS), required=False)


class GroupCoverageSerializer(serializers.Serializer):
    headcount = serializers.IntegerField()
    attended = serializers.IntegerField()
    covered = serializers.IntegerField(help_text="Attendance capped at each unit's headcount.")
    percent = serializers.FloatField(allow_null=True)


class CoverageCountsSerializer(serializers.Serializer):
    groups = serializers.DictField(child=GroupCoverageSerializer())
    percent = serializers.FloatField(allow_null=True, help_text="All groups with a headcount.")
    public_attended = serializers.IntegerField()
    sessions = serializers.IntegerField()
    units = serializers.IntegerField(help_text="Counted units with a headcount in some group.")
    units_held = serializers.IntegerField()
    units_without = serializers.IntegerField()
    items = serializers.DictField(child=serializers.IntegerField())
    audience = serializers.IntegerField()


class CoverageRowSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    counts = CoverageCountsSerializer()


class CoverageSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    topic = TopicRefSerializer(allow_null=True)
    counts = CoverageCountsSerializer()
    children = CoverageRowSerializer(many=True)


class CoverageFilterSerializer(serializers.Serializer):
    topic = _id("The study topic; by default the newest one of the subtree.")


class TopicCoverageSerializer(serializers.Serializer):
    topic = TopicRefSerializer()
    counts = CoverageCountsSerializer()


class AllTopicsSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    rule = serializers.CharField(help_text="How the figures are counted.")
    counts = CoverageCountsSerializer(help_text="Any topic: capped per unit at its headcount.")
    own = CoverageCountsSerializer(allow_null=True)
    children = CoverageRowSerializer(many=True)
    topics = TopicCoverageSerializer(many=True)
