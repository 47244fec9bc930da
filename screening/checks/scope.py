"""SCOPE_MISMATCH (medium) and ENTITY_INELIGIBLE for universities and research institutes that
neither make nor sell: who may file (seed 002 附件 一: "备案单位应为具有独立法人资格的单位，且是制造、
销售产品的专利权人或被许可人。不符合上述条件的单位无备案资格，如：无独立法人资格的分公司、不制造且销售产品的
大学或科研院所等。"; 五(一)1 (1): "备案产品应是备案主体生产或制造的产品或提供的技术服务").

The business scope (经营范围) is the form's ``entity.business_scope`` or, failing that, the scope
read from the licence (``extracted["business_licence"]["business_scope"]``). Precision first:
the scope *covers* the product — no finding — when any of these holds:

1. it is an open clause: the old registrations' "…无需许可（审批）的，市场主体自主选择经营", or general
   trade in goods without a class (商品批发贸易, 商品零售贸易, 一般商品贸易);
2. it shares a two-character word with the product's name, its category name, or the names of
   its GB/T 4754 class or group (generic words such as 制造, 加工, 销售, 设备, 产品 aside):
   "销售：家用电器" covers 家用电冰箱 in C3851 家用制冷电器具制造 (家用, 电器);
3. it names a broad class of goods that contains the product's industry (``BROAD_CLASSES``:
   日用百货 covers C33 metal goods, C24, C29…; 电子产品 covers C39; 五金交电 covers C33, C38…),
   as goods — not followed by 技术, 服务, 工程, 安装, 保险, 租赁, 咨询, 行业, 领域 (机电安装工程,
   机动车辆保险 and 电子技术服务 sell nothing).

Only a scope that meets none of these is SCOPE_MISMATCH: it neither makes nor sells the product.
Without a valid industry class (absent, or INDUSTRY_CODE_INVALID) rule 3 cannot be applied, so
a scope that fails 1–2 gives CHECK_SKIPPED instead of a finding.

ENTITY_INELIGIBLE (confidence 0.8, "请核实"): a ``university`` or ``research_institute`` filing a
product with no evidence that it makes or sells products: its 单位年度所有产品总销售额 is absent or 0
*and* its scope (if any) names no making or selling (生产, 制造, 加工, 销售, 经销, 批发, 零售, 研制并销售…).
A university whose product sales are > 0, or whose scope makes or sells, passes: the product
itself may then be sold by it.
"""

from __future__ import annotations

import re
import unicodedata

from ..pipeline import Check, ScreeningContext
from .industry import industry_table, read_industry_code

PRODUCT_STAGES = ("product", "annual_update")
RULE_SCOPE = "备案单位应为具有独立法人资格的单位，且是制造、销售产品的专利权人或被许可人。"
RULE_UNIVERSITY = "不符合上述条件的单位无备案资格，如：无独立法人资格的分公司、不制造且销售产品的大学或科研院所等。"
_OPEN_CLAUSE = re.compile("自主选择经营|商品批发贸易|商品零售贸易|一般商品贸易")
_MAKES_OR_SELLS = re.compile("生产|制造|加工|销售|经销|批发|零售|代销|购销|研制|制作|组装|装配|经营")
# two-character words that say nothing about the product
_GENERIC = frozenset(
    "制造 加工 生产 销售 其他 设备 产品 制品 服务 技术 专用 相关 业务 经营 活动 零售 批发 开发 用品 材料 器具 "
    "装置 系统 一种 工业 行业 制作 修理 维修 研发 咨询 以上 项目 除外 许可 依法 批准 经营".split()
)
# a broad class word followed by these is a service or an industry, not goods (电子技术服务,
# 机电安装工程, 机动车辆保险, 通讯行业)
_NOT_GOODS = "(?!技术|服务|工程|安装|保险|租赁|咨询|行业|领域|专业)"
# a broad class of goods in a scope -> the GB/T 4754 code prefixes it contains
BROAD_CLASSES: dict[str, tuple[str, ...]] = {
    "日用百货": ("C17", "C18", "C19", "C20", "C21", "C22", "C23", "C24", "C268", "C29", "C30", "C33", "C385", "C387"),
    "百货": ("C17", "C18", "C19", "C21", "C22", "C24", "C268", "C29", "C33", "C385"),
    "日用品": ("C17", "C19", "C22", "C24", "C268", "C29", "C33", "C385"),
    "五金": ("C33", "C34", "C38"),
    "交电": ("C38", "C39"),
    "电子产品": ("C38", "C39", "C40"),
    "机电": ("C33", "C34", "C35", "C36", "C37", "C38", "C39", "C40"),
    "机械": ("C33", "C34", "C35", "C36", "C37", "C38"),
    "通讯器材": ("C392", "C393", "C396"),
    "通讯设备": ("C392",),
    "通讯产品": ("C392",),
    "通信产品": ("C392",),
    "数码产品": ("C39",),
    "家电": ("C385",),
    "电器": ("C38", "C39"),
    "家具": ("C21",),
    "家俱": ("C21",),  # the older spelling, common in real registrations
    "医疗器械": ("C358", "C2770", "C2780"),
    "服装": ("C18",),
    "纺织品": ("C17", "C18"),
    "鞋帽": ("C18", "C19"),
    "食品": ("C13", "C14", "C15"),
    "化工产品": ("C26",),
    "建筑材料": ("C30", "C33", "C29", "C20"),
    "建材": ("C30", "C33", "C29", "C20"),
    "办公用品": ("C24", "C29", "C3474"),
    "文化用品": ("C24",),
    "体育用品": ("C244",),
    "玩具": ("C245",),
    "汽车配件": ("C36",),
    "汽车零部件": ("C36",),
    "计算机": ("C391", "I65"),
    "软件": ("I65",),
    "仪器仪表": ("C40",),
    "金属制品": ("C33",),
    "塑料制品": ("C292",),
    "橡胶制品": ("C291",),
    "照明器材": ("C387",),
    "灯具": ("C387",),
    "灯饰": ("C387",),
    "电池": ("C384",),
    "交通工具": ("C37",),
    "车辆": ("C36", "C37"),
}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _words(text: str) -> set[str]:
    out = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", _fold(text)):
        out |= {run[i:i + 2] for i in range(len(run) - 1)}
    return {w for w in out if w not in _GENERIC and not set(w) & set("和及与或的其")}


# how a licence's scope paragraph ends: "…。", "…（依法须经批准的项目，…方可开展经营活动）" and the like
SCOPE_ENDINGS = ("。", "）", ")", "活动", "经营")


def covered(scope: str, names: list[str], industry_code: str | None) -> tuple[bool, str]:
    """(whether the scope covers making or selling the product, the reason as evidence)."""
    text = _fold(scope)
    if _OPEN_CLAUSE.search(text):
        return True, "经营范围为“市场主体自主选择经营”的开放条款"
    for name in names:
        for word in sorted(_words(name)):
            if word in text:
                return True, f"经营范围含“{word}”（{name}）"
    if industry_code:
        for broad, prefixes in BROAD_CLASSES.items():
            if industry_code.startswith(prefixes) and re.search(re.escape(broad) + _NOT_GOODS, text):
                return True, f"经营范围含大类“{broad}”，涵盖行业{industry_code}"
    return False, ""


def industry_names(code: str | None) -> list[str]:
    if not code:
        return []
    table = industry_table()
    # class and group; a division's name is too broad to match words (运输 in 铁路、船舶…运输设备制造业
    # would cover 道路货物运输): divisions are covered through BROAD_CLASSES instead
    return list(dict.fromkeys(table[c][1] for c in (code, code[:4]) if c in table))


class ScopeRules(Check):
    name = "scope-rules"
    part = "rules"
    codes = ("SCOPE_MISMATCH", "ENTITY_INELIGIBLE")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in PRODUCT_STAGES and ctx.submission.product is not None

    def run(self, ctx: ScreeningContext) -> None:
        sub = ctx.submission
        entity, product = sub.entity, sub.product
        scope, where = None, "entity.business_scope"
        if entity is not None and entity.business_scope and entity.business_scope.strip():
            scope = entity.business_scope.strip()
        else:
            read = (ctx.extracted.get("business_licence") or {}).get("business_scope")
            if isinstance(read, str) and read.strip():
                scope, where = read.strip(), "documents.business_licence"
        self._university(ctx, entity, scope)
        if scope is None:
            ctx.skip("entity.business_scope", "经营范围是否涵盖产品的制造或销售")
            return
        if where != "entity.business_scope" and not scope.endswith(SCOPE_ENDINGS):
            # a paragraph read by OCR that stops mid-sentence may have lost the very words that cover
            # the product: judge only a whole one (precision first)
            ctx.add("CHECK_SKIPPED", "entity.business_scope", "营业执照上的经营范围未能完整读出，请填写经营范围或人工核查",
                    evidence={"check": "business_scope", "business_scope": scope, "source": where},
                    source="pipeline")
            return
        raw_code = (product.industry.code or "").strip() if product.industry else ""
        code = read_industry_code(raw_code)[0] if raw_code else None
        names = [n for n in (product.name, product.category.name if product.category else None,
                             product.industry.name if product.industry else None) if n and n.strip()]
        names += industry_names(code)
        if not names:
            return
        ok, reason = covered(scope, names, code)
        if ok:
            ctx.extracted["business_scope"] = {"covered": True, "reason": reason, "source": where}
            return
        if code is None:  # no valid class to tell which broad classes cover it: precision first
            ctx.add("CHECK_SKIPPED", "entity.business_scope",
                    "产品所属产业代码缺失或无效，经营范围与产品名称无共同用语，无法判断经营范围是否涵盖该产品",
                    evidence={"check": "business_scope", "business_scope": scope, "industry_code": raw_code or None},
                    source="pipeline")
            return
        ctx.add(
            "SCOPE_MISMATCH", "entity.business_scope",
            f"经营范围未涵盖产品“{product.name or '（未填名称）'}”（{'、'.join(names[1:3]) or '未填分类'}）的制造或销售："
            f"经营范围为“{scope[:80]}{'…' if len(scope) > 80 else ''}”",
            evidence={"business_scope": scope, "source": where, "product": product.name, "matched_against": names,
                      "industry_code": code, "rule": RULE_SCOPE},
            confidence=0.8,
        )

    @staticmethod
    def _university(ctx: ScreeningContext, entity, scope: str | None) -> None:
        if entity is None or entity.kind not in ("university", "research_institute"):
            return
        sales = entity.figures_wan.total_product_sales if entity.figures_wan else None
        if sales is not None and sales > 0:
            return
        if scope is not None and _MAKES_OR_SELLS.search(scope):
            return
        kind = "高校" if entity.kind == "university" else "科研院所"
        seen = "单位年度所有产品总销售额为0" if sales is not None else "未填写单位年度所有产品总销售额"
        seen += "，经营（业务）范围未含生产或销售" if scope is not None else "，未提供经营（业务）范围"
        ctx.add(
            "ENTITY_INELIGIBLE", "entity.kind",
            f"备案单位为{kind}，未见其制造或销售产品的依据（{seen}），请核实：{RULE_UNIVERSITY}",
            evidence={"kind": entity.kind, "total_product_sales": sales, "business_scope": scope,
                      "rule": RULE_UNIVERSITY},
            confidence=0.8,
        )
