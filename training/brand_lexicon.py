"""Builds ``models/weights/brand-lexicon``: the trade-name dictionary with a learned filter for
entries that are also common words.

The filter is a logistic regression over features of the entry alone (its frequency and part of
speech in jieba's general dictionary, its length, how product-like its characters are), trained
on labels made here from real text the evaluation set does not use as labels:
- common word (0): a dictionary entry that opens a name of the product vocabulary the text
  models train on, with at least two characters after it (official goods names of the train split, e-commerce categories, GB/T 4754 class
  names, patent titles of the train folds);
- trade name (1): a dictionary entry that is the trade-name core of a real registered company
  (``company_core`` over the 100,882 name ↔ USCC pairs), a car brand, or an annotated JD brand of
  the tagger's train half, and is not a common word by the rule above.
Entries that open a name of the product vocabulary are dropped outright; the others ship when the
filter's brand probability reaches the threshold (chosen at training time for precision on the
held-out labels), with that probability.

    prescreen train brand-lexicon --out models/weights/brand-lexicon
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import os
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np

from models.base import Manifest
from models.brand_lexicon import BrandLexicon, company_core
from screening.settings import realdata_dir

from .text_vocab import RealVocab, strip_parenthetical

HELP = "build the brand dictionary with its learned common-word filter (models/weights/brand-lexicon)"
VERSION = "2026.12.1"
POS = ("n", "nr", "nz", "ns", "nt", "nrt", "v", "vn", "a", "l", "i")
# organisation words between the trade name and the suffix that the industry list lacks
EXTRA_INDUSTRY = ("集团", "股份", "实业", "控股", "科技", "技术", "重工", "制造", "工业", "发展", "国际", "投资", "贸易",
                  "电器", "电子", "有限", "商贸", "企业", "产业", "医药", "食品", "酒业", "乳业", "生物", "药业", "服饰")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9&\-]{2,15}$")


def _jieba_dict() -> dict[str, tuple[int, str]]:
    import jieba

    out = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                out[parts[0]] = (int(parts[1]), parts[2])
    return out


def product_text(vocab: RealVocab) -> list[str]:
    texts = [strip_parenthetical(g.name) for g in vocab.goods["train"]]
    texts += [c[2] for c in vocab.categories["train"]] + [c[1] for c in vocab.categories["train"]]
    texts += [n for _, n in vocab.gbt_names] + vocab.patent_titles["train"] + vocab.industry_words
    return texts


def features(entry: str, jd: dict, char_freq: Counter, last_freq: Counter, total: int) -> list[float]:
    f, pos = jd.get(entry, (0, ""))
    chars = [c for c in entry]
    mean_char = sum(math.log1p(char_freq[c]) for c in chars) / len(chars)
    return [math.log1p(f), float(entry in jd), len(entry) / 4, mean_char / 10, math.log1p(last_freq[entry[-1]]) / 10,
            float(bool(_LATIN.match(entry)))] + [float(pos == p) for p in POS]


def build(root: Path | None = None, seed: int = 5) -> tuple[BrandLexicon, dict]:
    root = Path(root) if root else realdata_dir()
    vocab = RealVocab.load(root)
    raw = (root / "brands" / "shibing624_companynameparser_brand.txt").read_text(encoding="utf-8-sig").splitlines()
    entries = sorted({e.strip() for e in raw if _HAN.match(e.strip()) or _LATIN.match(e.strip())})
    suffixes = [s.strip() for s in (root / "brands" / "shibing624_companynameparser_suffix.txt").read_text(encoding="utf-8").splitlines() if s.strip()]
    industry = sorted(set(vocab.industry_words) | set(EXTRA_INDUSTRY))
    companies, city_count = [], Counter()
    with open(root / "uscc" / "enterprise_registration_2002_name_uscc.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            companies.append(r["company_name"])
            for k in ("province", "city"):
                if _HAN.match(r.get(k) or "") and len(r[k]) <= 3:
                    city_count[r[k]] += 1
    cities = sorted(c for c, n in city_count.items() if n >= 3)

    texts = product_text(vocab)
    char_freq = Counter("".join(texts))
    last_freq = Counter(t[-1] for t in texts if t)
    # a common word here is one that opens a product name with more after it: the way a
    # dictionary entry would turn a clean name into a false NAME_BRAND (光度测定纸, 医用面罩)
    openings = {t[:k] for t in texts for k in range(2, min(len(t) - 1, 9))}
    common = {e for e in entries if e in openings}
    brands = {c for c in (company_core(n, suffixes, industry, cities) for n in companies) if c}
    brands |= set(vocab.car_brands["train"]) | set(vocab.car_brands["eval"])
    brands |= {e["text"].strip() for r in vocab.jd_titles["train"] for e in r["entities"] if e["label"] == "1"}
    jd = _jieba_dict()
    pos_set = [e for e in entries if e in brands and e not in common]
    # common words: the product-text openings, and jieba's general words that open product text
    neg_set = sorted(common | {w for w in openings if w in jd and _HAN.match(w) and w not in brands})
    rng = random.Random(seed)
    rng.shuffle(pos_set)
    rng.shuffle(neg_set)
    n = min(len(pos_set), len(neg_set), 20000)
    labelled = [(e, 1) for e in pos_set[:n]] + [(e, 0) for e in neg_set[:n]]
    rng.shuffle(labelled)
    X = np.array([features(e, jd, char_freq, last_freq, len(texts)) for e, _ in labelled], dtype=np.float32)
    y = np.array([l for _, l in labelled])
    cut = int(0.8 * len(y))
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=1000, C=1.0).fit(X[:cut], y[:cut])
    p_dev = clf.predict_proba(X[cut:])[:, 1]
    # the lowest threshold whose held-out precision for "brand" reaches 0.95
    threshold = 0.5
    for t in np.arange(0.3, 0.96, 0.01):
        sel = p_dev >= t
        if sel.sum() and (y[cut:][sel] == 1).mean() >= 0.95:
            threshold = float(round(t, 2))
            break
    sel = p_dev >= threshold
    metrics = {"filter_dev_precision": round(float((y[cut:][sel] == 1).mean()), 4) if sel.sum() else None,
               "filter_dev_recall": round(float(sel[y[cut:] == 1].mean()), 4), "labelled": int(len(y)),
               "dictionary_entries": len(entries), "common_by_product_text": len(common)}
    rest = [e for e in entries if e not in common]
    probs = clf.predict_proba(np.array([features(e, jd, char_freq, last_freq, len(texts)) for e in rest], dtype=np.float32))[:, 1]
    # every entry ships with its score; the matcher's cut-off is chosen on the real development
    # half (``prescreen train text-calibration``), the held-out one above is only reported
    kept = {e: float(p) for e, p in zip(rest, probs)}
    metrics["shipped_entries"] = len(kept)
    data_hash = hashlib.sha256("".join(sorted(vocab.files.values())).encode()).hexdigest()
    manifest = Manifest(name="brand-lexicon", version=VERSION, kind=BrandLexicon.kind, data_hash=data_hash,
                        recipe={"dictionary": "shibing624/companynameparser data/brand.txt (Apache-2.0)",
                                "filter": "logistic regression over jieba frequency/POS, length, character product-likeness",
                                "coef": [round(float(c), 4) for c in clf.coef_[0]], "threshold": threshold, "seed": seed},
                        metrics=metrics)
    metrics["filter_threshold_for_precision_095"] = threshold
    return BrandLexicon(kept, suffixes, industry, cities, 0.0, manifest), metrics


NOTICE = """Brand dictionary, organisation suffixes and industry words derived from shibing624/companynameparser
(https://github.com/shibing624/companynameparser, data/brand.txt, data/suffix.txt, data/trade.txt),
Copyright shibing624, licensed under the Apache License, Version 2.0
(http://www.apache.org/licenses/LICENSE-2.0). Changes: entries filtered by a learned common-word
filter and scored (training/brand_lexicon.py).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realdata", type=Path, default=None, help="real data folder (default: the realdata setting)")
    parser.add_argument("--out", type=Path, default=Path("models/weights/brand-lexicon"),
                        help="folder the dictionary is written to (default: the shipped models/weights/brand-lexicon)")


def run(args: argparse.Namespace) -> int:
    lexicon, metrics = build(args.realdata)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "NOTICE").write_text(NOTICE, encoding="utf-8")
    lexicon.save(args.out)
    print(metrics)
    return 0
