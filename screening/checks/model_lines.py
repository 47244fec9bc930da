"""MODEL_LINES_DIFFER (high): several models in one filing that are different products.

Seed 002 附件 四(二): "单一备案产品指属于同一通用标准属性的产品，可不考虑颜色、大小、配置、重量、容积等因素。
如：某品牌手机 P40 系列（不同颜色、不同内存容量）为同一产品，但 P40、P40Pro、P40Plus 为不同产品". A
reason (``models_reason``) cannot make different products one, so it is not read here.

Each model is read as a *line*: its series letters (the letters before its first number: P in
P40, MATE in Mate 40, BCD in BCD-520W), that number, and its line words (Pro, Plus, Max, Ultra,
Lite, mini, SE, Note, Turbo, after the number, glued or spaced, any case; a trailing + is Plus). What is ignored:
Chinese text (colours, 曜石黑), capacities and sizes (8GB+256GB, 512G, 100ML, 65英寸), and
trailing letters glued to the number (BCD-520W / BCD-520WF, KFR-35GW/BP3DN8Y: variants of one
product). Two models are different products when they share series and number but not line
words (P40 / P40 Pro), or when both have series letters and these differ (P40 / Mate40 /
A40, KZ76 / Z76) — a brand of three letters or more glued before the series letters is not a
difference (vivoZ1 / Z1, oppoR11s / R11s). Models without digits, or one model, are not compared. Different numbers in one series
are not flagged (BCD-520W / BCD-610W are capacities of one product; R11 / R15 are not, but
a rule cannot tell them apart: precision first).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..pipeline import Check, ScreeningContext
from .product_form import split_models

PRODUCT_STAGES = ("product", "annual_update")
RULE = "单一备案产品指属于同一通用标准属性的产品，可不考虑颜色、大小、配置等因素。例如：某品牌手机P40系列为同一产品，但P40、P40Pro、P40Plus为不同产品。"

LINE_WORDS = ("PRO", "PLUS", "MAX", "ULTRA", "LITE", "MINI", "SE", "NOTE", "TURBO")
_CAPACITY = re.compile(  # 8GB+256GB, 12+512G, 256GB, 100ML, 5000mAh, a standalone 512G: not part of the line
    r"(?<![A-Z\d])\d+(?:\.\d+)?\s*(?:GB|G|TB|T)?\s*\+\s*\d+(?:\.\d+)?\s*(?:GB|G|TB|T)\b"
    r"|\b\d+(?:\.\d+)?\s*(?:GB|TB|MB|ML|MAH|AH|KG)\b"
    r"|(?:(?<=\s)|^)\d+(?:\.\d+)?[GT]\b"
)
_TOKEN = re.compile(r"[A-Z]+|\d+")


@dataclass(frozen=True)
class Line:
    model: str
    series: str
    number: str
    words: frozenset[str]


def read_line(model: str) -> Line | None:
    text = unicodedata.normalize("NFKC", model).upper()
    text = re.sub(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef（）()]+", " ", text)  # colours, 版, 款…
    text = _CAPACITY.sub(" ", text)
    text = re.sub(r"(?<=[\dA-Z])\+(?!\s*\d)", " PLUS ", text)  # S10+ is S10 Plus
    tokens = _TOKEN.findall(text)
    first_digit = next((k for k, t in enumerate(tokens) if t.isdigit()), None)
    if first_digit is None:
        return None
    series = tokens[first_digit - 1] if first_digit > 0 and not tokens[first_digit - 1].isdigit() else ""
    words = set()
    for t in tokens[first_digit + 1:]:
        if t.isdigit():
            continue
        if t in LINE_WORDS:
            words.add(t)
            continue
        # a line word glued after trailing variant letters is still a line word (40EPRO is rare; 40PRO is not)
        for w in LINE_WORDS:
            if len(t) > len(w) and t.endswith(w) and len(w) >= 3:
                words.add(w)
    return Line(model, series, tokens[first_digit], frozenset(words))


BRAND_MIN = 3  # letters glued before a series that read as a brand (VIVO, OPPO), not a series letter (KZ / Z)


def same_series(a: Line, b: Line) -> bool:
    """P and P, or a brand glued before the series (VIVOZ1 / Z1, OPPOR11S / R11S): the same series."""
    if a.series == b.series:
        return True
    long, short = (a.series, b.series) if len(a.series) > len(b.series) else (b.series, a.series)
    return bool(short) and long.endswith(short) and len(long) - len(short) >= BRAND_MIN


def different(a: Line, b: Line) -> str | None:
    """Why two models are different products, or None."""
    if a.series and b.series and not same_series(a, b):
        return f"系列字母不同（{a.series}与{b.series}）"
    if same_series(a, b) and a.number == b.number and a.words != b.words:
        extra = sorted((a.words ^ b.words))
        return f"产品线后缀不同（{'、'.join(w.title() if len(w) > 2 else w for w in extra)}）"
    return None


class ModelLineRules(Check):
    name = "model-line-rules"
    part = "rules"
    codes = ("MODEL_LINES_DIFFER",)

    def applies(self, ctx: ScreeningContext) -> bool:
        product = ctx.submission.product
        return ctx.submission.stage in PRODUCT_STAGES and product is not None and bool(product.models)

    def run(self, ctx: ScreeningContext) -> None:
        product = ctx.submission.product
        listed = [m for _, m in split_models(product.models)]
        lines = [line for m in listed if (line := read_line(m)) is not None]
        pairs = []
        for x in range(len(lines)):
            for y in range(x + 1, len(lines)):
                why = different(lines[x], lines[y])
                if why:
                    pairs.append((lines[x].model, lines[y].model, why))
        if not pairs:
            return
        a, b, why = pairs[0]
        ctx.add(
            "MODEL_LINES_DIFFER", "product.models",
            f"规格型号“{a}”与“{b}”{why}，属于不同产品，不是同一备案产品，应分别备案（无论填写何种理由）：{RULE}",
            evidence={"models": listed, "pairs": [{"a": p, "b": q, "why": w} for p, q, w in pairs[:10]],
                      "models_reason": product.models_reason, "rule": RULE},
        )
