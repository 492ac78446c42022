"""Forms of the cascade pages. Every choice comes from the scoping functions, never from the
request: a unit, document, program or parent assignment outside the user's reach is invalid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trienkhai.core.errors import DomainError
from trienkhai.documents.models import Document
from trienkhai.documents.selectors import documents_for_user
from trienkhai.documents.uploads import ALLOWED_EXTENSIONS
from trienkhai.tasks.deadline_text import read_deadline
from trienkhai.tasks.models import Assignment, Program, Target, Task
from trienkhai.tasks.selectors import programs_for_user
from trienkhai.units.models import Unit
from trienkhai.vntext.symbols import parse_symbol
from trienkhai.vntext.text import fold

ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
DATE_HELP = _("dd/mm/yyyy")
DOCUMENT_CHOICES = 300  # the select holds the newest documents; the symbol box reaches the rest


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(
            attrs={"placeholder": "dd/mm/yyyy", "class": "date"}, format="%d/%m/%Y"
        ),
        **kwargs,
    )


class DomainErrorMixin:
    """Put a service's DomainError on the field it names (or on top of the form)."""

    field_aliases: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        field = self.field_aliases.get(error.field or "", error.field)
        field = field if field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field or NON_FIELD_ERRORS, error.message)  # type: ignore[attr-defined]


def _unit_label(unit: Unit) -> str:
    return unit.name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return _unit_label(obj)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return _unit_label(obj)


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        text = obj.title or obj.summary
        return f"{obj.label} — {text[:80]}" if text else obj.label


# --- tasks -----------------------------------------------------------------------------------


class TaskForm(DomainErrorMixin, forms.Form):
    field_aliases = {"parent_assignment": NON_FIELD_ERRORS}

    issuer = UnitChoiceField(
        label=_("Issuing unit"),
        queryset=Unit.objects.none(),
        help_text=_("The unit that gives the task and follows it up."),
    )
    title = forms.CharField(
        label=pgettext_lazy("task", "Title"),
        max_length=500,
        help_text=_("What must be done, in one sentence, e.g. “Build the unit's plan”."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source_document = DocumentChoiceField(
        label=_("Source document"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The directive this task comes from (newest first)."),
    )
    source_symbol = forms.CharField(
        label=_("…or its number and symbol"),
        max_length=80,
        required=False,
        help_text=_("If the document is not in the list, type its symbol, e.g. 2156-CV/TU."),
    )
    clause = forms.CharField(
        label=_("Clause"), max_length=100, required=False, help_text=_("e.g. Section 2, item 3.")
    )
    kind = forms.ChoiceField(
        label=_("Kind of task"), choices=Task.Kind.choices, initial=Task.Kind.OTHER
    )
    deadline_text = forms.CharField(
        label=_("Deadline as the directive writes it"),
        max_length=200,
        required=False,
        help_text=_(
            "Optional, e.g. “trong quý II năm 2020” or “hằng năm, trước ngày 15/12”: the due"
            " date or the recurrence below is filled from it."
        ),
    )
    due_date = date_field(
        _("Due date"), help_text=_("dd/mm/yyyy. Leave empty for a recurring task.")
    )
    recurrence = forms.ChoiceField(
        label=_("Recurrence"),
        choices=Task.Recurrence.choices,
        required=False,
        help_text=_("For work repeated each period, such as a quarterly report."),
    )
    recurrence_day = forms.IntegerField(
        label=_("Day of the deadline"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_("Day of the period's last month (1–31)."),
    )
    recurrence_month = forms.IntegerField(
        label=_("Month of the deadline"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("Annual tasks only (1–12)."),
    )
    recurrence_start = date_field(_("Recurs from"), help_text=DATE_HELP)
    recurrence_end = date_field(_("Recurs until"), help_text=DATE_HELP)
    expected_output = forms.CharField(
        label=_("Expected output"),
        max_length=300,
        required=False,
        help_text=_("What the unit must produce, e.g. its own plan (KH)."),
    )
    output_type = forms.CharField(
        label=_("Type of the output document"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "short"}),
        help_text=_("Type code of the document that completes the task, e.g. KH or BC."),
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=_("May be shown on the public portal."),
    )
    is_starred = forms.BooleanField(
        label=_("Priority"), required=False, help_text=_("Marked with a star in lists.")
    )
    programs = forms.ModelMultipleChoiceField(
        label=_("Programs and projects it serves"),
        queryset=Program.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        issuers: list[Unit],
        task: Task | None = None,
        parent: Assignment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        visible = documents_for_user(user)
        self.visible_documents = visible
        docs = self.fields["source_document"]
        docs.queryset = visible.order_by("-issue_date", "-pk")
        # A long register would make a select nobody can use: the newest documents (and the
        # current one) are listed, the symbol box finds any other.
        shown = list(visible.order_by("-issue_date", "-pk")[:DOCUMENT_CHOICES])
        current = task.source_document if task is not None else None
        if current is not None and current not in shown and visible.filter(pk=current.pk).exists():
            shown.append(current)
        docs.widget.choices = [("", docs.empty_label)] + [
            (d.pk, docs.label_from_instance(d)) for d in shown
        ]
        self.fields["programs"].queryset = programs_for_user(user).order_by("name")
        if task is not None or parent is not None:
            # The issuer of an existing task, or of a breakdown, is fixed.
            del self.fields["issuer"]
        else:
            self.fields["issuer"].queryset = Unit.objects.filter(
                pk__in=[u.pk for u in issuers]
            ).order_by("path")
            if len(issuers) == 1:
                self.fields["issuer"].initial = issuers[0].pk
        if task is not None and task.assignments.exists():
            self.fields["recurrence"].disabled = True
            self.fields["recurrence"].help_text = _(
                "The recurrence cannot change once the task has been assigned."
            )

    def clean_source_symbol(self) -> str:
        return " ".join(self.cleaned_data.get("source_symbol", "").split())

    def clean(self) -> dict:
        data = super().clean()
        typed = data.get("source_symbol")
        if typed and not data.get("source_document"):
            data["source_document"] = self._resolve(typed)
        # after the document: its issue date is the reference of "quý II", "trước 15/12"
        self._read_deadline(data)
        return data

    def _read_deadline(self, data: dict) -> None:
        """Fill the due date or recurrence from the deadline as written, unless typed."""
        text = (data.get("deadline_text") or "").strip()
        if not text or data.get("due_date") or data.get("recurrence"):
            return
        issued = data.get("source_document")
        reference = getattr(issued, "issue_date", None) or timezone.localdate()
        read = read_deadline(text, reference)
        if not read.found:
            self.add_error(
                "deadline_text",
                _("No deadline could be read from this text: enter the due date below."),
            )
        elif read.event:
            self.add_error(
                "deadline_text",
                _(
                    "“%(event)s” is an event, not a date: enter the date when it is known,"
                    " or leave both fields empty."
                )
                % {"event": read.event},
            )
        elif read.recurrence:
            data["recurrence"] = read.recurrence
            data["recurrence_day"] = read.recurrence_day
            data["recurrence_month"] = read.recurrence_month
        else:
            data["due_date"] = read.due_date

    def _resolve(self, typed: str) -> Document | None:
        symbol = parse_symbol(typed)
        cond = Q(symbol__iexact=typed)
        if symbol is not None:
            cond |= Q(
                number=symbol.number,
                type_code=symbol.type,
                issuer_code=symbol.issuer_norm or symbol.issuer,
            )
        found = list(self.visible_documents.filter(cond).order_by("-issue_date", "-pk")[:2])
        if not found:
            self.add_error(
                "source_symbol", _("No document you can see has this number and symbol.")
            )
            return None
        if len(found) > 1:
            self.add_error(
                "source_symbol",
                _("Several documents have this symbol: choose the right one in the list above."),
            )
            return None
        return found[0]

    def task_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            key: data.get(key)
            for key in (
                "title",
                "description",
                "source_document",
                "clause",
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
            )
        }
        for key in ("description", "clause", "expected_output", "output_type", "recurrence"):
            fields[key] = fields[key] or ""
        fields["output_type"] = fields["output_type"].strip()
        return fields


TASK_SORTS = {
    "created": ("-created", "-pk"),
    "due": ("due_date", "-created", "-pk"),
    "title": ("title", "pk"),
}


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of task"), required=False, choices=[("", _("All")), *Task.Kind.choices]
    )
    issuer = forms.TypedChoiceField(
        label=_("Issued by"), required=False, coerce=int, empty_value=None
    )
    starred = forms.BooleanField(label=_("Priority only"), required=False)
    document = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("created", _("Newest first")),
            ("due", _("Due date")),
            ("title", _("Title A–Z")),
        ],
    )

    def __init__(self, *args: Any, my_units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [("", _("Any unit"))] + [(u.pk, u.name) for u in my_units]

    def filter(self, qs):
        """The tasks matching the valid filters; an invalid value is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("q"):
            qs = qs.search(data["q"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("issuer"):
            qs = qs.filter(issuer_id=data["issuer"])
        if data.get("starred"):
            qs = qs.filter(is_starred=True)
        if data.get("document"):
            qs = qs.filter(source_document_id=data["document"])
        return qs.order_by(*TASK_SORTS.get(data.get("sort") or "created", TASK_SORTS["created"]))

    @property
    def active(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) for k in ("q", "kind", "issuer", "starred", "document"))


# --- status filters --------------------------------------------------------------------------

STATUS_CHOICES = [
    ("", _("All")),
    ("open", _("Not done yet")),
    ("within", _("Not done, within the deadline")),
    ("overdue", _("Overdue")),
    ("done", _("Done")),
    ("done_on_time", _("Done on time")),
    ("done_late", _("Done late")),
]


def filter_status(qs, status: str, today):
    """Assignments in a status bucket as of ``today`` (the stored bucket may lag)."""
    open_ = ~Q(state=Assignment.State.DONE)
    late = Q(due_date__lt=today)
    conds = {
        "open": open_,
        "within": open_ & ~late,
        "overdue": open_ & late,
        "done": Q(state=Assignment.State.DONE),
        "done_on_time": Q(bucket=Assignment.Bucket.DONE_ON_TIME, state=Assignment.State.DONE),
        "done_late": Q(bucket=Assignment.Bucket.DONE_LATE, state=Assignment.State.DONE),
    }
    return qs.filter(conds[status]) if status in conds else qs


class TaskAssignmentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("unit", _("Unit")), ("due", _("Due date")), ("status", _("Status"))],
    )

    def values(self) -> tuple[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("status") or "", data.get("sort") or "unit"


class MyWorkFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("mine", _("Assigned to my units")),
            ("reported", _("Reported to my units")),
        ],
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args: Any, periods: list[str], leads: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", _("All")), *[(p, p) for p in periods]]
        if not leads:
            del self.fields["scope"]

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "scope": data.get("scope") or "mine",
            "status": data.get("status") or "",
            "period": data.get("period") or "",
        }


# --- targets ---------------------------------------------------------------------------------


ROLE_CHOICES = Target.Role.choices


class TargetUnitsForm(DomainErrorMixin, forms.Form):
    """Chosen units: any units of the issuer's subtree (checked in the list or found)."""

    units = UnitMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one unit.")},
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ROLE_CHOICES, initial=Target.Role.LEAD, widget=forms.RadioSelect
    )
    report_to = UnitChoiceField(
        label=_("Reports to"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the issuing unit —"),
    )

    def __init__(self, *args: Any, task: Task, report_choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.subtree_of(task.issuer, include_self=False)
        self.fields["report_to"].queryset = report_choices


class TargetRuleForm(DomainErrorMixin, forms.Form):
    """A rule: every unit of some kinds under a unit, re-applied when the tree changes."""

    under = UnitChoiceField(label=_("Under the unit"), queryset=Unit.objects.none())
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of unit"),
        required=False,
        choices=[(k, label) for k, label in Unit.Kind.choices if k != Unit.Kind.EXTERNAL],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unchecked for every kind."),
    )
    depth = forms.IntegerField(
        label=_("Levels below"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("1 = only the units directly under it. Leave empty for every level."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=ROLE_CHOICES, initial=Target.Role.LEAD, widget=forms.RadioSelect
    )
    report_to = UnitChoiceField(
        label=_("Reports to"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the issuing unit —"),
    )

    def __init__(self, *args: Any, task: Task, report_choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuer = task.issuer
        # The issuer and its direct subordinates: a rule is written from where one stands.
        self.fields["under"].queryset = (
            Unit.objects.filter(pk=issuer.pk) | Unit.objects.children_of(issuer)
        ).order_by("path")
        self.fields["under"].initial = issuer.pk
        self.fields["report_to"].queryset = report_choices


# --- progress --------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class UpdateForm(DomainErrorMixin, forms.Form):
    # A stale version is the whole form's concern, shown on top.
    field_aliases = {"version": NON_FIELD_ERRORS}

    text = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few lines are enough: meetings held, documents issued, results."),
        error_messages={"required": _("Say briefly what was done.")},
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
        help_text=_("A whole number from 0 to 100."),
    )
    reason = forms.CharField(
        label=_("Reason for the delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    completed = forms.BooleanField(label=_("The task is completed"), required=False)
    completed_on = date_field(_("Completed on"), help_text=_("dd/mm/yyyy. Today if left empty."))
    output_document = DocumentChoiceField(
        label=_("Output document"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_(
            "PDF, DOCX, XLSX, ODT, ODS, PNG or JPG; several at once. Choose them again after"
            " an error."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, assignment: Assignment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = assignment.unit
        self.fields["output_document"].queryset = Document.objects.filter(
            Q(owner=unit) | Q(issuer_unit=unit)
        ).order_by("-issue_date", "-pk")
        wanted = assignment.task.output_type
        if wanted:
            self.fields["output_document"].help_text = _(
                "This task is completed by a document of type %(type)s issued by your unit."
            ) % {"type": wanted}
        else:
            self.fields["output_document"].help_text = _(
                "A document of your unit that this work produced, if any."
            )


class ReopenForm(DomainErrorMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for reopening.")},
    )


class AssignmentProgramsForm(DomainErrorMixin, forms.Form):
    programs = forms.ModelMultipleChoiceField(
        label=_("Programs and projects it serves"),
        queryset=Program.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programs"].queryset = programs_for_user(user).order_by("name")


# --- programs --------------------------------------------------------------------------------


class ProgramForm(DomainErrorMixin, forms.Form):
    owner = UnitChoiceField(label=_("Owning unit"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=300)
    code = forms.CharField(
        label=_("Code"), max_length=40, required=False, help_text=_("A short code, if any.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_year = forms.IntegerField(label=_("From year"), required=False, min_value=1945)
    end_year = forms.IntegerField(label=_("To year"), required=False, min_value=1945)
    vision_year = forms.IntegerField(label=_("Vision to"), required=False, min_value=1945)
    document = DocumentChoiceField(
        label=_("Founding document"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )

    def __init__(self, *args: Any, user: Any, owners: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Unit.objects.filter(pk__in=[u.pk for u in owners]).order_by(
            "path"
        )
        if len(owners) == 1:
            self.fields["owner"].initial = owners[0].pk
        docs = self.fields["document"]
        docs.queryset = documents_for_user(user).order_by("-issue_date", "-pk")
        shown = docs.queryset[:DOCUMENT_CHOICES]
        docs.widget.choices = [("", docs.empty_label)] + [
            (d.pk, docs.label_from_instance(d)) for d in shown
        ]


class ProgramFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)

    def filter(self, qs):
        self.is_valid()
        query = getattr(self, "cleaned_data", {}).get("q") or ""
        for word in fold(query).split()[:8]:
            qs = qs.filter(search_text__contains=word[:50])
        return qs
