"""Forms of the units pages. Units picked by code are looked up inside the user's reach."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trienkhai.accounts.scoping import can_manage_unit, units_for_user
from trienkhai.core.uploads import too_large_message
from trienkhai.units.models import Unit
from trienkhai.units.tabular import FORMATS, ID_PREFIX

DATE_HELP = _("dd/mm/yyyy")


class UnitForm(forms.ModelForm):
    """A unit's own fields; dissolution and moves go through the reorganization forms."""

    class Meta:
        model = Unit
        fields = [
            "name",
            "short_name",
            "kind",
            "code",
            "cadres",
            "party_members",
            "union_members",
            "association_members",
            "active_from",
        ]
        help_texts = {"active_from": DATE_HELP}

    def clean_code(self) -> str | None:
        return (self.cleaned_data.get("code") or "").strip() or None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV or XLSX with the columns of the template.")
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        refusal = too_large_message(f.size or 0)
        if refusal:
            raise forms.ValidationError(refusal)
        ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else ""
        if ext not in FORMATS:
            raise forms.ValidationError(_("Choose a CSV or XLSX file."))
        f.fmt = ext
        return f


class _ReorganizeForm(forms.Form):
    on = forms.DateField(label=_("Effective date"), help_text=DATE_HELP)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.unit = unit

    def _unit_by_code(self, code: str, field: str) -> Unit | None:
        """A unit the user manages, by code or #id; a form error (never a 403) otherwise."""
        code = code.strip()
        if not code:
            return None
        qs = units_for_user(self.user)
        if code.startswith(ID_PREFIX) and code[1:].isdigit():
            found = qs.filter(pk=int(code[1:])).first()
        else:
            found = qs.filter(code=code).first()
        if found is None or not can_manage_unit(self.user, found):
            self.add_error(field, _("No unit with this code among the units you manage."))
            return None
        return found

    def _parent_managed(self, field: str) -> Unit | None:
        parent = Unit.objects.parents_of_many([self.unit]).first()
        if parent is None or not can_manage_unit(self.user, parent):
            self.add_error(
                field,
                _("Only a leader of the parent unit can create units beside this one."),
            )
            return None
        return parent


class MergeForm(_ReorganizeForm):
    others = forms.ModelMultipleChoiceField(
        label=_("Units merged with this one"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Units of the same level; leave empty to merge only this unit into another."),
    )
    into_code = forms.CharField(
        label=_("Code of the receiving unit"),
        required=False,
        max_length=41,
        help_text=_("An existing unit that takes over. Leave blank to create a new unit."),
    )
    name = forms.CharField(label=_("Name of the new unit"), required=False, max_length=255)
    kind = forms.ChoiceField(label=_("Kind of the new unit"), choices=Unit.Kind.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = Unit.objects.parents_of_many([self.unit]).first()
        siblings = Unit.objects.children_of(parent) if parent is not None else Unit.objects.roots()
        self.fields["others"].queryset = (
            siblings.active().filter(pk__in=units_for_user(self.user)).exclude(pk=self.unit.pk)
        )
        self.fields["kind"].initial = self.unit.kind

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        others = list(data.get("others") or [])
        for other in others:
            if not can_manage_unit(self.user, other):
                self.add_error("others", _("You do not manage %(unit)s.") % {"unit": other.name})
        data["sources"] = [self.unit, *others]
        data["into"] = self._unit_by_code(data.get("into_code") or "", "into_code")
        name = (data.get("name") or "").strip()
        if data.get("into_code") and name:
            self.add_error("name", _("Either give a receiving unit or a new name, not both."))
        elif not data.get("into_code") and not name:
            self.add_error("name", _("Give the name of the new unit or the receiving unit's code."))
        if name and not data.get("into_code"):
            data["parent"] = self._parent_managed("name")
        return data


class DissolveForm(_ReorganizeForm):
    successor_code = forms.CharField(
        label=_("Code of the successor"),
        required=False,
        max_length=41,
        help_text=_("The unit that takes over its subordinate units and obligations."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["successor"] = self._unit_by_code(data.get("successor_code") or "", "successor_code")
        return data


class SplitForm(_ReorganizeForm):
    parts = forms.CharField(
        label=_("New units"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One new unit per line. To give it subordinate units, add | and their codes"
            " separated by commas. The first line is the main successor; subordinate units"
            " given to no line go to it."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parent = self._parent_managed("parts")
        children = {u.code: u for u in Unit.objects.children_of(self.unit) if u.code}
        children.update({f"{ID_PREFIX}{u.pk}": u for u in Unit.objects.children_of(self.unit)})
        parts: list[dict[str, Any]] = []
        for line in (data.get("parts") or "").splitlines():
            if not line.strip():
                continue
            name, _sep, codes = line.partition("|")
            part: dict[str, Any] = {"name": name.strip(), "parent": parent, "children": []}
            for code in (c.strip() for c in codes.split(",")):
                if not code:
                    continue
                if code not in children:
                    self.add_error(
                        "parts",
                        _("%(code)s is not a subordinate unit of this unit.") % {"code": code},
                    )
                else:
                    part["children"].append(children[code])
            parts.append(part)
        if parts:
            parts[0]["main"] = True
        data["split_parts"] = parts
        return data
