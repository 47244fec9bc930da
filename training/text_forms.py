"""Labelled model-field entries, introductions and (name, category) pairs from real vocabulary.

Like ``text_data`` for names: the real parts (official goods names and their groups, car
series, patent titles and IPC subclasses, patent abstracts, company names and business
scopes, trade names) come from one split of ``RealVocab``; only the glue is written here.
"""

from __future__ import annotations

import random
import re

from .text_data import EFFECTS, QUALIFIERS
from .text_vocab import RealVocab, strip_parenthetical

INTRO_CLASSES = ("product", "advert", "patent", "company")

MATERIALS_GROUPS = ("01", "02", "04", "17", "22", "23")  # Nice classes whose goods are mostly materials
_USES = ["家庭", "医院", "工厂车间", "实验室", "户外作业", "办公场所", "商场", "学校", "农业生产", "汽车维修", "物流仓储"]
_PARTS = ["壳体", "底座", "控制模块", "电机", "传感器", "支架", "显示屏", "密封圈", "散热片", "电路板", "连接件", "过滤网"]
_MATERIALS = ["不锈钢", "铝合金", "ABS工程塑料", "食品级硅胶", "碳纤维", "陶瓷", "钢化玻璃", "实木", "聚丙烯"]


class FormComposer:
    def __init__(self, vocab: RealVocab, split: str, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.goods = [g for g in vocab.goods[split] if 2 <= len(strip_parenthetical(g.name)) <= 12]
        self.names = [strip_parenthetical(g.name) for g in self.goods]
        self.services = [strip_parenthetical(g.name) for g in vocab.services[split]]
        self.series = vocab.car_series[split]
        self.brands = vocab.trade_names[split]
        self.titles = vocab.patent_titles[split]
        self.abstracts = vocab.patent_abstracts
        self.scopes = vocab.business_scopes[split]
        self.jd_models = [e["text"] for r in vocab.jd_titles[split] for e in r["entities"] if e["label"] == "38"]
        self.ipc = list(vocab.ipc_subclasses) or ["H01M", "G06F", "A61K"]
        self.by_group: dict[str, list[str]] = {}
        for g in self.goods:
            self.by_group.setdefault(g.group, []).append(strip_parenthetical(g.name))
        self.materials = [strip_parenthetical(x.name) for x in self.goods if f"{x.nice_class:02d}" in MATERIALS_GROUPS]
        self.end_products = [strip_parenthetical(x.name) for x in self.goods if x.nice_class in (7, 8, 9, 10, 11, 12, 20, 21, 28)]

    # --- model field entries: (text, invalid?) ------------------------------------------------
    def model_code(self) -> str:
        rng = self.rng
        r = rng.random()
        L = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        if r < 0.5:
            head = "".join(rng.choice(L) for _ in range(rng.randint(1, 4)))
            body = str(rng.randint(1, 99999))
            tail = "".join(rng.choice(L) for _ in range(rng.randint(0, 3)))
            sep = rng.choice(["", "-", "-", "/", " "])
            return f"{head}{sep}{body}{tail}" + (f"/{rng.choice(L)}{rng.randint(1, 9)}" if rng.random() < 0.1 else "")
        if r < 0.65:
            return re.sub(r"^[\u4e00-\u9fff]+", "", rng.choice(self.series)) or f"X{rng.randint(1, 99)}"
        if r < 0.75 and self.jd_models:
            return rng.choice(self.jd_models)
        if r < 0.9:
            return f"{rng.choice(L)}{rng.randint(1, 999)}" + rng.choice(["型", "型", "-I型", "Pro", "Plus", "Max", "(2024款)", "标准版"])
        return rng.choice(["I型", "II型", "标准型", "经济型", "A型", "B型", "一代", "二代"])

    def model_entry(self, trademark: str | None = None) -> tuple[str, bool, str]:
        """(entry, invalid, kind)."""
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            return self.model_code(), False, "model"
        if r < 0.65:
            return rng.choice(self.names), True, "product_name"
        if r < 0.73:
            sub = rng.choice(self.ipc)
            return (sub if rng.random() < 0.4 else f"{sub} {rng.randint(1, 99)}/{rng.randint(0, 999):02d}"), True, "classification"
        if r < 0.83:
            return trademark or rng.choice(self.brands), True, "trademark"
        if r < 0.93:
            return rng.choice([f"用于{rng.choice(_USES)}的{rng.choice(EFFECTS)}", f"具有{rng.choice(EFFECTS)}功能",
                               f"{rng.choice(EFFECTS)}、{rng.choice(EFFECTS)}", f"可{rng.choice(EFFECTS)}"]), True, "function"
        return self.intro_product(rng.choice(self.names))[:rng.randint(12, 40)], True, "introduction"

    # --- introductions: (text, class) ---------------------------------------------------------
    def intro_product(self, name: str) -> str:
        rng = self.rng
        parts = rng.sample(_PARTS, 3)
        sents = [
            f"{name}主要由{parts[0]}、{parts[1]}和{parts[2]}组成",
            f"{parts[0]}采用{rng.choice(_MATERIALS)}制成",
            f"具有{rng.choice(EFFECTS)}和{rng.choice(EFFECTS)}功能",
            f"适用于{rng.choice(_USES)}等场景",
            f"额定功率{rng.randint(5, 3000)}W，重量{rng.randint(1, 500)}kg",
            f"产品通过{rng.choice(['一体化', '模块化', '分体式'])}结构设计，便于安装和维护",
            f"{parts[1]}与{parts[2]}之间设有{rng.choice(_PARTS)}",
            f"可用于{rng.choice(_USES)}的{rng.choice(EFFECTS)}",
        ]
        body = [sents[0]] + rng.sample(sents[1:], rng.randint(2, 5))
        return "，".join(body) + "。"

    def intro_advert(self, name: str) -> str:
        rng = self.rng
        phrases = ["品质卓越，值得信赖", "销量遥遥领先", "欢迎新老客户来电咨询订购", "全网最低价，买到就是赚到",
                   "厂家直销，假一赔十", "行业第一品牌", "限时特惠，数量有限", "口碑爆棚，回头客无数", "国际领先水平，无与伦比",
                   "选择我们就是选择放心", "品质保证，售后无忧", "好评如潮", "全国包邮", "火爆热销中"]
        body = [f"{rng.choice(self.brands)}{name}"] + rng.sample(phrases, rng.randint(3, 6))
        return "，".join(body) + rng.choice(["！", "！！", "。"])

    def intro_patent(self, name: str) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.25 and self.abstracts:
            return rng.choice(self.abstracts)[:500]
        title = rng.choice(self.titles)
        lead = rng.choice(["本发明公开了", "本实用新型公开了", "本发明涉及", "本实用新型涉及", "本申请提供了", "本发明提供"])
        parts = rng.sample(_PARTS, 3)
        return (f"{lead}{title}，包括{parts[0]}、{parts[1]}和{parts[2]}，所述{parts[0]}的一端与所述{parts[1]}固定连接，"
                f"所述{parts[2]}设置于{parts[1]}内部。" + rng.choice(["本发明结构简单，成本低。", "有益效果在于提高了可靠性。", ""]))

    def intro_company(self, name: str) -> str:
        rng = self.rng
        company, scope = rng.choice(self.scopes)
        return (f"{company}成立于{rng.randint(1985, 2022)}年，注册资本{rng.randint(50, 50000)}万元，"
                f"{rng.choice(['是一家集研发、生产、销售于一体的高新技术企业', '是国家级专精特新企业', '现有员工' + str(rng.randint(20, 3000)) + '人'])}。"
                f"公司经营范围：{scope[:rng.randint(40, 160)]}。" + rng.choice(["公司秉承诚信经营的理念。", "", "公司拥有多项专利。"]))

    def intro(self) -> tuple[str, str]:
        cls = self.rng.choices(INTRO_CLASSES, [5, 2, 2, 2])[0]
        name = self.rng.choice(self.names)
        return getattr(self, f"intro_{cls}")(name), cls

    # --- (name, category name, mismatch?) -----------------------------------------------------
    def category_pair(self) -> tuple[str, str, bool]:
        rng = self.rng
        g = rng.choice(self.goods)
        name = strip_parenthetical(g.name)
        same_group = [x for x in self.by_group[g.group] if x != name]
        r = rng.random()
        if r < 0.5:  # consistent: the same item, a sibling in its group, or the group heading
            cat = rng.choice([name] * 2 + same_group[:20] + [strip_parenthetical(g.group_name)])
            if rng.random() < 0.3:
                name = rng.choice(QUALIFIERS) + name
            return name, cat, False
        if r < 0.7:  # a physical product classified as a service
            return name, rng.choice(self.services + ["软件设计服务", "技术服务", "技术咨询服务", "信息技术服务"]), True
        if r < 0.8:  # a service or software classified as a physical product
            soft = rng.choice(["导航软件", "管理软件", "控制软件", "APP", "云平台"])
            if rng.random() < 0.5:
                return rng.choice(["汽车", "仓储", "医院", "工厂", "家庭"]) + soft, rng.choice(self.names), True
            return rng.choice(self.services), rng.choice(self.names), True
        if r < 0.9:  # an intermediate material classified as an end product (or the reverse)
            a, b = rng.choice(self.materials), rng.choice(self.end_products)
            return (a, b, True) if rng.random() < 0.7 else (b, a, True)
        other = rng.choice(self.goods)
        while other.nice_class == g.nice_class:
            other = rng.choice(self.goods)
        return name, strip_parenthetical(other.name), True
