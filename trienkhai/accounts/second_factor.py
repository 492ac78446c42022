"""The second factor (TOTP) that leaders and administrators must pass after their password.

SECURITY.md, rule 6: a leader assigns, reviews and manages a whole subtree, an administrator
everything; a stolen password alone must not be enough. After the password, such a user is
sent to one page: it verifies a 6-digit code from an authenticator app, or — the first time
— shows the QR code to scan and confirms the first code. Until then every other page
redirects there (``SecondFactorMiddleware``) and the API answers 403. An API token is given
to them only with a current code as well. django-otp keeps the devices (a secret per user,
throttled after failures) and marks the session verified; a lost phone is reset in the admin
(delete the user's TOTP device), after which the user enrolls again at the next login.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from trienkhai.accounts.scoping import memberships_of

DEVICE_NAME = "authenticator"


def needs_second_factor(user: Any) -> bool:
    """Leaders of any unit, staff of the admin site and superusers (when the setting is on)."""
    if not getattr(settings, "SECOND_FACTOR_REQUIRED", True):
        return False
    if not user or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.is_staff or any(m.can_lead for m in memberships_of(user)))


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device the user is enrolling (one per user, kept across page loads so
    the QR code does not change under them)."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth URL as an inline SVG (no script, no style: fits our CSP)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#111", light="#fff", border=2
    )


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isdigit())[:8]


def check_code(device: TOTPDevice, code: str) -> bool:
    """Is ``code`` valid for the device now? Failures count towards django-otp's throttle."""
    code = _clean(code)
    return len(code) == device.digits and device.verify_token(code)


def confirm(request: Any, device: TOTPDevice, code: str) -> bool:
    """Confirm an enrolling device with its first code and mark the session verified."""
    if not check_code(device, code):
        return False
    with transaction.atomic():
        # a user enrolls one app: an older confirmed device (after a reset) goes
        TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return True


def verify(request: Any, device: TOTPDevice, code: str) -> bool:
    """Check a code of the user's confirmed device and mark the session verified."""
    if not check_code(device, code):
        return False
    otp_login(request, device)
    return True


def wait_seconds(device: TOTPDevice) -> int:
    """Seconds before the throttle lets the device try again (0: it may try now)."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    from django.utils import timezone

    until = (data or {}).get("locked_until")
    return max(1, int((until - timezone.now()).total_seconds())) if until else 1
