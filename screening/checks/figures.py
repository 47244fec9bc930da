"""ENTITY_FIGURES_INCONSISTENT, PRODUCT_FIGURES_INCONSISTENT, SALES_ZERO: the form's numbers against each other.

All figures are in 万元. "A exceeds B" allows for rounding: A > B + max(0.05, 0.1 % of |B|)
(filers round to a few decimals of 万元; a difference of 5 hundred yuan or 0.1 % is not a
contradiction). Each finding names the field it flags and shows both figures.

Rules whose contradiction can have an honest explanation carry a confidence below 1:
net profit above revenue (investment income, subsidies: 0.8) and the product's IP
investment above the entity's (the platform asks for the product's *cumulative* IP
investment, 本产品知识产权累计投入, but the entity's *annual* one: 0.5).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import EntityFigures, ProductFigures
from ..money import format_money
from ..pipeline import Check, ScreeningContext
from .seed_calendar import beijing_day, deferral_note

ENTITY_LABELS = {
    "total_cost": "单位年度总成本",
    "ip_investment": "单位年度知识产权总投入",
    "net_profit": "单位年度净利润总额",
    "operating_revenue": "单位年度营业收入总额",
    "total_product_sales": "单位年度所有产品总销售额",
    "fixed_assets": "单位年度固定资产总额",
    "total_output": "单位年度所有产品总产值",
    "selling_expense": "单位年度总销售费用",
    "admin_expense": "单位年度总管理费用",
    "finance_expense": "单位年度总财务费用",
    "patent_assets": "单位专利资产金额",
    "total_assets": "单位总资产金额",
}
PRODUCT_LABELS = {
    "sales": "本产品上年度销售额",
    "export": "本产品上年度出口额",
    "profit": "本产品上年度利润",
    "ip_investment": "本产品知识产权累计投入",
    "total_cost": "本产品年度总成本",
}
# never negative (net profit, profits and finance expense — interest income — may be)
ENTITY_NON_NEGATIVE = (
    "total_cost", "ip_investment", "operating_revenue", "total_product_sales", "fixed_assets", "total_output",
    "selling_expense", "admin_expense", "patent_assets", "total_assets",
)
PRODUCT_NON_NEGATIVE = ("sales", "export", "ip_investment", "total_cost")

# (smaller, larger, confidence): entity figure `smaller` must not exceed `larger`
ENTITY_ORDER: tuple[tuple[str, str, float], ...] = (
    ("ip_investment", "total_cost", 1.0),
    ("patent_assets", "total_assets", 1.0),
    ("fixed_assets", "total_assets", 1.0),
    ("net_profit", "operating_revenue", 0.8),
    ("total_product_sales", "operating_revenue", 1.0),
)
ABS_TOLERANCE = 0.05  # 万元 = 500 yuan
REL_TOLERANCE = 0.001
SALES_STAGES = ("product", "annual_update")


def exceeds(a: float, b: float) -> bool:
    return a > b + max(ABS_TOLERANCE, REL_TOLERANCE * abs(b))


def _fmt(v: float) -> str:
    return format_money(v)


@dataclass(frozen=True)
class _Side:
    field: str
    label: str
    value: float


class FigureRules(Check):
    name = "figure-rules"
    part = "rules"
    codes = ("ENTITY_FIGURES_INCONSISTENT", "PRODUCT_FIGURES_INCONSISTENT", "SALES_ZERO")

    def run(self, ctx: ScreeningContext) -> None:
        sub = ctx.submission
        entity_figures = sub.entity.figures_wan if sub.entity is not None else None
        if sub.entity is not None:
            if entity_figures is None:
                if sub.stage == "entity":
                    # date-aware: after 30 April nothing may say the figures can still wait
                    ctx.skip("entity.figures_wan", f"单位资产信息的一致性（{deferral_note(beijing_day(ctx))}）")
                elif sub.product is not None and sub.product.figures_wan is not None:
                    ctx.skip("entity.figures_wan", "产品经济数据与单位数据的比对")
            else:
                self._entity(ctx, entity_figures)
            if sub.entity.employees is not None and sub.entity.employees < 0:
                ctx.add(
                    "ENTITY_FIGURES_INCONSISTENT", "entity.employees", f"单位年度员工人数为负数（{sub.entity.employees}）",
                    evidence={"rule": "non_negative", "value": sub.entity.employees},
                )
        elif sub.stage == "entity":
            ctx.skip("entity", "单位资产信息的一致性")
        if sub.stage not in SALES_STAGES:
            return
        product = sub.product
        if product is None:
            ctx.skip("product", "产品经济数据（销售额、出口额、利润等）")
            return
        figures = product.figures_wan
        if figures is None or figures.sales is None:
            ctx.skip("product.figures_wan.sales", "上年度销售额是否为0")
        elif figures.sales == 0:
            ctx.add(
                "SALES_ZERO", "product.figures_wan.sales",
                "产品上年度销售额为0，不符合“已取得较好的市场经济效益”的备案条件",
                evidence={"sales": figures.sales},
            )
        self._product(ctx, figures, product.exported, product.export_destinations, product.market_share_pct, entity_figures)

    # -- entity ----------------------------------------------------------------------------

    def _entity(self, ctx: ScreeningContext, f: EntityFigures) -> None:
        def side(name: str) -> _Side | None:
            value = getattr(f, name)
            return None if value is None else _Side(f"entity.figures_wan.{name}", ENTITY_LABELS[name], value)

        for name in ENTITY_NON_NEGATIVE:
            s = side(name)
            if s is not None and s.value < 0:
                _negative(ctx, "ENTITY_FIGURES_INCONSISTENT", s)
        for small, large, confidence in ENTITY_ORDER:
            a, b = side(small), side(large)
            if a is not None and b is not None and exceeds(a.value, b.value):
                _above(ctx, "ENTITY_FIGURES_INCONSISTENT", a, b, confidence)

    # -- product ---------------------------------------------------------------------------

    def _product(
        self,
        ctx: ScreeningContext,
        f: ProductFigures | None,
        exported: bool | None,
        destinations: list[str] | None,
        market_share: float | None,
        entity: EntityFigures | None,
    ) -> None:
        code = "PRODUCT_FIGURES_INCONSISTENT"
        if market_share is not None and not 0 <= market_share <= 100:
            ctx.add(code, "product.market_share_pct", f"产品市场份额{market_share}%不在0–100%之间",
                    evidence={"rule": "percentage", "value": market_share})
        if exported is False and destinations:
            ctx.add(
                code, "product.export_destinations",
                f"“是否出口”选择了“否”，却填写了出口地（{'、'.join(destinations[:5])}）",
                evidence={"rule": "not_exported_but_destinations", "exported": False, "export_destinations": destinations},
            )
        if f is None:
            return

        def side(name: str) -> _Side | None:
            value = getattr(f, name)
            return None if value is None else _Side(f"product.figures_wan.{name}", PRODUCT_LABELS[name], value)

        def entity_side(name: str) -> _Side | None:
            value = getattr(entity, name) if entity is not None else None
            return None if value is None else _Side(f"entity.figures_wan.{name}", ENTITY_LABELS[name], value)

        for name in PRODUCT_NON_NEGATIVE:
            s = side(name)
            if s is not None and s.value < 0:
                _negative(ctx, code, s)
        sales, export, profit = side("sales"), side("export"), side("profit")
        if export is not None and sales is not None and exceeds(export.value, sales.value):
            _above(ctx, code, export, sales)
        if exported is False and export is not None and export.value > 0:
            ctx.add(
                code, "product.figures_wan.export",
                f"“是否出口”选择了“否”，但{export.label}为{_fmt(export.value)}",
                evidence={"rule": "not_exported_but_export", "exported": False, "export": export.value},
            )
        if profit is not None and sales is not None and exceeds(profit.value, sales.value):
            _above(ctx, code, profit, sales)
        pairs = (
            (sales, entity_side("total_product_sales"), 1.0),
            (sales, entity_side("operating_revenue"), 1.0),
            (side("total_cost"), entity_side("total_cost"), 1.0),
            (side("ip_investment"), entity_side("ip_investment"), 0.5),
        )
        flagged_sales = False
        for a, b, confidence in pairs:
            if a is None or b is None or not exceeds(a.value, b.value):
                continue
            if a is sales:
                if flagged_sales:
                    continue  # above total product sales already says it; revenue would repeat it
                flagged_sales = True
            _above(ctx, code, a, b, confidence)


def _negative(ctx: ScreeningContext, code: str, s: _Side) -> None:
    ctx.add(code, s.field, f"{s.label}为负数（{_fmt(s.value)}）", evidence={"rule": "non_negative", "field": s.field, "value": s.value})


def _above(ctx: ScreeningContext, code: str, a: _Side, b: _Side, confidence: float = 1.0) -> None:
    ctx.add(
        code, a.field,
        f"{a.label}（{_fmt(a.value)}）高于{b.label}（{_fmt(b.value)}）",
        evidence={"rule": f"{a.field} <= {b.field}", "value": a.value, "limit": b.value,
                  "fields": [a.field, b.field], "difference": round(a.value - b.value, 4)},
        confidence=confidence,
    )
