"""The cascade follows the tree: the only receiver of the units app's signal."""

from __future__ import annotations

from django.dispatch import receiver

from trienkhai.units.models import Unit
from trienkhai.units.signals import tree_changed


@receiver(tree_changed, sender=Unit, dispatch_uid="tasks_tree_changed")
def _on_tree_changed(sender, created=(), ended=(), scope=None, **kwargs) -> None:
    from trienkhai.tasks.services import tree_changed as follow

    follow(created=created, ended=ended, scope=scope)
