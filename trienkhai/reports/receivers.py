"""Reports follow the tree: a second receiver of the units app's ``tree_changed`` signal."""

from __future__ import annotations

from django.dispatch import receiver

from trienkhai.units.models import Unit
from trienkhai.units.signals import tree_changed


@receiver(tree_changed, sender=Unit, dispatch_uid="reports_tree_changed")
def _on_tree_changed(sender, created=(), ended=(), scope=None, **kwargs) -> None:
    from trienkhai.reports.services import tree_changed as follow

    follow(created=created, ended=ended, scope=scope)
