"""API shapes of inspection and supervision: plans, visits, recommendations, roll-up.

Input serializers check types and scope foreign keys; the oversight services apply the rules
(targets inside the supervisor's subtree, dates in the plan's year, due dates ahead).
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
    _units_scope,
)
from trienkhai.api.tasks_serializers import DocumentRefSerializer, NamedChoiceField
from trienkhai.oversight.models import Plan, Rating, Recommendation, Visit

MAX_TEXT = 20_000
MAX_ITEMS = 30


def _tasks_scope(user):
    from trienkhai.tasks.selectors import tasks_for_user

    return tasks_for_user(user)


class PlanKindField(NamedChoiceField):
    enum_name = "OversightPlanKindEnum"
    enum_choices = Plan.Kind.choices


class RecommendationStateField(NamedChoiceField):
    enum_name = "RecommendationStateEnum"
    enum_choices = Recommendation.State.choices


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "label", "rank"]
        read_only_fields = fields


class PlanTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = UnitRefSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    visited = serializers.BooleanField()


class PlanSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    kind = PlanKindField()
    documents = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "unit",
            "year",
            "kind",
            "title",
            "description",
            "documents",
            "tasks",
            "targets",
            "version",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(DocumentRefSerializer(many=True))
    def get_documents(self, plan: Plan) -> list[dict[str, Any]]:
        visible = self.context.get("visible_documents", set())
        return [{"id": d.pk, "symbol": d.symbol} for d in plan.documents.all() if d.pk in visible]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_tasks(self, plan: Plan) -> list[int]:
        visible = self.context.get("visible_tasks", set())
        return [t.pk for t in plan.tasks.all() if t.pk in visible]

    @extend_schema_field(PlanTargetSerializer(many=True))
    def get_targets(self, plan: Plan) -> list[dict[str, Any]]:
        return [
            {
                "id": t.pk,
                "unit": UnitRefSerializer(t.unit).data,
                "starts_on": t.starts_on,
                "ends_on": t.ends_on,
                "visited": bool(getattr(t, "visited", False)),
            }
            for t in plan.targets.all()
        ]


class PlanTargetInputSerializer(serializers.Serializer):
    unit = ScopedPrimaryKeyField(scope=_units_scope, help_text="A unit under the supervisor.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class PlanCreateSerializer(serializers.Serializer):
    unit = ScopedPrimaryKeyField(
        scope=_units_scope, help_text="The supervising unit (one you act for in oversight)."
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = PlanKindField()
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    documents = serializers.ListField(
        child=ScopedPrimaryKeyField(scope=_documents_scope), required=False, max_length=MAX_ITEMS
    )
    tasks = serializers.ListField(
        child=ScopedPrimaryKeyField(scope=_tasks_scope), required=False, max_length=MAX_ITEMS
    )
    targets = PlanTargetInputSerializer(many=True, required=False, max_length=200)


def _version() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version you read: a change made since then refuses the edit (400, stale).",
    )


class PlanUpdateSerializer(serializers.Serializer):
    """An edit: fields left out keep their value (the supervising unit stays; windows are
    added with the targets action)."""

    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    kind = PlanKindField(required=False)
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    documents = serializers.ListField(
        child=ScopedPrimaryKeyField(scope=_documents_scope), required=False, max_length=MAX_ITEMS
    )
    tasks = serializers.ListField(
        child=ScopedPrimaryKeyField(scope=_tasks_scope), required=False, max_length=MAX_ITEMS
    )
    version = _version()


class PlanFilterSerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Plans of this unit's subtree."
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    kind = PlanKindField(required=False)
    q = serializers.CharField(max_length=MAX_QUERY, required=False, allow_blank=True)


class RecommendationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visit = serializers.IntegerField(source="visit_id")
    unit = UnitRefSerializer(source="visit.unit")
    text = serializers.CharField()
    due_date = serializers.DateField()
    state = RecommendationStateField()
    follow_up_assignment = serializers.IntegerField(allow_null=True)
    age_days = serializers.IntegerField(help_text="Days since the visit ended.")
    closed_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()


class VisitSerializer(serializers.ModelSerializer):
    unit = UnitRefSerializer()
    rating = RatingSerializer()
    recommendations = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "plan",
            "planned",
            "unit",
            "starts_on",
            "ends_on",
            "team",
            "rating",
            "conclusion",
            "findings",
            "recommendations",
            "version",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(RecommendationSerializer(many=True))
    def get_recommendations(self, visit: Visit) -> list[dict[str, Any]]:
        return [recommendation_data(r) for r in getattr(visit, "recs", [])]


def recommendation_data(r: Recommendation) -> dict[str, Any]:
    a = getattr(r, "assignment", None)
    return {
        "id": r.pk,
        "visit": r.visit_id,
        "unit": UnitRefSerializer(r.visit.unit).data,
        "text": r.text,
        "due_date": r.due_date,
        "state": r.state,
        "follow_up_assignment": a.pk if a is not None else None,
        "age_days": r.age,
        "closed_on": r.closed_on,
        "note": r.note,
    }


class RecommendationInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_TEXT)
    due_date = serializers.DateField()


class VisitCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    unit = ScopedPrimaryKeyField(scope=_units_scope, help_text="The unit visited.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    team = serializers.CharField(max_length=MAX_TEXT)
    rating = serializers.PrimaryKeyRelatedField(queryset=Rating.objects.filter(is_active=True))
    conclusion = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    findings = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    recommendations = RecommendationInputSerializer(many=True, required=False, max_length=MAX_ITEMS)


class VisitUpdateSerializer(serializers.Serializer):
    """A correction: fields left out keep their value; ``recommendations`` are added."""

    unit = ScopedPrimaryKeyField(scope=_units_scope, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    team = serializers.CharField(max_length=MAX_TEXT, required=False)
    rating = serializers.PrimaryKeyRelatedField(
        queryset=Rating.objects.all(),
        required=False,
        help_text="A level in use (or the visit's own, if retired since).",
    )
    conclusion = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    findings = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    recommendations = RecommendationInputSerializer(
        many=True, required=False, max_length=MAX_ITEMS, help_text="New recommendations."
    )
    version = _version()


class VisitFilterSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Visits of this unit's subtree."
    )


class RecommendationFilterSerializer(serializers.Serializer):
    state = RecommendationStateField(required=False)
    unit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Recommendations of the plans of this unit's subtree.",
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class FiguresSerializer(serializers.Serializer):
    plans = serializers.IntegerField()
    planned = serializers.IntegerField()
    planned_visited = serializers.IntegerField()
    unplanned = serializers.IntegerField()
    targets = serializers.IntegerField()
    never_visited = serializers.IntegerField()
    open_by_age = serializers.DictField(child=serializers.IntegerField())
    awaiting = serializers.IntegerField()
    overdue = serializers.IntegerField()
    closed = serializers.IntegerField()


class OversightRowSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    figures = FiguresSerializer()


class OversightSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    year = serializers.IntegerField()
    figures = FiguresSerializer()
    own = FiguresSerializer(allow_null=True)
    children = OversightRowSerializer(many=True)


class OversightFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
