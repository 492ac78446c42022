"""API shapes of the cascade: tasks, targets, assignments, progress, roll-up, programs.

As in serializers.py, nothing here decides anything: input serializers check types and
scope foreign keys, services apply the rules. Assignment lists are the API's hottest read,
so their rows come from ``values()`` and are shaped by hand (``assignment_row``);
``AssignmentSerializer`` declares that shape for the schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
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
from trienkhai.tasks.models import Assignment, Program, ProgressUpdate, Target, Task, bucket_for
from trienkhai.units.models import Unit

MAX_TEXT = 20_000
MAX_TARGETS = 20
MAX_VERSION = 2**31 - 1


def _programs_scope(user):
    from trienkhai.tasks.selectors import programs_for_user

    return programs_for_user(user)


def _report_to_scope(user):
    """Units a task may report to: the reach, and the units above it (a ward reports up)."""
    from trienkhai.accounts.scoping import units_for_user
    from trienkhai.documents.selectors import superior_units

    return Unit.objects.filter(
        Q(pk__in=units_for_user(user).order_by().values("pk"))
        | Q(pk__in=superior_units(user).values("pk"))
    )


def _id_filter(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text=help_text
    )


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as the enum component ``enum_name``.

    Task kinds and unit kinds are both sent as ``kind``: named components keep the schema
    free of drf-spectacular's enum-collision warnings without touching project settings.
    """

    enum_name = ""
    enum_choices: Any = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.enum_choices, **kwargs)


class TaskKindField(NamedChoiceField):
    enum_name = "TaskKindEnum"
    enum_choices = Task.Kind.choices


class UnitKindField(NamedChoiceField):
    enum_name = "UnitKindEnum"
    enum_choices = Unit.Kind.choices


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field = self.target
        schema = {
            "type": "string",
            "enum": [value for value, _label in field.enum_choices],
            "description": "\n".join(f"* `{v}` - {label}" for v, label in field.enum_choices),
        }
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


# --- references ------------------------------------------------------------------------------


class DocumentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    symbol = serializers.CharField()


class TaskRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = TaskKindField()
    is_starred = serializers.BooleanField()


class NamedUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


# --- tasks -----------------------------------------------------------------------------------


def visible_related(user, tasks: list[Task]) -> dict[str, set[int]]:
    """Which of the page's linked documents, programs and parent assignments the reader sees
    (at most two queries for the whole page)."""
    from trienkhai.accounts.scoping import can_read_unit
    from trienkhai.documents.selectors import documents_for_user
    from trienkhai.tasks.selectors import programs_for_user

    doc_ids = {t.source_document_id for t in tasks if t.source_document_id}
    prog_ids = {p.pk for t in tasks for p in t.programs.all()}
    docs = documents_for_user(user).filter(pk__in=doc_ids) if doc_ids else None
    progs = programs_for_user(user).filter(pk__in=prog_ids) if prog_ids else None
    return {
        "visible_documents": set(docs.values_list("pk", flat=True)) if docs is not None else set(),
        "visible_programs": set(progs.values_list("pk", flat=True)) if progs is not None else set(),
        # A subtask breaks down an assignment of its own issuer: readers of the issuer see it.
        "visible_parents": {
            t.pk for t in tasks if t.parent_assignment_id and can_read_unit(user, t.issuer)
        },
    }


class TaskSerializer(serializers.ModelSerializer):
    """A task; linked objects the reader may not see read as null (or are left out)."""

    issuer = UnitRefSerializer(read_only=True)
    kind = TaskKindField(read_only=True)
    source_document = serializers.SerializerMethodField(
        help_text=_("The directive the task comes from, if you may read it.")
    )
    parent_assignment = serializers.SerializerMethodField(
        help_text=_("Id of the assignment this task breaks down, if you may read it.")
    )
    programs = serializers.SerializerMethodField(
        help_text=_("Ids of the programs the task serves that you may read.")
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "source_document",
            "clause",
            "issuer",
            "parent_assignment",
            "kind",
            "due_date",
            "recurrence",
            "recurrence_day",
            "recurrence_month",
            "recurrence_start",
            "recurrence_end",
            "expected_output",
            "output_type",
            "is_public",
            "is_starred",
            "programs",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(DocumentRefSerializer(allow_null=True))
    def get_source_document(self, task: Task) -> dict[str, Any] | None:
        if task.source_document_id not in self.context.get("visible_documents", ()):
            return None
        return {"id": task.source_document_id, "symbol": task.source_document.symbol}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent_assignment(self, task: Task) -> int | None:
        if task.pk in self.context.get("visible_parents", ()):
            return task.parent_assignment_id
        return None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_programs(self, task: Task) -> list[int]:
        visible = self.context.get("visible_programs", ())
        return [p.pk for p in task.programs.all() if p.pk in visible]


class ScopedIdsField(serializers.ListField):
    """A list of ids the user may only point inside their reach, checked in one query."""

    def __init__(self, *, scope, **kwargs: Any) -> None:
        self.scope = scope
        super().__init__(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        request = self.context.get("request")
        found = {o.pk: o for o in self.scope(request.user if request else None).filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(
                _("Unknown ids: %(ids)s.") % {"ids": ", ".join(map(str, missing[:10]))}
            )
        return [found[i] for i in ids]


class TargetInputSerializer(serializers.Serializer):
    """Who a task goes to: chosen units, or a rule (units of some kinds under a unit)."""

    mode = serializers.ChoiceField(choices=Target.Mode.choices)
    units = ScopedIdsField(
        scope=_units_scope,
        required=False,
        max_length=2000,
        help_text=_("Ids of the chosen units (mode units); at most 2,000."),
    )
    under = ScopedPrimaryKeyField(
        scope=_units_scope,
        required=False,
        allow_null=True,
        help_text=_("The rule reaches units under this one (default: the issuer)."),
    )
    kinds = serializers.ListField(
        child=UnitKindField(),
        required=False,
        max_length=len(Unit.Kind.choices),
        help_text=_("Only units of these kinds (mode rule)."),
    )
    depth = serializers.IntegerField(
        min_value=1,
        max_value=10,
        required=False,
        allow_null=True,
        help_text=_("Only units exactly this many levels below (mode rule)."),
    )
    role = serializers.ChoiceField(choices=Target.Role.choices, required=False)
    report_to = ScopedPrimaryKeyField(
        scope=_report_to_scope,
        required=False,
        allow_null=True,
        help_text=_("The unit the assignees report to (default: the issuer)."),
    )


class TargetResultSerializer(serializers.Serializer):
    target = serializers.IntegerField(help_text=_("Id of the stored target."))
    created = serializers.IntegerField(help_text=_("Assignments created."))


class TaskCreatedSerializer(TaskSerializer):
    targets = TargetResultSerializer(
        many=True,
        read_only=True,
        source="target_results",
        help_text=_("Targets given inline, with the assignments each created."),
    )

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "targets"]
        read_only_fields = fields


class _TaskWriteBase(serializers.Serializer):
    title = serializers.CharField(max_length=500)
    description = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    source_document = ScopedPrimaryKeyField(scope=_documents_scope, required=False, allow_null=True)
    clause = serializers.CharField(max_length=100, required=False, allow_blank=True)
    kind = TaskKindField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    recurrence = serializers.ChoiceField(
        choices=Task.Recurrence.choices, required=False, allow_blank=True
    )
    recurrence_day = serializers.IntegerField(
        min_value=1, max_value=31, required=False, allow_null=True
    )
    recurrence_month = serializers.IntegerField(
        min_value=1, max_value=12, required=False, allow_null=True
    )
    recurrence_start = serializers.DateField(required=False, allow_null=True)
    recurrence_end = serializers.DateField(required=False, allow_null=True)
    expected_output = serializers.CharField(max_length=300, required=False, allow_blank=True)
    output_type = serializers.CharField(max_length=10, required=False, allow_blank=True)
    is_public = serializers.BooleanField(required=False)
    is_starred = serializers.BooleanField(required=False)
    programs = ScopedIdsField(
        scope=_programs_scope,
        required=False,
        max_length=50,
        help_text=_("Ids of the programs the task serves."),
    )


class TaskCreateSerializer(_TaskWriteBase):
    issuer = ScopedPrimaryKeyField(
        scope=_units_scope, help_text=_("Id of the issuing unit: one you act for.")
    )
    targets = TargetInputSerializer(many=True, required=False, max_length=MAX_TARGETS)


class TaskUpdateSerializer(_TaskWriteBase):
    title = serializers.CharField(max_length=500, required=False)


class SubtaskCreateSerializer(_TaskWriteBase):
    """Breaking an assignment down: the assignee's own task, with its own targets."""

    targets = TargetInputSerializer(many=True, required=False, max_length=MAX_TARGETS)


TASK_ORDERINGS = {
    "created": ("created", "pk"),
    "-created": ("-created", "-pk"),
    "due_date": ("due_date", "pk"),
    "-due_date": ("-due_date", "-pk"),
    "title": ("title", "pk"),
}


class TaskFilterSerializer(serializers.Serializer):
    """The only query parameters the task list understands; anything else is ignored."""

    issuer = _id_filter(_("Only tasks issued by this unit."))
    kind = TaskKindField(required=False)
    starred = serializers.BooleanField(required=False, help_text=_("Only priority tasks."))
    source_document = _id_filter(_("Only tasks from this document."))
    q = serializers.CharField(
        max_length=MAX_QUERY,
        required=False,
        allow_blank=True,
        help_text=_("Words of the title, description or clause, with or without diacritics."),
    )
    ordering = serializers.ChoiceField(choices=list(TASK_ORDERINGS), required=False)


# --- assignments -----------------------------------------------------------------------------

# The columns an assignment row is built from: plain values, no model instances (the list
# is the API's hottest read).
ASSIGNMENT_VALUES = (
    "id",
    "task_id",
    "task__title",
    "task__kind",
    "task__is_starred",
    "unit_id",
    "unit__name",
    "unit__short_name",
    "report_to_id",
    "role",
    "period",
    "due_date",
    "state",
    "progress",
    "completed_on",
    "reason",
    "output_document_id",
    "last_update",
    "version",
    "transferred_to_id",
)


class AssignmentSerializer(serializers.Serializer):
    """One unit's share of a task, with its status on the day of the request."""

    id = serializers.IntegerField()
    task = TaskRefSerializer()
    unit = NamedUnitSerializer()
    report_to = serializers.IntegerField(
        help_text=_("Id of the unit the assignee reports to (usually the task's issuer).")
    )
    role = serializers.ChoiceField(choices=Target.Role.choices)
    period = serializers.CharField(help_text=_("e.g. 2020, 2020-Q2; empty for one-off tasks."))
    due_date = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=Assignment.State.choices)
    status = serializers.ChoiceField(
        choices=Assignment.Bucket.choices,
        help_text=_("Status today: overdue as soon as the deadline has passed."),
    )
    days_overdue = serializers.IntegerField()
    progress = serializers.IntegerField()
    completed_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField(help_text=_("Reason for the delay."))
    output_document = serializers.IntegerField(
        allow_null=True, help_text=_("Id of the output document, if you may read it.")
    )
    last_update = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text=_("Send it back with an update."))
    transferred_to = serializers.IntegerField(
        allow_null=True, help_text=_("Set when the assignment passed to a successor unit.")
    )

    def to_representation(self, row: dict[str, Any]) -> dict[str, Any]:
        visible = self.context.get("visible_documents", frozenset())
        return assignment_rows([row], self.context["today"], visible)[0]


def assignment_rows(
    rows: list[dict[str, Any]], today: dt.date, visible_documents: Container[int]
) -> list[dict[str, Any]]:
    """The shape ``AssignmentSerializer`` documents, built by hand from ``values()`` rows:
    several times faster than field-by-field serialization, for the API's hottest list."""
    tz = timezone.get_current_timezone()  # once, not per row: it is a thread-local lookup
    out = []
    for row in rows:
        due, done_on, last = row["due_date"], row["completed_on"], row["last_update"]
        status = bucket_for(row["state"], due, done_on, today)
        output = row["output_document_id"]
        if output is not None and output not in visible_documents:
            output = None
        out.append(
            {
                "id": row["id"],
                "task": {
                    "id": row["task_id"],
                    "title": row["task__title"],
                    "kind": row["task__kind"],
                    "is_starred": row["task__is_starred"],
                },
                "unit": {
                    "id": row["unit_id"],
                    "name": row["unit__name"],
                    "short_name": row["unit__short_name"],
                },
                "report_to": row["report_to_id"],
                "role": row["role"],
                "period": row["period"],
                "due_date": due.isoformat() if due else None,
                "state": row["state"],
                "status": status,
                "days_overdue": (today - due).days if status == "overdue" else 0,
                "progress": row["progress"],
                "completed_on": done_on.isoformat() if done_on else None,
                "reason": row["reason"],
                "output_document": output,
                "last_update": last.astimezone(tz).isoformat() if last else None,
                "version": row["version"],
                "transferred_to": row["transferred_to_id"],
            }
        )
    return out


ASSIGNMENT_ORDERINGS = {
    "due_date": ("due_date", "pk"),
    "-due_date": ("-due_date", "-pk"),
    "unit": ("unit__name", "pk"),
    "-unit": ("-unit__name", "-pk"),
}


class AssignmentFilterSerializer(serializers.Serializer):
    """The only query parameters the assignment list understands; anything else is ignored."""

    unit = _id_filter(_("Only assignments of this unit."))
    subtree = _id_filter(_("Only assignments anywhere in this unit's subtree."))
    task = _id_filter(_("Only assignments of this task."))
    status = serializers.ChoiceField(
        choices=Assignment.Bucket.choices,
        required=False,
        help_text=_("Status today (overdue as soon as the deadline has passed)."),
    )
    overdue = serializers.BooleanField(
        required=False, help_text=_("Only open assignments past their deadline (or none).")
    )
    due_before = serializers.DateField(required=False, help_text=_("Due on or before this day."))
    due_after = serializers.DateField(required=False, help_text=_("Due on or after this day."))
    period = serializers.CharField(max_length=10, required=False, allow_blank=True)
    ordering = serializers.ChoiceField(choices=list(ASSIGNMENT_ORDERINGS), required=False)


class AssignmentUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=MAX_TEXT, allow_blank=True, help_text=_("What was done.")
    )
    progress = serializers.IntegerField(
        min_value=0, max_value=100, required=False, help_text=_("Percent; 100 when completed.")
    )
    reason = serializers.CharField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        help_text=_("Required once the deadline has passed."),
    )
    completed = serializers.BooleanField(required=False)
    completed_on = serializers.DateField(required=False, allow_null=True)
    output_document = ScopedPrimaryKeyField(
        scope=_documents_scope,
        required=False,
        allow_null=True,
        help_text=_("Id of the unit's own document that the work produced."),
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VERSION,
        required=False,
        allow_null=True,
        help_text=_("The version you read; a newer one on the server answers 409."),
    )
    files = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=False),
        required=False,
        help_text=_("Evidence files (multipart/form-data)."),
    )


class AssignmentCompleteSerializer(serializers.Serializer):
    output_document = ScopedPrimaryKeyField(
        scope=_documents_scope,
        required=False,
        allow_null=True,
        help_text=_("Id of the unit's own document; its issue date is the completion date."),
    )
    text = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    completed_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, required=False, allow_null=True
    )


class AssignmentReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, allow_blank=True)


class UpdateFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class ProgressUpdateSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField(help_text=_("Who sent the update."))
    files = UpdateFileSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "text", "progress", "reason", "completed", "by", "files", "created"]
        read_only_fields = fields

    def get_by(self, update: ProgressUpdate) -> str:
        return str(update.by) if update.by_id else ""


class UpdateResultSerializer(serializers.Serializer):
    update = ProgressUpdateSerializer()
    assignment = AssignmentSerializer()


# --- roll-up ---------------------------------------------------------------------------------


class CountsSerializer(serializers.Serializer):
    not_started = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    done_on_time = serializers.IntegerField()
    done_late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    updated = serializers.IntegerField(help_text=_("Assignments with at least one update."))
    total = serializers.IntegerField()
    on_time_percent = serializers.FloatField(allow_null=True)
    update_rate = serializers.FloatField(allow_null=True)


class RollupRowSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    counts = CountsSerializer()


class RollupSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    counts = CountsSerializer(help_text=_("The whole subtree of the unit."))
    children = RollupRowSerializer(many=True, help_text=_("Each child's subtree."))
    filtered = serializers.BooleanField()


class RollupFilterSerializer(serializers.Serializer):
    task = _id_filter(_("Only this task."))
    document = _id_filter(_("Only tasks from this document."))
    kind = TaskKindField(required=False)
    starred = serializers.BooleanField(required=False, help_text=_("Only priority tasks."))


# --- programs --------------------------------------------------------------------------------


class ProgramSerializer(serializers.ModelSerializer):
    owner = UnitRefSerializer(read_only=True)
    document = serializers.SerializerMethodField(
        help_text=_("The founding document, if you may read it.")
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "name",
            "code",
            "description",
            "owner",
            "start_year",
            "end_year",
            "vision_year",
            "document",
            "created",
        ]
        read_only_fields = fields

    @extend_schema_field(DocumentRefSerializer(allow_null=True))
    def get_document(self, program: Program) -> dict[str, Any] | None:
        if program.document_id not in self.context.get("visible_documents", ()):
            return None
        return {"id": program.document_id, "symbol": program.document.symbol}


class ProgramFilterSerializer(serializers.Serializer):
    owner = _id_filter(_("Only programs of this unit."))
    q = serializers.CharField(
        max_length=MAX_QUERY,
        required=False,
        allow_blank=True,
        help_text=_("Words of the name or code, with or without diacritics."),
    )
