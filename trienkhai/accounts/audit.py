"""Writing security events to the audit log."""

from __future__ import annotations

from django.http import HttpRequest

from trienkhai.accounts.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit(
    kind: str, *, request: HttpRequest | None = None, user=None, username: str = "", **detail
) -> AuditEvent:
    """Record one security event (who, from where, what)."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.get_username() if user else ""),
        ip=client_ip(request),
        path=(request.get_full_path()[:500] if request is not None else ""),
        detail=detail,
    )
