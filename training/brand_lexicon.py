"""Builds ``models/weights/brand-lexicon``: the trade-name dictionary, every entry scored by a
learned filter for entries that are also common words.

The filter is a logistic regression that says, of a dictionary entry, how likely it is a trade
name rather than an ordinary word, from where the entry turns up in real text:
- in product text (official goods names of the train split, e-commerce categories, GB/T 4754
  class names, patent titles of the train folds, industry words) and in business-scope texts:
  how many of them hold it (电源, 新能源, 冰淇淋 are everywhere there; 华为 never is);
- in the 100,882 real company names: how many have it as their trade-name core
  (``company_core``), how many have a longer core it opens, how many hold it elsewhere
  (…电源有限公司: an industry word);
- in jieba's general dictionary (frequency, part of speech), its length and script, and how
  much more its characters belong to trade names than to product text.
Labels come from the same sources, cross-fitted so the filter cannot read its label off a
feature: the texts and companies are split in two by a stable hash; an entry's features are
counted on one half and its label taken from the other: a common word (0) when that half's
product or business-scope text holds it, a trade name (1) when it is the core of one of that
half's companies, a car brand, or an annotated brand of the JD titles' train half (entries that
are both are left out). Both directions are stacked into one training set. The shipped scores
use features counted over both halves (counts up to twice a half's, which can only make a word
seen in product text look more common). Every entry ships with its score; the cut-off is the
calibration's, fitted on the real development half (``prescreen train text-calibration``).
Beside the entries ship the vocabularies of the structural evidence (``training/brand_context.py``:
known product words, slices of descriptive product text, general words) and each character's
trade-name-vs-product-text leaning.

    prescreen train brand-lexicon --out models/weights/brand-lexicon
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np

from models.base import Manifest, new_version
from models.brand_lexicon import BrandLexicon, company_core
from screening.settings import realdata_dir

from . import brand_context
from .text_vocab import RealVocab, strip_parenthetical

HELP = "build the brand dictionary with its learned common-word filter (models/weights/brand-lexicon)"
POS = ("n", "nr", "nz", "ns", "nt", "nrt", "v", "vn", "a", "l", "i")
FEATURES = ("product_text", "business_scope", "company_core", "company_core_prefix", "company_elsewhere",
            "jieba_frequency", "in_jieba", "length", "latin", "brand_characters") + tuple(f"pos_{p}" for p in POS)
# organisation words between the trade name and the suffix that the industry list lacks
EXTRA_INDUSTRY = ("集团", "股份", "实业", "控股", "科技", "技术", "重工", "制造", "工业", "发展", "国际", "投资", "贸易",
                  "电器", "电子", "有限", "商贸", "企业", "产业", "医药", "食品", "酒业", "乳业", "生物", "药业", "服饰")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9&\-]{2,15}$")
SALT = "brand-lexicon-v2"


def half_of(text: str) -> int:
    return int(hashlib.sha1(f"{SALT}:{text}".encode()).hexdigest()[:8], 16) % 2


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
    """The product vocabulary the text models train on (train splits only: the real set's clean
    names of the eval split stay unseen)."""
    texts = [strip_parenthetical(g.name) for g in vocab.goods["train"]]
    texts += [c for cat in vocab.categories["train"] for c in cat]
    texts += [n for _, n in vocab.gbt_names] + vocab.patent_titles["train"] + vocab.industry_words
    return texts


def entries_in(texts: list[str], entries: set[str], max_len: int) -> Counter:
    """How many texts hold each entry (as a substring: what matching anywhere in a name would find)."""
    out: Counter = Counter()
    for t in texts:
        seen = {t[i:j] for i in range(len(t)) for j in range(i + 2, min(len(t), i + max_len) + 1)}
        out.update(seen & entries)
    return out


class Evidence:
    """The counts behind the features, over one half of the texts and companies (or both)."""

    def __init__(self, entries: set[str], products: list[str], scopes: list[str], cores: list[tuple[str, str | None]],
                 max_len: int) -> None:
        self.product = entries_in(products, entries, max_len)
        self.scope = entries_in(scopes, entries, max_len)
        self.core = Counter(c for _, c in cores if c)
        self.core_prefix = Counter(c[:k] for _, c in cores if c for k in range(2, len(c)))
        self.elsewhere = entries_in([n.replace(c or "\0", "\0") for n, c in cores], entries, max_len)
        product_chars = Counter("".join(products))
        core_chars = Counter("".join(c for _, c in cores if c))
        self.char_ratio = {}
        tp, tc = sum(product_chars.values()) or 1, sum(core_chars.values()) or 1
        self.char_count = product_chars + core_chars
        for ch in set(product_chars) | set(core_chars):
            self.char_ratio[ch] = math.log((core_chars[ch] + 1) / tc) - math.log((product_chars[ch] + 1) / tp)
        self.unseen_char = math.log(1 / tc) - math.log(1 / tp)

    def features(self, entry: str, jd: dict[str, tuple[int, str]]) -> list[float]:
        f, pos = jd.get(entry, (0, ""))
        ratio = sum(self.char_ratio.get(c, self.unseen_char) for c in entry) / len(entry)
        return [math.log1p(self.product[entry]), math.log1p(self.scope[entry]), math.log1p(self.core[entry]),
                math.log1p(self.core_prefix[entry]), math.log1p(self.elsewhere[entry]), math.log1p(f) / 5,
                float(entry in jd), len(entry) / 4, float(bool(_LATIN.match(entry))), ratio / 5] + [
                float(pos == p) for p in POS]


def labelled(halves: list[Evidence], entries: list[str], known: set[str],
             jd: dict[str, tuple[int, str]]) -> tuple[np.ndarray, np.ndarray]:
    """The filter's training rows, cross-fitted: an entry's features counted on one half, its
    label read from the other (1: a company core there, or a known brand; 0: held by that half's
    product or business-scope text; neither or both: no row), both directions stacked."""
    rows, labels = [], []
    for h in (0, 1):
        feat, lab = halves[h], halves[1 - h]
        for e in entries:
            brand = lab.core[e] > 0 or e in known
            common = lab.product[e] > 0 or lab.scope[e] > 0
            if brand != common:
                rows.append(feat.features(e, jd))
                labels.append(int(brand))
    return np.array(rows, dtype=np.float32).reshape(len(rows), len(FEATURES)), np.array(labels)


def build(root: Path | None = None) -> tuple[BrandLexicon, dict]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_predict

    root = Path(root) if root else realdata_dir()
    vocab = RealVocab.load(root)
    raw = (root / "brands" / "shibing624_companynameparser_brand.txt").read_text(encoding="utf-8-sig").splitlines()
    entries = sorted({e.strip() for e in raw if _HAN.match(e.strip()) or _LATIN.match(e.strip())})
    entry_set = set(entries)
    max_len = max(len(e) for e in entries)
    suffixes = [s.strip() for s in (root / "brands" / "shibing624_companynameparser_suffix.txt").read_text(encoding="utf-8").splitlines() if s.strip()]
    industry = sorted(set(vocab.industry_words) | set(EXTRA_INDUSTRY))
    registrations = root / "uscc" / "enterprise_registration_2002_name_uscc.csv"
    companies, city_count = [], Counter()
    with open(registrations, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            companies.append(r["company_name"])
            for k in ("province", "city"):
                if _HAN.match(r.get(k) or "") and len(r[k]) <= 3:
                    city_count[r[k]] += 1
    cities = sorted(c for c, n in city_count.items() if n >= 3)
    cores = [(n, company_core(n, suffixes, industry, cities)) for n in companies]
    products = product_text(vocab)
    scopes = [s for _, s in vocab.business_scopes["train"]]
    halves = [Evidence(entry_set, [t for t in products if half_of(t) == h], [s for s in scopes if half_of(s) == h],
                       [c for c in cores if half_of(c[0]) == h], max_len) for h in (0, 1)]
    known = set(vocab.car_brands["train"]) | set(vocab.car_brands["eval"])
    known |= {e["text"].strip() for r in vocab.jd_titles["train"] for e in r["entities"] if e["label"] == "1"}
    jd = _jieba_dict()

    X, y = labelled(halves, entries, known, jd)
    clf = LogisticRegression(max_iter=3000, C=1.0, class_weight="balanced")
    # held-out figures on the weak labels: each row scored by a filter fitted without it
    p_cv = cross_val_predict(clf, X, y, cv=5, method="predict_proba")[:, 1]
    threshold = next((round(float(t), 2) for t in np.arange(0.05, 0.996, 0.01)
                      if (p_cv >= t).any() and (y[p_cv >= t] == 1).mean() >= 0.95), 0.99)
    sel = p_cv >= threshold
    clf.fit(X, y)
    both = Evidence(entry_set, products, scopes, cores, max_len)
    probs = clf.predict_proba(np.array([both.features(e, jd) for e in entries], dtype=np.float32))[:, 1]
    scored = {e: round(float(p), 3) for e, p in zip(entries, probs)}
    # the structural evidence's vocabularies (training/brand_context.py)
    heads = brand_context.product_words(vocab, jd)
    grams = brand_context.product_grams(brand_context.descriptive_texts(vocab, products),
                                        {e for e in entries if both.product[e] or both.scope[e]})
    general = brand_context.general_words(jd, grams)
    metrics = {"filter_heldout_auc": round(float(roc_auc_score(y, p_cv)), 4),
               "filter_heldout_precision": round(float((y[sel] == 1).mean()), 4),
               "filter_heldout_recall": round(float(sel[y == 1].mean()), 4),
               "filter_heldout_common_words_below_threshold": round(float((~sel)[y == 0].mean()), 4),
               "filter_threshold_for_precision_095": threshold,
               "labelled": int(len(y)), "labelled_brands": int(y.sum()), "labelled_common": int(len(y) - y.sum()),
               "dictionary_entries": len(entries), "shipped_entries": len(scored),
               "entries_scoring_below_0_5": int((probs < 0.5).sum()),
               "product_words": len(heads), "product_grams": len(grams), "general_words": len(general)}
    files = dict(vocab.files)
    files["uscc/enterprise_registration_2002_name_uscc.csv"] = hashlib.sha256(registrations.read_bytes()).hexdigest()
    data_hash = hashlib.sha256("".join(v for _, v in sorted(files.items())).encode()).hexdigest()
    manifest = Manifest(name="brand-lexicon", version=new_version(data_hash), kind=BrandLexicon.kind, data_hash=data_hash,
                        recipe={"dictionary": "shibing624/companynameparser data/brand.txt (Apache-2.0)",
                                "matching": "trie over all entries, leftmost-longest from every word start in the name",
                                "structure": "an unknown prefix directly before a known product word (training/brand_context.py)",
                                "filter": "logistic regression, class-balanced, cross-fitted weak labels (training/brand_lexicon.py)",
                                "features": list(FEATURES),
                                "coef": [round(float(c), 4) for c in clf.coef_[0]],
                                "intercept": round(float(clf.intercept_[0]), 4), "split_salt": SALT},
                        metrics=metrics)
    # the characters' leaning, only for characters seen often enough on one side to say
    chars = {c: round(r, 3) for c, r in both.char_ratio.items() if both.char_count[c] >= 5 and _HAN.match(c * 2)}
    return BrandLexicon(scored, suffixes, industry, cities, 0.0, manifest, product_words=heads, product_grams=grams,
                        general_words=general, char_scores=chars), metrics


NOTICE = """Brand dictionary, organisation suffixes and industry words derived from shibing624/companynameparser
(https://github.com/shibing624/companynameparser, data/brand.txt, data/suffix.txt, data/trade.txt),
Copyright shibing624, licensed under the Apache License, Version 2.0
(http://www.apache.org/licenses/LICENSE-2.0). Changes: each entry scored by a learned common-word
filter (training/brand_lexicon.py).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realdata", type=Path, default=None,
                        help="real-data folder with the brand lists (default: the settings' PRESCREEN_REALDATA)")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write a copy here (the model is registered as a candidate in the data "
                             "directory's registry either way; models/weights/brand-lexicon replaces the shipped one)")


def run(args: argparse.Namespace) -> int:
    import json
    import tempfile

    from models.registry import Registry
    from screening.settings import get_settings

    from .candidates import register_candidate

    lexicon, metrics = build(args.realdata)
    registry = Registry(get_settings().registry_dir)
    with tempfile.TemporaryDirectory(prefix="brand-lexicon-") as tmp:
        row = register_candidate(registry, lexicon, Path(tmp), args.out,
                                 extra=lambda folder: (folder / "NOTICE").write_text(NOTICE, encoding="utf-8"))
    print(json.dumps({**row, "metrics": metrics}, ensure_ascii=False, indent=2))
    return 0
