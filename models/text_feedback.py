"""The text-feedback filter: reviewers' false-positive verdicts, learned per text code.

    flt = TextFeedbackFilter.fit(rows, embedder)        # rows: training.feedback.text_feedback_rows
    kept, dropped = flt.apply(findings, product)        # after TextScreener.screen, in TextChecks

Per text code with enough rated findings of both verdicts, a logistic regression predicts
P(false positive | code, field text) from the shared sentence embedder's vector of the field
text plus character 1–3-gram presence features (a vocabulary of the n-grams seen in that
code's rows), calibrated with Platt scaling on out-of-fold logits. A finding whose
P(false positive) reaches the code's threshold is dropped. The threshold is chosen on the
feedback hold-out (``choose_threshold``): the smallest one at which no confirmed finding of
the hold-out would have been dropped, never below ``min_threshold`` — dropping a true defect
is worse than showing a reviewer one more false alarm.

What is never dropped:
- a code with too few rated findings, or only one verdict, has no classifier;
- a finding an exact rule backs (source ``rules``, a span found by a rule or the form's own
  trademark, or an exact rule that raises the same code on the same text: ``rule_backed``,
  since the screener merges a rule's span into the tagger's when both found it): the rules are hand-written and exact; if one is wrong, fixing the rule is
  the remedy, not hiding its output. Only what the tagger and heads found alone is filtered,
  and only such rows are learned from.

Why this design and not refitting the text heads with the false positives as negatives: the
span codes (NAME_ADJECTIVE, NAME_BRAND, …) come from the character tagger, whose retraining
takes ~5 minutes on 2 cores and needs span-level labels a verdict does not give ("this
finding is wrong", not "which characters are not an adjective"); the filter learns from
exactly what reviewers say, trains in seconds, and is removed by a rollback.
Stored as numbers (npz + JSON), no pickle.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .base import Manifest, Model

NGRAMS = (1, 2, 3)
MIN_ROWS = 20  # rated model findings of a code needed to learn it
MIN_EACH = 5  # ... with at least this many of each verdict
MAX_NGRAMS = 3000
MIN_THRESHOLD = 0.7
DEFAULT_THRESHOLD = 0.9  # when the hold-out has no confirmed finding of the code to choose on
EXACT_BY = ("rule", "trademark")


def ngrams(text: str) -> set[str]:
    text = text or ""
    return {text[i : i + n] for n in NGRAMS for i in range(len(text) - n + 1)}


def field_text(product: Any, path: str) -> str | None:
    """The product's text at a finding's field: product.name, product.models[i], product.intro."""
    head, _, index = path.partition("[")
    attr = head.split(".", 1)[1] if head.startswith("product.") else None
    if attr not in ("name", "models", "intro"):
        return None
    value = getattr(product, attr, None) if not isinstance(product, dict) else product.get(attr)
    if attr == "models":
        entries = list(value or [])
        if index:
            i = int(index.rstrip("]"))
            return entries[i] if i < len(entries) else None
        return "、".join(str(v) for v in entries) or None
    return value if isinstance(value, str) and value.strip() else None


def is_exact(finding: Any) -> bool:
    """A finding an exact rule backs: never filtered (module doc)."""
    source = getattr(finding, "source", None) if not isinstance(finding, dict) else finding.get("source")
    if source == "rules":
        return True
    evidence = (getattr(finding, "evidence", None) if not isinstance(finding, dict) else finding.get("evidence")) or {}
    return any(any(k in str(s.get("by", "")) for k in EXACT_BY) for s in evidence.get("spans") or [])


def rule_backed(code: str, text: str, trademark: str | None = None) -> bool:
    """Would an exact rule raise ``code`` on this text by itself? (The screener merges a rule's span
    into the tagger's when both found it, so the finding's source alone does not say.)"""
    from . import text_rules as rules

    check = {
        "NAME_ADJECTIVE": lambda: bool(rules.adjective_spans(text)),
        "NAME_VAGUE_WORDING": lambda: bool(rules.vague_spans(text)),
        "NAME_HAS_SPEC": lambda: bool(rules.spec_spans(text)),
        "NAME_BRAND": lambda: bool(rules.trademark_spans(text, trademark)),
        "NAME_METHOD": lambda: rules.is_method(text),
        "NAME_PATENT_TITLE": lambda: rules.is_patent_phrasing(text),
        "NAME_TOO_BROAD": lambda: rules.is_broad_term(text),
        "NAME_FOREIGN_OR_CODE": lambda: rules.is_foreign_or_code(text),
        "MODEL_INVALID_CONTENT": lambda: rules.is_classification(text) or bool(trademark and text.strip() == trademark.strip()),
    }.get(code)
    return bool(check and check())


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


@dataclass
class CodeFilter:
    """One code's classifier: weights over [embedding, n-gram presence], Platt (a, b), threshold."""

    code: str
    vocab: list[str]
    coef: np.ndarray
    intercept: float
    platt: tuple[float, float]
    threshold: float
    counts: dict[str, int] = field(default_factory=dict)

    def features(self, texts: list[str], vecs: np.ndarray) -> np.ndarray:
        index = {g: i for i, g in enumerate(self.vocab)}
        grams = np.zeros((len(texts), len(self.vocab)), dtype=np.float32)
        for r, t in enumerate(texts):
            for g in ngrams(t):
                j = index.get(g)
                if j is not None:
                    grams[r, j] = 1.0
        return np.concatenate([vecs.astype(np.float32), grams], axis=1)

    def proba(self, texts: list[str], vecs: np.ndarray) -> np.ndarray:
        logit = self.features(texts, vecs) @ self.coef + self.intercept
        a, b = self.platt
        return _sigmoid(a * logit + b)


def _get(obj: Any, attr: str) -> Any:
    return obj.get(attr) if isinstance(obj, dict) else getattr(obj, attr, None)


class TextFeedbackFilter(Model):
    kind = "text-feedback"

    def __init__(self, filters: dict[str, CodeFilter], manifest: Manifest | None = None, embedder=None) -> None:
        super().__init__(manifest)
        self.filters = filters
        self.embedder = embedder

    def bind(self, embedder) -> "TextFeedbackFilter":
        self.embedder = embedder
        return self

    @property
    def codes(self) -> list[str]:
        return sorted(self.filters)

    # ---------------------------------------------------------------- training
    @classmethod
    def fit(cls, rows: list[dict], embedder, *, holdout_rows: list[dict] | None = None, C: float = 1.0,
            min_rows: int = MIN_ROWS, min_each: int = MIN_EACH, min_threshold: float = MIN_THRESHOLD,
            seed: int = 0) -> "TextFeedbackFilter":
        """Per code, fit on ``rows`` and choose the threshold on ``holdout_rows`` (rows of
        ``training.feedback.text_feedback_rows``; rule-sourced rows are left out)."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        rows = [r for r in rows if r.get("source") != "rules"]
        held = [r for r in holdout_rows or [] if r.get("source") != "rules"]
        texts = sorted({r["text"] for r in rows + held})
        vec_of = dict(zip(texts, embedder.encode(texts))) if texts else {}
        filters: dict[str, CodeFilter] = {}
        by_code: dict[str, list[dict]] = {}
        for r in rows:
            by_code.setdefault(r["code"], []).append(r)
        for code, rs in sorted(by_code.items()):
            y = np.array([r["verdict"] == "false_positive" for r in rs], dtype=int)
            n_fp, n_ok = int(y.sum()), int(len(y) - y.sum())
            if len(rs) < min_rows or n_fp < min_each or n_ok < min_each:
                continue  # too few or one-sided: this code is never filtered
            counts = Counter(g for r in rs for g in ngrams(r["text"]))
            vocab = sorted((g for g, c in counts.items() if c >= 2), key=lambda g: (-counts[g], g))[:MAX_NGRAMS]
            proto = CodeFilter(code, sorted(vocab), np.zeros(0), 0.0, (1.0, 0.0), 1.0)
            X = proto.features([r["text"] for r in rs], np.stack([vec_of[r["text"]] for r in rs]))
            lr = LogisticRegression(C=C, max_iter=2000)
            folds = min(5, n_fp, n_ok)
            oof = cross_val_predict(lr, X, y, cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
                                    method="decision_function")
            platt = LogisticRegression(C=1e4, max_iter=1000).fit(oof[:, None], y)
            lr.fit(X, y)
            cf = CodeFilter(code, proto.vocab, lr.coef_[0].astype(np.float32), float(lr.intercept_[0]),
                            (float(platt.coef_[0, 0]), float(platt.intercept_[0])), 1.0,
                            {"rows": len(rs), "false_positive": n_fp, "confirmed": n_ok})
            hs = [r for r in held if r["code"] == code]
            if hs:
                p = cf.proba([r["text"] for r in hs], np.stack([vec_of[r["text"]] for r in hs]))
                ok = np.array([r["verdict"] != "false_positive" for r in hs])
                cf.threshold = choose_threshold(p[ok], min_threshold=min_threshold)
            else:
                cf.threshold = DEFAULT_THRESHOLD
            filters[code] = cf
        return cls(filters, embedder=embedder)

    # ---------------------------------------------------------------- inference
    def proba(self, code: str, texts: list[str], vecs: np.ndarray | None = None) -> np.ndarray:
        """P(false positive) of findings of ``code`` on these field texts (0 where no classifier)."""
        cf = self.filters.get(code)
        if cf is None or not texts:
            return np.zeros(len(texts))
        if vecs is None:
            vecs = self._encode(texts)
        return cf.proba(texts, vecs)

    def _encode(self, texts: list[str]) -> np.ndarray:
        import torch

        if self.embedder is None:
            raise RuntimeError("the text-feedback filter needs the sentence embedder (bind it)")
        with torch.inference_mode():
            return np.asarray(self.embedder.encode(texts), dtype=np.float32)

    def apply(self, findings: list, product: Any) -> tuple[list, list[dict]]:
        """(kept findings, what was dropped with its probability). Exact-rule findings are kept."""
        todo = []
        for i, f in enumerate(findings):
            if f.code in self.filters and not is_exact(f):
                text = field_text(product, f.field)
                if text and not rule_backed(f.code, text, _get(product, "trademark")):
                    todo.append((i, f, text))
        if not todo:
            return list(findings), []
        texts = sorted({t for _, _, t in todo})
        vec_of = dict(zip(texts, self._encode(texts)))
        drop: dict[int, dict] = {}
        for i, f, text in todo:
            p = float(self.filters[f.code].proba([text], vec_of[text][None, :])[0])
            if p >= self.filters[f.code].threshold:
                drop[i] = {"code": f.code, "field": f.field, "text": text, "p_false_positive": round(p, 4),
                           "threshold": self.filters[f.code].threshold, "filter": self.version}
        return [f for i, f in enumerate(findings) if i not in drop], list(drop.values())

    # ---------------------------------------------------------------- storage
    def config(self) -> dict[str, Any]:
        return {"ngrams": list(NGRAMS), "codes": {c: {"vocab": f.vocab, "intercept": f.intercept, "platt": list(f.platt),
                                                      "threshold": f.threshold, "counts": f.counts}
                                                  for c, f in sorted(self.filters.items())}}

    def _save_weights(self, directory: Path) -> None:
        np.savez(directory / "weights.npz", **{c: f.coef for c, f in self.filters.items()})

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "TextFeedbackFilter":
        with np.load(directory / "weights.npz", allow_pickle=False) as w:
            filters = {c: CodeFilter(c, spec["vocab"], np.asarray(w[c], dtype=np.float32), float(spec["intercept"]),
                                     tuple(spec["platt"]), float(spec["threshold"]), dict(spec.get("counts", {})))
                       for c, spec in config["codes"].items()}
        return cls(filters, manifest)


def choose_threshold(p_confirmed: np.ndarray, *, min_threshold: float = MIN_THRESHOLD, margin: float = 0.02) -> float:
    """The smallest threshold that drops none of the hold-out's confirmed findings (plus a margin), ≥ min."""
    top = float(np.max(p_confirmed)) if len(p_confirmed) else 0.0
    return round(min(max(min_threshold, math.nextafter(top, 1.0) + margin), 0.999), 4)


class ServedTextFeedback:
    """The filter the registry alias names (``ServedModel``: hot swap), bound to the shared embedder.

    Unlike the learned priority, this is always loaded: with no alias ``current()`` is None and
    nothing is filtered, and the first promotion is picked up without a restart."""

    def __init__(self, registry_dir, embedder, name: str = "text-feedback") -> None:
        from .registry import Registry, ServedModel

        self.served = ServedModel(Registry(registry_dir), name, lambda p: TextFeedbackFilter.load(p).bind(embedder))

    def current(self) -> TextFeedbackFilter | None:
        return self.served.current()

    @property
    def version(self) -> str:
        model = self.served.current()
        return model.version if model is not None else "none"


class FilteredScreener:
    """A ``TextScreener`` with a filter applied to every finding it returns: what the service
    shows once the filter is in service. Used to measure the filter on the fixed text sets with
    the same code that measures the screener alone (``training.text_eval.measure``)."""

    def __init__(self, screener, feedback: TextFeedbackFilter) -> None:
        self.screener = screener
        self.feedback = feedback
        if feedback.embedder is None:
            feedback.bind(screener.embedder)

    def __getattr__(self, name: str):  # embedder, tagger, heads, versions … of the wrapped screener
        return getattr(self.screener, name)

    @property
    def versions(self) -> dict[str, str]:
        return {**self.screener.versions, self.feedback.manifest.name: self.feedback.manifest.version}

    def screen(self, product):
        return self.feedback.apply(self.screener.screen(product), product)[0]

    def analyse_names(self, names, trademarks=None, embeddings=None):
        out = self.screener.analyse_names(names, trademarks, embeddings)
        for a in out:
            a.findings = self.feedback.apply(a.findings, {"name": a.name})[0]
        return out

    def check_models(self, entries, trademark, name, vecs=None):
        found = self.screener.check_models(entries, trademark, name, vecs)
        return self.feedback.apply(found, {"models": list(entries), "name": name})[0]

    def check_intro(self, intro, vec=None):
        return self.feedback.apply(self.screener.check_intro(intro, vec), {"intro": intro})[0]

    def check_category(self, name, category, name_vec=None, cat_vec=None):
        return self.screener.check_category(name, category, name_vec, cat_vec)  # not a text-feedback field
