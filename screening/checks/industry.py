"""INDUSTRY_CODE_INVALID, CATEGORY_MISMATCH (from the industry code), EXPORT_DESTINATIONS_MISSING.

- The product's industry (产品所属产业) is chosen from GB/T 4754-2017 (seed 002 五(一)1 (4):
  "“产品所属产业”参照国家统计局发布的《国民经济行业分类》（GB/T 4754-2017）中的行业分类标准"); the
  platform's list ends at the 4-digit class, written section letter + 4 digits (C3851). A code
  that is not such a class is INDUSTRY_CODE_INVALID, with what it is instead: a section,
  division or group (and its classes to choose from), digits under the wrong section letter, or
  a code the standard does not have. The 4 digits alone (3851) name the class unambiguously and
  pass. The table ships in ``screening/data/gbt4754_2017.csv`` (``prescreen train gbt4754-table``).
- A manufacturing class (section C) with a product category that is a service (its name ends in
  服务) is CATEGORY_MISMATCH (附件 五: "实物类产品不可分类至技术服务类，技术服务类产品不可分类至实物类产品"),
  and so is a service section (I, M) with a category named as a manufactured good (…制造).
- Export (seed 002 五(一)1 (8)): exported "yes" needs its destinations (出口地); export sales
  with exported "no" contradict the form ("若截至目前备案产品尚未出口，则需选择“否”").
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

from ..pipeline import Check, ScreeningContext

PRODUCT_STAGES = ("product", "annual_update")
TABLE = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.csv"
RULE_INDUSTRY = "“产品所属产业”参照国家统计局发布的《国民经济行业分类》（GB/T 4754-2017）中的行业分类标准"
RULE_CATEGORY = "实物类产品不可分类至技术服务类，技术服务类产品不可分类至实物类产品"
RULE_EXPORT = "“是否出口”选择“是”，则会出现“出口地”（可多选）……若截至目前备案产品尚未出口，则需选择“否”"
_LEVEL = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}
_SERVICE_SECTIONS = ("I", "M")


@cache
def industry_table() -> dict[str, tuple[int, str]]:
    """code -> (level 1–4, name), read on first use."""
    with TABLE.open(encoding="utf-8") as f:
        return {r["code"]: (int(r["level"]), r["name"]) for r in csv.DictReader(f)}


@cache
def section_of_division() -> dict[str, str]:
    return {code[1:]: code[0] for code, (level, _) in industry_table().items() if level == 2}


def read_industry_code(raw: str) -> tuple[str | None, str | None]:
    """(the class code, or None; the Chinese reason it is not a class)."""
    table = industry_table()
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).upper()
    if re.fullmatch(r"\d{4}", code):
        section = section_of_division().get(code[:2])
        if section and section + code in table:
            return section + code, None
    if code in table and table[code][0] == 4:
        return code, None
    if code in table:
        level, name = table[code]
        examples = [c for c, (lv, _) in table.items() if lv == 4 and c.startswith(code)][:4]
        return None, (f"“{raw}”是{_LEVEL[level]}“{name}”，不是4位小类，请选择其下的小类（如{'、'.join(examples)}）"
                      if examples else f"“{raw}”是{_LEVEL[level]}“{name}”，不是4位小类")
    m = re.fullmatch(r"([A-Z])(\d{4})", code)
    if m:
        section = section_of_division().get(m.group(2)[:2])
        if section and section != m.group(1) and section + m.group(2) in table:
            right = section + m.group(2)
            return None, f"“{raw}”的门类字母有误：{m.group(2)}属于门类{section}，应为{right}（{table[right][1]}）"
        return None, f"《国民经济行业分类》（GB/T 4754-2017）中没有行业代码“{raw}”"
    return None, f"“{raw}”不是国民经济行业分类代码的格式（门类字母加4位数字，如C3851）"


class IndustryRules(Check):
    name = "industry-rules"
    part = "rules"
    codes = ("INDUSTRY_CODE_INVALID", "CATEGORY_MISMATCH", "EXPORT_DESTINATIONS_MISSING")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in PRODUCT_STAGES and ctx.submission.product is not None

    def run(self, ctx: ScreeningContext) -> None:
        product = ctx.submission.product
        self._industry(ctx, product)
        self._export(ctx, product)

    def _industry(self, ctx: ScreeningContext, product) -> None:
        raw = (product.industry.code or "").strip() if product.industry else ""
        if not raw:
            ctx.skip("product.industry.code", "产品所属产业代码")
            return
        code, reason = read_industry_code(raw)
        if code is None:
            ctx.add("INDUSTRY_CODE_INVALID", "product.industry.code", f"产品所属产业代码无效：{reason}",
                    evidence={"code": raw, "rule": RULE_INDUSTRY})
            return
        level, name = industry_table()[code]
        ctx.extracted["industry"] = {"code": code, "name": name}
        category = (product.category.name or "").strip() if product.category else ""
        if not category:
            return
        if code[0] == "C" and category.endswith("服务"):
            why = f"行业为制造业小类“{code} {name}”，产品分类却是服务类“{category}”"
        elif code[0] in _SERVICE_SECTIONS and category.endswith("制造"):
            why = f"行业为服务业小类“{code} {name}”，产品分类却是制造类“{category}”"
        else:
            return
        ctx.add("CATEGORY_MISMATCH", "product.category", f"产品分类与所属产业不一致：{why}",
                evidence={"industry_code": code, "industry_name": name, "category": category, "rule": RULE_CATEGORY},
                confidence=0.8)

    def _export(self, ctx: ScreeningContext, product) -> None:
        destinations = [d for d in (product.export_destinations or []) if d and d.strip()]
        export = product.figures_wan.export if product.figures_wan else None
        if product.exported is True and not destinations:
            ctx.add("EXPORT_DESTINATIONS_MISSING", "product.export_destinations",
                    "“是否出口”填写为“是”，但未填写出口地",
                    evidence={"exported": True, "export_destinations": product.export_destinations,
                              "export_wan": export, "rule": RULE_EXPORT})
        elif product.exported is False and export is not None and export > 0:
            ctx.add("EXPORT_DESTINATIONS_MISSING", "product.exported",
                    f"“是否出口”填写为“否”，但填写了出口额{export:g}万元",
                    evidence={"exported": False, "export_wan": export, "export_destinations": destinations,
                              "rule": RULE_EXPORT})
