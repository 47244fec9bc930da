"""The project's own exception tree.

The pipeline, storage and CLI raise only these; one handler in ``api/`` maps them to HTTP
status codes and the CLI maps them to exit codes. Every error that is the caller's fault
names the field at fault as a dotted path (``product.patents[0].number``).
"""

from __future__ import annotations


class PrescreenError(Exception):
    """Base of everything prescreen raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict:
        out = {"error": type(self).__name__, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


class InvalidInput(PrescreenError):
    """The caller sent something malformed (bad JSON, a wrong type, a missing field)."""


class PayloadTooLarge(InvalidInput):
    """A request or file exceeds a hard bound."""


class NotFound(PrescreenError):
    """The named submission, model or key does not exist."""


class Conflict(PrescreenError):
    """The request contradicts what is stored (e.g. a decision on an unknown revision)."""


class Unauthorized(PrescreenError):
    """No or an unknown credential."""


class Forbidden(PrescreenError):
    """A known credential without the right to do this."""


class ModelError(PrescreenError):
    """A model could not be loaded or produced no usable output (internal, not the caller's fault)."""
