# Over 400 lines: the composer, its segment vocabularies and the label bookkeeping are one generator.
"""Labelled product names composed from real vocabulary (the name tagger's and heads' data).

A generated name is a sequence of segments, each carrying a tagger label (BRAND, SPEC, ADJ,
VAGUE, HEAD or none) and the finding codes it implies. The real parts come from
``RealVocab`` (official goods names, e-commerce categories, car brands and series, the
trade-name dictionary, real patent titles, idioms); only the glue (units, adjectives, vague
words, conjunctions) is written here. ``split`` chooses which half of every real list is used,
so the held-out set shares no real item with training.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from models import text_rules

from .text_vocab import RealVocab, strip_parenthetical

TAGS = ("BRAND", "SPEC", "ADJ", "VAGUE", "HEAD")
SPAN_CODES = {"BRAND": "NAME_BRAND", "SPEC": "NAME_HAS_SPEC", "ADJ": "NAME_ADJECTIVE", "VAGUE": "NAME_VAGUE_WORDING"}
NAME_CODES = (
    "NAME_METHOD", "NAME_PATENT_TITLE", "NAME_BRAND", "NAME_TOO_BROAD", "NAME_MULTI_PRODUCT", "NAME_HAS_SPEC",
    "NAME_VAGUE_WORDING", "NAME_ADJECTIVE", "NAME_FOREIGN_OR_CODE", "NAME_SELF_COINED",
)
# the sentence-level codes a trained head decides (the span codes come from the tagger)
HEAD_CODES = ("NAME_PATENT_TITLE", "NAME_TOO_BROAD", "NAME_MULTI_PRODUCT", "NAME_SELF_COINED", "NAME_METHOD")

QUALIFIERS = ["等离子", "中等", "家用", "工业用", "商用", "医用", "车载", "便携式", "手持式", "立式", "卧式", "全自动", "智能", "电动",
              "不锈钢", "塑料", "防水", "无线", "儿童", "汽车", "户外", "实验室用", "农用", "船用", "双门", "数控",
              # abbreviations a name may hold; none is on the rules' list (models/text_rules.ABBREVIATIONS), so
              # the tagger learns the pattern rather than the rules' words
              "HDR", "IoT", "LTE", "MEMS", "SMD", "TFT", "IPS", "BLE", "PoE", "NB-IoT", "ECG", "MIDI", "SATA"]
# praising words: none is on the rules' list (models/text_rules.ADJECTIVE_WORDS); a test keeps them apart
ADJECTIVES = ["时尚", "经典", "神奇", "绝佳", "优良", "高级", "潮流", "创意", "匠心", "臻选", "甄选", "殿堂级", "旗舰级",
              "人气", "火爆", "畅销", "明星款", "精选", "特惠", "超值", "美观大方的", "物美价廉的", "经久耐用的",
              "好用的", "实惠的"]
EFFECTS = ["制冷", "保温", "清洁", "降噪", "散热", "防水", "美白", "保湿", "过滤", "照明", "密封", "节能", "减震"]
EFFECT_WORDS = ["效果好的", "效果显著的", "性能优越的", "效果极佳的", "性能好的", "质量可靠的"]
# vague wording is a closed class the seed rules name (一种, 等, 系列, 各类…): the generator and the
# rules necessarily share it (a test lists the exemption)
VAGUE_PREFIX = ["各类", "各种", "多种", "若干", "系列"]
VAGUE_SUFFIX = ["系列", "等", "等产品", "系列产品", "类产品", "等配套产品"]
# the broad names come from the real e-commerce category names (NameComposer.broad), minus the rules'
# list (models/text_rules.BROAD_TERMS); only these class-word endings are written here
BROAD_WORDS: list[str] = []
BROAD_SUFFIX = ["相关产品", "类制品", "周边产品", "附属品"]
METHOD_WORDS = ["方法", "工艺", "技术", "方案"]
METHOD_STEMS = ["数据处理", "图像识别", "污水处理", "信号传输", "质量检测", "故障诊断", "路径规划", "能耗优化",
                "加密通信", "热处理", "表面处理", "焊接", "注塑成型", "发酵", "提纯", "涂装", "喷涂", "装配"]
SERVICES = ["清洗维护", "安装调试", "维修", "技术咨询", "运营维护", "检测", "设计", "租赁", "培训", "售后"]
# sets sold together; the rules (models/text_rules.SET_TAIL) know other endings
SET_WORDS = ["礼包", "套盒", "组合包", "全套"]
CONJ = ["及", "和", "与", "、", "以及"]
PATENT_MODS = ["含有乳酸菌", "可旋转拍摄", "具有自清洁功能", "防水透气", "高强度耐腐蚀", "可折叠", "带有散热结构",
               "便于安装", "低噪音", "可调节高度", "具有报警功能", "多层复合", "用于检测温度", "基于物联网",
               "可拆卸", "防滑耐磨", "自动控制", "快速冷却", "节能环保", "高精度"]
COINED_SUFFIX = ["肽", "宝", "灵", "星", "王", "素", "源", "康", "乐", "精", "之星", "之光", "神器"]
COINED_STEMS = ["美丽", "青春", "活力", "智慧", "勇者", "梦想", "天使", "如意", "吉祥", "神奇", "健美", "聪明",
                "快乐", "幸福", "飞翔", "星辰", "彩虹", "阳光", "金色"]
UNITS = ["英寸", "寸", "mm", "cm", "毫米", "厘米", "米", "升", "L", "ml", "毫升", "W", "瓦", "kW", "V", "伏", "A",
         "mAh", "匹", "吨", "kg", "公斤", "克", "g", "层", "门", "孔", "档", "核", "GB", "TB", "Hz", "P", "T", "寸屏"]
FOREIGN_NAMES = ["table", "chair", "Smart Lock", "power bank", "router", "Wireless Charger", "LED lamp", "air purifier",
                 "water pump", "drone", "smart watch", "sensor", "battery pack", "Bluetooth Speaker", "keyboard",
                 "notebook", "Coffee Maker", "Solar Panel", "valve", "motor", "inverter", "cable", "Robot Arm"]
LETTER_CODES = ["PBT", "PPS", "PEEK", "LCP", "PVDF", "SAN", "ASA", "PPO", "PSU", "XR", "GT", "MX", "ZX"]
LATIN_BRANDS = ["Midea", "Haier", "Gree", "Lenovo", "Canon", "Bose", "Intel", "Philips", "Sony", "Dell", "Anker",
                "Xiaomi", "Huawei", "Oppo", "Vivo", "Deli", "Comix", "Casio", "Nikon", "Braun", "Tefal", "Joyoung"]
# a few household names written here (the trade-name dictionary lacks most famous marks)
# a few household names written here (the trade-name dictionary lacks most famous marks); none of
# them is among the real evaluation set's brands (eval/data/text_real/brands.tsv)
KNOWN_BRANDS = ["科沃斯", "追觅", "添可", "云鲸", "极米", "当贝", "小熊", "北鼎", "德尔玛", "奥佳华", "倍轻松", "小度"]
# countries in front of a brand; the rules' brand forms know other ones (德国, 日本…)
COUNTRIES = ["西班牙", "比利时", "奥地利", "挪威", "新加坡", "泰国", "以色列", "葡萄牙"]
SYLLABLES = ["ka", "lo", "mi", "zen", "tor", "bo", "ge", "sun", "lei", "ks", "ro", "va", "ni", "ax", "ter", "on", "li",
             "an", "go", "du", "ma", "ri", "co", "fu", "xin", "ya", "te", "ch", "po", "sa"]


@dataclass
class NameExample:
    text: str
    tags: list[str]  # one BIO tag per character
    codes: set[str] = field(default_factory=set)
    trademark: str | None = None
    suggestion: str | None = None
    tagger_only: bool = False  # e-commerce titles: spans only, no sentence-level labels

    def to_row(self) -> dict:
        return {"text": self.text, "tags": self.tags, "codes": sorted(self.codes), "trademark": self.trademark,
                "suggestion": self.suggestion, "tagger_only": self.tagger_only}


def _example(segs: list[tuple[str, str | None]], codes=(), trademark=None, tagger_only=False) -> NameExample:
    text, tags = "", []
    for seg, tag in segs:
        if not seg:
            continue
        text += seg
        tags += ["O"] * len(seg) if tag is None else [f"B-{tag}"] + [f"I-{tag}"] * (len(seg) - 1)
    out = set(codes)
    if text.startswith("一种"):  # the patent-title opening, whatever follows (a rule knows it too)
        out.add("NAME_PATENT_TITLE")
    for tag, code in SPAN_CODES.items():
        if any(t.endswith(tag) for t in tags):
            out.add(code)
    if trademark and trademark in text:
        out.add("NAME_BRAND")
    heads = [s for s, t in segs if t == "HEAD"]
    sugg = "".join(s for s, t in segs if t not in ("BRAND", "SPEC", "ADJ", "VAGUE") and s)
    if "NAME_PATENT_TITLE" in out and heads:
        sugg = heads[-1]
    return NameExample(text, tags, out, trademark, sugg, tagger_only)


class NameComposer:
    """Draws labelled names from one split of the real vocabulary."""

    def __init__(self, vocab: RealVocab, split: str, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.split = split
        goods = [strip_parenthetical(g.name) for g in vocab.goods[split]]
        self.heads = [g for g in goods if 2 <= len(g) <= 10]
        # official names as published: with their parenthetical notes and their 和 / 、 lists
        self.published = [g.name for g in vocab.goods[split] if g.name != strip_parenthetical(g.name)
                          or re.search(r"[和、及与]", g.name)]
        self.short_heads = [g for g in self.heads if len(g) <= 5] or self.heads
        cats = vocab.categories[split]
        self.cat_heads = [w for c in cats for w in re.split(r"[/.、]", c[2]) if 2 <= len(w) <= 6]
        self.broad = BROAD_WORDS + sorted({c[1] for c in cats if "/" not in c[1] and len(c[1]) <= 5
                                           and c[1] not in text_rules.BROAD_TERMS})
        self.goods_by_group: dict[str, list[str]] = {}
        for g in vocab.goods[split]:
            n = strip_parenthetical(g.name)
            if 2 <= len(n) <= 8:
                self.goods_by_group.setdefault(g.group, []).append(n)
        self.groups = [v for v in self.goods_by_group.values() if len(v) >= 2]
        self.brands = vocab.trade_names[split]
        self.car_brands = vocab.car_brands[split]
        self.car_series = vocab.car_series[split]
        self.patent_titles = vocab.patent_titles[split]
        self.idioms = vocab.idioms
        self.jd = vocab.jd_titles[split]

    # --- pieces ---------------------------------------------------------------------------
    def head(self) -> str:
        r = self.rng.random()
        return self.rng.choice(self.cat_heads if r < 0.2 else self.heads)

    def latin_brand(self) -> str:
        rng = self.rng
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        r = rng.random()
        return word.upper() if r < 0.45 else word.capitalize() if r < 0.8 else rng.choice(LATIN_BRANDS)

    def brand(self) -> str:
        r = self.rng.random()
        if r < 0.55:
            return self.rng.choice(self.brands)
        if r < 0.62:
            return self.rng.choice(KNOWN_BRANDS)
        if r < 0.75:
            return self.rng.choice(self.car_brands)
        if r < 0.85:
            return self.latin_brand()
        if r < 0.9:
            return self.rng.choice(self.brands) + self.latin_brand() if r < 0.87 else self.latin_brand() + self.rng.choice(self.brands)
        b = self.rng.choice(self.brands)
        return f"{b}（{self.latin_brand()}）" if r < 0.95 else f"{b}({self.latin_brand()})"

    def spec(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            num = rng.choice([str(rng.randint(1, 2000)), f"{rng.randint(1, 99)}.{rng.randint(1, 9)}"])
            return num + rng.choice(UNITS)
        if r < 0.85:
            letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTWXYZ") for _ in range(rng.randint(1, 3)))
            sep = rng.choice(["", "-", "-", ""])
            tail = "".join(rng.choice("ABCDEFGHJKLMNPRSTWXYZ") for _ in range(rng.randint(0, 2)))
            return f"{letters}{sep}{rng.randint(10, 9999)}{tail}"
        if r < 0.93:
            return f"{rng.randint(10, 500)}*{rng.randint(10, 500)}" + rng.choice(["mm", "cm", ""])
        return f"{rng.randint(1, 60)}{rng.choice(['英寸', '寸', 'L', 'W'])}"

    def adjective(self) -> str:
        if self.rng.random() < 0.25:
            return self.rng.choice(EFFECTS) + self.rng.choice(EFFECT_WORDS)
        return self.rng.choice(ADJECTIVES)

    def qualifier(self) -> str:
        return self.rng.choice(QUALIFIERS) if self.rng.random() < 0.35 else ""

    # --- whole names ----------------------------------------------------------------------
    def clean(self) -> NameExample:
        if self.rng.random() < 0.3 and self.published:
            name = self.rng.choice(self.published)
            core = strip_parenthetical(name)
            i = name.find(core) if core else -1
            if i < 0:
                return _example([(name, None)], trademark=self._other_trademark())
            return _example([(name[:i], None), (core, "HEAD"), (name[i + len(core):], None)], trademark=self._other_trademark())
        return _example([(self.qualifier(), None), (self.head(), "HEAD")], trademark=self._other_trademark())

    def _other_trademark(self) -> str | None:
        return self.rng.choice(self.brands) if self.rng.random() < 0.5 else None

    def with_defects(self) -> NameExample:
        rng = self.rng
        kinds = ["brand", "spec", "adj", "vague", "patent", "method", "broad", "multi", "foreign", "coined", "set",
                 "brand_spec", "adj_spec", "brand_adj", "vague_adj"]
        weights = [14, 10, 10, 10, 12, 8, 8, 8, 4, 8, 3, 4, 2, 2, 2]
        kind = rng.choices(kinds, weights)[0]
        return getattr(self, f"_{kind}")()

    def _brand(self, spec=False, adj=False) -> NameExample:
        b = self.brand()
        trademark = b if self.rng.random() < 0.6 else self._other_trademark()
        segs = [(b, "BRAND")]
        if adj:
            segs.append((self.adjective(), "ADJ"))
        segs += [(self.qualifier(), None), (self.head(), "HEAD")]
        if spec:
            segs.insert(1, (self.spec(), "SPEC")) if self.rng.random() < 0.5 else segs.append((self.spec(), "SPEC"))
        if self.rng.random() < 0.1:  # the trademark field named, the name carrying it later
            segs = [(self.qualifier(), None)] + segs
        return _example(segs, trademark=trademark)

    def _brand_spec(self):
        return self._brand(spec=True)

    def _brand_adj(self):
        return self._brand(adj=True)

    def _spec(self, adj=False) -> NameExample:
        segs = [(self.qualifier(), None), (self.head(), "HEAD")]
        if self.rng.random() < 0.6:
            segs.insert(0, (self.spec(), "SPEC"))
        else:
            segs.append((self.spec(), "SPEC"))
        if adj:
            segs.insert(0, (self.adjective(), "ADJ"))
        return _example(segs, trademark=self._other_trademark())

    def _adj_spec(self):
        return self._spec(adj=True)

    def _adj(self) -> NameExample:
        return _example([(self.adjective(), "ADJ"), (self.qualifier(), None), (self.head(), "HEAD")], trademark=self._other_trademark())

    def _vague(self, adj=False) -> NameExample:
        rng = self.rng
        r = rng.random()
        head = self.rng.choice(self.short_heads)
        if r < 0.3:
            segs = [("一种", "VAGUE"), (head, "HEAD")]
        elif r < 0.5:
            segs = [(rng.choice(VAGUE_PREFIX), "VAGUE"), (head, "HEAD")]
        elif r < 0.7:
            segs = [("一种", "VAGUE"), (head, "HEAD"), ("等", "VAGUE"), (rng.choice(self.broad), None)]
        else:
            segs = [(self.qualifier(), None), (head, "HEAD"), (rng.choice(VAGUE_SUFFIX), "VAGUE")]
        if adj:
            segs.insert(1 if segs[0][1] == "VAGUE" else 0, (self.adjective(), "ADJ"))
        ex = _example(segs)
        if "等" in [s for s, _ in segs]:
            ex.suggestion = head
        return ex

    def _vague_adj(self):
        return self._vague(adj=True)

    def _patent(self) -> NameExample:
        rng = self.rng
        if rng.random() < 0.6 and self.patent_titles:
            return real_patent_example(rng.choice(self.patent_titles))
        head = self.head()
        r = rng.random()
        mod = rng.choice(PATENT_MODS) if rng.random() < 0.7 else rng.choice(self.heads) + "用"
        if r < 0.45:
            segs = [("一种", "VAGUE"), (mod + "的", None), (head, "HEAD")]
        elif r < 0.6:
            segs = [("一种", "VAGUE"), (head, "HEAD"), ("及其制备方法", None)]
        elif r < 0.75:
            segs = [("基于" + rng.choice(["物联网", "人工智能", "大数据", "机器视觉", "区块链", "云计算"]) + "的", None), (head, "HEAD")]
        elif r < 0.9:
            segs = [("一种用于" + rng.choice(self.heads) + "的", None), (head, "HEAD")]
        else:
            segs = [("一种", "VAGUE"), (mod + "的", None), (head, "HEAD"), ("的制造方法", None)]
        codes = {"NAME_PATENT_TITLE"}
        if segs[-1][0].endswith("方法"):
            codes.add("NAME_METHOD")
        return _example(segs, codes)

    def _method(self) -> NameExample:
        rng = self.rng
        word = rng.choice(METHOD_WORDS)
        r = rng.random()
        if r < 0.5:
            segs = [(rng.choice(METHOD_STEMS) + word, None)]
        elif r < 0.8:
            segs = [(rng.choice(self.short_heads), None), (rng.choice(["生产", "制备", "加工", "检测", "制造"]) + word, None)]
        else:
            segs = [(rng.choice(self.short_heads), None), (rng.choice(["的制备", "的生产", "的检测"]) + word, None)]
        return _example(segs, {"NAME_METHOD"})

    def _broad(self) -> NameExample:
        if self.rng.random() < 0.7:
            return _example([(self.rng.choice(self.broad), "HEAD")], {"NAME_TOO_BROAD"})
        return _example([(self.rng.choice(self.short_heads), None), (self.rng.choice(BROAD_SUFFIX), "HEAD")], {"NAME_TOO_BROAD"})

    def _pair(self) -> tuple[str, str]:
        group = self.rng.choice(self.groups)
        a, b = self.rng.sample(group, 2)
        return a, b

    def _multi(self) -> NameExample:
        rng = self.rng
        a, b = self._pair()
        r = rng.random()
        if r < 0.25:
            segs = [(a, "HEAD"), (rng.choice(["及其", "及"]) + rng.choice(SERVICES) + "服务", None)]
        elif r < 0.85:
            segs = [(a, "HEAD"), (rng.choice(CONJ), None), (b, "HEAD")]
        else:
            c = rng.choice(self.short_heads)
            segs = [(a, "HEAD"), ("、", None), (b, "HEAD"), (rng.choice(["及", "和"]), None), (c, "HEAD")]
        return _example(segs, {"NAME_MULTI_PRODUCT"})

    def _set(self) -> NameExample:
        a, b = self._pair()
        return _example([(a, None), ("、", None), (b, None), (self.rng.choice(SET_WORDS), "HEAD")])

    def _foreign(self) -> NameExample:
        text = self.rng.choice(FOREIGN_NAMES + LETTER_CODES)
        return _example([(text, None)], {"NAME_FOREIGN_OR_CODE"})

    def _coined(self) -> NameExample:
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            text = rng.choice(self.idioms)
        elif r < 0.65:
            text = rng.choice(COINED_STEMS) + rng.choice(COINED_SUFFIX)
        else:
            text = rng.choice(self.brands) + (rng.choice(COINED_SUFFIX) if rng.random() < 0.4 else "")
        return _example([(text, None)], {"NAME_SELF_COINED"})

    # --- e-commerce titles (tagger only) ----------------------------------------------------
    def title(self) -> NameExample:
        """An e-commerce style title: brand first, then words, heads, specs, colours."""
        rng = self.rng
        segs: list[tuple[str, str | None]] = [(self.brand(), "BRAND")]
        if rng.random() < 0.15:
            segs.insert(0, (rng.choice(COUNTRIES), None))
        if rng.random() < 0.1:
            segs.insert(0, (self.adjective(), "ADJ"))
        if rng.random() < 0.3:
            segs.append((" ", None))
        for _ in range(rng.randint(1, 4)):
            r = rng.random()
            if r < 0.45:
                segs.append((self.head(), "HEAD"))
            elif r < 0.6:
                segs.append((self.spec(), "SPEC"))
            elif r < 0.7:
                segs.append((self.adjective(), "ADJ"))
            elif r < 0.8:
                segs.append((rng.choice(self.car_series), None))
            else:
                segs.append((rng.choice(QUALIFIERS + ["红色", "黑色", "白色", "适用", "专用", "通用", " ", "/"]), None))
        return _example(segs, tagger_only=True)


JD_LABELS = {"1": "BRAND", "4": "HEAD", "18": "SPEC", "38": "SPEC", "14": "ADJ"}


def jd_example(row: dict) -> NameExample:
    """A real JD title with its annotated spans mapped onto the tagger's labels."""
    title = row["title"]
    tags = ["O"] * len(title)
    for e in row["entities"]:
        tag = JD_LABELS.get(e["label"])
        if tag is None or e["end"] > len(title):
            continue
        tags[e["start"]] = f"B-{tag}"
        for i in range(e["start"] + 1, e["end"]):
            tags[i] = f"I-{tag}"
    return NameExample(title, tags, set(), None, None, tagger_only=True)


_TITLE_TAIL = re.compile(r"(及其(制备|制造|生产|使用|应用)?方法|及其应用|的(制备|制造|生产|加工|使用)方法|及方法|方法)$")


def real_patent_example(title: str) -> NameExample:
    """A real patent title: NAME_PATENT_TITLE, plus 一种 as vague wording, the head after the last 的."""
    codes = {"NAME_PATENT_TITLE"}
    if re.search(r"(方法|工艺|技术|方案)$", title) or re.search(r"方法(及|和|与)", title):
        codes.add("NAME_METHOD")
    core = _TITLE_TAIL.sub("", title) or title
    head = core.rsplit("的", 1)[-1]
    head = re.split(r"[及和与、]", head)[0] or head
    start = title.find(head, len(title) - len(core) if False else 0)
    segs: list[tuple[str, str | None]] = []
    pos = 0
    if title.startswith("一种"):
        segs.append(("一种", "VAGUE"))
        pos = 2
    if start >= pos and head:
        segs += [(title[pos:start], None), (head, "HEAD"), (title[start + len(head):], None)]
    else:
        segs.append((title[pos:], None))
    return _example(segs, codes)


def compose_names(vocab: RealVocab, split: str, n: int, seed: int = 0, clean_share: float = 0.4,
                  titles: int = 0, jd_repeat: int = 0) -> list[NameExample]:
    """``n`` filing names (``clean_share`` without defect) plus e-commerce titles for the tagger."""
    c = NameComposer(vocab, split, seed)
    out = [c.clean() if c.rng.random() < clean_share else c.with_defects() for _ in range(n)]
    out += [c.title() for _ in range(titles)]
    for _ in range(jd_repeat):
        out += [jd_example(r) for r in c.jd]
    return out
