"""Forms of the document registry. Choices come from the scoping functions, never from
the request: an owner, issuer or linked document outside the user's reach is invalid."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trienkhai.core.errors import DomainError
from trienkhai.documents.models import Document, type_name_of
from trienkhai.documents.selectors import (
    documents_for_user,
    issuer_choices_for_user,
    owner_units_for_user,
)
from trienkhai.documents.uploads import ALLOWED_EXTENSIONS
from trienkhai.units.models import Unit
from trienkhai.vntext.symbols import parse_symbol

ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)


class DomainErrorMixin:
    def add_domain_error(self, error: DomainError) -> None:
        field = {"files": "file"}.get(error.field or "", error.field)
        field = field if field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field or NON_FIELD_ERRORS, error.message)  # type: ignore[attr-defined]


class DocumentForm(DomainErrorMixin, forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Registering unit"),
        queryset=None,
        help_text=_("The unit that keeps the document; its staff may edit it."),
    )
    symbol = forms.CharField(
        label=_("Number and symbol"),
        max_length=80,
        required=False,
        help_text=_("As printed, e.g. 52-NQ/TW or 09/2019/NĐ-CP."),
    )
    issue_date = forms.DateField(
        label=_("Issue date"),
        required=False,
        help_text=_("dd/mm/yyyy"),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
    )
    title = forms.CharField(
        label=pgettext_lazy("document", "Title"), max_length=500, required=False
    )
    issuer_unit = forms.ModelChoiceField(
        label=_("Issuing body (in the organization tree)"),
        queryset=None,
        required=False,
        empty_label=_("— not in the tree —"),
    )
    issuer_name = forms.CharField(
        label=_("Issuing body (as written)"),
        max_length=255,
        required=False,
        help_text=_("e.g. Bộ Chính trị, Ban Tuyên giáo Trung ương."),
    )
    term = forms.CharField(label=_("Term"), max_length=10, required=False, help_text=_("e.g. XII"))
    summary = forms.CharField(
        label=pgettext_lazy("document", "Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Paste the text of the document, if you have it."),
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=Document.Visibility.choices,
        initial=Document.Visibility.INTERNAL,
        help_text=_("Public documents can be read by everyone signed in."),
    )
    file = forms.FileField(
        label=_("Attached file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, DOCX, XLSX, ODT, ODS, PNG or JPG. Choose it again after an error."),
    )
    implements = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, document: Document | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owners = owner_units_for_user(user)
        issuers = issuer_choices_for_user(user)
        if document is not None:
            # Keep the current values selectable even when they are outside the short lists.
            owners = owners | Unit.objects.filter(pk=document.owner_id)
            issuers = issuers | Unit.objects.filter(pk=document.issuer_unit_id)
            del self.fields["file"]
            del self.fields["implements"]
        else:
            self.fields["implements"].queryset = documents_for_user(user)
        self.fields["owner"].queryset = owners.order_by("name")
        self.fields["issuer_unit"].queryset = issuers.order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        if not any((data.get(k) or "").strip() for k in ("symbol", "title", "summary")):
            raise forms.ValidationError(_("Give at least the symbol, the title or the summary."))
        return data


class AttachForm(DomainErrorMixin, forms.Form):
    file = forms.FileField(
        label=_("Attached file"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, DOCX, XLSX, ODT, ODS, PNG or JPG."),
    )


class LinkForm(DomainErrorMixin, forms.Form):
    implements = forms.ModelChoiceField(label=_("Implements"), queryset=None)

    def __init__(self, *args, user, document: Document, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["implements"].queryset = documents_for_user(user).exclude(pk=document.pk)


SORTS = {
    "date": ("-issue_date", "-pk"),
    "date_asc": ("issue_date", "pk"),
    "symbol": ("symbol", "pk"),
    "-symbol": ("-symbol", "-pk"),
}


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    type = forms.ChoiceField(label=_("Document type"), required=False)
    issuer = forms.ChoiceField(label=_("Issuer code"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        required=False,
        choices=[("", _("All")), *Document.Visibility.choices],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("date", _("Newest first")),
            ("date_asc", _("Oldest first")),
            ("symbol", _("Symbol A–Z")),
            ("-symbol", _("Symbol Z–A")),
        ],
    )

    def __init__(self, *args, visible, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        types = (
            visible.exclude(type_code="").order_by("type_code").values_list("type_code", flat=True)
        )
        self.fields["type"].choices = [("", _("All"))] + [
            (code, f"{type_name_of(code)} ({code})" if type_name_of(code) != code else code)
            for code in types.distinct()
        ]
        issuers = visible.exclude(issuer_code="").order_by("issuer_code")
        self.fields["issuer"].choices = [("", _("All"))] + [
            (code, code) for code in issuers.values_list("issuer_code", flat=True).distinct()
        ]
        years = visible.filter(issue_date__isnull=False).dates("issue_date", "year", order="DESC")
        self.fields["year"].choices = [("", _("All"))] + [(d.year, d.year) for d in years]

    def filter(self, qs):
        """The documents matching the valid filters; an invalid value is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("q"):
            qs = qs.search(data["q"])
        if data.get("type"):
            qs = qs.filter(type_code=data["type"])
        if data.get("issuer"):
            qs = qs.filter(issuer_code=data["issuer"])
        if data.get("year"):
            qs = qs.of_year(data["year"])
        if data.get("visibility"):
            qs = qs.filter(visibility=data["visibility"])
        order = SORTS.get(data.get("sort") or "date", SORTS["date"])
        symbol = _typed_symbol(data["q"]) if data.get("q") and not data.get("sort") else None
        if symbol is not None:
            # Someone who types a symbol wants that document first, then what cites it.
            exact = Q(
                number=symbol.number,
                type_code=symbol.type,
                issuer_code=symbol.issuer_norm or symbol.issuer,
            )
            qs = qs.annotate(
                exact=Case(
                    When(exact, then=Value(0)), default=Value(1), output_field=IntegerField()
                )
            )
            order = ("exact", *order)
        return qs.order_by(*order)


def _typed_symbol(query: str):
    """The symbol a search box holds, also when typed with spaces ("52 NQ TW")."""
    symbol = parse_symbol(query.strip())
    words = query.split()
    if symbol is None and len(words) == 3 and words[0].isdigit():
        symbol = parse_symbol(f"{words[0]}-{words[1].upper()}/{words[2].upper()}")
    return symbol
