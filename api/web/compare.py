"""The duplicate comparison on a submission page: both filings side by side, their related
patents (those both list marked), and what drove the pair scorer's score, in Chinese."""

from __future__ import annotations

from typing import Any

from .labels import DOCUMENTS, SIGNAL_LABELS, STAGES, signal_label, signal_value
from .present import get_path

# the rows of a duplicate comparison: (label, form path, key in the evidence's side)
COMPARE = (("单位名称", "entity.name", "entity_name"), ("统一社会信用代码", "entity.uscc", "entity_uscc"),
           ("备案阶段", "stage", "stage"), ("产品名称", "product.name", "product_name"),
           ("规格型号", "product.models", "models"), ("商标", "product.trademark", "trademark"),
           ("产品分类", "product.category.name", None), ("产品简介", "product.intro", "intro"))


def compare_rows(form: dict, this: dict, other_form: dict | None, other: dict) -> list[dict]:
    """Both filings side by side, each value from its own form when we hold it, else from what the
    evidence says about it; the related patents with those both list marked."""
    rows = []
    for label, path, key in COMPARE:
        mine = get_path(form, path)
        if mine is None and key:
            mine = this.get(key)
        theirs = get_path(other_form, path) if other_form else other.get(key) if key else None
        if path == "stage":
            mine, theirs = (STAGES.get(v, v) if v else v for v in (mine, theirs))
        mine, theirs = ("、".join(map(str, v)) if isinstance(v, list) else v for v in (mine, theirs))
        if mine is None and theirs is None:
            continue
        rows.append({"label": label, "this": mine, "other": theirs, "same": mine == theirs and mine is not None})
    mine = patent_numbers(get_path(form, "product.patents") or this.get("patents"))
    theirs = patent_numbers(get_path(other_form, "product.patents") if other_form else other.get("patents"))
    if mine or theirs:
        shared = {patent_key(p) for p in mine} & {patent_key(p) for p in theirs}
        rows.append({"label": "相关专利", "patents": True, "same": bool(shared),
                     "this": [(p, patent_key(p) in shared) for p in mine],
                     "other": [(p, patent_key(p) in shared) for p in theirs]})
    return rows


PHOTO_KINDS = {"photo": "实物照片", "rendering": "效果图", "line_drawing": "线条图"}


def side_value(key: str, value: Any) -> Any:
    """A value the evidence says about one side, in Chinese where it is a code word."""
    words = {"stage": STAGES, "document": DOCUMENTS, "kind": PHOTO_KINDS}.get(key)
    return words.get(value, value) if words and isinstance(value, str) else value


def patent_numbers(value: Any) -> list[str]:
    """A form's related patents ([{"number": …}]) or a duplicate side's numbers, as shown."""
    out = []
    for p in value or []:
        number = p.get("number") if isinstance(p, dict) else p
        if isinstance(number, str) and number.strip():
            out.append(number.strip())
    return out


def patent_key(number: str) -> str:
    from screening.duplicates.filing import normalise_patent

    return normalise_patent(number)


def score_drivers(drivers: Any) -> list[dict]:
    """What moved a duplicate's score, as the scorer stored it (evidence.drivers), in Chinese."""
    rows = []
    for item in drivers or []:
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[1], (int, float)):
            continue
        name, value = str(item[0]), float(item[1])
        rows.append({"label": signal_label(name), "up": value > 0, "strength": min(abs(value) / 3.0, 1.0),
                     "value": value})
    return rows


def signal_rows(signals: Any) -> list[dict]:
    """The pair's signals (evidence.signals) with Chinese labels; the flags only when set."""
    if not isinstance(signals, dict):
        return []
    rows = []
    for name, label in SIGNAL_LABELS.items():
        value = signals.get(name)
        if not isinstance(value, (int, float)) or name in ("likeness", "cosine*cosine"):
            continue
        if name.endswith("_missing") and not value:
            continue
        rows.append({"label": label, "value": signal_value(name, value)})
    return rows
