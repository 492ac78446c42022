"""Forms of the report pages. Choices come from the scoping functions, never the request;
figures are parsed by the services (one place for the rules), the forms keep what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trienkhai.core.errors import DomainError
from trienkhai.core.uploads import too_large_message
from trienkhai.reports.models import Indicator, Report, ReportForm, Round
from trienkhai.reports.services import MAX_FIGURE_TEXT, IndicatorData, SectionData
from trienkhai.units.models import Unit

DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "class": "date"}
MAX_CHOICES = 300


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"),
        **kwargs,
    )


class DomainErrorMixin:
    """Put a service's errors on the fields they name (or on top of the form)."""

    field_aliases: dict[str, str] = {}

    def add_domain_error(self, error: DomainError) -> None:
        errors = getattr(error, "errors", None) or {error.field or "": error.message}
        for name, message in errors.items():
            name = self.field_aliases.get(name, name)
            target = name if name in self.fields else NON_FIELD_ERRORS  # type: ignore[attr-defined]
            self.add_error(target, message)  # type: ignore[attr-defined]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class VersionForm(DomainErrorMixin, forms.Form):
    """The version of the report the user saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class CommentForm(VersionForm):
    comment = forms.CharField(
        label=_("What must be fixed"),
        max_length=MAX_FIGURE_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return the report; the unit sees it on top of its report."),
    )


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_FIGURE_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReceiverForm(VersionForm):
    receiver = UnitChoiceField(label=_("Send this report to"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        holders = (
            Report.objects.filter(round_id=report.round_id)
            .counted()
            .exclude(unit_id=report.unit_id)
            .values("unit_id")
        )
        self.fields["receiver"].queryset = Unit.objects.filter(pk__in=holders).order_by("path")


# --- the report itself -----------------------------------------------------------------------


class ReportEditForm(DomainErrorMixin, forms.Form):
    """One field per indicator (``figure-<code>``) and per section (``section-<key>``), the
    document fields and the version. Values stay as typed: the service parses them."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    symbol = forms.CharField(
        label=_("Number and symbol"),
        max_length=60,
        required=False,
        help_text=_("As the document will carry it, e.g. 125-BC/ĐU or 350/BC-UBND."),
    )
    place = forms.CharField(label=_("Place name"), max_length=100, required=False)
    signer_title = forms.CharField(
        label=_("Signer's title"),
        max_length=150,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("On two lines, e.g. T/M BAN THƯỜNG VỤ, then PHÓ BÍ THƯ."),
    )
    signer_name = forms.CharField(label=_("Signed by"), max_length=150, required=False)
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, as under “Nơi nhận”."),
    )

    def __init__(
        self,
        *args: Any,
        indicators: list[Indicator],
        sections: list,
        consolidating: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.sections = sections
        for s in sections:
            self.fields[f"section-{s.key}"] = forms.CharField(
                label=s.title,
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=s.guidance,
                max_length=50_000,
            )
        for ind in indicators:
            name = f"figure-{ind.code}"
            attrs: dict[str, Any] = {"aria-describedby": f"id_{name}_helptext"}
            if ind.type == Indicator.Type.TEXT:
                field: forms.Field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 2, **attrs}), max_length=MAX_FIGURE_TEXT
                )
            elif ind.type == Indicator.Type.YES_NO and not consolidating:
                field = forms.ChoiceField(
                    choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
                    widget=forms.Select(attrs=attrs),
                )
            else:
                attrs.update({"inputmode": "decimal", "class": "figure", "autocomplete": "off"})
                field = forms.CharField(max_length=40, widget=forms.TextInput(attrs=attrs))
            field.required = False
            field.label = ind.name
            field.help_text = ind.help_text
            if ind.is_fed:
                field.disabled = True
            self.fields[name] = field

    def figures(self) -> dict[str, str]:
        return {
            ind.code: self.cleaned_data.get(f"figure-{ind.code}") or ""
            for ind in self.indicators
            if not ind.is_fed
        }

    def narrative(self) -> dict[str, str]:
        return {s.key: self.cleaned_data.get(f"section-{s.key}") or "" for s in self.sections}

    def document_fields(self) -> dict[str, str]:
        names = ("symbol", "place", "signer_name", "signer_title", "recipients")
        return {n: self.cleaned_data.get(n) or "" for n in names}

    def figure_rows(self) -> list[tuple[Indicator, forms.BoundField]]:
        return [(ind, self[f"figure-{ind.code}"]) for ind in self.indicators]

    def section_rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(s, self[f"section-{s.key}"]) for s in self.sections]


# --- forms (the templates of reports) --------------------------------------------------------


class ReportFormForm(DomainErrorMixin, forms.Form):
    owner = UnitChoiceField(label=_("Owner"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=300)
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("Kept with the new version when rounds already use the current one."),
    )

    def __init__(self, *args: Any, owners: list[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = Unit.objects.filter(
                pk__in=[u.pk for u in owners]
            ).order_by("path")
            del self.fields["note"]


class SectionRowForm(forms.Form):
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "short"}),
    )
    title = forms.CharField(label=pgettext_lazy("section", "Title"), max_length=300, required=False)
    guidance = forms.CharField(
        label=_("Guidance"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    DELETE = forms.BooleanField(label=_("Remove"), required=False)

    def data_or_none(self) -> SectionData | None:
        d = self.cleaned_data
        if not d or d.get("DELETE") or not (d.get("key") or d.get("title")):
            return None
        return SectionData(d.get("key") or "", d.get("title") or "", d.get("guidance") or "")


class IndicatorRowForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "short"}),
    )
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    unit_of_measure = forms.CharField(
        label=_("Unit of measure"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "short"}),
    )
    type = forms.ChoiceField(label=_("Type"), choices=Indicator.Type.choices)
    aggregation = forms.ChoiceField(label=_("Adds up as"), choices=Indicator.Aggregation.choices)
    weight_code = forms.CharField(
        label=_("Weighted by (code)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "short"}),
    )
    min_value = forms.DecimalField(
        label=_("Minimum"), required=False, max_digits=18, decimal_places=4, localize=True
    )
    max_value = forms.DecimalField(
        label=_("Maximum"), required=False, max_digits=18, decimal_places=4, localize=True
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Indicator.Source.choices, required=False)
    source_task = forms.ModelChoiceField(
        label=_("Task (for a figure from the cascade)"),
        queryset=Indicator._meta.get_field("source_task").related_model.objects.none(),
        required=False,
    )
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    DELETE = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args: Any, tasks=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tasks is not None:
            self.fields["source_task"].queryset = tasks

    def data_or_none(self) -> IndicatorData | None:
        d = self.cleaned_data
        if not d or d.get("DELETE") or not (d.get("code") or d.get("name")):
            return None
        return IndicatorData(
            code=(d.get("code") or "").strip(),
            name=d.get("name") or "",
            type=d.get("type") or Indicator.Type.INTEGER,
            aggregation=d.get("aggregation") or Indicator.Aggregation.SUM,
            unit_of_measure=d.get("unit_of_measure") or "",
            min_value=d.get("min_value"),
            max_value=d.get("max_value"),
            required=bool(d.get("required")),
            weight_code=(d.get("weight_code") or "").strip(),
            source=d.get("source") or "",
            source_task=d.get("source_task"),
            help_text=d.get("help_text") or "",
        )


SectionFormSet = forms.formset_factory(SectionRowForm, extra=1, max_num=30, absolute_max=40)
IndicatorFormSet = forms.formset_factory(IndicatorRowForm, extra=2, max_num=200, absolute_max=220)


def formset_error(formsets: dict[str, Any], name: str, message: str) -> bool:
    """Put a service error named ``indicators.3.code`` on row 3's code field."""
    prefix, _dot, rest = name.partition(".")
    index, _dot, field = rest.partition(".")
    fs = formsets.get(prefix)
    if fs is None or not index.isdigit():
        return False
    rows = [f for f in fs.forms if f.cleaned_data and f.data_or_none() is not None]
    i = int(index)
    if i >= len(rows):
        return False
    row = rows[i]
    row.add_error(field if field in row.fields else None, message)
    return True


# --- rounds ----------------------------------------------------------------------------------


class RoundForm(DomainErrorMixin, forms.Form):
    owner = UnitChoiceField(
        label=_("Unit running the round"),
        queryset=Unit.objects.none(),
        help_text=_("Its own report is the consolidated one."),
    )
    form = forms.ModelChoiceField(label=_("Report form"), queryset=ReportForm.objects.none())
    title = forms.CharField(
        label=pgettext_lazy("round", "Title"),
        max_length=300,
        help_text=_(
            "As the report's title reads, e.g. “Kết quả thực hiện Nghị quyết 52 năm 2025”."
        ),
    )
    period_kind = forms.ChoiceField(
        label=_("Period"), choices=Round.Period.choices, initial=Round.Period.ANNUAL
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    number = forms.IntegerField(
        label=_("Month, quarter or half"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("1–12 for a month, 1–4 for a quarter, 1–2 for a half; empty for a year."),
    )
    period_start = _date_field(_("Custom window: from"))
    period_end = _date_field(_("Custom window: cut-off"))
    deadline_workdays = forms.IntegerField(
        label=_("Deadline: working days after the cut-off"),
        required=False,
        min_value=0,
        max_value=60,
        help_text=_("Weekends and public holidays (Tết included) are skipped."),
    )
    deadline = _date_field(_("…or a deadline date"), help_text=_("dd/mm/yyyy"))
    target_mode = forms.ChoiceField(
        label=_("Who reports"),
        choices=Round.TargetMode.choices,
        initial=Round.TargetMode.RULE,
        widget=forms.RadioSelect,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Units of these kinds"),
        choices=Unit.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    under = UnitChoiceField(
        label=_("Under unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the unit running the round —"),
    )
    depth = forms.IntegerField(
        label=_("Levels below"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("Empty: every level; 1: direct subordinates only."),
    )
    units = UnitMultipleChoiceField(
        label=_("…or these units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    receiver_mode = forms.ChoiceField(
        label=_("Reports go to"),
        choices=Round.ReceiverMode.choices,
        initial=Round.ReceiverMode.PARENT,
        widget=forms.RadioSelect,
    )
    receiver_unit = UnitChoiceField(
        label=_("Receiving unit"), queryset=Unit.objects.none(), required=False
    )
    top_receiver = UnitChoiceField(
        label=_("The consolidated report goes to"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— outside the system —"),
    )
    place = forms.CharField(
        label=_("Place name"),
        max_length=100,
        required=False,
        help_text=_("For the date line, e.g. Thành phố Hồ Chí Minh."),
    )
    task = forms.ModelChoiceField(
        label=_("Cascade task it answers"),
        queryset=Round._meta.get_field("task").related_model.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )

    def __init__(self, *args: Any, user: Any, owners: list[Unit], **kwargs: Any) -> None:
        from trienkhai.reports.selectors import forms_for_user
        from trienkhai.tasks.selectors import tasks_for_user

        super().__init__(*args, **kwargs)
        owner_ids = [u.pk for u in owners]
        self.fields["owner"].queryset = Unit.objects.filter(pk__in=owner_ids).order_by("path")
        if len(owners) == 1:
            self.fields["owner"].initial = owners[0].pk
        self.fields["form"].queryset = forms_for_user(user).order_by("name")
        nearby = Unit.objects.none()
        for owner in owners:
            nearby = nearby | Unit.objects.children_of(owner) | Unit.objects.filter(pk=owner.pk)
        nearby = nearby.order_by("path")
        self.fields["under"].queryset = nearby
        self.fields["receiver_unit"].queryset = nearby
        children = Unit.objects.none()
        for owner in owners:
            children = children | Unit.objects.children_of(owner)
        self.fields["units"].queryset = children.order_by("path")
        # above or outside the owner: its superiors, other roots, external bodies (the
        # Politburo of the seed)
        above = Unit.objects.roots() | Unit.objects.of_kind(Unit.Kind.EXTERNAL)
        for owner in owners:
            above = above | Unit.objects.ancestors_of(owner)
        self.fields["top_receiver"].queryset = (
            Unit.objects.filter(pk__in=above.order_by().values("pk")[:MAX_CHOICES])
            .exclude(pk__in=owner_ids)
            .order_by("path")
        )
        self.fields["task"].queryset = tasks_for_user(user).order_by("-created")
        self.fields["task"].widget.choices = [("", self.fields["task"].empty_label)] + [
            (t.pk, t.title[:120]) for t in self.fields["task"].queryset[:MAX_CHOICES]
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Filled-in template (.xlsx)"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        refusal = too_large_message(f.size or 0)
        if refusal:
            raise forms.ValidationError(refusal)
        return f
