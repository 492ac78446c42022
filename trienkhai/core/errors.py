"""The one domain error type raised by services and translated at the edge."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule said no. ``message`` is shown to the user as is (translated)."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.field = field
