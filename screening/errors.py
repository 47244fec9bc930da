"""The project's own exception tree.

The pipeline, storage and CLI raise only these; one handler in ``api/`` maps them to HTTP
status codes and the CLI maps them to exit codes. Every error that is the caller's fault
names the field at fault as a dotted path (``product.patents[0].number``).
"""

from __future__ import annotations

# the base and the errors models raise live in models (the lowest layer); re-exported here
from models.errors import Conflict, ModelError, NotFound, PrescreenError

__all__ = ["PrescreenError", "InvalidInput", "PayloadTooLarge", "NotFound", "Conflict", "Unauthorized",
           "Forbidden", "ModelError", "Unavailable"]


class InvalidInput(PrescreenError):
    """The caller sent something malformed (bad JSON, a wrong type, a missing field)."""


class PayloadTooLarge(InvalidInput):
    """A request or file exceeds a hard bound."""


class Unauthorized(PrescreenError):
    """No or an unknown credential."""


class Forbidden(PrescreenError):
    """A known credential without the right to do this."""


class Unavailable(PrescreenError):
    """Something the service needs is out of reach for now (the database, the upload storage):
    nothing was written; the same request may succeed later."""
