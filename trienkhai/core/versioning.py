"""Optimistic locking of shared rows: an edit made on an older copy is refused."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from trienkhai.core.errors import DomainError


def check_version(obj: Any, version: int | None, what: str) -> None:
    """Refuse the edit unless ``obj`` is still at the ``version`` the editor read (None: the
    caller read none, e.g. a script; the row lock still orders the writes). ``what`` names
    the object in the message, translated by the caller."""
    if version is not None and obj.version != version:
        raise DomainError(
            _(
                "Someone else changed this %(what)s while you were editing it. Reload the page"
                " to see their changes, then make yours again."
            )
            % {"what": what},
            code="stale",
            field="version",
        )
