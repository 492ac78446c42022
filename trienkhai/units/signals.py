"""Signals the tree sends so apps further down (the cascade) keep up with reorganizations.

The dependency order (units → … → tasks) forbids the units services from calling the tasks
app; this one signal is the seam. Receivers run inside the same transaction as the change.
"""

from __future__ import annotations

from django.dispatch import Signal

# created: new units; ended: dissolved units (with their successor set);
# scope: a unit whose subtree holds every unit that moved (None when nothing moved).
tree_changed = Signal()
