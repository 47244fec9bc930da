"""Real vocabulary for the text models, read from ``../shared/realdata`` and split.

Every real list is split ONCE here, by a stable hash of the item, into a ``train`` part (used
to compose training examples) and an ``eval`` part (kept out of training; the held-out
generated set and the real-slice evaluations draw only on it). Nothing here is copied into
the repository: the trained weights are what ships.

    vocab = RealVocab.load(realdata_dir)
    vocab.goods["train"]      # official goods names (Nice 1-34), parentheticals stripped
    vocab.patent_titles["eval"]
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from screening.settings import realdata_dir

SPLITS = ("train", "eval")
_PAREN = re.compile(r"[（(][^）)]*[）)]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def split_of(item: str, eval_share: float = 0.2, salt: str = "text-v1") -> str:
    """Stable train/eval split by hash, independent of file order."""
    h = int(hashlib.sha1(f"{salt}:{item}".encode("utf-8")).hexdigest()[:8], 16)
    return "eval" if (h % 1000) < eval_share * 1000 else "train"


def _split(items, eval_share: float = 0.2) -> dict[str, list]:
    out: dict[str, list] = {"train": [], "eval": []}
    seen = set()
    for item in items:
        key = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
        if key in seen:
            continue
        seen.add(key)
        out[split_of(key, eval_share)].append(item)
    return out


def strip_parenthetical(name: str) -> str:
    return _PAREN.sub("", name).strip()


@dataclass
class GoodsItem:
    nice_class: int
    group: str
    group_name: str
    name: str  # as published (parentheticals kept)


@dataclass
class RealVocab:
    goods: dict[str, list[GoodsItem]] = field(default_factory=dict)  # Nice classes 1-34
    services: dict[str, list[GoodsItem]] = field(default_factory=dict)  # Nice classes 35-45
    group_names: list[str] = field(default_factory=list)  # 类似群 headings (broad terms)
    categories: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # e-commerce l1, l2, l3
    car_brands: dict[str, list[str]] = field(default_factory=dict)
    car_series: dict[str, list[str]] = field(default_factory=dict)
    trade_names: dict[str, list[str]] = field(default_factory=dict)  # the noisy 字号 dictionary
    industry_words: list[str] = field(default_factory=list)
    patent_titles: dict[str, list[str]] = field(default_factory=dict)  # fold 1 = eval
    patent_abstracts: list[str] = field(default_factory=list)
    ipc_subclasses: list[str] = field(default_factory=list)  # the IPC subclasses of the real titles
    jd_titles: dict[str, list[dict]] = field(default_factory=dict)
    gbt_names: list[tuple[str, str]] = field(default_factory=list)  # (code, name) of 小类
    business_scopes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (company, scope)
    idioms: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256 (the data hash)

    @classmethod
    def load(cls, root: str | os.PathLike | None = None) -> "RealVocab":
        root = Path(root) if root else realdata_dir()
        if not root.is_dir():
            raise FileNotFoundError(f"real data folder {root} is absent (set PRESCREEN_REALDATA)")
        v = cls()

        def track(rel: str) -> Path:
            p = root / rel
            v.files[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            return p

        goods, services, groups = [], [], set()
        with open(track("classification_standards/xovel_trademark_nice_goods_services_flat.csv"), encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                item = GoodsItem(int(r["nice_class"]), r["similar_group_code"], r["similar_group_name"], r["item_name"].strip())
                (goods if item.nice_class <= 34 else services).append(item)
                groups.add(r["similar_group_name"])
        v.goods = _split_items(goods)
        v.services = _split_items(services)
        item_names = {strip_parenthetical(g.name) for g in goods + services}
        # a group heading that is itself an official item is not a broad term
        v.group_names = sorted(g for g in groups if strip_parenthetical(g) not in item_names)

        cats = []
        for line in track("product_names/ecommerce_level3_categories_1258_AndreamApp.txt").read_text(encoding="utf-8").splitlines():
            path = line.rsplit(" ", 1)[0].strip()
            parts = path.split("--")
            if len(parts) == 3:
                cats.append(tuple(parts))
        v.categories = _split(cats)

        brands, series = set(), []
        with open(track("brands/taoche_car_brand_manufacturer_series.csv"), encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                brands.add(r["brand"].strip())
                series.append(r["series_name"].strip())
        v.car_brands = _split(sorted(brands))
        v.car_series = _split(series)

        v.industry_words = [w.strip() for w in track("brands/shibing624_companynameparser_trade.txt").read_text(encoding="utf-8").splitlines() if w.strip()]
        industry = set(v.industry_words) | item_names
        trade = []
        for w in track("brands/shibing624_companynameparser_brand.txt").read_text(encoding="utf-8-sig").splitlines():
            w = w.strip()
            # keep the 2-4 character Chinese trade names; generic words (速冻食品) are the noise
            if 2 <= len(w) <= 4 and all(_HAN.match(c) for c in w) and w not in industry:
                trade.append(w)
        v.trade_names = _split(trade)

        titles: dict[str, list[str]] = {"train": [], "eval": []}
        ipc: set[str] = set()
        with open(track("patent_titles/lxingy3_oof_predictions_patent_titles.csv"), encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                t = r["patent_title"].strip()
                ipc.update(x for x in r["true_subclasses_all"].split("|") if re.fullmatch(r"[A-H]\d\d[A-Z]", x))
                if t:
                    titles["eval" if r["fold"] == "1" else "train"].append(t)
        v.patent_titles = {k: sorted(set(x)) for k, x in titles.items()}
        v.ipc_subclasses = sorted(ipc)
        v.patent_titles["train"] = [t for t in v.patent_titles["train"] if t not in set(v.patent_titles["eval"])]

        for part in ("train", "val", "test"):
            with open(track(f"patent_titles/liaoleyuan_cpc_sample_{part}.csv"), encoding="utf-8-sig") as fh:
                for r in csv.DictReader(fh):
                    m = re.search(r"Abstract:\s*(.+)", r.get("text") or "", re.S)
                    if m:
                        v.patent_abstracts.append(m.group(1).strip())

        jd = [json.loads(line) for line in track("product_names/GAIIC2022_JD_train_500_titles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        v.jd_titles = _split_by(jd, key=lambda r: r["title"], eval_share=0.5)

        with open(track("classification_standards/gbt4754_2017_zmshe_capital.csv"), encoding="utf-8") as fh:
            v.gbt_names = [(r["class"], r["name"]) for r in csv.DictReader(fh) if r["level"] == "4"]

        scopes = []
        with open(track("product_names/enterprise_registration_2002_business_scope_sample10k.csv"), encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["business_scope"] and "法律、法规" not in r["business_scope"][:10]:
                    scopes.append((r["company_name"], r["business_scope"]))
        v.business_scopes = _split_by(scopes, key=lambda r: r[0])

        import jieba  # its dictionary marks idioms with the POS tag "i"

        with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
            v.idioms = [p[0] for p in (line.split() for line in fh) if len(p) == 3 and p[2] == "i" and len(p[0]) == 4]
        return v

    @property
    def data_hash(self) -> str:
        h = hashlib.sha256()
        for rel in sorted(self.files):
            h.update(f"{rel}:{self.files[rel]}\n".encode())
        return h.hexdigest()


def _split_items(items: list[GoodsItem]) -> dict[str, list[GoodsItem]]:
    return _split_by(items, key=lambda g: strip_parenthetical(g.name))


def _split_by(items, key, eval_share: float = 0.2) -> dict[str, list]:
    out: dict[str, list] = {"train": [], "eval": []}
    seen = set()
    for item in items:
        k = key(item)
        if k in seen:
            continue
        seen.add(k)
        out[split_of(k, eval_share)].append(item)
    return out
