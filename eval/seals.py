"""The red seal detector on generated 利润表 pages and on the real statement scans.

``prescreen eval seals [--n 200] [--seed 1000]``

Page i is ``render_statement(random.Random(seed + i))``: about 85% carry a seal (the
generator's truth), with the generator's random damage (blur, JPEG, overlays, watermarks,
perspective…). Prints recall on sealed pages, false seals on unsealed ones, and the boxes
found on the real scans in ../shared/realdata/doc_images/financial_statements/ when present
(the settlement statement has two faded seals, the balance sheet none).
"""

from __future__ import annotations

import argparse
import json
import random
import time

HELP = "red seal detection: recall on sealed generated statements, false seals on unsealed, real scans"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=200, help="generated pages (default 200)")
    parser.add_argument("--seed", type=int, default=1000, help="page i uses random.Random(seed + i) (default 1000)")


def run(args: argparse.Namespace) -> int:
    from ocr.preprocess import to_rgb_array
    from ocr.seals import find_red_seals
    from training.docgen import render_statement

    found = missed = false = clean = 0
    misses, falses, took = [], [], []
    for i in range(args.n):
        img, truth = render_statement(random.Random(args.seed + i))
        t0 = time.perf_counter()
        got = bool(find_red_seals(to_rgb_array(img)))
        took.append(time.perf_counter() - t0)
        if truth["sealed"]:
            found += got
            missed += not got
            if not got:
                misses.append(args.seed + i)
        else:
            false += got
            clean += not got
            if got:
                falses.append(args.seed + i)
    out = {
        "generated": {"pages": args.n, "seed": args.seed, "sealed_found": f"{found}/{found + missed}",
                      "false_seals": f"{false}/{false + clean}", "missed_seeds": misses, "false_seeds": falses,
                      "median_ms": round(1000 * sorted(took)[len(took) // 2], 1) if took else None},
        "real": _real(find_red_seals, to_rgb_array),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _real(find_red_seals, to_rgb_array) -> dict:
    from training.docgen.entities import realdata_dir

    folder = realdata_dir() / "doc_images" / "financial_statements"
    if not folder.is_dir():
        return {"absent": str(folder)}
    return {p.name: [box for box, _ in find_red_seals(to_rgb_array(p))] for p in sorted(folder.iterdir()) if p.is_file()}
