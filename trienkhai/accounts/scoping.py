"""Who may see and do what: the only way views, the API, exports and search reach objects.

A role on a unit reaches that unit's whole subtree for reading. Staff act for their own
unit, leaders also assign, review and manage it; observers only read. Superusers see all.
An object outside a user's reach is a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

from django.http import Http404

from trienkhai.accounts.models import Membership
from trienkhai.units.models import Unit, UnitQuerySet

_CACHE_ATTR = "_trienkhai_memberships"


def memberships_of(user) -> list[Membership]:
    """The user's memberships with their units, loaded once per request."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("unit"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_memberships(user, memberships: list[Membership]) -> None:
    """Cache memberships already read with the user (the API's token check reads both)."""
    setattr(user, _CACHE_ATTR, memberships)


def forget_memberships(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def reach_roots(user) -> list[Unit]:
    """Units whose subtrees the user may read."""
    return [m.unit for m in memberships_of(user)]


def sees_everything(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


# --- units -------------------------------------------------------------------


def units_for_user(user) -> UnitQuerySet:
    """Every unit the user may read."""
    if not user or not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if sees_everything(user):
        return Unit.objects.all()
    return Unit.objects.subtrees_of(reach_roots(user))


def can_read_unit(user, unit: Unit) -> bool:
    if sees_everything(user):
        return True
    return any(unit.is_within(root) for root in reach_roots(user))


def can_act_for_unit(user, unit: Unit) -> bool:
    """Staff and leaders act for their own unit (not for their subordinates)."""
    if sees_everything(user):
        return True
    return any(m.unit.pk == unit.pk and m.can_act for m in memberships_of(user))


def can_manage_unit(user, unit: Unit) -> bool:
    """Leaders manage the structure of their own subtree (create, edit, reorganize)."""
    if sees_everything(user):
        return True
    return any(m.can_lead and unit.is_within(m.unit) for m in memberships_of(user))


def get_unit_for_user(user, pk: int | str, *, manage: bool = False) -> Unit:
    """The unit with this pk if the user may read it (or manage it); 404 otherwise."""
    try:
        unit = Unit.objects.get(pk=int(pk))
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404
    if not can_read_unit(user, unit):
        raise Http404
    if manage and not can_manage_unit(user, unit):
        raise Http404
    return unit


def home_unit(user) -> Unit | None:
    """The unit a user lands on: the highest unit of their memberships."""
    if sees_everything(user):
        return Unit.objects.roots().first()
    roots = reach_roots(user)
    return min(roots, key=lambda u: (u.depth, u.path)) if roots else None
