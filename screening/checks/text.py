"""NAME_*, MODEL_INVALID_CONTENT, INTRO_OFF_TOPIC, CATEGORY_MISMATCH: the product's words,
screened by the text models (``ctx.resources.text``, a ``models.text_screener.TextScreener``
loaded once at start-up) together with their exact rules.

Every finding carries the span at fault and, for the name codes, the suggested name; its
source is the model version that produced it (e.g. ``name-tagger@2026.11.1``) or ``rules``.

When a text-feedback filter is in service (``ctx.resources.text_feedback``, following the
registry alias ``text-feedback``; ``models.text_feedback``), findings reviewers have taught it
to recognise as false positives are dropped after the screener; what was dropped is listed in
the report's ``extracted["text_feedback_dropped"]``. Exact-rule findings are never dropped.
"""

from __future__ import annotations

from ..contract import PRODUCT_STAGES
from ..errors import ModelError
from ..pipeline import Check, ScreeningContext


class TextChecks(Check):
    name = "text"
    part = "text"
    codes = (
        "NAME_METHOD", "NAME_PATENT_TITLE", "NAME_BRAND", "NAME_TOO_BROAD", "NAME_MULTI_PRODUCT", "NAME_HAS_SPEC",
        "NAME_VAGUE_WORDING", "NAME_ADJECTIVE", "NAME_FOREIGN_OR_CODE", "NAME_SELF_COINED",
        "MODEL_INVALID_CONTENT", "INTRO_OFF_TOPIC", "CATEGORY_MISMATCH",
    )

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in PRODUCT_STAGES

    def run(self, ctx: ScreeningContext) -> None:
        product = ctx.submission.product
        if product is None:
            ctx.skip("product", "产品名称、型号与简介的文字审查")
            return
        screener = ctx.resources.text
        if screener is None:  # the pipeline turns this into CHECK_FAILED and a degraded report
            raise ModelError("text models are not loaded")
        if not (product.name or "").strip():
            ctx.skip("product.name", "产品名称")
        entity = getattr(ctx.submission, "entity", None)
        findings = screener.screen(product, company=getattr(entity, "name", None))
        served = ctx.resources.text_feedback
        feedback = served.current() if served is not None else None
        if feedback is not None:
            findings, dropped = feedback.apply(findings, product)
            if dropped:
                ctx.extracted["text_feedback_dropped"] = dropped
        for f in findings:
            if f.code in self.codes:
                ctx.add(f.code, f.field, f.message, evidence=f.evidence, confidence=f.confidence, source=f.source)
