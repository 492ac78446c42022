"""Who may see which documents: the only way views, the API, exports and search reach them.

A user sees public documents, internal documents registered by a unit within their reach
(the subtree of one of their units), and internal documents registered by a unit above
them: directives flow down to the subordinates who carry them out. Writing is for staff
and leaders of the registering unit itself. Anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.http import Http404

from trienkhai.accounts.scoping import (
    can_act_for_unit,
    memberships_of,
    reach_roots,
    sees_everything,
)
from trienkhai.documents.models import Document, DocumentFile, DocumentQuerySet
from trienkhai.units.models import Unit, UnitQuerySet


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def superior_units(user) -> UnitQuerySet:
    """The units above any of the user's units (their directives reach the user)."""
    roots = reach_roots(user)
    if not roots:
        return Unit.objects.none()
    return reduce(or_, [Unit.objects.ancestors_of(u) for u in roots]).order_by()


def documents_for_user(user) -> DocumentQuerySet:
    """Every document the user may read."""
    if not _active(user):
        return Document.objects.none()
    if sees_everything(user):
        return Document.objects.all()
    roots = reach_roots(user)
    if not roots:
        return Document.objects.public()
    within_reach = Unit.objects.subtrees_of(roots).order_by().values("pk")
    above = superior_units(user).values("pk")
    return Document.objects.filter(
        Q(visibility=Document.Visibility.PUBLIC) | Q(owner__in=within_reach) | Q(owner__in=above)
    )


def can_write_document(user, document: Document) -> bool:
    """Staff and leaders of the registering unit edit, attach and link."""
    return _active(user) and can_act_for_unit(user, document.owner)


def get_document_for_user(user, pk: int | str, *, write: bool = False) -> Document:
    """The document if the user may read it (or write it); 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404
    try:
        document = (
            documents_for_user(user).select_related("owner", "issuer_unit", "created_by").get(pk=pk)
        )
    except Document.DoesNotExist:
        raise Http404
    if write and not can_write_document(user, document):
        raise Http404
    return document


def get_file_for_user(user, pk: int | str) -> DocumentFile:
    """A file of a document the user may read; 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404
    try:
        return DocumentFile.objects.select_related("document").get(
            pk=pk, document__in=documents_for_user(user).values("pk")
        )
    except DocumentFile.DoesNotExist:
        raise Http404


def owner_units_for_user(user) -> UnitQuerySet:
    """Units the user may register documents for: those they act for."""
    if not _active(user):
        return Unit.objects.none()
    if sees_everything(user):
        roots = list(Unit.objects.roots())
        cond = Q(pk__in=[r.pk for r in roots])
        for root in roots:
            cond |= Q(pk__in=Unit.objects.children_of(root).values("pk"))
        return Unit.objects.filter(cond)
    pks = [m.unit.pk for m in memberships_of(user) if m.can_act]
    return Unit.objects.filter(pk__in=pks)


def issuer_units_for_user(user) -> UnitQuerySet:
    """Units the user may name as the issuer: their own subtrees, the units above them, and
    external bodies (the Politburo, a central department)."""
    if not _active(user):
        return Unit.objects.none()
    if sees_everything(user):
        return Unit.objects.all()
    roots = reach_roots(user)
    return Unit.objects.filter(
        Q(pk__in=Unit.objects.subtrees_of(roots).order_by().values("pk"))
        | Q(pk__in=superior_units(user).values("pk"))
        | Q(kind=Unit.Kind.EXTERNAL)
    )


def issuer_choices_for_user(user) -> UnitQuerySet:
    """A short list for the issuer select: the user's units, those above, external bodies."""
    if not _active(user):
        return Unit.objects.none()
    if sees_everything(user):
        return owner_units_for_user(user) | Unit.objects.filter(kind=Unit.Kind.EXTERNAL)
    own = [m.unit.pk for m in memberships_of(user)]
    return Unit.objects.filter(
        Q(pk__in=own) | Q(pk__in=superior_units(user).values("pk")) | Q(kind=Unit.Kind.EXTERNAL)
    )


# --- chains ---------------------------------------------------------------------------

CHAIN_MAX_DEPTH = 12
CHAIN_MAX_NODES = 500


@dataclass
class ChainNode:
    document: Document
    children: list[ChainNode] = field(default_factory=list)


@dataclass
class Chain:
    nodes: list[ChainNode]
    truncated: bool = False


def document_chain(user, document: Document, *, up: bool) -> Chain:
    """What ``document`` implements (``up``) or what implements it, recursively, as a tree.

    Breadth-first, one query per level, each document once (cycle-safe), at most
    ``CHAIN_MAX_DEPTH`` levels. Only documents the user may read are followed: a hidden
    document does not appear, and neither does anything reached only through it.
    """
    through = Document.implements.through
    visible = documents_for_user(user).order_by().values("pk")
    root = ChainNode(document)
    nodes: dict[int, ChainNode] = {document.pk: root}
    frontier = [document.pk]
    truncated = False
    for _depth in range(CHAIN_MAX_DEPTH):
        if not frontier:
            break
        if up:
            edges = through.objects.filter(
                from_document_id__in=frontier, to_document_id__in=visible
            ).select_related("to_document")
            order = ("to_document__issue_date", "to_document__symbol", "to_document_id")
            pairs = [(e.from_document_id, e.to_document) for e in edges.order_by(*order)]
        else:
            edges = through.objects.filter(
                to_document_id__in=frontier, from_document_id__in=visible
            ).select_related("from_document")
            order = ("from_document__issue_date", "from_document__symbol", "from_document_id")
            pairs = [(e.to_document_id, e.from_document) for e in edges.order_by(*order)]
        frontier = []
        for parent_pk, doc in pairs:
            if doc.pk in nodes:
                continue
            if len(nodes) > CHAIN_MAX_NODES:
                truncated = True
                break
            node = ChainNode(doc)
            nodes[parent_pk].children.append(node)
            nodes[doc.pk] = node
            frontier.append(doc.pk)
    else:
        if frontier:
            deeper = (
                through.objects.filter(from_document_id__in=frontier)
                if up
                else through.objects.filter(to_document_id__in=frontier)
            )
            truncated = truncated or deeper.exists()
    return Chain(nodes=root.children, truncated=truncated)
