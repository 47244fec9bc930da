"""The rule checks (no models), in the order they run: files first, so readers get decoded images."""

from __future__ import annotations

from ..pipeline import Check
from .calendar_rules import CalendarRules
from .completeness import CompletenessRules
from .entity import EntityRules
from .figures import FigureRules
from .files import FileCheck
from .patents import PatentRules
from .product_form import ProductFormRules


def rule_checks() -> list[Check]:
    return [FileCheck(), EntityRules(), FigureRules(), ProductFormRules(), PatentRules(), CompletenessRules(),
            CalendarRules()]
