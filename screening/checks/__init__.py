"""The pipeline's checks, in the order they run (see ``screening.pipeline``)."""

from __future__ import annotations

from ..pipeline import Check


def default_checks() -> list[Check]:
    checks: list[Check] = []
    try:  # TEMPORARY while the parts land; made explicit at integration
        from .rules import rule_checks
        checks += rule_checks()
    except ImportError:
        pass
    try:
        from .documents import DocumentChecks
        checks.append(DocumentChecks())
    except ImportError:
        pass
    try:
        from .text import TextChecks
        checks.append(TextChecks())
    except ImportError:
        pass
    from .duplicates import DuplicateChecks
    checks.append(DuplicateChecks())
    return checks
