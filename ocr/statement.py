"""Fields of a profit statement (利润表) from recognised rows.

营业收入 and 净利润 are taken from the current-period column: the column header decides
(本期/本年累计/本年金额/本年数/本月数… against 上期/上年同期/上年金额/上年数), and without a
readable header the first amount after the row label is the current one (every layout we
know puts the current period first). The unit comes from the header ("单位：元", "金额单位：
万元"), the period from a year in the header block, the preparer from "编制单位：".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .layout import RowText

CURRENT = ("本期金额", "本期发生额", "本年累计金额", "本年累计数", "本年累计", "本年金额", "本年数", "本期数", "本期", "本年")
PREVIOUS = ("上期金额", "上期发生额", "上年同期金额", "上年同期数", "上年同期", "上年金额", "上年数", "上期数", "上期", "上年")
UNITS = {"元": 1.0, "人民币元": 1.0, "千元": 1_000.0, "万元": 10_000.0, "百万元": 1_000_000.0}

_AMOUNT = re.compile(r"[\-(（－—一]?\s*\d[\d,，.．\s]*\d(?:\s*[)）])?|[\-(（－—一]?\d")
_UNIT = re.compile(r"单位\s*[:：]?\s*(人民币元|百万元|千元|万元|元)")
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年\s*(?:度|(1\s*[-—~至]\s*)?(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?")
_PREPARER = re.compile(r"编\s*制\s*单\s*位\s*[:：]?\s*")
_REVENUE_ROW = re.compile(r"^[一二三四五六七八九十、.\s]*(?:其中[:：])?\s*营\s*业\s*(?:总\s*)?收\s*入")
_PROFIT_ROW = re.compile(r"^[一二三四五六七八九十、.\s]*净\s*利\s*润")

# titles of the statements a filer uploads by mistake in place of the 利润表, most specific first
OTHER_TITLES = (("资产负债表", "资产负债表"), ("现金流量表", "现金流量表"), ("所有者权益变动表", "所有者权益变动表"),
                ("股东权益变动表", "所有者权益变动表"), ("结算表", "结算表"), ("结算单", "结算表"))
PROFIT_TITLES = ("利润表", "损益表", "利润及利润分配表")
# line items only a 利润表 has: a page with none of them is not one
PROFIT_ITEMS = ("营业收入", "营业总收入", "营业成本", "营业利润", "利润总额", "净利润", "所得税费用")


@dataclass
class Amount:
    value: float
    text: str
    line: int  # index in the row's lines


def parse_amount(text: str) -> float | None:
    """"68,905,000.00", "(1,234.56)", "-1234.56", "68.905.000.00" (commas read as dots)."""
    s = text.strip().replace("，", ",").replace("．", ".").replace(" ", "")
    neg = s.startswith(("(", "（", "-", "－", "—", "一")) or s.endswith((")", "）"))
    s = re.sub(r"[^\d.,]", "", s)
    if not s or not s[0].isdigit():
        return None
    if s.count(".") > 1:  # thousands separators read as dots: the last one, before 2 digits, is decimal
        head, _, tail = s.rpartition(".")
        if len(tail) == 2:
            s = head.replace(".", "") + "." + tail
        else:
            s = s.replace(".", "")
    s = s.replace(",", "")
    try:
        v = float(s)
    except ValueError:
        return None
    return -v if neg else v


def amounts_in(row: RowText, after: int) -> list[Amount]:
    out = []
    for li, line in enumerate(row.lines):
        if li < after:
            continue
        t = line.text.strip()
        m = _AMOUNT.fullmatch(t) or (_AMOUNT.search(t) if li > after else None)
        if not m:
            continue
        txt = m.group()
        digits = re.sub(r"\D", "", txt)
        # 行次/附注 columns hold small integers: an amount has a decimal part or many digits
        if "." not in txt and "．" not in txt and len(digits) <= 2:
            continue
        v = parse_amount(txt)
        if v is not None:
            out.append(Amount(v, txt, li))
    return out


@dataclass
class ColumnGuide:
    current_x: float | None = None
    previous_x: float | None = None


def find_columns(rows: list[RowText]) -> tuple[ColumnGuide, int | None]:
    """x-centres of the current and previous columns from the header row, and its index."""
    for ri, row in enumerate(rows):
        guide = ColumnGuide()
        for line in row.lines:
            t = re.sub(r"\s", "", line.text)
            if guide.current_x is None and any(k in t for k in CURRENT) and not any(k in t for k in PREVIOUS):
                guide.current_x = line.cx
            elif guide.previous_x is None and any(k in t for k in PREVIOUS):
                guide.previous_x = line.cx
        if guide.current_x is not None and guide.previous_x is not None:
            return guide, ri
    return ColumnGuide(), None


def pick_current(amounts: list[Amount], row: RowText, guide: ColumnGuide) -> Amount | None:
    if not amounts:
        return None
    if guide.current_x is not None and guide.previous_x is not None:
        half = abs(guide.previous_x - guide.current_x) / 2
        near = [a for a in amounts if abs(row.lines[a.line].cx - guide.current_x) < max(half, 1.0)]
        if near:
            return min(near, key=lambda a: abs(row.lines[a.line].cx - guide.current_x))
        # only the previous column has a number (the current is blank): no current figure
        if all(abs(row.lines[a.line].cx - guide.previous_x) < half for a in amounts):
            return None
    return amounts[0]


def find_item_row(rows: list[RowText], pattern: re.Pattern, start: int) -> tuple[int, int] | None:
    """(row index, line index of the label) of the first row whose label matches."""
    for ri in range(start, len(rows)):
        for li, line in enumerate(rows[ri].lines[:2]):
            t = re.sub(r"\s", "", line.text)
            if pattern.search(t) and "营业外" not in t and "持续经营" not in t and "归属" not in t:
                return ri, li
    return None


def unit_in(text: str) -> str | None:
    """The unit a "单位：…" in ``text`` names (元, 千元, 万元, 百万元), or None."""
    m = _UNIT.search(re.sub(r"[\s\u3000]", "", text))
    if m is None:
        return None
    return "元" if m.group(1) == "人民币元" else m.group(1)


def find_unit(rows: list[RowText], stop: int) -> tuple[str | None, int | None, tuple[int, int] | None]:
    for ri, row in enumerate(rows[: stop + 1]):
        unit = unit_in(row.text)
        if unit:
            raw = re.search(r"单\s*位", row.text)
            start = raw.start() if raw else 0
            return unit, ri, (start, len(row.text))
    return None, None, None


def find_period(rows: list[RowText], stop: int) -> tuple[int | None, bool, int | None, tuple[int, int] | None]:
    """(year, full_year, row, span): "2025年度", "2025年12月", "2025年1-12月", "2025年12月31日"."""
    for ri, row in enumerate(rows[: stop + 1]):
        text = row.text
        if "编制日期" in text or "报出日期" in text:
            continue
        for m in _YEAR.finditer(text):
            whole = m.group()
            month = m.group(3)
            if "度" in whole or month is None:
                full = "度" in whole or month is None
            else:
                full = int(month) == 12 and (m.group(2) is not None or m.group(4) in (None, "31"))
            return int(m.group(1)), full, ri, (m.start(), m.end())
    return None, False, None, None


def find_preparer(rows: list[RowText], stop: int) -> tuple[str | None, int | None, tuple[int, int] | None]:
    for ri, row in enumerate(rows[: stop + 1]):
        m = _PREPARER.search(row.text)
        if not m:
            continue
        s = m.end()
        while s < len(row.text) and row.text[s] in " \u3000:：":
            s += 1
        if s >= len(row.text):
            continue
        e = s
        # the name ends at the row's next cell or where the period or unit begins
        while e < len(row.text) and row.owner[e] == row.owner[s] and row.text[e] != "\u3000":
            e += 1
        name = row.text[s:e]
        cut = re.search(r"(\s{2,}|(19|20)\d{2}\s*年|金额单位|单\s*位\s*[:：])", name)
        if cut:
            name = name[: cut.start()]
        name = name.strip(" :：")
        if name:
            return name, ri, (s, s + len(name))
    return None, None, None


def statement_kind(rows: list[RowText], head: int = 6) -> tuple[str, int | None, str | None]:
    """(kind, row, title read): ``利润表`` when a title or a line item says so, another
    statement's name when its title says that (资产负债表, 现金流量表, 所有者权益变动表, 结算表),
    ``unknown`` when the page has no title of either kind and none of the 利润表's line items."""
    for ri, row in enumerate(rows[: head + 1]):
        flat = re.sub(r"[\s\u3000]", "", row.text)
        if any(t in flat for t in PROFIT_TITLES):
            return "利润表", ri, flat
        for word, kind in OTHER_TITLES:
            if word in flat:
                return kind, ri, flat
    flat_all = [re.sub(r"[\s\u3000]", "", r.text) for r in rows]
    if any(item in t for t in flat_all for item in PROFIT_ITEMS):
        return "利润表", None, None
    return "unknown", None, None
