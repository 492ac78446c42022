"""The one shape of the write pages of study and oversight: record, correct, delete.

A valid POST calls a service; a DomainError it raises becomes a form error (an upload it
refuses is audited), its success a message and a redirect. Otherwise the page is shown again,
with 400 after a POST. Each view states only its service, its words and its page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.core.errors import DomainError
from trienkhai.outreach.forms import DeleteForm

T = TypeVar("T")


def submitted(
    request: HttpRequest,
    form: Any,
    action: Callable[[], T],
    *,
    success: str | Callable[[T], str],
    then: str | Callable[[T], str],
) -> HttpResponse | None:
    """For a valid POST of ``form``, run ``action`` and redirect to the URL ``then`` with the
    message ``success`` (either may be built from what ``action`` returned). None when the
    page is to be shown again: a GET, an invalid form, or a rule that said no."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action()
    except DomainError as error:
        if error.code == "upload":
            audit(AuditEvent.Kind.UPLOAD_REFUSED, request=request, reason=error.message)
        form.add_domain_error(error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return HttpResponseRedirect(then(result) if callable(then) else then)


def form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A write page: 200 when asked for, 400 when a POST did not go through."""
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def delete_view(
    request: HttpRequest,
    *,
    delete: Callable[[str], Any],
    success: str,
    then: str,
    page: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """Confirm a delete with a reason, ``delete(reason)``, and go to ``then``. ``page`` gives
    the confirmation's ``what``, ``cancel_url`` and ``crumbs`` (and ``note``, ``refusal``); it
    is built only when the page is shown."""
    form = DeleteForm(request.POST or None)
    done = submitted(
        request, form, lambda: delete(form.cleaned_data["reason"]), success=success, then=then
    )
    if done is not None:
        return done
    return form_page(request, "outreach/delete.html", {"form": form, **page()})
