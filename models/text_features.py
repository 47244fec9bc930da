"""Input features of the sentence-level heads: the shared sentence embedding plus a few exact
signals (what the rules and the tagger already know), so that a head decides with both.

Widths are fixed by the functions here; ``TextHeads`` stores them in its config and refuses
features of another width, so training and serving cannot drift apart.
"""

from __future__ import annotations

import re

import numpy as np

from .name_tagger import Span

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9０-９]")
METHOD_END = re.compile(r"(方法|工艺|技术|方案)$")
SET_END = re.compile(r"(套装|套件|组合装|组合套装|礼盒)$")
IPC = re.compile(r"^[A-H]\d{2}[A-Z](\s*\d{1,4}\s*/\s*\d{1,6})?$")


def _fractions(text: str) -> list[float]:
    n = max(len(text), 1)
    return [len(_HAN.findall(text)) / n, len(_LATIN.findall(text)) / n, len(_DIGIT.findall(text)) / n]


def name_features(text: str, spans: list[Span]) -> list[float]:
    heads = [s for s in spans if s.tag == "HEAD"]
    head_chars = sum(s.end - s.start for s in heads)
    between = [text[a.end : b.start] for a, b in zip(heads, heads[1:])]
    tags = {s.tag for s in spans}
    return [
        min(len(text), 40) / 40, *_fractions(text),
        float(text.startswith("一种")), float("的" in text), text.count("的") / 3,
        float(bool(re.search(r"[及和与、]", text))), float(bool(METHOD_END.search(text))),
        float(bool(re.search(r"基于|用于|及其|所述|装置|系统$", text))), float(bool(SET_END.search(text))),
        float(bool(re.search(r"(装置|结构|机构|组件|系统|平台|电路|模块|总成|组合物|设备)$", text))),
        float(bool(re.search(r"具有|便于|可[^以]|一体|式", text))),
        float(text.endswith("服务")), float(bool(heads)), len(heads) / 3, head_chars / max(len(text), 1),
        float(any(re.search(r"[及和与、]|以及", b) for b in between)),
        *(float(t in tags) for t in ("BRAND", "SPEC", "ADJ", "VAGUE")),
    ]


NAME_EXTRA = len(name_features("x", []))


def model_entry_features(text: str, trademark: str | None, product_name: str | None) -> list[float]:
    t = text.strip()
    return [
        min(len(t), 30) / 30, *_fractions(t), float(bool(IPC.match(t))),
        float(bool(trademark) and t == (trademark or "").strip()),
        float(bool(product_name) and (t in (product_name or "") or (product_name or "") in t)),
        float(bool(re.search(r"[，。；,;]", t))), float(bool(re.search(r"用于|具有|功能|可以|能够", t))),
        float(bool(re.search(r"[型款版代]$", t))),
    ]


MODEL_EXTRA = len(model_entry_features("x", None, None))


def intro_features(text: str) -> list[float]:
    return [
        min(len(text), 500) / 500,
        float(bool(re.match(r"\s*本(发明|实用新型|申请|外观设计)", text))), float("所述" in text),
        float(bool(re.search(r"成立于|注册资本|经营范围|公司(是|为|系)一家|员工", text))),
        float(bool(re.search(r"欢迎|订购|最低价|热销|包邮|第一品牌|值得信赖|遥遥领先|假一赔", text))),
        text.count("！") / 3, float(bool(re.search(r"组成|包括|采用|用于|适用于|功能", text))),
    ]


INTRO_EXTRA = len(intro_features("x"))


def pair_features(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, 4·dim + 1): both embeddings, their product, their difference, and the cosine."""
    cos = np.sum(a * b, axis=1, keepdims=True)
    return np.concatenate([a, b, a * b, np.abs(a - b), cos], axis=1).astype(np.float32)
