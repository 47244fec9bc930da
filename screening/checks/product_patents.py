"""NAME_NOT_IN_PATENTS, DESIGN_PATENT_ONLY: the product against its own patents.

- NAME_NOT_IN_PATENTS (medium): the product name shares nothing with the titles of its related
  patents. Titles come from the form (``patent.title``) or, failing that, from the patent
  register snapshot; with no title known there is nothing to compare (said once). "Shares
  nothing": no two-character word of the name (after dropping generic words such as 一种, 装置,
  系统, 产品, 智能, 新型) occurs in any title, no Latin/digit word of the name (LED, 5G) occurs
  in any title, and the name's head character (its last, e.g. 椅 in 办公椅 against 座椅扶手) is in
  no title unless that character is too generic to tell (器, 机, 件, 品…). Seed 002 附件 九:
  "备案产品附属产品所使用的专利不属于备案产品使用的专利"; 五(一)2 ④ "作为专利布局的防御性专利，未直接
  在产品上使用，不属于备案产品使用的专利。"
- DESIGN_PATENT_ONLY (info): every core patent (``core: true``; with none marked, every related
  patent) is a design patent (type digit 3): the reviewer must compare its drawing with the
  product's look (seed 002 五(一)2 ⑤).
"""

from __future__ import annotations

import re
import unicodedata

from ..pipeline import Check, ScreeningContext
from ..register import patent_key, type_digit
from .register import register_entries

PRODUCT_STAGES = ("product", "annual_update")
RULE_TITLES = "作为专利布局的防御性专利，未直接在产品上使用，不属于备案产品使用的专利。"
RULE_DESIGN = "进行备案的产品外观设计专利应当与产品外观相同或者无实质差异"

# words that say nothing about which product it is; removed from the name before comparing
_GENERIC_WORDS = re.compile(
    "一种|一类|装置|设备|系统|结构|组件|部件|方法|产品|制品|用品|智能|新型|多功能|高效|专用|用于|及其|以及|组合|"
    "模块|总成|机构|工艺|技术|材料|的|和|与|及|其"
)
# head characters too generic to tie a name to a title by themselves
_GENERIC_HEADS = frozenset("器机件品物具仪剂料类体板片管线材装置备统架块")
_LATIN = re.compile(r"[A-Za-z]{2,}|\d+[A-Za-z]+[A-Za-z\d]*")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).upper()


def shares_words(name: str, titles: list[str]) -> tuple[bool, str | None]:
    """(whether the name shares a word with a title, the word shared)."""
    folded = _fold(name)
    joined = " ".join(_fold(t) for t in titles)
    for word in _LATIN.findall(folded):
        if word in joined:
            return True, word
    core = _GENERIC_WORDS.sub(" ", re.sub(r"[^\u4e00-\u9fff]+", " ", folded))
    for part in core.split():
        for i in range(len(part) - 1):
            if part[i:i + 2] in joined:
                return True, part[i:i + 2]
    cjk = re.sub(r"[^\u4e00-\u9fff]", "", folded)
    if cjk and cjk[-1] not in _GENERIC_HEADS and cjk[-1] in joined:
        return True, cjk[-1]
    return False, None


class ProductPatentRules(Check):
    name = "product-patent-rules"
    part = "rules"
    codes = ("NAME_NOT_IN_PATENTS", "DESIGN_PATENT_ONLY")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in PRODUCT_STAGES and ctx.submission.product is not None

    def run(self, ctx: ScreeningContext) -> None:
        product = ctx.submission.product
        keyed = [(i, p, k) for i, p in enumerate(product.patents or []) if (k := patent_key(p.number))]
        if not keyed:
            return
        self._design_only(ctx, keyed)
        if not (product.name and product.name.strip()):
            return  # the name's own checks say it is missing
        read = ctx.extracted.get("patent_register")  # RegisterRules ran first: no second lookup
        if read is not None:
            snapshot, known = read["snapshot"], {k: e.get("title") for k, e in read["patents"].items()}
        else:
            snapshot, found = register_entries(ctx)
            known = {k: e.title for k, e in found.items()}
        titles = []
        for i, p, key in keyed:
            title = (p.title or "").strip() or (known.get(key) or "").strip()
            if title:
                titles.append((i, p.number, title))
        if not titles:
            if snapshot is not None:
                ctx.skip("product.patents", "产品名称与关联专利名称的比对（专利名称未知）")
            return
        shared, word = shares_words(product.name, [t for _, _, t in titles])
        if shared:
            return
        shown = "；".join(f"{n}“{t}”" for _, n, t in titles[:5])
        ctx.add(
            "NAME_NOT_IN_PATENTS", "product.name",
            f"产品名称“{product.name}”与关联专利的名称（{shown}）没有任何共同之处，请核实这些专利是否直接用于该产品："
            f"{RULE_TITLES}",
            evidence={"name": product.name, "titles": [{"number": n, "title": t} for _, n, t in titles],
                      "rule": RULE_TITLES},
            confidence=0.8,
        )

    @staticmethod
    def _design_only(ctx: ScreeningContext, keyed) -> None:
        core = [(i, p, k) for i, p, k in keyed if p.core]
        considered = core or keyed
        if not all(type_digit(k) == "3" for _, _, k in considered):
            return
        i, p, _ = considered[0]
        which = "唯一的核心专利" if len(considered) == 1 else f"全部{len(considered)}项核心专利"
        if not core:
            which = "关联专利（未标记核心专利）" if len(keyed) > 1 else "唯一的关联专利"
        ctx.add(
            "DESIGN_PATENT_ONLY", f"product.patents[{i}].number",
            f"{which}（{'、'.join(q.number for _, q, _ in considered)}）为外观设计专利，请核对其图片与产品外观是否相同或无实质差异："
            f"{RULE_DESIGN}",
            evidence={"numbers": [q.number for _, q, _ in considered], "type": "外观设计", "rule": RULE_DESIGN},
        )
