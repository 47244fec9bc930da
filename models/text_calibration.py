"""Calibrated confidences for the NAME_* findings, fitted on the real development half.

A finding's raw confidence means different things by who produced it (a tagger span's score, a
dictionary entry's filter score, a head's sigmoid, an exact rule's fixed 0.97). Per code and per
kind of evidence an isotonic map turns the raw confidence into the share of such findings that
were right on the development half of ``eval/data/text_real``; a finding below its code's
threshold (the lowest calibrated probability at which the development half's precision is still
≥ 0.95) is not reported. Kinds of evidence with no finding on the development half keep their
raw confidence (the declared trademark, the company name: exact evidence).

    cal = TextCalibration.load(dir)
    findings = cal.apply(findings)      # confidence replaced, findings below threshold dropped
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .base import Manifest, Model


def evidence_kind(code: str, evidence: dict) -> str:
    """The strongest evidence behind a finding: trademark > company > rule > dictionary (right
    before a known product word, before any product; with the tagger agreeing, or alone) >
    structure (an unknown word before a known product word, in no list) > model."""
    by = str(evidence.get("by", ""))
    kinds = {k for s in evidence.get("spans", [{"by": by}]) for k in str(s.get("by", "")).split("+")} | set(by.split("+"))
    for k in ("trademark", "company", "rules", "rule"):
        if k in kinds:
            return f"{code}:{k}"
    if "brand-dictionary" in kinds:  # the dictionary and the tagger agreeing is stronger than either
        # +head: the entry stands right before a known product word, and is unknown to product text
        head = "head" in kinds or "structure" in kinds
        kind = "brand-dictionary" + ("+head" if head else "+product" if "product" in kinds else "")
        return f"{code}:{kind}+tagger" if "tagger" in kinds else f"{code}:{kind}"
    if "structure" in kinds:  # an unknown word before a product word: the tagger agreeing or not
        return f"{code}:structure+tagger" if "tagger" in kinds else f"{code}:structure"
    for k in ("class-word", "tagger", "head"):
        if k in kinds:
            return f"{code}:{k}"
    return f"{code}:other"


def raw_confidence(code: str, evidence: dict, confidence: float) -> float:
    """The raw confidence a kind's map reads. For dictionary evidence it is the filter's score of
    the entry (the best over the finding's spans): a tagger span on the same characters is in the
    kind already (+tagger), and the higher of the two numbers would order the findings by neither."""
    kind = evidence_kind(code, evidence)
    if "structure" in kind:  # the characters' leaning, not the tagger's number merged into the span
        scores = [s["score"] for s in evidence.get("spans", []) if "score" in s and "structure" in str(s.get("by"))]
        if scores:
            return float(max(scores))
    if "brand-dictionary" in kind:
        scores = [s["score"] for s in evidence.get("spans", []) if "score" in s]
        if scores:
            return float(max(scores))
    return confidence


# exact evidence (the declared trademark, the company name, an exact rule): reported even where the
# development half had too few such findings to calibrate them
EXACT = ("trademark", "company", "rules", "rule")


class TextCalibration(Model):
    kind = "text-calibration"

    def __init__(self, maps: dict[str, tuple[list[float], list[float]]], thresholds: dict[str, float],
                 manifest: Manifest | None = None) -> None:
        super().__init__(manifest)
        self.maps = maps  # evidence kind -> (raw confidence points, calibrated probability points)
        self.thresholds = thresholds  # code -> lowest calibrated probability reported

    def probability(self, code: str, evidence: dict, raw: float) -> float:
        m = self.maps.get(evidence_kind(code, evidence))
        if m is None:
            return raw
        return float(np.interp(raw_confidence(code, evidence, raw), m[0], m[1]))

    def apply(self, findings: list) -> list:
        out = []
        for f in findings:
            if not f.code.startswith("NAME_"):
                out.append(f)
                continue
            p = self.probability(f.code, f.evidence, f.confidence)
            kind = evidence_kind(f.code, f.evidence)
            exact_unseen = kind not in self.maps and kind.split(":")[1] in EXACT
            if not exact_unseen and p < self.thresholds.get(f.code, 0.0):
                continue
            f.evidence = {**f.evidence, "raw_confidence": f.confidence}
            f.confidence = round(p, 4)
            out.append(f)
        return out

    def config(self) -> dict[str, Any]:
        return {"thresholds": self.thresholds}

    def _save_weights(self, directory: Path) -> None:
        (directory / "maps.json").write_text(json.dumps(self.maps, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "TextCalibration":
        maps = {k: (list(v[0]), list(v[1])) for k, v in json.loads((directory / "maps.json").read_text(encoding="utf-8")).items()}
        return cls(maps, {k: float(v) for k, v in config["thresholds"].items()}, manifest)
