"""Forms of the oversight pages. Units, documents and tasks come from the scoping functions:
anything outside the user's reach is not offered, and invalid when posted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trienkhai.documents.models import Document
from trienkhai.documents.selectors import documents_for_user
from trienkhai.oversight.models import Plan, Rating, Recommendation, Visit
from trienkhai.tasks.forms import DomainErrorMixin, MultipleFileField, date_field
from trienkhai.tasks.models import Task
from trienkhai.tasks.selectors import tasks_for_user
from trienkhai.units.models import Unit

CHOICES = 300
TARGET_ROWS = 5
REC_ROWS = 5
TARGET_UNITS = 2000


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class DocumentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        text = obj.title or obj.summary
        text = text if len(text) <= 80 else text[:79] + "…"
        return f"{obj.label} — {text}" if text else obj.label


class TasksField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Task) -> str:
        return obj.title if len(obj.title) <= 110 else obj.title[:109] + "…"


def target_units(unit: Unit):
    """Units a plan of ``unit`` may target: its subtree without itself, still active."""
    return (
        Unit.objects.subtree_of(unit, include_self=False)
        .filter(dissolved_on__isnull=True)
        .order_by("path")
    )


class TargetRowForm(forms.Form):
    unit = UnitField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    starts_on = date_field(_("From"))
    ends_on = date_field(_("To"))

    def __init__(self, *args: Any, units, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("— choose a unit —")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("unit") and not (data.get("starts_on") and data.get("ends_on")):
            raise ValidationError(_("Enter both dates of the window (dd/mm/yyyy)."))
        return data


class PlanForm(DomainErrorMixin, forms.Form):
    """A new plan (with its first targets), or the edit of one (``plan``: no unit, no target
    rows — windows are managed on the plan's page)."""

    field_aliases = {"starts_on": "__all__", "ends_on": "__all__", "version": "__all__"}

    unit = UnitField(label=_("Supervising unit"), queryset=Unit.objects.none(), empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=pgettext_lazy("oversight", "Kind"),
        choices=Plan.Kind.choices,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Content and method"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = DocumentsField(
        label=_("Subject: documents"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The directives whose implementation is inspected or supervised."),
    )
    tasks = TasksField(
        label=_("Subject: tasks"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, user: Any, units: list[Unit], plan: Plan | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by(
            "path"
        )
        self.fields["year"].initial = timezone.localdate().year
        docs = documents_for_user(user).order_by("-issue_date", "-pk")
        # the subject is a directive's tasks, not the follow-ups of earlier visits
        tasks = (
            tasks_for_user(user)
            .top_level()
            .exclude(kind=Task.Kind.INSPECTION, recommendation__isnull=False)
            .order_by("-created", "-pk")
        )
        if self.is_bound:
            self.fields["documents"].queryset = docs
            self.fields["tasks"].queryset = tasks
        else:
            chosen_docs: list[int] = []
            chosen_tasks: list[int] = []
            if plan is not None:  # the plan's own subject stays on offer
                chosen_docs = list(
                    docs.filter(pk__in=plan.documents.values("pk")).values_list("pk", flat=True)
                )
                chosen_tasks = list(
                    tasks.filter(pk__in=plan.tasks.values("pk")).values_list("pk", flat=True)
                )
            self.fields["documents"].queryset = Document.objects.filter(
                pk__in=list(docs.values_list("pk", flat=True)[:CHOICES]) + chosen_docs
            ).order_by("-issue_date", "-pk")
            self.fields["tasks"].queryset = Task.objects.filter(
                pk__in=list(tasks.values_list("pk", flat=True)[:CHOICES]) + chosen_tasks
            ).order_by("-created", "-pk")
        if plan is not None:
            del self.fields["unit"]
            self.target_rows = []
            self.has_units = False
            return
        del self.fields["version"]
        # Target rows: units of the chosen (or only) supervising unit's subtree.
        unit = None
        if self.is_bound:
            unit = next((u for u in units if str(u.pk) == str(self.data.get("unit"))), None)
        elif len(units) == 1:
            unit = units[0]
            self.fields["unit"].initial = unit.pk
        shown = list(target_units(unit)[:TARGET_UNITS]) if unit else []
        qs = target_units(unit) if unit else Unit.objects.none()
        self.target_rows = [
            TargetRowForm(self.data if self.is_bound else None, units=qs, prefix=f"t{i}")
            for i in range(TARGET_ROWS)
        ]
        for row in self.target_rows:
            row.fields["unit"].widget.choices = [("", row.fields["unit"].empty_label)] + [
                (u.pk, u.name) for u in shown
            ]
        self.has_units = unit is not None

    def is_valid(self) -> bool:
        ok = super().is_valid()
        return all([ok, *(row.is_valid() for row in self.target_rows)])

    def targets(self) -> list[tuple[Unit, Any, Any]]:
        return [
            (r.cleaned_data["unit"], r.cleaned_data["starts_on"], r.cleaned_data["ends_on"])
            for r in self.target_rows
            if r.cleaned_data.get("unit")
        ]


class AddTargetForm(DomainErrorMixin, forms.Form):
    unit = UnitField(label=_("Unit"), queryset=Unit.objects.none())
    starts_on = date_field(_("From"))
    ends_on = date_field(_("To"))

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = target_units(plan.unit)
        self.fields["unit"].empty_label = _("— choose a unit —")
        self.fields["starts_on"].required = True
        self.fields["ends_on"].required = True


class RecommendationRowForm(forms.Form):
    text = forms.CharField(
        label=_("Recommendation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = date_field(_("Due date"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("text") or "").strip() and not data.get("due_date"):
            self.add_error("due_date", _("Enter the due date (dd/mm/yyyy)."))
        return data


class VisitForm(DomainErrorMixin, forms.Form):
    """Record a visit, or correct one (``visit``: its rating may be a level retired since;
    the recommendation rows add new ones)."""

    field_aliases = {"recommendations": "__all__", "version": "__all__"}

    unit = UnitField(label=_("Unit visited"), queryset=Unit.objects.none())
    starts_on = date_field(_("From"))
    ends_on = date_field(_("To"))
    team = forms.CharField(
        label=_("Team"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The members of the team, one per line, the head first."),
        error_messages={"required": _("Enter the members of the team.")},
    )
    rating = forms.ModelChoiceField(
        label=_("Conclusion"),
        queryset=Rating.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the conclusion from the scale.")},
    )
    conclusion = forms.CharField(
        label=_("Conclusion in words"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_(
            "The conclusion notice, minutes: PDF, DOCX, XLSX, ODT, ODS, PNG or JPG. Choose them"
            " again after an error."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, plan: Plan, visit: Visit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visit = visit
        units = target_units(plan.unit)
        if visit is not None:
            ratings = Rating.objects.filter(Q(is_active=True) | Q(pk=visit.rating_id))
            self.fields["rating"].queryset = ratings.order_by("rank", "pk")
            # a unit dissolved since the visit is still the one visited
            units = Unit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk=visit.unit_id))
            units = units.order_by("path")
            if visit.recommendations.exists():
                # their follow-up tasks went to this unit: it stays (the service says so too)
                self.fields["unit"].disabled = True
                self.fields["unit"].help_text = _(
                    "It stays: the recommendations went to this unit as follow-up tasks."
                )
        else:
            del self.fields["version"]
        self.fields["unit"].queryset = units
        self.fields["starts_on"].required = True
        self.fields["ends_on"].required = True
        self.rec_rows = [
            RecommendationRowForm(self.data if self.is_bound else None, prefix=f"r{i}")
            for i in range(REC_ROWS)
        ]

    def is_valid(self) -> bool:
        ok = super().is_valid()
        return all([ok, *(row.is_valid() for row in self.rec_rows)])

    def recommendations(self) -> list[tuple[str, Any]]:
        return [
            (r.cleaned_data["text"], r.cleaned_data["due_date"])
            for r in self.rec_rows
            if (r.cleaned_data.get("text") or "").strip()
        ]


class NoteForm(DomainErrorMixin, forms.Form):
    # the rule that refused shows above the form, whichever button was pressed
    field_aliases = {"note": "__all__"}

    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- filters ---------------------------------------------------------------------------------

PLAN_SORTS = {
    "-year": ("-year", "unit__path", "-pk"),
    "unit": ("unit__path", "-year", "-pk"),
    "title": ("title", "pk"),
}


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label=pgettext_lazy("oversight", "Kind"),
        required=False,
        choices=[("", _("All")), *Plan.Kind.choices],
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("-year", _("Newest year first")), ("unit", _("Unit")), ("title", _("Title"))],
    )

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}


REC_SORTS = {
    "age": ("visit__ends_on", "due_date", "pk"),
    "due": ("due_date", "pk"),
    "-age": ("-visit__ends_on", "-pk"),
}


class RecommendationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Not closed")), *Recommendation.State.choices, ("all", _("All"))],
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("age", _("Oldest first")), ("due", _("Due date")), ("-age", _("Newest first"))],
    )

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}
