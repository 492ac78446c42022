"""API errors: every failure is a 4xx with a reason, domain errors included (409 if stale)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from trienkhai.core.errors import DomainError

# Someone else changed the object first: the client should re-read and send again.
CONFLICT_CODES = frozenset({"stale", "race"})


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        code = (
            status.HTTP_409_CONFLICT if exc.code in CONFLICT_CODES else status.HTTP_400_BAD_REQUEST
        )
        return Response(body, status=code)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ParseError) and " parse error - " in str(exc.detail):
        # DRF writes these in English without a msgid; the parser's own words follow
        kind, _sep, cause = str(exc.detail).partition(" parse error - ")
        body = {"detail": _("The request body could not be read as %(kind)s.") % {"kind": kind}}
        return Response({**body, "cause": cause}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
