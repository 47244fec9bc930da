"""Validators for the identifiers a filing carries: pure functions, no I/O, no models.

- ``uscc``: the Unified Social Credit Code (GB 32100-2015), its organisation-code check
  (GB 11714) and the OCR helper that corrects one confusable character;
- ``patent_number``: Chinese patent application numbers (专利号) with their check character.
"""

from .patent_number import PatentNumberResult, validate_patent_number
from .uscc import UsccResult, candidates_for_one_confusable, correct_one_confusable, normalize_uscc, validate_uscc

__all__ = [
    "PatentNumberResult",
    "UsccResult",
    "candidates_for_one_confusable",
    "correct_one_confusable",
    "normalize_uscc",
    "validate_patent_number",
    "validate_uscc",
]
