"""Who may see and do what with forms, rounds and reports (the only way views reach them).

- A report is read by readers of its unit (its subtree's readers: the unit and every unit
  above it a user belongs to) and by readers of its receiver.
- A round is read by readers of its owner, by every unit below the owner (rounds flow down
  as directives do), and by readers of any unit holding or receiving one of its reports.
- A form is read by readers of its owner and by the units below it.
- Writing a report is for staff and leaders of its unit; returning, accepting, waiving and
  reopening for those of its receiver; managing a form or a round for those of its owner.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from trienkhai.accounts.scoping import (
    can_act_for_unit,
    can_read_unit,
    memberships_of,
    reach_roots,
    sees_everything,
    units_for_user,
)
from trienkhai.reports.models import Report, ReportForm, ReportQuerySet, Round
from trienkhai.units.models import Unit


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404


def _superior_pks(user) -> list[int]:
    paths = {p for u in reach_roots(user) for p in u.ancestor_paths()}
    return list(Unit.objects.filter(path__in=sorted(paths)).values_list("pk", flat=True))


def acting_units(user) -> list[Unit]:
    """Units the user acts for (writes the reports of, reviews the reports sent to)."""
    if sees_everything(user):
        return list(Unit.objects.roots())
    return [m.unit for m in memberships_of(user) if m.can_act]


# --- reports ---------------------------------------------------------------------------------


def reports_for_user(user) -> ReportQuerySet:
    """Every report the user may read."""
    if not _active(user):
        return Report.objects.none()
    if sees_everything(user):
        return Report.objects.all()
    roots = reach_roots(user)
    if not roots:
        return Report.objects.none()
    reach = units_for_user(user).order_by().values("pk")
    return Report.objects.filter(Q(unit__in=reach) | Q(receiver__in=reach))


def get_report_for_user(user, pk, *, write: bool = False, review: bool = False) -> Report:
    """The report if the user may read it — and write it (act for its unit) or review it
    (act for its receiver) when asked; 404 otherwise."""
    try:
        r = (
            reports_for_user(user)
            .select_related(
                "round__version", "round__owner", "round__form", "unit", "receiver", "decided_by"
            )
            .get(pk=_int(pk))
        )
    except Report.DoesNotExist:
        raise Http404
    if write and not can_write_report(user, r):
        raise Http404
    if review and not can_review_report(user, r):
        raise Http404
    return r


def can_trace_report(user, r: Report) -> bool:
    """Whether the user may see, one by one, the reports sent to this report's unit (each
    reporter's values, texts and state): readers of the unit may; a reader who reaches the
    report only as its receiver sees its consolidated figures, not its sources."""
    return _active(user) and can_read_unit(user, r.unit)


def can_write_report(user, r: Report) -> bool:
    return _active(user) and can_act_for_unit(user, r.unit)


def can_review_report(user, r: Report) -> bool:
    """Acts for the receiver; for the round owner's own report, acts for its unit."""
    if not _active(user):
        return False
    return can_act_for_unit(user, r.receiver if r.receiver_id else r.unit)


# --- rounds ----------------------------------------------------------------------------------


def rounds_for_user(user) -> QuerySet[Round]:
    """Every round the user may read."""
    if not _active(user):
        return Round.objects.none()
    if sees_everything(user):
        return Round.objects.all()
    roots = reach_roots(user)
    if not roots:
        return Round.objects.none()
    reach = units_for_user(user).order_by().values("pk")
    involved = Report.objects.filter(round=OuterRef("pk")).filter(
        Q(unit__in=reach) | Q(receiver__in=reach)
    )
    return Round.objects.filter(
        Q(owner__in=reach) | Q(owner__in=_superior_pks(user)) | Exists(involved)
    )


def can_read_round(user, rnd: Round) -> bool:
    """``rounds_for_user`` for one round, without its subquery over the whole reach (a
    national leader reaches 60,000 units): the owner in reach or above it, else one query."""
    if not _active(user):
        return False
    if sees_everything(user):
        return True
    roots = reach_roots(user)
    if any(rnd.owner.is_within(r) or r.is_within(rnd.owner) for r in roots):
        return True
    inside = Q()
    for r in roots:
        inside |= Q(unit_path__startswith=r.path)
    reach = units_for_user(user).order_by().values("pk")
    return Report.objects.filter(round=rnd).filter(inside | Q(receiver__in=reach)).exists()


def get_round_for_user(user, pk, *, manage: bool = False) -> Round:
    try:
        rnd = Round.objects.select_related(
            "form", "version", "owner", "under", "receiver_unit", "top_receiver"
        ).get(pk=_int(pk))
    except Round.DoesNotExist:
        raise Http404
    if not can_read_round(user, rnd):
        raise Http404
    if manage and not can_act_for_unit(user, rnd.owner):
        raise Http404
    return rnd


def can_manage_round(user, rnd: Round) -> bool:
    return _active(user) and can_act_for_unit(user, rnd.owner)


def completeness_unit(user, rnd: Round, raw: Any = None) -> Unit:
    """The unit whose subtree the completeness table shows: the one asked for if the user may
    read it (404 otherwise); by default the owner, or the user's highest unit under it."""
    if raw not in (None, ""):
        try:
            unit = Unit.objects.get(pk=_int(raw))
        except Unit.DoesNotExist:
            raise Http404
        if not can_read_unit(user, unit):
            raise Http404
        return unit
    if can_read_unit(user, rnd.owner):
        return rnd.owner
    inside = [u for u in reach_roots(user) if u.is_within(rnd.owner)]
    if inside:
        return min(inside, key=lambda u: (u.depth, u.path))
    raise Http404


# --- forms -----------------------------------------------------------------------------------


def forms_for_user(user) -> QuerySet[ReportForm]:
    """Forms of units in reach or above (a ward reads the City's form)."""
    if not _active(user):
        return ReportForm.objects.none()
    if sees_everything(user):
        return ReportForm.objects.all()
    reach = units_for_user(user).order_by().values("pk")
    return ReportForm.objects.filter(Q(owner__in=reach) | Q(owner__in=_superior_pks(user)))


def get_form_for_user(user, pk, *, manage: bool = False) -> ReportForm:
    try:
        form = forms_for_user(user).select_related("owner").get(pk=_int(pk))
    except ReportForm.DoesNotExist:
        raise Http404
    if manage and not can_act_for_unit(user, form.owner):
        raise Http404
    return form


def can_manage_form(user, form: ReportForm) -> bool:
    return _active(user) and can_act_for_unit(user, form.owner)


# --- the inbox -------------------------------------------------------------------------------


def to_fill(user) -> ReportQuerySet:
    """Reports the user's units must write or fix."""
    units = acting_units(user)
    if sees_everything(user):
        qs = Report.objects.all()
    elif not units:
        return Report.objects.none()
    else:
        qs = Report.objects.filter(unit__in=units)
    return qs.filter(state__in=Report.EDITABLE).counted()


def to_review(user) -> ReportQuerySet:
    """Reports sent to the user's units, waiting for a decision."""
    units = acting_units(user)
    if sees_everything(user):
        qs = Report.objects.all()
    elif not units:
        return Report.objects.none()
    else:
        qs = Report.objects.filter(receiver__in=units)
    return qs.filter(state=Report.State.SUBMITTED).counted()
