"""Accuracy and speed of the document readers (`prescreen eval documents`).

- a held-out generated set (entities from the eval split, a seed of its own): accuracy by
  field for licences and statements, confidently-wrong USCC rate;
- the real licences in ../shared/realdata/doc_images/business_licenses/ against our own
  labels in eval/data/real_licences.csv;
- speed: median seconds per licence image for our reader and for plain full-page rapidocr
  (det + cls + rec of everything, as a caller would use it) in the same run, with the plain
  pipeline's USCC accuracy (first 18-character run that validates, else the first one);
- peak resident memory of this process with OCR loaded.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HELP = "accuracy by field and speed of the licence/statement readers (generated + real)"
REPO = Path(__file__).resolve().parent.parent
REAL_LABELS = REPO / "eval" / "data" / "real_licences.csv"
LICENCE_FIELDS = ("uscc", "name", "type", "legal_rep", "established", "term_end", "address", "ineligible")
STATEMENT_FIELDS = ("operating_revenue", "net_profit", "unit", "period_year", "preparer", "sealed")


def _norm(s: Any) -> str:
    from ocr.layout import normalise_name

    return normalise_name(str(s)) if s not in (None, "") else ""


def licence_row(reading, truth: dict) -> dict[str, bool]:
    got = {
        "uscc": reading.uscc.value, "name": reading.name.value, "type": reading.type.value,
        "legal_rep": reading.legal_rep.value, "established": reading.established.value,
        "term_end": reading.term_end, "address": reading.address.value, "ineligible": bool(reading.ineligible),
    }
    out = {}
    for f in LICENCE_FIELDS:
        if f not in truth or (truth[f] is None and f not in ("term_end",)):
            continue
        if f == "ineligible":
            out[f] = got[f] == bool(truth[f])
        else:
            out[f] = _norm(got[f]) == _norm(truth[f])
    out["uscc_confident_wrong"] = reading.uscc.value is not None and reading.uscc.value != truth.get("uscc")
    return out


def statement_row(reading, truth: dict) -> dict[str, bool]:
    def cents(a, b):
        return a is not None and b is not None and abs(round(a * 100) - round(b * 100)) == 0
    return {
        "operating_revenue": cents(reading.operating_revenue.value, truth["operating_revenue"]),
        "net_profit": cents(reading.net_profit.value, truth["net_profit"]),
        "unit": reading.unit.value == truth["unit"],
        "period_year": reading.period.value == truth["period_year"],
        "preparer": _norm(reading.preparer.value) == _norm(truth["preparer"]),
        "sealed": bool(reading.seal.value) == bool(truth["sealed"]),
    }


def plain_uscc(result) -> str | None:
    """What plain full-page OCR plus a regex gives for the code."""
    from ocr.codes import runs
    from screening.validators.uscc import is_valid_uscc

    found = [run for t in (result.txts or ()) for _, _, run in runs(t) if len(run) == 18]
    for run in found:
        if is_valid_uscc(run):
            return run
    return found[0] if found else None


def _summary(rows: list[dict[str, bool]]) -> dict[str, Any]:
    keys = sorted({k for r in rows for k in r})
    return {k: {"n": sum(1 for r in rows if k in r), "rate": round(sum(r[k] for r in rows if k in r) / max(1, sum(1 for r in rows if k in r)), 4)}
            for k in keys}


def evaluate_generated(readers, n: int, seed: int, baseline: bool = True, progress: bool = True) -> dict[str, Any]:
    from training.docgen import LICENCE_LAYOUTS, STATEMENT_LAYOUTS, render_licence, render_statement

    lic_rows, st_rows, mine_t, plain_t, plain_ok, failures = [], [], [], [], [], []
    it = range(n)
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc="generated", unit="doc", file=sys.stderr)
    for i in it:
        rng = random.Random(seed * 100_003 + i)
        if i % 2 == 0:
            img, truth = render_licence(rng, LICENCE_LAYOUTS[(i // 2) % 3], split="eval")
            t0 = time.perf_counter()
            reading = readers.read_licence(img)
            mine_t.append(time.perf_counter() - t0)
            row = licence_row(reading, truth)
            lic_rows.append(row)
            if baseline:
                arr = np.ascontiguousarray(np.asarray(img.convert("RGB"))[:, :, ::-1])
                t0 = time.perf_counter()
                res = readers.engine.full_page(arr)
                plain_t.append(time.perf_counter() - t0)
                plain_ok.append(plain_uscc(res) == truth["uscc"])
            if not all(v for k, v in row.items() if k != "uscc_confident_wrong"):
                failures.append({"i": i, "truth": {k: truth.get(k) for k in LICENCE_FIELDS + ("layout", "damage")},
                                 "read": {"uscc": reading.uscc.value, "seen": reading.uscc_seen, "name": reading.name.value,
                                          "type": reading.type.value, "legal_rep": reading.legal_rep.value,
                                          "address": reading.address.value, "term_end": reading.term_end,
                                          "established": reading.established.value}})
        else:
            img, truth = render_statement(rng, STATEMENT_LAYOUTS[(i // 2) % 3], split="eval")
            reading = readers.read_statement(img)
            row = statement_row(reading, truth)
            st_rows.append(row)
            if not all(row.values()):
                failures.append({"i": i, "truth": {k: truth.get(k) for k in STATEMENT_FIELDS + ("layout", "damage")},
                                 "read": {"operating_revenue": reading.operating_revenue.value, "net_profit": reading.net_profit.value,
                                          "unit": reading.unit.value, "period_year": reading.period.value,
                                          "preparer": reading.preparer.value, "sealed": reading.seal.value}})
    out = {"n": n, "seed": seed, "licences": _summary(lic_rows), "statements": _summary(st_rows), "failures": failures}
    if mine_t:
        out["speed"] = {"reader_median_s": round(statistics.median(mine_t), 3)}
    if plain_t:
        out["speed"].update(plain_median_s=round(statistics.median(plain_t), 3),
                            ratio=round(statistics.median(mine_t) / statistics.median(plain_t), 3),
                            plain_uscc_exact=round(sum(plain_ok) / len(plain_ok), 4))
    return out


def load_real_labels(path: Path = REAL_LABELS) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def evaluate_real(readers, realdata: Path, baseline: bool = True) -> dict[str, Any]:
    folder = realdata / "doc_images" / "business_licenses"
    rows, mine_t, plain_t, plain_ok, per_file = [], [], [], [], []
    for label in load_real_labels():
        path = folder / label["file"]
        if not path.is_file():
            continue
        t0 = time.perf_counter()
        reading = readers.read_licence(path)
        mine_t.append(time.perf_counter() - t0)
        truth_code = label["uscc"] if label["uscc_complete"] == "1" else None
        row = {
            "uscc": (reading.uscc.value == truth_code) if truth_code else (reading.uscc.value is None and reading.uscc_status == "unreadable"),
            "name": _norm(reading.name.value) == _norm(label["name"]),
            "ineligible": bool(reading.ineligible) == (label["ineligible"] == "1"),
        }
        for f in ("type", "legal_rep", "established", "term_end", "address"):
            if label.get(f):
                got = reading.term_end if f == "term_end" else getattr(reading, f).value
                if f == "term_end" and label[f] == "长期":
                    row[f] = reading.term_long
                else:
                    row[f] = _norm(got) == _norm(label[f])
        rows.append(row)
        entry = {"file": label["file"], "uscc": reading.uscc.value, "status": reading.uscc_status, "seen": reading.uscc_seen,
                 "name": reading.name.value, "ineligible": reading.ineligible, "ok": row, "seconds": round(mine_t[-1], 3)}
        if baseline:
            t0 = time.perf_counter()
            res = readers.engine.full_page(str(path))
            plain_t.append(time.perf_counter() - t0)
            got = plain_uscc(res)
            plain_ok.append(got == truth_code if truth_code else got is None)
            entry["plain_seconds"] = round(plain_t[-1], 3)
            entry["plain_uscc"] = got
        per_file.append(entry)
    out = {"n": len(rows), "fields": _summary(rows), "files": per_file}
    if mine_t:
        out["speed"] = {"reader_median_s": round(statistics.median(mine_t), 3)}
        if plain_t:
            out["speed"].update(plain_median_s=round(statistics.median(plain_t), 3),
                                ratio=round(statistics.median(mine_t) / statistics.median(plain_t), 3),
                                plain_uscc_exact=round(sum(plain_ok) / len(plain_ok), 4))
    return out


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=300, help="generated documents (half licences, half statements)")
    parser.add_argument("--seed", type=int, default=20261122, help="seed of the held-out generated set")
    parser.add_argument("--realdata", type=Path, default=None, help="real-data folder (default ../shared/realdata)")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain full-page rapidocr")
    parser.add_argument("--out", type=Path, default=None, help="write the full results (with failures) as JSON")


def run(args: argparse.Namespace) -> int:
    from screening.resources import load_readers
    from screening.settings import get_settings, realdata_dir

    readers = load_readers(get_settings())
    loaded_rss = peak_rss_mb()
    results: dict[str, Any] = {"version": readers.version, "rss_after_load_mb": loaded_rss}
    realdata = args.realdata or realdata_dir()
    if (realdata / "doc_images").is_dir():
        results["real"] = evaluate_real(readers, realdata, baseline=not args.no_baseline)
    if args.n > 0:
        results["generated"] = evaluate_generated(readers, args.n, args.seed, baseline=not args.no_baseline)
    results["peak_rss_mb"] = peak_rss_mb()
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    brief = json.loads(json.dumps(results))
    if "generated" in brief:
        brief["generated"]["failures"] = len(brief["generated"]["failures"])
    if "real" in brief:
        brief["real"]["files"] = [{k: f[k] for k in ("file", "uscc", "status", "name", "seconds", "plain_seconds") if k in f}
                                  for f in brief["real"]["files"]]
    print(json.dumps(brief, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=HELP)
    add_arguments(p)
    raise SystemExit(run(p.parse_args()))
