"""Product, patents and entity consistency (the review rules of the second round, DOMAIN.md).

They run after the document readers, so that the business scope read from the licence is there
when the form does not carry it: register (PATENT_NOT_IN_FORCE, PATENT_NOT_HELD, PATENT_ALL_LAPSED),
the product against its patents (NAME_NOT_IN_PATENTS, DESIGN_PATENT_ONLY), model lines
(MODEL_LINES_DIFFER), industry code and export (INDUSTRY_CODE_INVALID, CATEGORY_MISMATCH,
EXPORT_DESTINATIONS_MISSING), business scope (SCOPE_MISMATCH, ENTITY_INELIGIBLE).
"""

from __future__ import annotations

from ..pipeline import Check
from .industry import IndustryRules
from .model_lines import ModelLineRules
from .product_patents import ProductPatentRules
from .register import RegisterRules
from .scope import ScopeRules


def consistency_checks() -> list[Check]:
    return [RegisterRules(), ProductPatentRules(), ModelLineRules(), IndustryRules(), ScopeRules()]
