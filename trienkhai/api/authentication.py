"""Token authentication that brings the user's reach with it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from trienkhai.accounts.models import Membership
from trienkhai.accounts.scoping import remember_memberships


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token check, reading the token, its user and the user's memberships (with their
    units) in one query: every API request needs the memberships for scoping, and a second
    round trip to the database cost about a tenth of a short list request
    (bench/peer_bench.py). A user without memberships takes DRF's own path."""

    def authenticate_credentials(self, key: str):
        rows = list(
            Membership.objects.filter(user__auth_token__key=key).select_related("user", "unit")
        )
        if not rows:
            user, token = super().authenticate_credentials(key)
            remember_memberships(user, [])
            return user, token
        user = rows[0].user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        for membership in rows:
            membership.user = user  # one user object, as memberships_of() would give
        remember_memberships(user, rows)
        return user, Token(key=key, user=user)
