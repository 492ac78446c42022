"""Coverage follows the tree: headcount edits, moves and dissolutions move the counters.

``units.services.unit_update`` sends no signal of its own, so a headcount edit is caught by
Django's ``post_save`` of Unit; moves and dissolutions by the units app's ``tree_changed``
(beside the cascade's receiver). Both run inside the unit's transaction. A change that
bypasses ``save()`` (a bulk SQL update) is found by ``manage.py coverage_check``.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from trienkhai.outreach.models import HEADCOUNT_GROUPS
from trienkhai.units.models import Unit
from trienkhai.units.signals import tree_changed

WATCHED = {*HEADCOUNT_GROUPS, "dissolved_on", "path"}


@receiver(post_save, sender=Unit, dispatch_uid="outreach_unit_saved")
def _on_unit_saved(sender, instance: Unit, created: bool, update_fields=None, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if update_fields is not None and not WATCHED & set(update_fields):
        return
    from trienkhai.outreach import rollup

    if created:
        if any(getattr(instance, g) for g in HEADCOUNT_GROUPS):
            rollup.count_new(instance)
        return  # a new unit without people: nothing to count
    rollup.sync([instance.pk])


@receiver(tree_changed, sender=Unit, dispatch_uid="outreach_tree_changed")
def _on_tree_changed(sender, created=(), ended=(), scope=None, **kwargs) -> None:
    from trienkhai.outreach.rollup import sync

    ids = [u.pk for u in (*created, *ended)]
    if scope is not None:
        ids += list(Unit.objects.subtree_of(scope).order_by().values_list("pk", flat=True))
    sync(ids)
