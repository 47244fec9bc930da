"""The base of the project's exception tree, and the errors the models and the registry raise.

It lives here, in the lowest layer, so that ``models`` (and anything below ``screening``)
raise the project's own errors without importing ``screening``; ``screening.errors`` extends
the tree and re-exports these, and ``api`` maps the whole tree to HTTP status codes.
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


class NotFound(PrescreenError):
    """The named submission, model or key does not exist."""


class Conflict(PrescreenError):
    """The request contradicts what is stored (e.g. a decision on an unknown revision)."""


class ModelError(PrescreenError):
    """A model could not be loaded or produced no usable output (internal, not the caller's fault)."""


class CorruptModel(ModelError):
    """A model file does not match the hash its manifest records: damaged or changed after training.
    Loading stops (the service does not start) rather than serving weights nobody trained."""
