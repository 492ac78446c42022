"""Users, their roles on units, and the security audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person; what they may see and do comes from their memberships."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    calendar_token = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "calendar_token"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's session check, over the password and also over the user's roles: a user
        moved to another unit or given another role is signed out everywhere (SECURITY.md,
        rule 6); a disabled user already is, by the authentication backend. The roles are
        the memberships every request loads anyway for scoping: no query is added."""
        from trienkhai.accounts.scoping import memberships_of

        roles = ",".join(sorted(f"{m.unit_id}:{m.role}" for m in memberships_of(self)))
        return salted_hmac(
            "trienkhai.accounts.User.session_auth_hash",
            f"{self.password}|{roles}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Membership(models.Model):
    """A user's role on a unit; reading reaches the unit's whole subtree."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        LEADER = "leader", _("Leader")
        OBSERVER = "observer", _("Observer")
        # publishes news and moderates reader comments for the unit (portal); reads only
        COMMUNICATION = "communication", _("Communication staff")
        # reads the unit's whole subtree and acts only for its oversight (plans, visits)
        INSPECTION = "inspection", _("Inspection committee")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    title = models.CharField(_("title"), max_length=150, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_one_role_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"

    @property
    def can_act(self) -> bool:
        return self.role in (self.Role.STAFF, self.Role.LEADER)

    @property
    def can_lead(self) -> bool:
        return self.role == self.Role.LEADER


class AuditEvent(models.Model):
    """Security events kept apart from model history: logins, refusals, denied access."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logout")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        ACCESS_DENIED = "access_denied", _("Access denied")
        CLASSIFIED_REFUSED = "classified_refused", _("Classified document refused")
        UPLOAD_REFUSED = "upload_refused", _("Upload refused")
        FILE_TAMPERED = "file_tampered", _("Stored file changed on disk")
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        CALENDAR_RESET = "calendar_reset", _("Calendar address renewed")
        SECOND_FACTOR_SET = "second_factor_set", _("Authenticator app set up")
        SECOND_FACTOR_PASSED = "second_factor_passed", _("Second factor passed")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")

    kind = models.CharField(max_length=32, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.kind} {self.username}"
