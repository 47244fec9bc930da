"""Labelled pairs of filings for the duplicate pair scorer, generated from real vocabulary.

Real parts are read at run time from ``../shared/realdata`` (never copied into the repo):
official goods names (Nice classes 1–34) as products, real car series as model lines
(奥迪A4 / 奥迪A4L / 奥迪A6L are three lines), real company names and USCCs as entities. Only
the glue (colours, memory and size variants, line suffixes, introduction templates, synonyms)
is written here.

A pair's label says whether the two filings are the SAME PRODUCT ("同一产品不得重复备案"):
    positive: a paraphrase (name, introduction reworded), a colour/size/memory variant of the
              same line, the same product filed by another entity (under the maker's code,
              or under its own code with the maker's patents: a reseller);
    negative: the same name with another model line (P40 vs P40Pro), the same patents on a
              different product (by the same or another maker), another product of the same
              kind, unrelated filings.
Products are split into train and test by a stable hash of the goods name and the line, so
the held-out pairs share no product with training.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from screening.settings import realdata_dir

_PAREN = re.compile(r"[（(][^）)]*[）)]")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def split_of(item: str, test_share: float = 0.3, salt: str = "dup-v1") -> str:
    h = int(hashlib.sha1(f"{salt}:{item}".encode("utf-8")).hexdigest()[:8], 16)
    return "test" if (h % 1000) < test_share * 1000 else "train"


@dataclass
class Vocab:
    goods: list[str] = field(default_factory=list)  # product names
    goods_group: dict[str, str] = field(default_factory=dict)  # name -> similar-group name (its kind)
    car_series: dict[str, list[str]] = field(default_factory=dict)  # brand -> series
    companies: list[tuple[str, str]] = field(default_factory=list)  # (name, uscc)
    data_hash: str = ""


def load_vocab(realdata: Path | None = None) -> Vocab:
    root = Path(realdata or realdata_dir())
    if not root.is_dir():
        raise FileNotFoundError(f"real data folder {root} is absent (set PRESCREEN_REALDATA)")
    v = Vocab()
    h = hashlib.sha256()
    goods_file = root / "classification_standards" / "xovel_trademark_nice_goods_services_flat.csv"
    cars_file = root / "brands" / "taoche_car_brand_manufacturer_series.csv"
    firms_file = root / "uscc" / "enterprise_registration_2002_name_uscc.csv"
    for f in (goods_file, cars_file, firms_file):
        h.update(f.read_bytes())
    seen = set()
    with open(goods_file, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if int(row["nice_class"]) > 34:
                continue  # services are not products
            name = _PAREN.sub("", row["item_name"]).strip()
            if 2 <= len(name) <= 10 and _HAN.match(name) and name not in seen:
                seen.add(name)
                v.goods.append(name)
                v.goods_group[name] = row["similar_group_name"]
    with open(cars_file, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            v.car_series.setdefault(row["brand"], []).append(row["series_name"])
    with open(firms_file, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("python_stdnum_is_valid") == "True" and len(row["uscc"]) == 18:
                v.companies.append((row["company_name"], row["uscc"]))
            if len(v.companies) >= 20_000:
                break
    v.data_hash = h.hexdigest()
    return v


# ---------------------------------------------------------------- the glue written here
QUALIFIERS = ["家用", "智能", "便携式", "工业用", "商用", "全自动", "电动", "车载", "医用", "立式", "多功能", "节能型",
              "数控", "户外", "高精度", "无线", "防水", "手持式", "实验室用", "农用"]
PARTS = ["外壳", "主体框架", "控制模块", "驱动电机", "传感器组件", "电源模块", "密封件", "支撑座", "连接件", "散热器",
         "显示面板", "滤芯", "底座", "储液腔", "传动机构", "加热元件", "阀体", "导轨", "电路板", "缓冲层"]
TECHS = ["变频控制技术", "一体化成型工艺", "模块化结构设计", "多级过滤结构", "低功耗电路", "高强度复合材料",
         "智能温控算法", "双层隔热结构", "精密注塑工艺", "无刷电机驱动", "物联网远程监控", "自适应调节机构"]
EFFECTS = ["运行稳定", "能耗低", "噪音小", "寿命长", "安装方便", "维护简单", "精度高", "安全可靠", "体积小巧", "效率高",
           "耐腐蚀", "操作简便"]
SCENES = ["家庭日常使用", "工厂生产线", "商场超市", "医院及诊所", "实验室检测", "户外作业", "汽车维修", "农业种植",
          "办公场所", "学校及培训机构", "物流仓储", "餐饮门店"]
INTRO_TEMPLATES = [
    "本产品为{q}{g}，主要由{p1}、{p2}和{p3}组成，采用{t}，具有{e1}、{e2}的特点，适用于{s}。{spec}",
    "{q}{g}由{p1}、{p2}、{p3}等部分构成。产品采用{t}，{e1}且{e2}，可广泛用于{s}。{spec}",
    "该{g}采用{t}，结构上包括{p2}、{p1}及{p3}；{spec}具备{e2}、{e1}等优点，主要应用于{s}。",
    "{g}（{q}）：{spec}核心部件为{p1}与{p2}，另设{p3}；依托{t}实现{e1}、{e2}，面向{s}。",
]
COLOURS = ["黑色", "白色", "银色", "金色", "深空灰", "曜石黑", "珍珠白", "宝石蓝", "玫瑰金", "红色", "墨绿色"]
MEMORIES = ["8+128G", "8+256G", "12+256G", "6GB+128GB", "128G", "256GB", "512G", "1TB"]
SIZES = ["S", "M", "L", "XL", "1.5m", "1.8m", "55英寸", "65英寸", "500ml", "1L", "2kg"]
CONFIGS = ["标准版", "豪华版", "尊享版", "高配", "套装"]
LINE_SUFFIXES = ["Pro", "Plus", "Max", "Lite", "Ultra", "mini", "S", "E", "L", "X", "二代", "II", "Air", "Neo"]
SERIES_PREFIXES = ["BCD", "KFR", "XQB", "JYL", "ZDX", "HY", "TX", "GK", "MZ", "QS", "LD", "YF", "DZ", "SK", "HW", "JM",
                   "RC", "BX", "FT", "PL", "WD", "XC", "ZN", "CT"]


def _patent(rng: random.Random) -> str:
    year = rng.randint(2008, 2024)
    kind = rng.choice("1123")
    body = f"{year}{kind}{rng.randint(0, 9_999_999):07d}"
    s = sum(int(d) * w for d, w in zip(body, [2, 3, 4, 5, 6, 7, 8, 9] * 2)) % 11
    return f"CN{body}.{'X' if s == 10 else s}"


@dataclass
class Product:
    """One product: a goods name, its kind, one model line, its patents."""

    goods: str
    group: str
    line: str  # the model code of the line
    siblings: list[str]  # other lines of the same family (P40Pro, P40Plus…)
    patents: list[str]
    qualifier: str
    parts: list[str]
    tech: str
    effects: list[str]
    scene: str
    spec: str


class PairGenerator:
    def __init__(self, vocab: Vocab, split: str, seed: int = 0) -> None:
        self.rng = random.Random(f"{seed}:{split}")
        self.split = split
        self.goods = [g for g in vocab.goods if split_of(g) == split]
        self.group = vocab.goods_group
        self.by_group: dict[str, list[str]] = {}
        for g in self.goods:
            self.by_group.setdefault(self.group[g], []).append(g)
        from screening.duplicates.model_codes import relation

        # car series as model lines; a sibling is another series of the brand that is really
        # another line ('奥迪A3(进口)' is a variant of '奥迪A3', not a sibling)
        self.car_by_brand: dict[str, list[str]] = {}
        for b, series in vocab.car_series.items():
            if split_of(b) == split:
                self.car_by_brand[b] = sorted(set(series))
        self.car_siblings = {
            (b, s): [t for t in ss if relation([s], [t]) == "different"]
            for b, ss in self.car_by_brand.items() for s in ss
        }
        self.car_lines = [k for k, sib in self.car_siblings.items() if sib]
        firms = vocab.companies
        self.companies = [c for c in firms if split_of(c[1]) == split]
        self.serial = 0

    # ---------------------------------------------------------------- building blocks
    def product(self, goods: str | None = None) -> Product:
        r = self.rng
        g = goods or r.choice(self.goods)
        if r.random() < 0.35 and self.car_lines:
            brand, series = r.choice(self.car_lines)
            line = series
            siblings = self.car_siblings[(brand, series)]
        else:
            prefix = r.choice(SERIES_PREFIXES) + (r.choice("ABCDEFGHJKMNPRSTWXYZ") if r.random() < 0.4 else "")
            number = str(r.randint(10, 999))
            tail = r.choice(["", "", "W", "A", "G", "T", "E"])
            line = f"{prefix}{r.choice(['-', '', ' '])}{number}{tail}"
            siblings = [line.rstrip() + sfx for sfx in r.sample(LINE_SUFFIXES, 3)]
            siblings.append(f"{prefix}-{int(number) + r.randint(1, 60)}{tail}")
        parts = r.sample(PARTS, 3)
        spec = f"额定功率{r.randint(5, 300) * 10}W，" if r.random() < 0.5 else f"重量{r.randint(1, 90)}公斤，"
        return Product(g, self.group.get(g, ""), line, siblings, [_patent(r) for _ in range(r.randint(1, 3))],
                       r.choice(QUALIFIERS), parts, r.choice(TECHS), r.sample(EFFECTS, 2), r.choice(SCENES), spec)

    def name(self, p: Product, paraphrase: bool) -> str:
        if not paraphrase:
            return f"{p.qualifier}{p.goods}"
        return self.rng.choice([p.goods, f"{p.goods}（{p.qualifier}）", f"{p.qualifier}型{p.goods}",
                                f"{p.qualifier}{p.goods}产品", f"{p.qualifier}{p.goods}"])

    def intro(self, p: Product, template: int | None = None, spec: str | None = None) -> str:
        r = self.rng
        t = INTRO_TEMPLATES[template if template is not None else r.randrange(len(INTRO_TEMPLATES))]
        p1, p2, p3 = r.sample(p.parts, 3)
        e1, e2 = r.sample(p.effects, 2)
        return t.format(q=p.qualifier, g=p.goods, p1=p1, p2=p2, p3=p3, t=p.tech, e1=e1, e2=e2, s=p.scene,
                        spec=spec if spec is not None else p.spec)

    def variant_code(self, line: str) -> str:
        r = self.rng
        extra = r.choice([COLOURS, MEMORIES, SIZES, CONFIGS])
        code = f"{line} {r.choice(extra)}"
        if r.random() < 0.4:
            code += f" {r.choice(COLOURS)}"
        return code

    def respell(self, code: str) -> str:
        """The same code typed differently: case, hyphens, spaces."""
        r = self.rng
        c = code
        if r.random() < 0.5:
            c = c.replace("-", "") if "-" in c else c
        if r.random() < 0.3:
            c = c.lower()
        return c

    def entity(self) -> tuple[str, str]:
        return self.rng.choice(self.companies)

    def filing(self, p: Product, entity: tuple[str, str], *, models: list[str] | None, name: str, intro: str,
               patents: list[str] | None = None, photos: list | None = None, stage: str = "product"):
        from screening.duplicates.filing import Filing, normalise_patent

        self.serial += 1
        return Filing(revision_id=self.serial, submission_id=f"{self.split}-{self.serial:06d}", stage=stage,
                      entity_uscc=entity[1], entity_name=entity[0], product_name=name, models=list(models or []),
                      intro=intro, patents=sorted({normalise_patent(x) for x in (patents if patents is not None else p.patents)}),
                      photos=photos or [])

    def photos(self, base=None, *, copy: bool = False):
        """Photo hashes: a (lightly transformed) copy of ``base``, or a photo of its own; or none."""
        from screening.duplicates.image_hash import PhotoHash

        r = self.rng
        if r.random() < 0.4:
            return []
        if copy and base:
            h = base[0]
            flip = lambda x, n: x ^ sum(1 << b for b in r.sample(range(64), n))  # noqa: E731
            return [PhotoHash(flip(h.phash, r.randint(0, 8)), flip(h.dhash, r.randint(0, 10)))]
        return [PhotoHash(r.getrandbits(64), r.getrandbits(64))]

    # ---------------------------------------------------------------- the pair kinds
    def pair(self, kind: str):
        r = self.rng
        p = self.product()
        e1 = self.entity()
        ph1 = self.photos()
        ph1 = ph1 or []
        a = self.filing(p, e1, models=[p.line], name=self.name(p, False), intro=self.intro(p), photos=ph1)
        copy_photo = r.random() < 0.5
        if kind == "paraphrase":
            b = self.filing(p, e1, models=[self.respell(p.line)], name=self.name(p, True), intro=self.intro(p),
                            patents=p.patents if r.random() < 0.8 else p.patents[:1],
                            photos=self.photos(ph1, copy=copy_photo))
            return a, b, 1
        if kind == "variant":
            e2 = e1 if r.random() < 0.6 else self.entity()
            b = self.filing(p, e2, models=[self.variant_code(p.line)] + ([self.variant_code(p.line)] if r.random() < 0.3 else []),
                            name=self.name(p, r.random() < 0.5), intro=self.intro(p),
                            patents=p.patents if e2 == e1 else ([] if r.random() < 0.3 else p.patents),
                            photos=self.photos(ph1, copy=copy_photo))
            return a, b, 1
        if kind == "two_entities":
            e2 = self.entity()
            patents = p.patents if r.random() < 0.5 else [_patent(r)]
            b = self.filing(p, e2, models=[self.respell(p.line) if r.random() < 0.7 else self.variant_code(p.line)],
                            name=self.name(p, r.random() < 0.6), intro=self.intro(p), patents=patents,
                            photos=self.photos(ph1, copy=copy_photo))
            return a, b, 1
        if kind == "reseller":
            # a licensee or distributor files the maker's product under its own model code: the
            # patents are the maker's, the photo often the same; the code says nothing here
            q = self.product(p.goods)
            b = self.filing(p, self.entity(), models=[q.line], name=self.name(p, r.random() < 0.6), intro=self.intro(p),
                            patents=p.patents, photos=self.photos(ph1, copy=r.random() < 0.6))
            return a, b, 1
        if kind == "no_models":
            b = self.filing(p, e1, models=[], name=self.name(p, r.random() < 0.5), intro=self.intro(p),
                            photos=self.photos(ph1, copy=copy_photo))
            return a, b, 1
        if kind == "no_models_other_maker":
            # two makers' products of one kind, filed without model codes: a shared name is not
            # enough; nothing ties them (other entity, other patents, other description)
            q = self.product(p.goods)
            q.qualifier = p.qualifier
            a.models = [] if r.random() < 0.5 else a.models
            b = self.filing(q, self.entity(), models=[], name=self.name(p, r.random() < 0.5), intro=self.intro(q),
                            photos=self.photos())
            return a, b, 0
        if kind == "other_line":
            e2 = e1 if r.random() < 0.7 else self.entity()
            spec = f"额定功率{r.randint(5, 300) * 10}W，"
            b = self.filing(p, e2, models=[r.choice(p.siblings)], name=self.name(p, r.random() < 0.3),
                            intro=self.intro(p, spec=spec),
                            patents=p.patents if (e2 == e1 and r.random() < 0.7) else [_patent(r)],
                            photos=self.photos(ph1, copy=r.random() < 0.15))
            return a, b, 0
        if kind == "shared_patents":
            same_kind = self.by_group.get(p.group, [])
            g2 = r.choice([g for g in same_kind if g != p.goods] or self.goods)
            q = self.product(g2)
            b = self.filing(q, e1, models=[q.line], name=self.name(q, r.random() < 0.5), intro=self.intro(q),
                            patents=p.patents, photos=self.photos())
            return a, b, 0
        if kind == "shared_patents_other_maker":
            # one patent may serve several products ("一项专利可以对应多个产品"): another
            # maker's product of another kind (its own name, model line and description) that
            # lists the same patents — an air conditioner and a refrigerator — is not a duplicate
            g2 = r.choice([g for g in self.goods if self.group.get(g) != p.group] or self.goods)
            q = self.product(g2)
            shared = p.patents if r.random() < 0.6 else p.patents[:1] + q.patents[:1]
            b = self.filing(q, self.entity(), models=[q.line] if r.random() < 0.7 else [],
                            name=self.name(q, r.random() < 0.5), intro=self.intro(q), patents=shared,
                            photos=self.photos())
            return a, b, 0
        if kind == "same_name_other_maker":
            q = self.product(p.goods)
            q.qualifier = p.qualifier
            b = self.filing(q, self.entity(), models=[q.line], name=self.name(p, r.random() < 0.5),
                            intro=self.intro(q), photos=self.photos())
            return a, b, 0
        if kind == "same_kind":
            same_kind = self.by_group.get(p.group, [])
            g2 = r.choice([g for g in same_kind if g != p.goods] or self.goods)
            q = self.product(g2)
            b = self.filing(q, self.entity(), models=[q.line] if r.random() < 0.8 else [], name=self.name(q, False),
                            intro=self.intro(q), photos=self.photos())
            return a, b, 0
        if kind == "random":
            q = self.product()
            b = self.filing(q, self.entity(), models=[q.line], name=self.name(q, False), intro=self.intro(q),
                            photos=self.photos())
            return a, b, 0
        raise ValueError(kind)


PAIR_KINDS = {  # kind -> share of the set
    "paraphrase": 0.13, "variant": 0.13, "two_entities": 0.12, "reseller": 0.06, "no_models": 0.08,
    "other_line": 0.15, "shared_patents": 0.09, "shared_patents_other_maker": 0.06, "same_name_other_maker": 0.08,
    "no_models_other_maker": 0.06, "same_kind": 0.06, "random": 0.04,
}


@dataclass
class FilingPair:
    a: object  # screening.duplicates.filing.Filing
    b: object
    label: int
    kind: str


def generate_pairs(vocab: Vocab, split: str, n: int, *, seed: int = 0) -> list[FilingPair]:
    gen = PairGenerator(vocab, split, seed)
    kinds = list(PAIR_KINDS)
    weights = [PAIR_KINDS[k] for k in kinds]
    out = []
    for _ in range(n):
        kind = gen.rng.choices(kinds, weights)[0]
        a, b, y = gen.pair(kind)
        if gen.rng.random() < 0.5:
            a, b = b, a
        out.append(FilingPair(a, b, y, kind))
    return out


def pairs_hash(pairs: list[FilingPair]) -> str:
    from models.base import sha256_rows

    return sha256_rows({"a": p.a.to_json(), "b": p.b.to_json(), "y": p.label, "k": p.kind} for p in pairs)


def labelled_pairs(pairs: list[FilingPair], embedder, *, batch_size: int = 64, progress: bool = False):
    """The pairs' features (embedding both sides with the shared embedder) as LabelledPairs."""
    import numpy as np

    from models.pair_scorer import LabelledPair
    from screening.duplicates.filing import pair_features

    texts = sorted({f.text for p in pairs for f in (p.a, p.b)})
    vecs = {}
    iterator = range(0, len(texts), 256)
    if progress:
        import sys

        from tqdm import tqdm

        iterator = tqdm(iterator, file=sys.stderr, desc="embedding", unit="batch")
    for i in iterator:
        chunk = texts[i : i + 256]
        for t, v in zip(chunk, embedder.encode(chunk, batch_size=batch_size)):
            vecs[t] = v
    return [LabelledPair(pair_features(p.a, p.b, float(np.dot(vecs[p.a.text], vecs[p.b.text]))), p.label, p.kind)
            for p in pairs]
