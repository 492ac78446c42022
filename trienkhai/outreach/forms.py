"""Forms of the study and dissemination pages. Every choice comes from the scoping functions:
an assignment, unit or document outside the user's reach is simply not offered (and invalid
when posted)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from trienkhai.documents.models import Document
from trienkhai.documents.selectors import documents_for_user
from trienkhai.outreach.models import PublicOutreach, StudySession
from trienkhai.outreach.services import documents_asked, study_assignments
from trienkhai.tasks.forms import DomainErrorMixin, MultipleFileField, date_field
from trienkhai.tasks.models import Assignment
from trienkhai.units.models import Unit

MAX_PEOPLE = 10_000_000
DOCUMENT_CHOICES = 300


def _people(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_PEOPLE,
        widget=forms.NumberInput(attrs={"min": 0, "class": "short"}),
    )


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Assignment) -> str:
        due = ""
        if obj.due_date:
            text = gettext("due %(date)s") % {"date": f"{obj.due_date:%d/%m/%Y}"}
            due = f" ({text})"
        title = obj.task.title if len(obj.task.title) <= 90 else obj.task.title[:89] + "…"
        return f"{obj.unit.short_name or obj.unit.name} — {title}{due}"


class DocumentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        text = obj.title or obj.summary
        text = text if len(text) <= 90 else text[:89] + "…"
        return f"{obj.label} — {text}" if text else obj.label


class SessionForm(DomainErrorMixin, forms.Form):
    """Record a session (with its assignment) or correct one (without)."""

    field_aliases = {"unit": "assignment", "version": "__all__"}

    assignment = AssignmentChoiceField(
        label=_("Study assignment"),
        queryset=Assignment.objects.none(),
        empty_label=None,
        help_text=_("The assignment to study and disseminate that this session carries out."),
    )
    documents = DocumentsField(
        label=_("Documents studied"),
        queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the documents studied.")},
    )
    held_on = date_field(_("Date"), help_text=_("dd/mm/yyyy, today or earlier."))
    form = forms.ChoiceField(
        label=_("Form"),
        choices=StudySession.Form.choices,
        initial=StudySession.Form.IN_PERSON,
        widget=forms.RadioSelect,
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=255,
        required=False,
        help_text=_("Where it was held; for an online session, the platform if you wish."),
    )
    presenter = forms.CharField(
        label=_("Presenter"),
        max_length=255,
        required=False,
        help_text=_("Who presented the documents, e.g. the ward's party secretary."),
    )
    cadres = _people(_("Cadres"))
    party_members = _people(_("Party members"))
    union_members = _people(_("Union members"))
    association_members = _people(_("Association members"))
    public = _people(_("Members of the public"))
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was presented and discussed, in a few lines."),
    )
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_(
            "Minutes, attendance sheets, photos: PDF, DOCX, XLSX, ODT, ODS, PNG or JPG. Choose"
            " them again after an error."
        ),
    )
    completed = forms.BooleanField(
        label=_("The study and dissemination assignment is completed"),
        required=False,
        help_text=_("Tick it when this was the last session the assignment needed."),
    )
    reason = forms.CharField(
        label=_("Reason for the delay"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required if the assignment's deadline has passed and no reason was given."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    GROUP_FIELDS = ("cadres", "party_members", "union_members", "association_members", "public")

    def __init__(
        self,
        *args: Any,
        user: Any,
        units: list[Unit],
        session: StudySession | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        if session is not None:
            for name in ("assignment", "completed", "reason"):
                del self.fields[name]
            assignments = [session.assignment]
        else:
            del self.fields["version"]
            qs = Assignment.objects.none()
            for unit in units:
                qs = qs | study_assignments(unit)
            qs = qs.select_related("task", "unit").order_by("unit__path", "-task__created")
            self.fields["assignment"].queryset = qs
            assignments = list(qs[:50])
            if len(assignments) == 1:
                self.fields["assignment"].initial = assignments[0].pk
        asked: list[int] = []
        for a in assignments:
            asked += [d for d in documents_asked(a) if d not in asked]
        visible = documents_for_user(user).filter(pk__in=asked)
        self.fields["documents"].queryset = visible.order_by("-issue_date", "-pk")
        self.assignments = assignments

    @property
    def has_assignments(self) -> bool:
        return self.session is not None or bool(self.assignments)

    def group_fields(self) -> list:
        return [self[name] for name in self.GROUP_FIELDS]

    def attendance(self) -> dict[str, int]:
        return {g: self.cleaned_data.get(g) or 0 for g in self.GROUP_FIELDS}

    def session_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data.get("held_on"),
            "form": data.get("form"),
            "location": data.get("location") or "",
            "presenter": data.get("presenter") or "",
            "minutes": data.get("minutes") or "",
        }


class DeleteForm(DomainErrorMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for deleting"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for deleting.")},
    )


class OutreachForm(DomainErrorMixin, forms.Form):
    field_aliases = {"version": "__all__"}

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=None)
    kind = forms.ChoiceField(
        label=pgettext_lazy("outreach", "Kind"),
        choices=PublicOutreach.Kind.choices,
        widget=forms.RadioSelect,
        initial=PublicOutreach.Kind.ARTICLE,
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    held_on = date_field(_("Date"), help_text=_("dd/mm/yyyy, today or earlier."))
    channel = forms.CharField(
        label=_("Channel"),
        max_length=255,
        required=False,
        help_text=_("Where it ran, e.g. the ward's website, the loudspeakers of quarter 3."),
    )
    audience = forms.IntegerField(
        label=_("People reached"),
        required=False,
        min_value=0,
        max_value=1_000_000_000,
        help_text=_("An estimate, if known."),
        widget=forms.NumberInput(attrs={"min": 0, "class": "short"}),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = DocumentsField(
        label=_("Documents disseminated"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, user: Any, units: list[Unit], item: PublicOutreach | None = None, **kw
    ) -> None:
        super().__init__(*args, **kw)
        if item is not None:
            del self.fields["unit"]
        else:
            del self.fields["version"]
            self.fields["unit"].queryset = Unit.objects.filter(
                pk__in=[u.pk for u in units]
            ).order_by("path")
        docs = documents_for_user(user).order_by("-issue_date", "-pk")
        chosen = list(item.documents.values_list("pk", flat=True)) if item is not None else []
        shown = list(docs.values_list("pk", flat=True)[:DOCUMENT_CHOICES])
        self.fields["documents"].queryset = Document.objects.filter(pk__in=shown + chosen).order_by(
            "-issue_date", "-pk"
        )
        # a posted document beyond the shown ones is still accepted if visible
        if self.is_bound:
            self.fields["documents"].queryset = docs

    def item_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data.get(k) for k in ("kind", "title", "held_on", "channel", "audience")} | {
            "summary": data.get("summary") or "",
            "channel": data.get("channel") or "",
        }


# --- filters ---------------------------------------------------------------------------------

SESSION_SORTS = {
    "-held_on": ("-held_on", "-pk"),
    "held_on": ("held_on", "pk"),
    "unit": ("unit__path", "-held_on", "-pk"),
}


class SessionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    form = forms.ChoiceField(
        label=_("Form"), required=False, choices=[("", _("All")), *StudySession.Form.choices]
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    topic = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-held_on", _("Newest first")),
            ("held_on", _("Oldest first")),
            ("unit", _("Unit")),
        ],
    )

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}


OUTREACH_SORTS = {
    "-held_on": ("-held_on", "-pk"),
    "held_on": ("held_on", "pk"),
    "unit": ("unit__path", "-held_on", "-pk"),
}


class OutreachFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=pgettext_lazy("outreach", "Kind"),
        required=False,
        choices=[("", _("All")), *PublicOutreach.Kind.choices],
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-held_on", _("Newest first")),
            ("held_on", _("Oldest first")),
            ("unit", _("Unit")),
        ],
    )

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}
