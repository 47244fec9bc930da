"""prescreen train text-feedback: learn which text findings reviewers keep marking false positive.

    prescreen train text-feedback                  # the store's decisions → a candidate filter, registered
    prescreen train text-feedback --promote        # ... and put in service when the gate passes
    prescreen train text-feedback --rows R.jsonl   # train on saved rows (prescreen eval feedback --out)

Steps (plain functions the tests call):

1. ``snapshot(store)``: ``training.feedback.text_feedback_rows`` of every decided revision (the
   standing decision's per-finding verdicts on product.name / models / intro), in decision
   order; the rows' content hash is the manifest's ``data_hash``.
2. ``train_text_feedback(rows, registry, screener, fixed)``: the newest ``holdout`` share of
   decided revisions is held out; ``TextFeedbackFilter.fit`` learns per code on the rest and
   chooses each threshold on the hold-out; the candidate is measured on the hold-out (share of
   false positives and of confirmed findings it drops) and on the fixed text sets
   (``FixedSets``: ``eval.text``'s held-out generated set and real slices) with and without the
   filter — a code whose filter lowers its own F1 (or real-slice recall) there by more than
   ``GATE_TOLERANCE`` is withheld from the candidate and the rest re-measured; the card is
   written; the candidate is registered and, with ``promote=True``, promoted
   when no code's F1 (and no real-slice recall) on the fixed sets drops by more than
   ``GATE_TOLERANCE`` — against the screener alone and against the filter in service.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.base import Manifest, new_version, sha256_rows
from models.registry import PromotionRefused, Registry
from models.text_feedback import FilteredScreener, TextFeedbackFilter

HELP = "learn reviewers' false positives on text findings; register (and --promote) the text-feedback filter"
NAME = "text-feedback"
GATE_TOLERANCE = 0.01  # the issue: no code's F1 on the fixed sets may drop by more than 0.01


# ---------------------------------------------------------------------- data
def snapshot(store, *, progress: bool = False) -> list[dict]:
    from .feedback import load_decided, text_feedback_rows

    return text_feedback_rows(load_decided(store, progress=progress))


def split_rows(rows: list[dict], holdout: float) -> tuple[list[dict], list[dict]]:
    """Time split by decided revision: rows come in decision order; the newest share is held out."""
    keys: list[tuple] = []
    for r in rows:
        k = (r.get("submission_id"), r.get("revision"))
        if not keys or keys[-1] != k:
            if k not in keys[-50:]:
                keys.append(k)
    cut = set(keys[: int(round(len(keys) * (1 - holdout)))])
    return ([r for r in rows if (r.get("submission_id"), r.get("revision")) in cut],
            [r for r in rows if (r.get("submission_id"), r.get("revision")) not in cut])


# ---------------------------------------------------------------------- the fixed sets
@dataclass
class FixedSets:
    """``eval.text``'s held-out generated set (``n`` names, seed) and real slices (at most
    ``limit`` JD / patent titles; all eval goods names). ``hash`` names the contents together with
    the base text models' versions, so the registry compares only like with like."""

    vocab: Any
    n: int = 3000
    seed: int = 2026
    limit: int | None = None

    @classmethod
    def load(cls, realdata: Path | None = None, *, n: int = 3000, seed: int = 2026, limit: int | None = None) -> "FixedSets":
        from training.text_vocab import RealVocab

        vocab = RealVocab.load(realdata)
        if limit:
            vocab = copy.copy(vocab)
            vocab.jd_titles = {**vocab.jd_titles, "eval": vocab.jd_titles["eval"][: max(limit // 2, 1)]}
            vocab.patent_titles = {**vocab.patent_titles, "eval": vocab.patent_titles["eval"][:limit]}
        return cls(vocab, n, seed, limit)

    def __post_init__(self) -> None:
        self._without: dict[str, dict] = {}  # the screener alone, measured once per screener version

    def hash(self, screener) -> str:
        return sha256_rows([{"n": self.n, "seed": self.seed, "limit": self.limit, "files": self.vocab.files,
                             "screener": screener.versions}])

    def measure(self, screener, feedback: TextFeedbackFilter | None = None) -> dict[str, dict]:
        """{"text-generated": {"hash", "f1:<CODE>"…}, "text-real": {"hash", recalls, goods_clean}}."""
        from .text_eval import measure  # the same measurement `prescreen eval text` prints

        h = self.hash(screener)
        if feedback is None and h in self._without:
            return copy.deepcopy(self._without[h])
        target = FilteredScreener(screener, feedback) if feedback is not None else screener
        res = measure(target, self.vocab, n=self.n, seed=self.seed)
        gen = {"hash": h, "macro_f1": res["held_out"]["macro_f1"]}
        gen.update({f"f1:{c}": m["f1"] for c, m in res["held_out"]["per_code"].items() if m["support"]})
        real = {"hash": h, "jd_brand_recall": res["real"]["jd_brand_recall"]["recall"],
                "patent_title_recall": res["real"]["patent_title_recall"]["recall"],
                "goods_clean": round(1.0 - res["real"]["goods_flagged"]["share"], 4)}
        if feedback is None:
            self._without[h] = {"text-generated": gen, "text-real": real}
        return copy.deepcopy({"text-generated": gen, "text-real": real})


def gate(fixed: dict) -> dict[str, str]:
    return {m: "max" for s in fixed.values() for m in s if m not in ("hash", "macro_f1")}


def compare_fixed(candidate: dict, baseline: dict, tolerance: float = GATE_TOLERANCE) -> list[dict]:
    """Every gate metric of two measurements of the same sets; ``worse`` when it drops > tolerance."""
    out = []
    for set_name in sorted(set(candidate) & set(baseline)):
        c, b = candidate[set_name], baseline[set_name]
        for metric in sorted(gate({set_name: c})):
            if metric in b:
                delta = round(float(c[metric]) - float(b[metric]), 6)
                out.append({"set": set_name, "metric": metric, "candidate": c[metric], "baseline": b[metric],
                            "delta": delta, "worse": delta < -tolerance})
    return out


METRIC_CODE = {"jd_brand_recall": "NAME_BRAND", "patent_title_recall": "NAME_PATENT_TITLE"}


def _worse_codes(comparison: list[dict]) -> dict[str, list[str]]:
    """code -> the fixed-set metrics of its own that dropped by more than the tolerance."""
    out: dict[str, list[str]] = {}
    for c in comparison:
        code = c["metric"][3:] if c["metric"].startswith("f1:") else METRIC_CODE.get(c["metric"])
        if c["worse"] and code:
            out.setdefault(code, []).append(f"{c['set']}/{c['metric']} {c['baseline']} → {c['candidate']}")
    return out


# ---------------------------------------------------------------------- the hold-out
def holdout_metrics(model: TextFeedbackFilter, rows: list[dict]) -> dict[str, dict]:
    """Per code on held-out rated findings: how many false positives / confirmed the filter drops."""
    out: dict[str, dict] = {}
    for code in sorted({r["code"] for r in rows}):
        rs = [r for r in rows if r["code"] == code and r.get("source") != "rules"]
        if not rs:
            continue
        p = model.proba(code, [r["text"] for r in rs]) if code in model.filters else np.zeros(len(rs))
        thr = model.filters[code].threshold if code in model.filters else 1.1
        fp = np.array([r["verdict"] == "false_positive" for r in rs])
        dropped = p >= thr
        out[code] = {"rows": len(rs), "false_positive": int(fp.sum()), "confirmed": int((~fp).sum()),
                     "fp_dropped": int((dropped & fp).sum()), "confirmed_dropped": int((dropped & ~fp).sum()),
                     "fp_rate_before": round(float(fp.mean()), 4),
                     "fp_rate_after": round(float((fp & ~dropped).sum() / max(int((~dropped).sum()), 1)), 4),
                     "learned": code in model.filters, "threshold": round(float(thr), 4) if code in model.filters else None}
    return out


# ---------------------------------------------------------------------- training
def train_text_feedback(rows: list[dict], registry: Registry, screener, fixed: FixedSets, *, holdout: float = 0.2,
                        C: float = 1.0, promote: bool = False, force: bool = False, progress: bool = False,
                        source: str = "store", actor: str = "cli:train") -> dict[str, Any]:
    """Train, evaluate, write the card, register (and promote); returns the printed summary."""
    from tqdm import tqdm

    from screening.errors import InvalidInput

    if len(rows) < 20:
        raise InvalidInput(f"{len(rows)} rated text findings; at least 20 are needed to train", field="decisions")
    steps = tqdm(total=4, desc="train text-feedback", unit="step", disable=not progress, file=sys.stderr)
    t0 = time.perf_counter()
    data_hash = sha256_rows(rows)
    train, held = split_rows(rows, holdout)
    model = TextFeedbackFilter.fit(train, screener.embedder, holdout_rows=held, C=C)
    train_s = time.perf_counter() - t0
    steps.update()

    fixed_without = fixed.measure(screener)
    fixed_with = fixed.measure(screener, model)
    vs_screener = compare_fixed(fixed_with, fixed_without)
    withheld: dict[str, list[str]] = {}
    # a code's filter touches only that code's findings: one that lowers its own figures on the
    # fixed sets is withheld from this candidate (the others still go), then the rest re-measured
    while model.filters and (bad := {c: m for c, m in _worse_codes(vs_screener).items() if c in model.filters}):
        for code, metrics in bad.items():
            withheld[code] = metrics
            del model.filters[code]
        fixed_with = fixed.measure(screener, model) if model.filters else fixed.measure(screener)
        vs_screener = compare_fixed(fixed_with, fixed_without)
    hold = holdout_metrics(model, held)  # the candidate as registered: without withheld codes
    serving_version = registry.serving(NAME)
    steps.update()

    version = new_version(data_hash)
    model.manifest = Manifest(
        name=NAME, version=version, kind=TextFeedbackFilter.kind, data_hash=data_hash,
        recipe={"C": C, "holdout": holdout, "split": "newest share of decided revisions", "rows": len(rows),
                "train_rows": len(train), "holdout_rows": len(held), "source": source,
                "features": "sentence embedding + character 1-3-gram presence", "calibration": "platt, out-of-fold",
                "fixed_sets": {"n": fixed.n, "seed": fixed.seed, "limit": fixed.limit}, "base": screener.versions},
        metrics={"holdout": hold, "fixed": fixed_with, "fixed_without_filter": fixed_without, "gate": gate(fixed_with),
                 "vs_screener": vs_screener, "codes": model.codes, "withheld": withheld, "train_s": round(train_s, 2),
                 "compared_with": serving_version},
    )
    with tempfile.TemporaryDirectory(prefix="text-feedback-") as tmp:
        folder = Path(tmp) / version
        folder.mkdir()
        model.save(folder)
        write_card(folder, model, hold, vs_screener)
        model.manifest.write(folder)  # the card is listed among the files
        steps.update()
        info = registry.register(NAME, folder, actor=actor)
    summary: dict[str, Any] = {
        "name": NAME, "version": version, "path": str(info.path), "data_hash": data_hash, "rows": len(rows),
        "codes": model.codes, "withheld": withheld, "thresholds": {c: f.threshold for c, f in model.filters.items()}, "holdout": hold,
        "fixed_delta": {f"{c['set']}/{c['metric']}": c["delta"] for c in vs_screener if c["delta"]},
        "worse_than_screener": [c for c in vs_screener if c["worse"]], "serving": serving_version,
        "train_s": round(train_s, 2), "promoted": False,
    }
    if promote:
        worse = summary["worse_than_screener"]
        if worse and not force:
            lines = ", ".join(f"{c['set']}/{c['metric']} {c['candidate']:.4f} vs {c['baseline']:.4f}" for c in worse)
            summary["refused"] = f"{NAME} {version} lowers the fixed sets against the screener alone: {lines}"
            registry._event(NAME, {"action": "refused", "version": version, "actor": actor, "worse": worse})
        else:
            try:
                registry.promote(NAME, version, force=force, tolerance=GATE_TOLERANCE, actor=actor)
                summary["promoted"] = True
            except PromotionRefused as exc:
                summary["refused"] = exc.message
    steps.update()
    steps.close()
    return summary


def write_card(folder: Path, model: TextFeedbackFilter, hold: dict, vs_screener: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    codes = sorted(hold)
    if codes:
        fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(codes)), 4))
        x = np.arange(len(codes))
        ax.bar(x - 0.2, [hold[c]["fp_rate_before"] for c in codes], 0.4, label="before (all shown)")
        ax.bar(x + 0.2, [hold[c]["fp_rate_after"] for c in codes], 0.4, label="after the filter")
        ax.set_xticks(x, codes, rotation=40, ha="right", fontsize=7)
        ax.set_ylabel("false-positive share of shown findings")
        ax.set_title("feedback hold-out, per code")
        ax.legend()
        fig.tight_layout()
        fig.savefig(folder / "fp_rate_by_code.png", dpi=90)
        plt.close(fig)
    m = model.manifest
    lines = [f"# {m.name} {m.version}", "", f"data hash `{m.data_hash}`; {m.recipe.get('rows')} rated text findings "
             f"({m.recipe.get('train_rows')} train, {m.recipe.get('holdout_rows')} hold-out); base {m.recipe.get('base')}", "",
             "## Codes learned", "", "| code | rows | false positive | confirmed | threshold |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {c} | {f.counts.get('rows')} | {f.counts.get('false_positive')} | {f.counts.get('confirmed')} | {f.threshold} |"
              for c, f in sorted(model.filters.items())]
    if m.metrics.get("withheld"):
        lines += ["", "Withheld (would lower the fixed sets): " + "; ".join(
            f"{c}: {', '.join(v)}" for c, v in m.metrics["withheld"].items())]
    lines += ["", "## Feedback hold-out", "", "| code | rows | FP dropped | confirmed dropped | FP rate before → after |",
              "| --- | --- | --- | --- | --- |"]
    lines += [f"| {c} | {h['rows']} | {h['fp_dropped']}/{h['false_positive']} | {h['confirmed_dropped']}/{h['confirmed']} | "
              f"{h['fp_rate_before']} → {h['fp_rate_after']} |" for c, h in sorted(hold.items())]
    lines += ["", "![](fp_rate_by_code.png)", "", "## Fixed sets: with the filter vs the screener alone", "",
              "| set | metric | with | without | delta |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {c['set']} | {c['metric']} | {c['candidate']} | {c['baseline']} | {c['delta']:+.4f}{' **worse**' if c['worse'] else ''} |"
              for c in vs_screener]
    (folder / "card.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------- the command
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=Path, metavar="ROWS.jsonl[.gz]",
                        help="train on saved text-feedback rows (prescreen eval feedback --out) instead of the store")
    parser.add_argument("--snapshot-out", type=Path, metavar="PATH", help="also save the rows read from the store")
    parser.add_argument("--holdout", type=float, default=0.2, help="share of the newest decided revisions held out (0.2)")
    parser.add_argument("--C", type=float, default=1.0, help="inverse L2 strength of the per-code logistic regressions")
    parser.add_argument("--n", type=int, default=3000, help="names in the fixed generated set (eval text --n)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many real patent / JD titles (smoke runs)")
    parser.add_argument("--realdata", type=Path, default=None, help="real data folder (default: the realdata setting, ../shared/realdata)")
    parser.add_argument("--promote", action="store_true", help="promote if no code's fixed-set F1 drops by > 0.01")
    parser.add_argument("--force", action="store_true", help="with --promote: promote even if worse")


def run(args: argparse.Namespace) -> int:
    from models.text_screener import TextScreener
    from screening.settings import get_settings

    from .priority import rows_or_snapshot

    settings = get_settings()
    rows, source = rows_or_snapshot(args.rows, args.snapshot_out, snapshot, settings)
    screener = TextScreener.load_default()
    fixed = FixedSets.load(args.realdata, n=args.n, limit=args.limit)
    summary = train_text_feedback(rows, Registry(settings.registry_dir), screener, fixed, holdout=args.holdout, C=args.C,
                                  promote=args.promote, force=args.force, progress=True, source=source)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if not (args.promote and "refused" in summary) else 2
