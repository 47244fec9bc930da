"""PATENT_MISSING, PATENT_NUMBER_INVALID, PATENT_LITIGATED_NO_CASE, PATENT_NOT_HELD.

- A product filing or annual update needs at least one related patent with a number.
- Each number must be a Chinese application number (``screening.validators.patent_number``);
  publication numbers and foreign or international numbers are named as what they are.
- A patent marked litigated (涉诉: survived an invalidation procedure) needs its case number.
- When the holder or licensee is supplied, the filing entity must be one of them (co-owners
  listed together, separated by ; ； , ， 、 or a new line, count). Names are compared after
  folding full-width characters (brackets included) and removing whitespace.
"""

from __future__ import annotations

import re

from ..contract import PRODUCT_STAGES
from ..pipeline import Check, ScreeningContext
from ..validators.patent_number import validate_patent_number
from .entity import normalize_name

_PARTIES = re.compile(r"[;；,，、\n]+")


def parties(text: str) -> set[str]:
    """The normalised names in a holder/licensee field (the whole field, and each listed name)."""
    whole = normalize_name(text)
    names = {normalize_name(p) for p in _PARTIES.split(text)}
    return {n for n in names | {whole} if n}


class PatentRules(Check):
    name = "patent-rules"
    part = "rules"
    codes = ("PATENT_MISSING", "PATENT_NUMBER_INVALID", "PATENT_LITIGATED_NO_CASE", "PATENT_NOT_HELD")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in PRODUCT_STAGES

    def run(self, ctx: ScreeningContext) -> None:
        sub = ctx.submission
        if sub.product is None:
            ctx.skip("product", "关联专利")
            return
        patents = sub.product.patents or []
        numbered = [p for p in patents if p.number and p.number.strip()]
        if not numbered:
            ctx.add(
                "PATENT_MISSING", "product.patents",
                "未关联专利：备案产品须关联维持有效的中国发明、实用新型或外观设计专利",
                evidence={"count": len(patents)},
            )
        entity_name = sub.entity.name if sub.entity is not None and sub.entity.name else None
        entity_key = normalize_name(entity_name) if entity_name else None
        # the filer's former names (曾用名) hold its patents too (seed 002 四(一))
        former = {normalize_name(n) for n in (sub.entity.former_names or [])} if entity_key else set()
        max_year = ctx.today.year
        for i, patent in enumerate(patents):
            base = f"product.patents[{i}]"
            if patent.number and patent.number.strip():
                result = validate_patent_number(patent.number, max_year=max_year)
                if not result.valid:
                    ctx.add(
                        "PATENT_NUMBER_INVALID", f"{base}.number",
                        f"第{i + 1}项关联专利的专利号无效：" + "；".join(result.reasons),
                        evidence={"number": patent.number, **{k: v for k, v in result.to_dict().items() if k != "raw"}},
                    )
            elif numbered:
                ctx.skip(f"{base}.number", f"第{i + 1}项关联专利的专利号")
            if patent.litigated and not (patent.case_number and patent.case_number.strip()):
                ctx.add(
                    "PATENT_LITIGATED_NO_CASE", f"{base}.case_number",
                    f"第{i + 1}项关联专利（{patent.number or '未填专利号'}）标记为涉诉专利，但未注明案件编号",
                    evidence={"number": patent.number, "litigated": True},
                )
            self._held(ctx, i, patent.holder, patent.licensee, entity_name, entity_key, patent.number, former)

    @staticmethod
    def _held(ctx, i, holder, licensee, entity_name, entity_key, number, former=frozenset()) -> None:
        given = [(role, text) for role, text in (("holder", holder), ("licensee", licensee)) if text and text.strip()]
        if not given:
            return  # no holder data supplied: nothing to compare (DOMAIN.md: "when holder data is supplied")
        if entity_key is None:
            ctx.skip("entity.name", f"第{i + 1}项关联专利的专利权人/被许可人与备案单位的比对")
            return
        if any(({entity_key} | set(former)) & parties(text) for _, text in given):
            return
        shown = "；".join(f"{'专利权人' if role == 'holder' else '被许可人'}为“{text}”" for role, text in given)
        ctx.add(
            "PATENT_NOT_HELD", f"product.patents[{i}].{given[0][0]}",
            f"第{i + 1}项关联专利（{number or '未填专利号'}）的{shown}，备案单位“{entity_name}”既不是专利权人也不是被许可人",
            evidence={"number": number, "holder": holder, "licensee": licensee, "entity_name": entity_name},
        )
