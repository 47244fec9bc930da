"""INTRO_TOO_LONG, MODEL_VAGUE, MODEL_MULTI_UNJUSTIFIED: the product form's exact rules.

- The introduction has a 500-character limit ("500 字以内"); counted as the platform's counter
  does: the characters of the text with surrounding whitespace stripped.
- A model (规格型号) must not say 系列, 等, 各类/各种, 若干, 多种 or trail off with "…"/"...":
  it is unclear which models are meant (appendix 四(三)).
- Several models — several entries, or one entry listing models separated by 、 , ， ; ；
  — need a stated reason why they are one product (appendix 四(二)). A reason that is empty,
  a placeholder (无, 略, 见附件…) or shorter than 4 characters does not count. "/" is not a
  separator: it belongs to model codes (KFR-35GW/BP3DN8Y). Whether a real reason convinces
  is the text models' question, not a rule's.
"""

from __future__ import annotations

import re

from ..contract import PRODUCT_STAGES
from ..pipeline import Check, ScreeningContext

INTRO_LIMIT = 500

# "等" except inside words where it does not mean "and so on" (等级, 同等, 一等品, 等离子, 等径…)
_VAGUE = re.compile(
    r"全系列|系列|各类|各种|若干|多种|等等|(?<![一二三四同均平优特高次])等(?![级离效径厚温压边距比速量值])|…+|\.{3,}|。{3,}"
)
_SEPARATORS = re.compile(r"[、,，;；]+")
_NO_MODEL = frozenset({"无", "/", "-", "—", "——", "暂无", "没有", "n/a", "na", "none"})
_PLACEHOLDER_REASONS = frozenset({
    "无", "没有", "暂无", "略", "同上", "见附件", "详见附件", "见说明", "同一产品", "相同产品", "是", "否",
    "n/a", "na", "none", "null", "-", "/", "—",
})
_PUNCT_ONLY = re.compile(r"^[\W_\d]*$")
MIN_REASON_CHARS = 4


def split_models(models: list[str]) -> list[tuple[int, str]]:
    """[(entry index, model)] with "无" and empty entries dropped and listed models split."""
    out = []
    for i, entry in enumerate(models):
        for part in _SEPARATORS.split(entry):
            part = part.strip()
            if part and part.lower() not in _NO_MODEL:
                out.append((i, part))
    return out


def is_trivial_reason(reason: str | None) -> bool:
    if reason is None:
        return True
    text = reason.strip()
    return (
        len(text) < MIN_REASON_CHARS
        or text.lower().rstrip("。.") in _PLACEHOLDER_REASONS
        or bool(_PUNCT_ONLY.match(text))
    )


class ProductFormRules(Check):
    name = "product-form-rules"
    part = "rules"
    codes = ("INTRO_TOO_LONG", "MODEL_VAGUE", "MODEL_MULTI_UNJUSTIFIED")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in PRODUCT_STAGES

    def run(self, ctx: ScreeningContext) -> None:
        product = ctx.submission.product
        if product is None:
            ctx.skip("product", "产品简介长度与规格型号")
            return
        self._intro(ctx, product.intro)
        if product.models:
            self._models(ctx, product.models, product.models_reason)

    def _intro(self, ctx: ScreeningContext, intro: str | None) -> None:
        if intro is None or not intro.strip():
            ctx.skip("product.intro", "产品简介长度")
            return
        text = intro.strip()
        if len(text) > INTRO_LIMIT:
            ctx.add(
                "INTRO_TOO_LONG", "product.intro",
                f"产品简介共{len(text)}字，超过{INTRO_LIMIT}字的上限（超出{len(text) - INTRO_LIMIT}字）",
                evidence={"length": len(text), "limit": INTRO_LIMIT, "span": [INTRO_LIMIT, len(text)],
                          "text": text[INTRO_LIMIT:INTRO_LIMIT + 60]},
            )

    def _models(self, ctx: ScreeningContext, models: list[str], reason: str | None) -> None:
        for i, entry in enumerate(models):
            m = _VAGUE.search(entry)
            if m:
                ctx.add(
                    "MODEL_VAGUE", f"product.models[{i}]",
                    f"规格型号“{entry}”含有“{m.group(0)}”，不清楚具体包含哪些型号",
                    evidence={"model": entry, "text": m.group(0), "span": [m.start(), m.end()]},
                )
        listed = split_models(models)
        if len(listed) > 1 and is_trivial_reason(reason):
            names = [m for _, m in listed]
            shown = "、".join(names[:6]) + ("等" if len(names) > 6 else "")
            ctx.add(
                "MODEL_MULTI_UNJUSTIFIED", "product.models_reason",
                f"填写了{len(names)}个型号（{shown}），但未陈述它们属于同一备案产品的理由",
                evidence={"models": names, "count": len(names), "models_reason": reason},
            )
