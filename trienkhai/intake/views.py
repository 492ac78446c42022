"""Pages of "New from text": paste or upload → review → confirm.

Stateless between the two steps: the text travels in a hidden field and is read again on
confirm (reading is fast and deterministic), so nothing is written before the officer
confirms, and a refused confirmation shows the whole review again with what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from trienkhai.accounts.audit import audit
from trienkhai.accounts.models import AuditEvent
from trienkhai.core.errors import DomainError
from trienkhai.intake.forms import PasteForm, ReviewForm, TaskFormSet
from trienkhai.intake.reading import MAX_TEXT_CHARS, Reading, normalize_text, read_for_user
from trienkhai.intake.services import TaskDraftError, intake_confirm
from trienkhai.tasks.selectors import acting_units
from trienkhai.units.models import Unit

WARNING_TITLES = {
    "term_mismatch": gettext_lazy("The term does not match the date"),
    "misspelled_abbreviation": gettext_lazy("Possibly misspelled abbreviation"),
    "deadline_before_issue": gettext_lazy("Deadline before the issue date"),
    "cited_after_issue": gettext_lazy("A cited document is dated after this one"),
}


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Tasks"), reverse("tasks:list")), *tail]


def _cannot(request: HttpRequest) -> HttpResponse:
    """Observers and users without a unit: say why instead of a bare error page."""
    return render(
        request,
        "intake/cannot.html",
        {"crumbs": _crumbs((_("New from text"), None))},
        status=403,
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake_new(request: HttpRequest) -> HttpResponse:
    """Step 1: paste the text or upload the file; a valid text goes straight to the review."""
    user = request.user
    issuers = acting_units(user)
    if not issuers:
        return _cannot(request)
    form = PasteForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            reading = read_for_user(user, form.cleaned_data["text"], form.cleaned_data["date"])
            doc_form, formset = _unbound_forms(user, issuers, reading)
            return _review(request, reading, doc_form, formset)
        if form.refused:
            audit(AuditEvent.Kind.UPLOAD_REFUSED, request=request, reason=form.refused)
        if form.classified:
            audit(
                AuditEvent.Kind.CLASSIFIED_REFUSED,
                request=request,
                marker=form.classified,
                source="intake",
            )
    return render(
        request,
        "intake/new.html",
        {"form": form, "crumbs": _crumbs((_("New from text"), None))},
    )


def _unbound_forms(user: Any, issuers: list[Unit], reading: Reading):
    doc_form = ReviewForm(
        prefix="doc",
        user=user,
        issuers=issuers,
        found=reading.found_documents,
        initial={
            "text": reading.text,
            "reference": reading.reference,
            "symbol": reading.own_symbol,
            "issue_date": reading.reference,
            "title": reading.title,
            "implements": [d.pk for d in reading.found_documents],
        },
    )
    formset = TaskFormSet(
        prefix="task",
        initial=[p.initial() for p in reading.proposals],
        form_kwargs={
            "user": user,
            "candidates": reading.candidates,
            "reference": reading.reference,
        },
    )
    return doc_form, formset


def _posted_reference(request: HttpRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.POST.get("doc-reference", "")[:10])
    except ValueError:
        return None


@login_required
@require_POST
def intake_confirm_view(request: HttpRequest) -> HttpResponse:
    """Step 2: create the document and the kept tasks, or show the review again."""
    user = request.user
    issuers = acting_units(user)
    if not issuers:
        return _cannot(request)
    # Browsers post line ends as \r\n: the length that counts is the normalized one.
    text = normalize_text(request.POST.get("doc-text", ""))
    if not text.strip() or len(text) > MAX_TEXT_CHARS:
        messages.error(request, _("The text was lost on the way. Paste it again, please."))
        return redirect("intake:new")
    reading = read_for_user(user, text, _posted_reference(request))
    doc_form = ReviewForm(
        request.POST, prefix="doc", user=user, issuers=issuers, found=reading.found_documents
    )
    doc_valid = doc_form.is_valid()
    issued = doc_form.cleaned_data.get("issue_date") if doc_valid else None
    formset = TaskFormSet(
        request.POST,
        prefix="task",
        form_kwargs={
            "user": user,
            "candidates": reading.candidates,
            "reference": issued or reading.reference,
        },
    )
    if doc_valid and formset.is_valid():
        kept = [f for f in formset.forms if f.cleaned_data.get("keep")]
        data = doc_form.cleaned_data
        try:
            done = intake_confirm(
                by=user,
                issuer=data["issuer"],
                text=reading.text,
                symbol=data["symbol"],
                title=data["title"],
                issue_date=data["issue_date"],
                issuer_name=data["issuer_name"],
                implements=list(data["implements"]),
                tasks=[f.draft() for f in kept],
            )
        except TaskDraftError as error:
            kept[error.index].add_domain_error(error)
        except DomainError as error:
            doc_form.add_domain_error(error)
        else:
            n = len(done.tasks)
            text = ngettext(
                "%(doc)s has been registered with %(n)s task (%(a)s assignments).",
                "%(doc)s has been registered with %(n)s tasks (%(a)s assignments).",
                n,
            ) % {"doc": done.document, "n": n, "a": done.assignments}
            messages.success(request, text)
            url = reverse("tasks:list")
            return redirect(f"{url}?document={done.document.pk}")
    return _review(request, reading, doc_form, formset, status=200)


def _review(
    request: HttpRequest, reading: Reading, doc_form, formset, status: int = 200
) -> HttpResponse:
    proposals = reading.proposals
    rows = []
    for i, form in enumerate(formset.forms):
        proposal = proposals[i] if i < len(proposals) else None
        rows.append({"form": form, "number": i + 1, "proposal": proposal})
    warnings = [
        {
            "title": WARNING_TITLES.get(w.type, _("Check this")),
            "text": w.text,
            "quote": w.text not in w.detail,
            "detail": w.detail,
        }
        for w in reading.result.warnings
    ]
    for ref in reading.references:
        registered = ref.document.issue_date if ref.document else None
        if registered and ref.symbol.date and registered.isoformat() != ref.symbol.date:
            cited = dt.date.fromisoformat(ref.symbol.date)
            warnings.append(
                {
                    "title": _("The date differs from the registered document"),
                    "detail": _(
                        "The text cites %(symbol)s of %(cited)s; trienkhai has it registered"
                        " as of %(registered)s."
                    )
                    % {
                        "symbol": ref.symbol.text,
                        "cited": cited.strftime("%d/%m/%Y"),
                        "registered": registered.strftime("%d/%m/%Y"),
                    },
                }
            )
    units = [
        {"name": u.name, "known": u.known, "score": u.score} for u in reading.result.units[:100]
    ]
    return render(
        request,
        "intake/review.html",
        {
            "reading": reading,
            "highlighted": reading.highlighted(),
            "doc_form": doc_form,
            "formset": formset,
            "rows": rows,
            "warnings": warnings,
            "units": units,
            "missing": [r.symbol for r in reading.references if r.document is None],
            "crumbs": _crumbs(
                (_("New from text"), reverse("intake:new")), (_("Check and confirm"), None)
            ),
        },
        status=status,
    )
