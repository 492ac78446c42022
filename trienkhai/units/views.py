"""Pages of the organization tree. Every unit is reached through the scoping functions."""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.accounts.scoping import (
    can_manage_unit,
    can_read_unit,
    get_unit_for_user,
    reach_roots,
    sees_everything,
    units_for_user,
)
from trienkhai.core.errors import DomainError
from trienkhai.units import services, tabular
from trienkhai.units.forms import DissolveForm, ImportForm, MergeForm, SplitForm, UnitForm
from trienkhai.units.models import Unit
from trienkhai.units.selectors import breadcrumbs_for, unit_history

CHILDREN_PER_PAGE = 100
RESULTS_PER_PAGE = 50
EXPANDED_ROOTS = 5
CHILD_ORDERS = {"tree": ("path",), "name": ("search_text", "path"), "-name": ("-search_text",)}


@dataclass
class ChildPage:
    """A page of children counted with ``numchild``, so no COUNT query is needed."""

    units: list[Unit]
    number: int
    num_pages: int

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 1_000_000))
    except ValueError:
        return 1


def _child_page(unit: Unit, number: int, order: str = "tree") -> ChildPage:
    num_pages = max(1, math.ceil(unit.numchild / CHILDREN_PER_PAGE))
    number = min(number, num_pages)
    start = (number - 1) * CHILDREN_PER_PAGE
    qs = Unit.objects.children_of(unit).order_by(*CHILD_ORDERS[order])
    return ChildPage(list(qs[start : start + CHILDREN_PER_PAGE]), number, num_pages)


def _visible_roots(user: Any) -> list[Unit]:
    if sees_everything(user):
        return list(Unit.objects.roots())
    roots = sorted(reach_roots(user), key=lambda u: u.path)
    result: list[Unit] = []
    for unit in roots:
        if not any(unit.is_within(r) for r in result):
            result.append(unit)
    return result


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:100]
    roots = _visible_roots(request.user)
    context: dict[str, Any] = {
        "query": query,
        # The first few roots open with their first page of children; the rest load on demand.
        "expanded": [(root, _child_page(root, 1)) for root in roots[:EXPANDED_ROOTS]],
        "collapsed": roots[EXPANDED_ROOTS:],
    }
    if query:
        qs = units_for_user(request.user).search(query).order_by("depth", "search_text", "pk")
        page = Paginator(qs, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        results = list(page.object_list)
        crumbs = breadcrumbs_for(results, visible=lambda u: can_read_unit(request.user, u))
        context.update(page=page, results=[(u, crumbs[u.pk]) for u in results])
    return render(request, "units/tree.html", context)


@login_required
@require_GET
def children(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    number = _page_number(request.GET.get("page"))
    if not request.htmx:
        return redirect(f"{reverse('units:detail', args=[unit.pk])}?cpage={number}#children")
    return render(
        request, "units/_children.html", {"unit": unit, "page": _child_page(unit, number)}
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = get_unit_for_user(user, pk)
    order = request.GET.get("order", "tree")
    if order not in CHILD_ORDERS:
        order = "tree"
    ancestors = [a for a in Unit.objects.ancestors_of(unit) if can_read_unit(user, a)]
    successor = unit.successor if unit.successor_id else None
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "successor": successor if successor and can_read_unit(user, successor) else None,
        "predecessors": [p for p in unit.predecessors.order_by("name") if can_read_unit(user, p)],
        "children_page": _child_page(unit, _page_number(request.GET.get("cpage")), order),
        "order": order,
        "headcounts": [
            (Unit._meta.get_field(f).verbose_name, getattr(unit, f)) for f in Unit.HEADCOUNT_FIELDS
        ],
        "memberships": unit.memberships.select_related("user").order_by("role", "user__username"),
        "history": unit_history(unit),
        "can_manage": can_manage_unit(user, unit),
    }
    return render(request, "units/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, manage=True)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        try:
            if form.changed_data:
                changes = {f: form.cleaned_data[f] for f in form.changed_data}
                services.unit_update(unit=unit, **changes)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The unit has been saved."))
            return redirect("units:detail", pk=unit.pk)
    return render(request, "units/edit.html", {"unit": unit, "form": form})


# --- import and export -------------------------------------------------------------------------


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in tabular.FORMATS:
        fmt = "csv"
    audit(AuditEvent.Kind.EXPORT, request=request, unit=unit.pk, format=fmt)
    filename = f"units-{unit.code or unit.pk}.{fmt}"
    rows = tabular.export_rows(unit)
    if fmt == "csv":
        response = StreamingHttpResponse(
            tabular.stream_csv(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # XLSX cannot be streamed row by row: write it in constant memory, then stream the file.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    tabular.write_xlsx(rows, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=tabular.XLSX_TYPE)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    if fmt == "csv":
        response = HttpResponse("".join(tabular.stream_csv([])), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="units-template.csv"'
        return response
    out = tempfile.SpooledTemporaryFile()  # noqa: SIM115
    tabular.write_xlsx([], out, instructions=True)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename="units-template.xlsx", content_type=tabular.XLSX_TYPE
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_units(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, pk, manage=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.units_import(
                rows_file=upload, fmt=upload.fmt, under=unit, by=request.user
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            audit(
                AuditEvent.Kind.IMPORT,
                request=request,
                unit=unit.pk,
                ok=result.ok,
                created=result.created,
                updated=result.updated,
                errors=len(result.errors),
            )
            if result.ok:
                messages.success(
                    request,
                    _(
                        "Import done: %(created)s created, %(updated)s updated, %(moved)s"
                        " moved, %(unchanged)s unchanged."
                    )
                    % vars(result),
                )
                return redirect("units:detail", pk=unit.pk)
    return render(request, "units/import.html", {"unit": unit, "form": form, "result": result})


# --- reorganization ---------------------------------------------------------------------------


def _reorganize(
    request: HttpRequest, pk: int, form_class: type, action: str, run: Any
) -> HttpResponse:
    """Form → preview asking for confirmation → service → redirect (works without JS)."""
    unit = get_unit_for_user(request.user, pk, manage=True)
    if unit.dissolved_on is not None:
        messages.error(request, _("This unit is already dissolved."))
        return redirect("units:detail", pk=unit.pk)
    form = form_class(request.POST or None, user=request.user, unit=unit)
    preview = False
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data.get("confirm"):
            preview = True
        else:
            try:
                target = run(unit, form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Done. People keep their roles on the old units: give them roles on"
                        " the new unit if needed."
                    ),
                )
                return redirect("units:detail", pk=target.pk)
    return render(
        request,
        "units/reorganize.html",
        {
            "unit": unit,
            "form": form,
            "action": action,
            "preview": preview,
            "children_count": unit.numchild,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    def run(unit: Unit, data: dict) -> Unit:
        return services.unit_merge(
            sources=data["sources"],
            into=data["into"],
            name=data.get("name") or None,
            parent=data.get("parent"),
            kind=data["kind"],
            on=data["on"],
            by=request.user,
        )

    return _reorganize(request, pk, MergeForm, "merge", run)


@login_required
@require_http_methods(["GET", "POST"])
def split(request: HttpRequest, pk: int) -> HttpResponse:
    def run(unit: Unit, data: dict) -> Unit:
        parts = services.unit_split(
            source=unit, parts=data["split_parts"], on=data["on"], by=request.user
        )
        return parts[0]

    return _reorganize(request, pk, SplitForm, "split", run)


@login_required
@require_http_methods(["GET", "POST"])
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    def run(unit: Unit, data: dict) -> Unit:
        services.unit_dissolve(
            unit=unit, on=data["on"], successor=data["successor"], by=request.user
        )
        return unit

    return _reorganize(request, pk, DissolveForm, "dissolve", run)
