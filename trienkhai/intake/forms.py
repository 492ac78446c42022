"""Forms of "New from text": the paste/upload form, the document and one row per task.

Every choice comes from the scoping functions: the issuing unit from the units the user
acts for, implemented documents from the documents they may read, target units from the
units they may read (and the service checks they lie under the issuing unit).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from trienkhai.accounts.scoping import units_for_user
from trienkhai.core.errors import DomainError
from trienkhai.documents.classification import classification_marker
from trienkhai.documents.models import Document
from trienkhai.documents.selectors import documents_for_user
from trienkhai.documents.services import CLASSIFIED_MESSAGE
from trienkhai.documents.uploads import UploadRefused, check_upload, extension_of, safe_name
from trienkhai.intake.reading import MAX_TASKS, MAX_TEXT_CHARS, normalize_text
from trienkhai.intake.services import TaskDraft
from trienkhai.tasks.deadline_text import read_deadline
from trienkhai.tasks.models import Target, Task
from trienkhai.units.models import Unit
from trienkhai.vntext.files import VntextError, load_text

INTAKE_EXTENSIONS = ("docx", "pdf")
DATE_FORMAT = "%d/%m/%Y"
NO_TEXT_LAYER = _(
    "This PDF has no text layer (it is a scanned image), so nothing can be read from it."
    " Upload the .docx or the PDF exported from the word processor, or paste the text."
)
TOO_LONG = _("The text is too long (%(n)s characters). The limit is %(limit)s characters.")
RULE_KINDS = [(k, label) for k, label in Unit.Kind.choices if k != Unit.Kind.EXTERNAL]


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=[DATE_FORMAT, "%Y-%m-%d"],
        widget=forms.DateInput(
            attrs={"placeholder": "dd/mm/yyyy", "class": "date"}, format=DATE_FORMAT
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


# --- step 1: the text ----------------------------------------------------------------------


class PasteForm(forms.Form):
    text = forms.CharField(
        label=_("Text of the directive"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Copy the whole text, from the header to the signature, and paste it here."),
    )
    file = forms.FileField(
        label=_("…or upload the file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf"}),
        help_text=_("A .docx file, or a PDF that contains text (not a scan)."),
    )
    date = _date_field(
        _("Issue date"),
        help_text=_(
            "dd/mm/yyyy. Only if the text does not print it: deadlines such as “in the"
            " second quarter” are counted from it."
        ),
    )

    # set by clean(): why an upload was refused, for the audit log
    refused: str = ""
    classified: str = ""

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        text = self._text_of(upload) if upload else data.get("text") or ""
        if self.errors:
            return data
        text = normalize_text(text)
        if not text.strip():
            raise forms.ValidationError(
                _("Paste the text of the directive or choose a .docx or .pdf file."),
                code="required",
            )
        if len(text) > MAX_TEXT_CHARS:
            raise forms.ValidationError(
                TOO_LONG % {"n": _thousands(len(text)), "limit": _thousands(MAX_TEXT_CHARS)},
                code="too_long",
            )
        marker = classification_marker(text)
        if marker:
            self.classified = marker
            raise forms.ValidationError(gettext(CLASSIFIED_MESSAGE) % {"marker": marker})
        data["text"] = text
        return data

    def _text_of(self, upload) -> str:
        ext = extension_of(safe_name(upload.name or ""))
        if ext not in INTAKE_EXTENSIONS:
            self.refused = "type_not_allowed"
            self.add_error("file", _("Only .docx and .pdf files can be read."))
            return ""
        try:
            checked = check_upload(upload)
        except UploadRefused as exc:
            self.refused = exc.reason
            self.add_error("file", exc.message)
            return ""
        # vntext reads from a path: a private temporary file, gone when closed.
        with tempfile.NamedTemporaryFile(suffix=f".{ext}") as tmp:
            upload.file.seek(0)
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                text = load_text(tmp.name)
            except VntextError:
                self.add_error("file", NO_TEXT_LAYER)
                return ""
            except Exception:  # parsers raise many types on files check_upload let through
                self.add_error("file", _("The file cannot be read. Save it again and retry."))
                return ""
        if not text.strip() and checked.ext == "pdf":
            self.add_error("file", NO_TEXT_LAYER)
        return text


# --- step 2: the review ----------------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class DocumentChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        text = obj.title or obj.summary
        return f"{obj.label} — {text[:80]}" if text else obj.label


class ReviewForm(DomainErrorMixin, forms.Form):
    """The source document: registered by, and its tasks given by, the issuing unit."""

    field_aliases = {"owner": "issuer", "issuer_unit": "issuer"}

    # The length is checked by the view once line ends are normalized (browsers post \r\n).
    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    reference = forms.DateField(widget=forms.HiddenInput, required=False)
    issuer = UnitChoiceField(
        label=_("Issuing unit"),
        queryset=Unit.objects.none(),
        help_text=_("Your unit, which registers the document and gives the tasks."),
    )
    symbol = forms.CharField(
        label=_("Number and symbol"),
        max_length=80,
        required=False,
        help_text=_("As printed, e.g. 2156-CV/TU. Leave empty for a news article."),
    )
    issue_date = _date_field(_("Issue date"), help_text=_("dd/mm/yyyy"))
    issuer_name = forms.CharField(
        label=_("Issued by, if not your unit"),
        max_length=255,
        required=False,
        help_text=_("e.g. Ban Thường vụ Thành ủy. Leave empty when your unit issued it."),
    )
    title = forms.CharField(
        label=pgettext_lazy("document", "Title"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    implements = DocumentChoices(
        label=_("Documents it implements"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cited in the text and already registered: the new document is linked."),
    )

    def __init__(
        self, *args: Any, user: Any, issuers: list[Unit], found: list[Document], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Unit.objects.filter(
            pk__in=[u.pk for u in issuers]
        ).order_by("path")
        if len(issuers) == 1:
            self.fields["issuer"].initial = issuers[0].pk
        docs = self.fields["implements"]
        docs.queryset = documents_for_user(user)
        # Only the documents the text cites are offered; the queryset checks the choice.
        docs.widget.choices = [(d.pk, docs.label_from_instance(d)) for d in found]

    def clean_text(self) -> str:
        return normalize_text(self.cleaned_data.get("text", ""))

    def clean_symbol(self) -> str:
        return " ".join(self.cleaned_data.get("symbol", "").split())

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data.get("title", "").split())

    def clean_issuer_name(self) -> str:
        return " ".join(self.cleaned_data.get("issuer_name", "").split())

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("symbol") or data.get("title")) and not self.has_error("title"):
            self.add_error(
                "title", _("Give the document's number and symbol, or at least its title.")
            )
        return data


class UnitCandidates(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        parent = getattr(obj, "parent_name", "")
        return f"{obj.name} ({parent})" if parent else obj.name


class TaskRowForm(DomainErrorMixin, forms.Form):
    """One proposed task. An unticked "keep" removes it: nothing in the row is checked."""

    field_aliases = {
        "kinds": "rule_kinds",
        "depth": "rule_depth",
        "under": "rule_kinds",
        "recurrence_day": "deadline_text",
        "recurrence_month": "deadline_text",
        "mode": NON_FIELD_ERRORS,
    }

    keep = forms.BooleanField(label=_("Keep this task"), required=False)
    who = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)
    start = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    end = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    title = forms.CharField(
        label=pgettext_lazy("task", "Title"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of task"), choices=Task.Kind.choices, initial=Task.Kind.OTHER
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    clause = forms.CharField(label=_("Clause"), max_length=100, required=False)
    deadline_text = forms.CharField(
        label=_("Deadline as written"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. trong quý II năm 2020")}),
    )
    due_date = _date_field(_("Due date"))
    recurrence = forms.ChoiceField(
        label=_("Recurrence"), choices=Task.Recurrence.choices, required=False
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Target.Role.choices,
        initial=Target.Role.LEAD,
        widget=forms.RadioSelect,
    )
    units = UnitCandidates(
        label=_("Units carrying it out"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rule_on = forms.BooleanField(
        label=_("Also every unit of these kinds under the issuing unit"), required=False
    )
    rule_kinds = forms.MultipleChoiceField(
        label=_("Kinds of unit"),
        choices=RULE_KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unchecked for every kind."),
    )
    rule_depth = forms.IntegerField(
        label=_("Levels below"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("1 = only the units directly under it. Empty = every level."),
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        candidates: list[Unit],
        reference: dt.date | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reference = reference
        units = self.fields["units"]
        # Any unit in reach is a valid answer (the service checks it lies under the issuer);
        # the page lists only the units matched in the text.
        units.queryset = units_for_user(user)
        units.widget.choices = [(u.pk, units.label_from_instance(u)) for u in candidates]

    @property
    def kept(self) -> bool:
        if not self.is_bound:
            return bool(self.initial.get("keep"))
        return self.fields["keep"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("keep")
        )

    def full_clean(self) -> None:
        if self.is_bound and not self.kept:
            # A removed row is not validated: nothing in it will be created.
            self._errors = ErrorDict()
            self.cleaned_data = {"keep": False}
            return
        super().full_clean()

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data.get("title", "").split())
        if not title:
            raise forms.ValidationError(_("Enter the task's title, or untick “Keep”."))
        return title

    def clean(self) -> dict:
        data = super().clean()
        text = (data.get("deadline_text") or "").strip()
        data["recurrence_day"] = data["recurrence_month"] = None
        if text and not data.get("due_date"):
            read = read_deadline(text, self.reference or timezone.localdate())
            if not read.found:
                self.add_error(
                    "deadline_text",
                    _("No deadline could be read from this text: enter the due date."),
                )
            elif read.recurrence:
                if data.get("recurrence") in ("", read.recurrence):
                    data["recurrence"] = read.recurrence
                    data["recurrence_day"] = read.recurrence_day
                    data["recurrence_month"] = read.recurrence_month
            elif read.due_date and not data.get("recurrence"):
                data["due_date"] = read.due_date
        if data.get("recurrence"):
            if data.get("due_date"):
                self.add_error(
                    "due_date",
                    _("A recurring task has a deadline in each period: leave the due date empty."),
                )
            # The last day of each period unless the deadline text says otherwise.
            data["recurrence_day"] = data.get("recurrence_day") or 31
            if data["recurrence"] == Task.Recurrence.ANNUAL:
                data["recurrence_month"] = data.get("recurrence_month") or 12
        return data

    def draft(self) -> TaskDraft:
        data = self.cleaned_data
        return TaskDraft(
            title=data["title"],
            description=data.get("description") or "",
            clause=data.get("clause") or "",
            kind=data["kind"],
            due_date=data.get("due_date"),
            recurrence=data.get("recurrence") or "",
            recurrence_day=data.get("recurrence_day"),
            recurrence_month=data.get("recurrence_month"),
            role=data["role"],
            units=list(data.get("units") or []),
            rule_kinds=list(data.get("rule_kinds") or []) if data.get("rule_on") else None,
            rule_depth=data.get("rule_depth") if data.get("rule_on") else None,
        )


class BaseTaskFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(f.cleaned_data.get("keep") for f in self.forms):
            raise forms.ValidationError(
                _("Keep at least one task: nothing would be created."), code="empty"
            )


TaskFormSet = forms.formset_factory(
    TaskRowForm,
    formset=BaseTaskFormSet,
    extra=1,
    max_num=MAX_TASKS + 1,
    absolute_max=MAX_TASKS + 1,
    validate_max=True,
)
