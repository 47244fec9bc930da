"""Reviewers' decisions as training signal for the text and duplicate models.

Plain functions; the text and duplicate training commands call them::

    decided = load_decided(store)                      # latest decision per decided revision
    stats = false_positive_stats(decided)              # per code: rated, confirmed, false positive
    rows = text_feedback_rows(decided)                 # {text, code, verdict, field, ...} for the text models
    flagged = systematic_false_positives(rows)         # (code, name pattern) reviewers keep rejecting
    pairs = duplicate_pairs(decided)                   # labelled pairs for the duplicate scorer

A later decision on the same revision supersedes an earlier one (the store keeps both; only
the one that stands is used). A finding's verdict is the reviewer's explicit per-finding
feedback; for duplicates, a submission sent back with the duplicate code among its reasons
also confirms the pair, and an approved one makes it a near-miss (label 0).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TEXT_FIELDS = ("product.name", "product.models", "product.intro")
DUPLICATE_CODES = ("DUPLICATE_FILING", "DUPLICATE_IMAGE")


@dataclass
class Decided:
    submission_id: str
    revision: int
    decision: dict  # as Store.decisions() gives it
    form: dict
    report: dict

    def verdicts(self) -> dict[int, str]:
        """finding position -> "confirmed" | "false_positive" (explicit feedback only)."""
        return {fb["finding"]: fb["verdict"] for fb in self.decision.get("feedback") or []}


def load_decided(store, *, progress: bool = False) -> list[Decided]:
    """Every decided revision with its standing decision, form and report, in decision order."""
    from tqdm import tqdm

    latest: dict[tuple[str, int], dict] = {}
    for d in store.decisions():
        latest[(d["submission_id"], d["revision"])] = d
    forms: dict[tuple[str, int], dict] = {}
    last = 0
    while True:
        batch = store.revisions_since(last, limit=5000)
        if not batch:
            break
        for rev in batch:
            forms[(rev.submission_id, rev.revision)] = rev.form
        last = batch[-1].seq
    out = []
    for sid, revision, report in tqdm(store.iter_reports(), desc="feedback: reports", unit="rep",
                                      disable=not progress, file=sys.stderr):
        d = latest.get((sid, revision))
        if d is not None and (sid, revision) in forms:
            out.append(Decided(sid, revision, d, forms[(sid, revision)], report))
    out.sort(key=lambda x: x.decision["id"])
    return out


def false_positive_stats(decided: Iterable[Decided]) -> dict[str, dict[str, Any]]:
    """Per code: findings reported on decided revisions, how many were rated, and the verdicts."""
    stats: dict[str, dict[str, Any]] = defaultdict(lambda: {"reported": 0, "confirmed": 0, "false_positive": 0})
    for item in decided:
        verdicts = item.verdicts()
        for i, f in enumerate(item.report.get("findings", [])):
            s = stats[f["code"]]
            s["reported"] += 1
            if i in verdicts:
                s[verdicts[i]] += 1
    for s in stats.values():
        rated = s["confirmed"] + s["false_positive"]
        s["rated"] = rated
        s["fp_rate"] = round(s["false_positive"] / rated, 4) if rated else None
    return dict(sorted(stats.items()))


def field_text(form: dict, path: str | None) -> str | None:
    """The form's text at a finding's field (``product.models`` lists are joined with 、)."""
    if not path:
        return None
    value: Any = form
    for part in path.split("."):
        name, _, index = part.partition("[")
        value = value.get(name) if isinstance(value, dict) else None
        if index and isinstance(value, list):
            i = int(index.rstrip("]"))
            value = value[i] if i < len(value) else None
        if value is None:
            return None
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value if isinstance(value, str) else None


def text_feedback_rows(decided: Iterable[Decided], fields: tuple[str, ...] = TEXT_FIELDS) -> list[dict]:
    """Rated findings on the text fields: the training-signal export for the text models."""
    rows = []
    for item in decided:
        verdicts = item.verdicts()
        for i, f in enumerate(item.report.get("findings", [])):
            if i not in verdicts or f["code"] in DUPLICATE_CODES or not (f.get("field") or "").startswith(fields):
                continue  # duplicate findings name the product but are the pair scorer's (duplicate_pairs)
            text = field_text(item.form, f["field"])
            if text:
                rows.append({"text": text, "code": f["code"], "verdict": verdicts[i], "field": f["field"],
                             "source": f.get("source"), "confidence": f.get("confidence"),
                             "submission_id": item.submission_id, "revision": item.revision})
    return rows


def _patterns(text: str, sizes: tuple[int, ...] = (2, 3, 4)) -> set[str]:
    # character n-grams: Chinese names have no spaces, and a "kind of name" is usually a shared
    # word in them (智能…, …系列); n-grams need no segmenter dictionary and cannot miss one
    return {text[i : i + n] for n in sizes for i in range(len(text) - n + 1)}


def systematic_false_positives(rows: Iterable[dict], *, min_support: int = 10, min_fp_rate: float = 0.8,
                               min_lift: float = 1.5) -> list[dict]:
    """(code, name pattern) pairs that reviewers mark false positive again and again.

    A pattern is flagged for a code when at least ``min_support`` rated findings of that code
    have it in their text, at least ``min_fp_rate`` of them are false positives, and that rate
    is ``min_lift`` times the code's rate on texts without it (or those are all confirmed).
    A longer pattern explained by a flagged shorter one (same code, contains it, no more
    support) is dropped. Sorted by the number of false positives.
    """
    by_code: dict[str, list[tuple[set[str], bool, str]]] = defaultdict(list)
    for r in rows:
        by_code[r["code"]].append((_patterns(r["text"]), r["verdict"] == "false_positive", r["text"]))
    flagged = []
    for code, items in by_code.items():
        total_fp = sum(fp for _, fp, _ in items)
        support: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for pats, fp, _ in items:
            for p in pats:
                support[p][0] += 1
                support[p][1] += fp
        found = []
        for p, (n, fp) in support.items():
            if n < min_support or fp / n < min_fp_rate:
                continue
            rest_n, rest_fp = len(items) - n, total_fp - fp
            rest_rate = rest_fp / rest_n if rest_n else 0.0
            if rest_rate > 0 and (fp / n) / rest_rate < min_lift:
                continue
            found.append((p, n, fp, rest_rate))
        found.sort(key=lambda t: (len(t[0]), -t[1]))
        kept: list[tuple[str, int, int, float]] = []
        for p, n, fp, rest_rate in found:
            if any(k[0] in p and k[1] >= n for k in kept):
                continue
            kept.append((p, n, fp, rest_rate))
        for p, n, fp, rest_rate in kept:
            examples = sorted({t for pats, _, t in items if p in pats})[:5]
            flagged.append({"code": code, "pattern": p, "support": n, "false_positive": fp,
                            "fp_rate": round(fp / n, 4), "fp_rate_elsewhere": round(rest_rate, 4),
                            "examples": examples})
    return sorted(flagged, key=lambda f: -f["false_positive"])


def _other_id(finding: dict, report: dict) -> str | None:
    ev = finding.get("evidence") or {}
    for key in ("submission_id", "other_submission_id"):
        if isinstance(ev.get(key), str):
            return ev[key]
    other = ev.get("other")
    if isinstance(other, dict) and isinstance(other.get("submission_id"), str):
        return other["submission_id"]
    dups = report.get("duplicates") or []
    return dups[0]["submission_id"] if dups else None


def duplicate_pairs(decided: Iterable[Decided]) -> list[dict]:
    """Confirmed duplicates (label 1) and near-misses reviewers rejected (label 0) as pairs."""
    decided = list(decided)
    names = {d.submission_id: ((d.form.get("product") or {}).get("name"), (d.form.get("entity") or {}).get("name"))
             for d in decided}
    pairs = []
    for item in decided:
        verdicts = item.verdicts()
        reasons = set(item.decision.get("reason_codes") or [])
        for i, f in enumerate(item.report.get("findings", [])):
            if f["code"] not in DUPLICATE_CODES:
                continue
            if i in verdicts:
                label, how = int(verdicts[i] == "confirmed"), "feedback"
            elif f["code"] in reasons:
                label, how = 1, "reason_code"
            elif item.decision["decision"] == "approved":
                label, how = 0, "approved"
            else:
                continue  # sent back for other reasons, the pair unrated: no signal
            other = _other_id(f, item.report)
            if other is None:
                continue
            score = next((d.get("score") for d in item.report.get("duplicates") or [] if d["submission_id"] == other),
                         f.get("confidence"))
            ref = next((d for d in item.report.get("duplicates") or [] if d["submission_id"] == other), {})
            a_name, a_entity = names[item.submission_id]
            b_name, b_entity = names.get(other, (ref.get("product_name"), ref.get("entity_name")))
            pairs.append({"a": item.submission_id, "a_revision": item.revision, "b": other, "code": f["code"],
                          "label": label, "labelled_by": how, "score": score, "a_product_name": a_name,
                          "a_entity_name": a_entity, "b_product_name": b_name, "b_entity_name": b_entity})
    return pairs
