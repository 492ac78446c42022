"""The one shape of the list pages of study and oversight: filter, sort, paginate, render.

Sessions, public items, plans and recommendations are listed the same way: the scoped
queryset is narrowed by the filter form (whose values come from allow-lists), ordered by an
allow-listed sort, paginated in SQL, and rendered whole or, for htmx, as its results only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trienkhai.accounts.scoping import can_read_unit
from trienkhai.units.models import Unit

PER_PAGE = 25


def readable_unit(user: Any, pk: Any) -> Unit | None:
    """A unit filter: the unit if the user may read it; None (the filter is dropped) if not."""
    unit = Unit.objects.filter(pk=pk).first() if pk else None
    return unit if unit is not None and can_read_unit(user, unit) else None


def within(qs: QuerySet, unit: Unit | None, lookup: str = "unit") -> QuerySet:
    """Rows whose ``lookup`` unit lies in ``unit``'s subtree (no filter without a unit)."""
    if unit is None:
        return qs
    inside = Unit.objects.subtree_of(unit).order_by().values("pk")
    return qs.filter(**{f"{lookup}__in": inside})


def sorted_by(qs: QuerySet, sorts: Mapping[str, Sequence[str]], key: Any, default: str):
    """``qs`` in the allow-listed order named ``key`` (the default for anything else)."""
    return qs.order_by(*sorts.get(key or default, sorts[default]))


def list_page(
    request: HttpRequest,
    *,
    form: Any,
    qs: QuerySet,
    template: str,
    filters: Sequence[str],
    per_page: int = PER_PAGE,
    prepare: Callable[[Page], None] | None = None,
    **context: Any,
) -> HttpResponse:
    """Paginate the (filtered, ordered) ``qs`` and render ``<template>/list.html``, or only
    ``<template>/_results.html`` for htmx. ``prepare`` may decorate the page's rows."""
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    if prepare is not None:
        prepare(page)
    context = {
        "form": form,
        "page": page,
        "filtered": any(request.GET.get(k) for k in filters),
        **context,
    }
    name = "_results.html" if request.htmx else "list.html"
    return render(request, f"{template}/{name}", context)
