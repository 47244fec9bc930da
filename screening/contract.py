"""The submission and the report, exactly as CONTRACT.md writes them, as plain dataclasses.

Every field a filer may leave empty is ``Optional`` and defaults to ``None``; checks that need
it report ``CHECK_SKIPPED`` instead of failing. Parsing from JSON lives in ``parsing.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

Stage = Literal["entity", "product", "annual_update", "revocation"]
EntityKind = Literal["enterprise", "university", "research_institute", "rd_institution", "social_organization"]
DocumentKind = Literal[
    "business_licence",
    "profit_statement",
    "integrity_pledge",
    "product_photo",
    "product_image",
    "economic_proof",
    "certification",
    "product_video",
    "organisation_certificate",
    "seal_explanation",
]
DecisionKind = Literal["approved", "rejected", "returned"]
FeedbackKind = Literal["confirmed", "false_positive"]

STAGES: tuple[str, ...] = ("entity", "product", "annual_update", "revocation")
PRODUCT_STAGES: tuple[str, ...] = ("product", "annual_update")  # the stages whose form carries a product to screen
ENTITY_KINDS: tuple[str, ...] = ("enterprise", "university", "research_institute", "rd_institution", "social_organization")
DOCUMENT_KINDS: tuple[str, ...] = (
    "business_licence", "profit_statement", "integrity_pledge", "product_photo",
    "product_image", "economic_proof", "certification", "product_video",
    "organisation_certificate",  # 组织机构代码证: stands in for the licence (seed 002 三(一))
    "seal_explanation",  # 本单位无财务章的说明: lets the official seal stand for the finance seal (seed 002 三(一))
)
RevocationReason = Literal["off_market", "patents_lapsed", "patents_transferred", "other"]


@dataclass
class EntityFigures:
    """Entity finances for ``figures_year``, in 万元."""

    total_cost: float | None = None
    ip_investment: float | None = None
    net_profit: float | None = None
    operating_revenue: float | None = None
    total_product_sales: float | None = None
    fixed_assets: float | None = None
    total_output: float | None = None
    selling_expense: float | None = None
    admin_expense: float | None = None
    finance_expense: float | None = None
    patent_assets: float | None = None
    total_assets: float | None = None


@dataclass
class Entity:
    uscc: str | None = None
    name: str | None = None
    kind: EntityKind | None = None
    figures_year: int | None = None
    figures_wan: EntityFigures | None = None
    employees: int | None = None
    former_names: list[str] | None = None  # 曾用名: the register may still name the holder so
    business_scope: str | None = None  # 经营范围 as on the licence (else read from the licence by OCR)


@dataclass
class CodeName:
    code: str | None = None
    name: str | None = None


@dataclass
class ProductFigures:
    """Product economics for last year, in 万元."""

    sales: float | None = None
    export: float | None = None
    profit: float | None = None
    ip_investment: float | None = None
    total_cost: float | None = None


@dataclass
class Patent:
    number: str | None = None
    core: bool | None = None
    litigated: bool | None = None
    case_number: str | None = None
    holder: str | None = None
    licensee: str | None = None
    title: str | None = None


@dataclass
class Product:
    name: str | None = None
    models: list[str] | None = None
    models_reason: str | None = None
    trademark: str | None = None
    category: CodeName | None = None
    industry: CodeName | None = None
    intro: str | None = None
    exported: bool | None = None
    export_destinations: list[str] | None = None
    figures_wan: ProductFigures | None = None
    market_share_pct: float | None = None
    patents: list[Patent] | None = None


@dataclass
class DocumentRef:
    kind: DocumentKind
    file: str


@dataclass
class Revocation:
    """Why a filer withdraws a filed product (seed 000 七: off the market, patents lapsed or
    transferred, or another reason)."""

    reason: RevocationReason | None = None
    explanation: str | None = None


@dataclass
class Submission:
    submission_id: str
    stage: Stage
    submitted_at: datetime | None = None
    entity: Entity | None = None
    product: Product | None = None
    documents: list[DocumentRef] = field(default_factory=list)
    # an annual update or revocation: the submission_id of the product's filing it refers to
    filed_submission_id: str | None = None
    revocation: Revocation | None = None  # stage "revocation" only

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)

    def documents_of(self, kind: str) -> list[DocumentRef]:
        return [d for d in self.documents if d.kind == kind]


@dataclass
class Finding:
    code: str
    severity: str
    field: str | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    confidence: float = 1.0
    source: str = "rules"


@dataclass
class Priority:
    score: float
    p_reject: float | None
    reasons: list[str]
    model: str = "severity-prior@1"


@dataclass
class DuplicateRef:
    submission_id: str
    score: float
    product_name: str | None = None
    entity_name: str | None = None


@dataclass
class Report:
    submission_id: str
    status: Literal["complete", "degraded"]
    priority: Priority
    findings: list[Finding]
    extracted: dict[str, Any] = field(default_factory=dict)
    duplicates: list[DuplicateRef] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    revision: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


@dataclass
class FindingFeedback:
    """A reviewer's verdict on one finding of the decided revision's report.

    Names the finding by its position in the report's ``findings`` list, or by ``code`` (and
    ``field`` when the code occurs more than once)."""

    verdict: FeedbackKind
    finding: int | None = None
    code: str | None = None
    field: str | None = None


@dataclass
class Decision:
    """What a reviewer decided (CONTRACT.md ``POST /v1/screenings/{id}/decision``)."""

    decision: DecisionKind
    reason_codes: list[str] = field(default_factory=list)
    feedback: list[FindingFeedback] = field(default_factory=list)
    comment: str | None = None
    reviewer: str | None = None
    revision: int | None = None  # default: the latest


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def to_jsonable(obj: Any) -> Any:
    """Dataclasses to JSON-ready dicts; datetimes as ISO 8601.

    Walks the fields directly (``dataclasses.asdict`` deep-copies first, which made this the
    biggest cost of recording a screening)."""
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None and hasattr(obj, "__dataclass_fields__"):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(obj))
    if names is not None:
        return {n: to_jsonable(getattr(obj, n)) for n in names}
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    return obj
