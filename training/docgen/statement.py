"""Rendered profit statements (利润表) in three layouts and column namings, with truth.

- ``standard``: 项目 | 行次 | 本期金额 | 上期金额, header "编制单位 … 2025年度 … 单位：元";
- ``cumulative``: 项目 | 本年累计 | 上年同期, period "2025年12月", "金额单位：…";
- ``audit``: 项目 | 附注 | 本年金额 | 上年金额, "营业总收入", figures often in 万元 or 千元.
"""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from . import damage as dmg
from .draw import seal, text_width
from .entities import Entity, pick_entity
from .fonts import font

LAYOUTS = ("standard", "cumulative", "audit")
UNITS = {"元": 1, "千元": 1_000, "万元": 10_000}
COLUMNS = {"standard": ("本期金额", "上期金额"), "cumulative": ("本年累计", "上年同期"), "audit": ("本年金额", "上年金额")}


def _items(rng: random.Random, revenue: float, layout: str) -> list[tuple[str, float | None, float | None]]:
    """Rows of a small-enterprise 利润表: (label, current yuan, previous yuan)."""
    prev_rev = revenue * rng.uniform(0.7, 1.3)
    def part(v, lo, hi):
        return round(v * rng.uniform(lo, hi), 2)
    rows = []
    cost, pcost = part(revenue, 0.5, 0.85), part(prev_rev, 0.5, 0.85)
    tax, ptax = part(revenue, 0.003, 0.01), part(prev_rev, 0.003, 0.01)
    sell, psell = part(revenue, 0.02, 0.08), part(prev_rev, 0.02, 0.08)
    admin, padmin = part(revenue, 0.03, 0.1), part(prev_rev, 0.03, 0.1)
    rd, prd = part(revenue, 0.01, 0.06), part(prev_rev, 0.01, 0.06)
    fin, pfin = part(revenue, -0.005, 0.01), part(prev_rev, -0.005, 0.01)
    op = round(revenue - cost - tax - sell - admin - rd - fin, 2)
    pop = round(prev_rev - pcost - ptax - psell - padmin - prd - pfin, 2)
    nonop, pnonop = part(revenue, 0, 0.004), part(prev_rev, 0, 0.004)
    total, ptotal = round(op + nonop, 2), round(pop + pnonop, 2)
    itax = round(max(total, 0) * rng.choice([0.05, 0.15, 0.25]), 2)
    pitax = round(max(ptotal, 0) * 0.15, 2)
    net, pnet = round(total - itax, 2), round(ptotal - pitax, 2)
    rev_label = "一、营业总收入" if layout == "audit" else "一、营业收入"
    rows = [(rev_label, round(revenue, 2), round(prev_rev, 2))]
    if layout == "audit":
        rows.append(("其中：营业收入", round(revenue, 2), round(prev_rev, 2)))
    rows += [("减：营业成本", cost, pcost), ("税金及附加", tax, ptax), ("销售费用", sell, psell),
             ("管理费用", admin, padmin), ("研发费用", rd, prd), ("财务费用", fin, pfin),
             ("加：其他收益", None, None), ("投资收益（损失以“-”号填列）", None, None),
             ("二、营业利润（亏损以“-”号填列）", op, pop), ("加：营业外收入", nonop, pnonop),
             ("减：营业外支出", None, None), ("三、利润总额（亏损总额以“-”号填列）", total, ptotal),
             ("减：所得税费用", itax, pitax), ("四、净利润（净亏损以“-”号填列）", net, pnet),
             ("（一）持续经营净利润", net, pnet), ("（二）终止经营净利润", None, None)]
    return rows


def fmt(v: float | None, unit: int) -> str:
    if v is None:
        return ""
    return f"{v / unit:,.2f}"


# what each kind of seal says (the rim holds ~19 characters at the generator's glyph size)
SEAL_KINDS = {
    "finance": lambda name: name[:14] + "财务专用章",
    "official": lambda name: name[:19],
    "contract": lambda name: name[:14] + "合同专用章",
    "invoice": lambda name: name[:14] + "发票专用章",
    "audit": lambda name: _audit_firm(name),
}


def _audit_firm(client: str) -> str:
    """An accounting firm of the client's city: 深圳某某会计师事务所（普通合伙） style."""
    city = client[:2] if client[:2].isalpha() else "某市"
    seed = sum(map(ord, client))
    return f"{city}{'华信立正中天大成永'[seed % 9]}{'诚信和明达审'[seed % 6]}会计师事务所"


def seal_words(kind: str, name: str) -> str:
    return SEAL_KINDS[kind](name)


def render_statement(rng: random.Random, layout: str | None = None, entity: Entity | None = None,
                     year: int | None = None, unit: str | None = None, sealed: bool | None = None,
                     damage: list[str] | None = None, split: str = "train",
                     seal_kind: str = "finance", seal_name: str | None = None) -> tuple[Image.Image, dict]:
    """A 利润表 page and its truth. ``seal_kind`` (a key of ``SEAL_KINDS``) picks the seal's words and
    ``seal_name`` the organisation on it (default: the preparer); neither draws from ``rng``, so a
    page's other content does not depend on them."""
    layout = layout or rng.choice(LAYOUTS)
    e = entity or pick_entity(rng, split)
    year = year or rng.choice([2023, 2024, 2025, 2025, 2025])
    unit = unit or rng.choices(list(UNITS), weights=[6, 2, 2])[0]
    factor = UNITS[unit]
    sealed = rng.random() < 0.85 if sealed is None else sealed
    revenue = round(10 ** rng.uniform(5.5, 9.5), 2)
    if factor > 1:  # a statement printed in 千元/万元 carries figures at that precision
        revenue = round(revenue / factor, 2) * factor
    rows = _items(rng, revenue, layout)
    if factor > 1:
        rows = [(lab, None if c is None else round(c / factor, 2) * factor, None if p is None else round(p / factor, 2) * factor)
                for lab, c, p in rows]
    w, h = 1240, 1754
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    black = (15, 15, 15)
    title = "利 润 表" if layout == "audit" else "利润表"
    d.text((w // 2 - text_width(title, 48, "bold") // 2, 90), title, font=font(48, "bold"), fill=black)
    if layout == "standard":
        d.text((w - 260, 110), "会企02表", font=font(24), fill=black)
        d.text((90, 190), f"编制单位：{e.name}", font=font(24), fill=black)
        end = 90 + text_width(f"编制单位：{e.name}", 24)
        year_x, row_y = max(w // 2 + 130, end + 60), 190
        if year_x + 150 > w - 250:  # a long name: period and unit go on the line below
            year_x, row_y = w // 2 + 130, 222
        d.text((year_x, row_y), f"{year}年度", font=font(24), fill=black)
        d.text((w - 250, row_y), f"单位：{unit}", font=font(24), fill=black)
    elif layout == "cumulative":
        d.text((w // 2 - 70, 160), f"{year}年12月", font=font(26), fill=black)
        d.text((90, 210), f"编制单位：{e.name}", font=font(24), fill=black)
        d.text((w - 300, 210), f"金额单位：{unit}", font=font(24), fill=black)
    else:
        d.text((w // 2 - 60, 160), f"{year}年度", font=font(26), fill=black)
        d.text((90, 210), f"编制单位：{e.name}", font=font(24), fill=black)
        d.text((w - 260, 210), f"单位：{unit}", font=font(24), fill=black)
    cur, prev = COLUMNS[layout]
    if layout == "standard":
        cols = [("项目", 90, 560), ("行次", 560, 660), (cur, 660, 910), (prev, 910, 1150)]
    elif layout == "cumulative":
        cols = [("项    目", 90, 620), (cur, 620, 890), (prev, 890, 1150)]
    else:
        cols = [("项目", 90, 580), ("附注", 580, 680), (cur, 680, 915), (prev, 915, 1150)]
    top, rh = 270, 52
    d.line([(90, top), (1150, top)], fill=black, width=2)
    for name, x0, x1 in cols:
        d.text(((x0 + x1) // 2 - text_width(name, 24, "bold") // 2, top + 12), name, font=font(24, "bold"), fill=black)
        d.line([(x0, top), (x0, top + rh * (len(rows) + 1))], fill=black, width=1)
    d.line([(1150, top), (1150, top + rh * (len(rows) + 1))], fill=black, width=1)
    for i, (lab, c, p) in enumerate(rows):
        y = top + rh * (i + 1)
        d.line([(90, y), (1150, y)], fill=black, width=1)
        d.text((100, y + 13), lab, font=font(22), fill=black)
        vals = {cur: fmt(c, factor), prev: fmt(p, factor)}
        for name, x0, x1 in cols:
            if name in ("行次",):
                d.text((x0 + 35, y + 13), str(i + 1), font=font(22), fill=black)
            elif name in vals and vals[name]:
                d.text((x1 - 15 - text_width(vals[name], 22), y + 13), vals[name], font=font(22), fill=black)
    bottom = top + rh * (len(rows) + 1)
    d.line([(90, bottom), (1150, bottom)], fill=black, width=2)
    d.text((90, bottom + 30), f"单位负责人：{'  ' * 4}主管会计工作负责人：{'  ' * 4}会计机构负责人：", font=font(22), fill=black)
    seal_box = None
    if sealed:
        cx = rng.randint(300, 950)
        cy = rng.choice([bottom - rng.randint(40, 300), bottom + 120, 190])
        seal_box = seal(img, cx, cy, rng.randint(95, 130), seal_words(seal_kind, seal_name or e.name), rng, alpha=rng.randint(130, 190))
    kinds = dmg.random_kinds(rng) if damage is None else list(damage)
    img = dmg.apply(img, kinds, rng)
    net = next(c for lab, c, _ in rows if lab.startswith("四、净利润"))
    truth = {
        "kind": "profit_statement", "layout": layout, "preparer": e.name, "uscc": e.uscc, "unit": unit,
        "period_year": year, "operating_revenue": round(rows[0][1] / factor, 2), "net_profit": round(net / factor, 2),
        "operating_revenue_yuan": round(rows[0][1], 2), "net_profit_yuan": round(net, 2),
        "sealed": sealed, "seal_box": seal_box, "seal_kind": seal_kind if sealed else None,
        "seal_name": (seal_name or e.name) if sealed else None, "damage": kinds,
    }
    return img, truth
