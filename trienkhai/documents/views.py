"""Pages of the document registry: list, detail, chain, forms and file download."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from trienkhai.core.errors import DomainError
from trienkhai.documents.downloads import (
    FileDamaged,
    damaged_page,
    open_verified,
    private_download,
)
from trienkhai.documents.forms import AttachForm, DocumentFilterForm, DocumentForm, LinkForm
from trienkhai.documents.history import document_history
from trienkhai.documents.selectors import (
    can_write_document,
    document_chain,
    documents_for_user,
    get_document_for_user,
    get_file_for_user,
    owner_units_for_user,
)
from trienkhai.documents.services import (
    EDITABLE_FIELDS,
    document_attach_file,
    document_create,
    document_link,
    document_unlink,
    document_update,
)

log = logging.getLogger(__name__)
PAGE_SIZE = 25
LINK_CANDIDATES = 20


@login_required
@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    visible = documents_for_user(request.user)
    form = DocumentFilterForm(request.GET, visible=visible)
    documents = form.filter(visible.select_related("owner", "issuer_unit"))
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(request.GET.get(k) for k in form.fields),
            "can_create": owner_units_for_user(request.user).exists(),
        },
    )


@login_required
@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    visible = documents_for_user(request.user)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "files": document.files.select_related("uploaded_by").order_by("uploaded", "pk"),
            "implements": visible.filter(implemented_by=document).order_by("issue_date", "pk"),
            "implemented_by": visible.filter(implements=document)
            .select_related("owner")
            .order_by("issue_date", "pk"),
            "history": document_history(document, request.user),
            "can_write": can_write_document(request.user, document),
            "can_register": owner_units_for_user(request.user).exists(),
        },
    )


@login_required
@require_safe
def document_chain_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    return render(
        request,
        "documents/chain.html",
        {
            "document": document,
            "ancestors": document_chain(request.user, document, up=True),
            "descendants": document_chain(request.user, document, up=False),
        },
    )


def _service_fields(data: dict) -> dict:
    return {key: data[key] for key in EDITABLE_FIELDS if key in data}


@login_required
@require_http_methods(["GET", "POST"])
def document_create_view(request: HttpRequest) -> HttpResponse:
    if not owner_units_for_user(request.user).exists():
        raise Http404
    initial = {}
    if request.method == "GET" and request.GET.get("implements", "").isdigit():
        initial["implements"] = request.GET["implements"]
    form = DocumentForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = document_create(
                by=request.user,
                implements=[data["implements"]] if data.get("implements") else [],
                files=[data["file"]] if data.get("file") else [],
                **_service_fields(data),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The document has been registered."))
            return redirect("documents:detail", document.pk)
    target = form["implements"].value() if "implements" in form.fields else None
    implements_doc = (
        documents_for_user(request.user).filter(pk=target).first()
        if str(target or "").isdigit()
        else None
    )
    return render(request, "documents/form.html", {"form": form, "implements_doc": implements_doc})


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk, write=True)
    initial = {key: getattr(document, key) for key in EDITABLE_FIELDS}
    form = DocumentForm(request.POST or None, user=request.user, document=document, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document_update(
                document=document, by=request.user, **_service_fields(form.cleaned_data)
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("The document has been saved."))
            return redirect("documents:detail", document.pk)
    return render(request, "documents/form.html", {"form": form, "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def document_attach(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk, write=True)
    form = AttachForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document_attach_file(
                document=document, upload=form.cleaned_data["file"], by=request.user
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("The file has been attached."))
            return redirect("documents:detail", document.pk)
    return render(request, "documents/attach.html", {"form": form, "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def document_links(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk, write=True)
    visible = documents_for_user(request.user)
    form = LinkForm(request.POST or None, user=request.user, document=document)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["implements"]
        try:
            if request.POST.get("action") == "unlink":
                document_unlink(document=document, implements=target, by=request.user)
                messages.success(request, _("The link has been removed."))
            else:
                document_link(document=document, implements=target, by=request.user)
                messages.success(request, _("The link has been added."))
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return redirect("documents:links", document.pk)
    query = request.GET.get("q", "")[:200]
    current = visible.filter(implemented_by=document).order_by("issue_date", "pk")
    candidates = None
    if query.strip():
        candidates = (
            visible.search(query)
            .exclude(pk=document.pk)
            .exclude(pk__in=current.values("pk"))
            .select_related("owner")
            .order_by("-issue_date", "-pk")[:LINK_CANDIDATES]
        )
    return render(
        request,
        "documents/links.html",
        {
            "document": document,
            "form": form,
            "query": query,
            "current": current,
            "candidates": candidates,
        },
    )


@login_required
@require_safe
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    stored = get_file_for_user(request.user, pk)
    try:
        handle = open_verified(request, stored, log=log, what="document file", file=stored.pk)
    except FileDamaged:
        back = reverse("documents:detail", args=[stored.document_id])
        return damaged_page(request, stored, back_url=back, back_label=_("Back to the document"))
    return private_download(handle, stored)
