"""Generated licences and profit statements with ground truth (tests, training, evaluation).

    img, truth = render_licence(random.Random(1))
    img, truth = render_statement(random.Random(2), unit="万元")
    generate_set(out_dir, n=300, seed=20261122, split="eval")   # images + labels.jsonl

Names and codes come from ``../shared/realdata/uscc/`` at run time when present, generated
ones otherwise. Fonts: Debian's fonts-noto-cjk (SC face).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from .licence import LAYOUTS as LICENCE_LAYOUTS
from .licence import render_licence
from .statement import LAYOUTS as STATEMENT_LAYOUTS
from .statement import render_statement

__all__ = ["render_licence", "render_statement", "generate_set", "LICENCE_LAYOUTS", "STATEMENT_LAYOUTS"]


def generate_set(out_dir: str | Path, n: int, seed: int, split: str = "eval", progress: bool = False) -> Path:
    """``n`` documents, half licences and half statements, layouts in turn; returns labels.jsonl."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    labels = out / "labels.jsonl"
    it = range(n)
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc="generating", unit="doc")
    with open(labels, "w", encoding="utf-8") as fh:
        for i in it:
            rng = random.Random(seed * 100_003 + i)
            if i % 2 == 0:
                img, truth = render_licence(rng, LICENCE_LAYOUTS[(i // 2) % 3], split=split)
            else:
                img, truth = render_statement(rng, STATEMENT_LAYOUTS[(i // 2) % 3], split=split)
            name = f"{i:05d}_{truth['kind']}.jpg"
            img.save(out / name, quality=92)
            truth["file"] = name
            fh.write(json.dumps(truth, ensure_ascii=False) + "\n")
    return labels
