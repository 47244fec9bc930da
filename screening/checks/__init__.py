"""The pipeline's checks, in the order they run (see ``screening.pipeline``)."""

from __future__ import annotations

from ..pipeline import Check
from .consistency import consistency_checks
from .documents import DocumentChecks
from .duplicates import DuplicateChecks
from .filed_record import FiledRecordChecks
from .rules import rule_checks
from .text import TextChecks


def default_checks() -> list[Check]:
    """files → rules → documents → consistency → text → filed record → duplicates; priority is scored after them all."""
    return [*rule_checks(), DocumentChecks(), *consistency_checks(), TextChecks(), FiledRecordChecks(), DuplicateChecks()]
