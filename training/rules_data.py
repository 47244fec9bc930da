# Over 400 lines: one generator of planted-defect filings, a method per defect kind drawing on shared state (catalogue, firms, realdata samples).
"""Generated filings with planted defects for the review rules of the second round.

``generate(n, seed, realdata)`` builds ``n`` scored filings (about 45 % clean, the rest each
with one planted defect) plus the context some rules need beyond one submission:

- an ordered stream: a product's filed record (``expect is None``: recorded and approved,
  not scored) comes before the annual update that refers to it (``filed_submission_id``);
- a patent register snapshot (CSV: number, status, holder, title, type) covering every
  patent the stream names.

Written from DOMAIN.md ("Added with the review rules of the second round") and the seeds
only. It imports no check and shares no word list with them: its own product catalogue,
model lines, patent titles and suffix spellings; business scopes, company names and codes
come from ../shared/realdata (the 2002 registry sample and the GB/T 4754-2017 table).
"""

from __future__ import annotations

import copy
import csv
import io
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

YEAR = 2026  # the year the scored filings are submitted in

SECOND_ROUND = (
    "DOCUMENT_MISSING", "IMAGE_MAIN_COUNT", "ANNUAL_UPDATE_OUT_OF_WINDOW", "ASSET_UPDATE_OVERDUE",
    "FILED_FIELD_CHANGED", "UPDATE_FIGURES_STALE", "UPDATE_PROOF_STALE", "PATENT_NOT_IN_FORCE",
    "PATENT_ALL_LAPSED", "MODEL_LINES_DIFFER", "NAME_NOT_IN_PATENTS", "DESIGN_PATENT_ONLY", "SCOPE_MISMATCH",
    "INDUSTRY_CODE_INVALID", "EXPORT_DESTINATIONS_MISSING",
)
# PATENT_NOT_HELD is a first-round code; the register gives it a second source, planted here too
SCORED = (*SECOND_ROUND, "PATENT_NOT_HELD")

SCOPES = "product_names/enterprise_registration_2002_business_scope_sample10k.csv"
GBT4754 = "classification_standards/gbt4754_2017_zmshe_capital.csv"


@dataclass
class Item:
    submission: dict
    files: dict[str, bytes]
    expect: set[str] | None  # None: context (recorded, approved, not scored)
    defect: str | None = None  # the planted defect, None for a clean filing


@dataclass
class RulesSet:
    items: list[Item]
    register_rows: list[dict] = field(default_factory=list)

    def register_csv(self) -> str:
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=["number", "status", "holder", "title", "type"], lineterminator="\n")
        w.writeheader()
        w.writerows(self.register_rows)
        return out.getvalue()

    @property
    def scored(self) -> list[Item]:
        return [i for i in self.items if i.expect is not None]


@dataclass(frozen=True)
class Kind:
    """One product in the generator's own catalogue."""

    name: str
    renamed: str  # another acceptable name for the same product (a FILED_FIELD_CHANGED edit)
    category: tuple[str, str]
    industry: str  # letter + 4 digits
    ccc: bool  # compulsory certification beyond doubt (CCC goods)
    titles: tuple[str, ...]  # clean patent titles; each repeats the product's own noun
    design_title: str
    cues: tuple[str, ...]  # words in a real business scope that cover making or selling it
    prefixes: tuple[str, ...]  # model-code letters
    number: tuple[int, int]


CATALOGUE = (
    Kind("家用电冰箱", "双门电冰箱", ("3951010100", "家用电冰箱"), "C3851", True,
         ("一种电冰箱的风道结构", "电冰箱门体密封组件", "用于电冰箱的抽屉导轨"), "电冰箱", ("家用电器", "电器", "制冷"),
         ("BCD-", "BC-"), (180, 650)),
    Kind("智能手机", "5G智能手机", ("3922010100", "移动电话机"), "C3922", True,
         ("一种手机散热组件", "手机摄像头模组支架", "用于智能手机的天线装置"), "手机", ("通讯", "通信设备", "电子产品"),
         ("K", "V", "R"), (10, 90)),
    Kind("锂离子电池", "动力锂离子电池", ("3841010100", "锂离子电池"), "C3841", False,
         ("一种锂离子电池的极片", "锂离子电池防爆盖板", "电池模组的散热装置"), "电池", ("电池", "电子产品"),
         ("LP", "NC"), (1000, 9000)),
    Kind("照明灯具", "室内照明灯具", ("3872010100", "照明灯具"), "C3872", True,
         ("一种照明灯具的散热外壳", "灯具安装支架", "可调光照明灯具"), "灯具", ("灯具", "照明", "电器"),
         ("DL", "XD"), (10, 99)),
    Kind("自行车", "折叠自行车", ("3761010100", "自行车"), "C3761", False,
         ("一种自行车变速装置", "自行车车架折叠机构", "用于自行车的刹车组件"), "自行车", ("自行车",),
         ("TS", "GX"), (20, 99)),
    Kind("不锈钢保温杯", "真空保温杯", ("3389010100", "保温容器"), "C3389", False,
         ("一种保温杯的杯盖", "保温杯内胆结构", "便携保温杯"), "保温杯", ("日用百货", "日用品", "五金"),
         ("BW", "TC"), (300, 900)),
    Kind("办公椅", "升降办公椅", ("2130010100", "金属椅"), "C2130", False,
         ("一种办公椅的升降机构", "座椅扶手调节装置", "办公椅靠背结构"), "椅子", ("家具",),
         ("OC", "YZ"), (100, 999)),
    Kind("医用外科口罩", "一次性医用外科口罩", ("3589010100", "医用口罩"), "C3589", False,
         ("一种口罩的鼻梁条", "外科口罩耳带结构", "口罩熔喷过滤层"), "口罩", ("医疗器械", "防护用品"),
         ("KZ", "MY"), (1, 99)),
)

# spellings of a different product line, as the seed names them (P40 / P40Pro / P40Plus) and the issue lists
_LINE_WORDS = ("Pro", "PRO", " Pro", "Plus", " Plus", "Max", " MAX", "Ultra", " Lite", "mini", " Mini")
_COLOURS = ("曜石黑", "冰川白", "天青色", "银色", "金色")
_REASONS = (
    "各型号仅颜色不同，结构、材料与零部件完全相同，属于同一产品",
    "各型号仅容量（存储配置）不同，组分、结构和零部件相同，属于同一通用标准属性的产品",
    "型号后缀仅区分包装规格，产品本身的材料与结构一致",
)
_FOREIGN = ("美国", "德国", "日本", "越南", "巴西", "阿联酋")
_FIRMS = ("恒昌", "瑞丰", "嘉禾", "鼎盛", "华茂", "远航", "金桥", "宏远")


def patent_number(rng: random.Random, kind_digit: int, year: int | None = None) -> str:
    """A Chinese application number with its check character (DOMAIN.md: Σ dᵢ·wᵢ mod 11, weights 2..9)."""
    year = year or rng.randint(2012, 2024)
    digits = f"{year}{kind_digit}{rng.randint(0, 9_999_999):07d}"
    total = sum(int(d) * (2 + i % 8) for i, d in enumerate(digits))
    check = total % 11
    return f"{rng.choice(('CN', 'ZL', 'CN'))}{digits}.{'X' if check == 10 else check}"


def _png(rng: random.Random) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (12, 12), tuple(rng.randint(0, 255) for _ in range(3)))
    img.putpixel((rng.randint(0, 11), rng.randint(0, 11)), (rng.randint(0, 255), 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _load(realdata: Path) -> tuple[dict, list[dict], set[str], dict[str, str]]:
    rows = list(csv.DictReader((realdata / SCOPES).open(encoding="utf-8")))
    rows = [r for r in rows if r["company_name"].endswith("公司") and "分公司" not in r["company_name"]
            and r["uscc"].startswith("91")]
    covering = {k.name: [r for r in rows if _covers(r["business_scope"], k.cues)] for k in CATALOGUE}
    # scopes that make and sell nothing: services only (the generator's own reading of them)
    goods = re.compile("销售|批发|零售|生产|制造|加工|商品|自主选择|经销|购销|代销|营销|产品|设备|材料|用品|进出口|贸易")
    services = [r for r in rows if not goods.search(r["business_scope"])
                and re.search("咨询|餐饮|房地产|物业|培训|广告|运输|中介|策划|旅游|会议", r["business_scope"])]
    table = list(csv.DictReader((realdata / GBT4754).open(encoding="utf-8")))
    classes = {r["section"] + r["class"] for r in table if r["level"] == "4"}
    section_of = {r["division"]: r["section"] for r in table if r["level"] == "2"}
    return covering, services, classes, section_of


class _Gen:
    def __init__(self, seed: int, realdata: Path) -> None:
        self.rng = random.Random(seed)
        self.covering, self.services, self.classes, self.section_of = _load(realdata)
        self.register: list[dict] = []
        self.numbers: set[str] = set()
        self.count = 0

    # -- parts -------------------------------------------------------------------------------
    def _id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count:06d}"

    def _date(self, start: date, end: date) -> str:
        d = start + timedelta(days=self.rng.randint(0, (end - start).days))
        return f"{d.isoformat()}T{self.rng.randint(8, 17):02d}:{self.rng.choice((0, 15, 30, 45)):02d}:00+08:00"

    def _entity(self, kind: Kind, figures_year: int, scope_rows: list[dict] | None = None) -> dict:
        row = self.rng.choice(scope_rows or self.covering[kind.name])
        revenue = round(self.rng.uniform(2000, 90000), 1)
        return {
            "uscc": row["uscc"], "name": row["company_name"], "kind": "enterprise", "figures_year": figures_year,
            "business_scope": row["business_scope"],
            "figures_wan": {
                "total_cost": round(revenue * 0.8, 1), "ip_investment": round(revenue * 0.03, 1),
                "net_profit": round(revenue * 0.1, 1), "operating_revenue": revenue,
                "total_product_sales": round(revenue * 0.9, 1), "fixed_assets": round(revenue * 0.3, 1),
                "total_output": round(revenue * 0.95, 1), "selling_expense": round(revenue * 0.04, 1),
                "admin_expense": round(revenue * 0.05, 1), "finance_expense": round(revenue * 0.01, 1),
                "patent_assets": round(revenue * 0.02, 1), "total_assets": round(revenue * 1.6, 1),
            },
            "employees": self.rng.randint(20, 3000),
        }

    def _models(self, kind: Kind) -> tuple[list[str], str | None]:
        prefix = self.rng.choice(kind.prefixes)
        base = f"{prefix}{self.rng.randint(*kind.number)}"
        shape = self.rng.random()
        if shape < 0.5:
            return [base], None
        if shape < 0.7:  # colour variants of one product
            return [f"{base} {c}" for c in self.rng.sample(_COLOURS, 2)], _REASONS[0]
        if shape < 0.85:  # trailing-letter variants (BCD-520W / BCD-520WF style)
            letter = self.rng.choice("WGT")
            return [f"{base}{letter}", f"{base}{letter}{self.rng.choice('FPE')}"], _REASONS[2]
        sizes = self.rng.sample(("128G", "256G", "512G", "8+256GB", "12+512GB"), 2)  # capacity variants
        return ["、".join(f"{base} {s}" for s in sizes)], _REASONS[1]

    def _patent(self, kind: Kind, holder: str, *, digit: int | None = None, status: str = "有效",
                title: str | None = None, in_form: dict | None = None) -> dict:
        digit = digit or self.rng.choice((1, 2))
        number = patent_number(self.rng, digit)
        while number[2:] in self.numbers:  # one register line per patent, whatever its prefix
            number = patent_number(self.rng, digit)
        self.numbers.add(number[2:])
        title = title or (kind.design_title if digit == 3 else self.rng.choice(kind.titles))
        self.register.append({"number": number, "status": status, "holder": holder, "title": title,
                              "type": {1: "发明", 2: "实用新型", 3: "外观设计"}[digit]})
        patent = {"number": number, "core": False, "litigated": False}
        if self.rng.random() < 0.5:
            patent["title"] = title
        patent.update(in_form or {})
        return patent

    def _product(self, kind: Kind, holder: str) -> dict:
        models, reason = self._models(kind)
        sales = round(self.rng.uniform(300, 5000), 1)
        exported = self.rng.random() < 0.4
        export = round(sales * self.rng.uniform(0.05, 0.4), 1) if exported else 0.0
        patents = [self._patent(kind, holder) for _ in range(self.rng.randint(1, 3))]
        patents[0]["core"] = True
        if self.rng.random() < 0.2:  # a design patent beside a core invention: not "design only"
            patents.append(self._patent(kind, holder, digit=3))
        return {
            "name": kind.name, "models": models, "models_reason": reason, "trademark": self.rng.choice(_FIRMS),
            "category": {"code": kind.category[0], "name": kind.category[1]},
            "industry": {"code": kind.industry, "name": None},
            "intro": f"{kind.name}，由本单位设计制造，结构与材料见专利说明。",
            "exported": exported, "export_destinations": self.rng.sample(_FOREIGN, 2) if exported else [],
            "figures_wan": {"sales": sales, "export": export, "profit": round(sales * 0.12, 1),
                            "ip_investment": round(sales * 0.02, 1), "total_cost": round(sales * 0.7, 1)},
            "market_share_pct": round(self.rng.uniform(0.1, 5), 2),
            "patents": patents,
        }

    def _docs(self, kinds: list[str]) -> tuple[list[dict], dict[str, bytes]]:
        docs, files = [], {}
        for i, k in enumerate(kinds):
            name = f"{k}_{i}.png"
            docs.append({"kind": k, "file": name})
            files[name] = _png(self.rng)
        return docs, files

    # -- filings -----------------------------------------------------------------------------
    def entity_filing(self) -> Item:
        kind = self.rng.choice(CATALOGUE)
        sub = {"submission_id": self._id("E"), "stage": "entity",
               "submitted_at": self._date(date(YEAR, 1, 5), date(YEAR, 11, 30)),
               "entity": self._entity(kind, YEAR - 1)}
        sub["documents"], files = self._docs(["business_licence", "profit_statement", "integrity_pledge"])
        return Item(sub, files, set())

    def product_filing(self, kind: Kind | None = None, *, year: int = YEAR, prefix: str = "P") -> Item:
        kind = kind or self.rng.choice(CATALOGUE)
        entity = self._entity(kind, year - 1)
        if year == YEAR and self.rng.random() < 0.1:  # assets deferred, before 1 May: allowed
            entity["figures_year"] = year - 2
            when = self._date(date(year, 1, 5), date(year, 4, 29))
        else:
            when = self._date(date(year, 1, 5), date(year, 11, 30))
        product = self._product(kind, entity["name"])
        sub = {"submission_id": self._id(prefix), "stage": "product", "submitted_at": when,
               "entity": entity, "product": product}
        sub["documents"], files = self._docs(["product_photo", "economic_proof", "certification"]
                                             + ["product_image"] * self.rng.randint(0, 2))
        return Item(sub, files, set())

    def annual_update(self) -> tuple[Item, Item]:
        """(the filed record, its annual update in Q1 with last year's figures and a new proof)."""
        filed = self.product_filing(year=YEAR - 1, prefix="F")
        filed.expect = None
        upd = copy.deepcopy(filed.submission)
        upd["submission_id"] = self._id("U")
        upd["stage"] = "annual_update"
        upd["filed_submission_id"] = filed.submission["submission_id"]
        upd["submitted_at"] = self._date(date(YEAR, 1, 2), date(YEAR, 3, 30))
        upd["entity"]["figures_year"] = YEAR - 1
        for k, v in upd["product"]["figures_wan"].items():
            upd["product"]["figures_wan"][k] = round(v * self.rng.uniform(1.05, 1.3), 1)
        files = dict(filed.files)
        for d in upd["documents"]:
            if d["kind"] == "economic_proof":  # the new year's proof
                d["file"] = "new_" + d["file"]
                files.pop(d["file"][4:])
                files[d["file"]] = _png(self.rng)
        return filed, Item(upd, files, set())

    # -- defects -----------------------------------------------------------------------------
    def planted(self, code: str) -> list[Item]:
        return getattr(self, "_" + code.lower())()

    def _document_missing(self) -> list[Item]:
        r = self.rng.random()
        if r < 0.4:
            item = self.entity_filing()
            drop = self.rng.choice(["business_licence", "profit_statement", "integrity_pledge"])
        elif r < 0.7:
            item, drop = self.product_filing(), "economic_proof"
        else:
            item, drop = self.product_filing(self.rng.choice([k for k in CATALOGUE if k.ccc])), "certification"
        _drop(item, drop)
        return [_expect(item, "DOCUMENT_MISSING")]

    def _image_main_count(self) -> list[Item]:
        item = self.product_filing()
        if self.rng.random() < 0.5:
            _drop(item, "product_photo")
        else:
            docs, files = self._docs(["product_photo"])
            docs[0]["file"] = "second_" + docs[0]["file"]
            item.submission["documents"].append(docs[0])
            item.files[docs[0]["file"]] = next(iter(files.values()))
        return [_expect(item, "IMAGE_MAIN_COUNT")]

    def _annual_update_out_of_window(self) -> list[Item]:
        filed, upd = self.annual_update()
        upd.submission["submitted_at"] = self._date(date(YEAR, 4, 1), date(YEAR, 12, 20))
        return [filed, _expect(upd, "ANNUAL_UPDATE_OUT_OF_WINDOW")]

    def _asset_update_overdue(self) -> list[Item]:
        item = self.product_filing()
        item.submission["submitted_at"] = self._date(date(YEAR, 5, 1), date(YEAR, 11, 30))
        item.submission["entity"]["figures_year"] = YEAR - 2
        return [_expect(item, "ASSET_UPDATE_OVERDUE")]

    def _filed_field_changed(self) -> list[Item]:
        filed, upd = self.annual_update()
        product, kind = upd.submission["product"], _kind_of(upd.submission["product"]["name"])
        what = self.rng.choice(("name", "models", "patents"))
        if what == "name":
            product["name"] = kind.renamed
        elif what == "models":
            product["models"] = [product["models"][0].split("、")[0] + "X"]
            product["models_reason"] = None
        else:
            product["patents"].append(self._patent(kind, upd.submission["entity"]["name"]))
        return [filed, _expect(upd, "FILED_FIELD_CHANGED")]

    def _update_figures_stale(self) -> list[Item]:
        filed, upd = self.annual_update()
        upd.submission["entity"]["figures_year"] = YEAR - 2
        upd.submission["entity"]["figures_wan"] = copy.deepcopy(filed.submission["entity"]["figures_wan"])
        upd.submission["product"]["figures_wan"] = copy.deepcopy(filed.submission["product"]["figures_wan"])
        return [filed, _expect(upd, "UPDATE_FIGURES_STALE")]

    def _update_proof_stale(self) -> list[Item]:
        filed, upd = self.annual_update()
        for d in upd.submission["documents"]:
            if d["kind"] == "economic_proof":
                upd.files.pop(d["file"])
                d["file"] = d["file"][4:]
                upd.files[d["file"]] = filed.files[d["file"]]  # last year's proof, byte for byte
        return [filed, _expect(upd, "UPDATE_PROOF_STALE")]

    def _patent_not_in_force(self) -> list[Item]:
        item = self.product_filing()
        patents = item.submission["product"]["patents"]
        row = self._row(self.rng.choice(patents)["number"])
        row["status"] = self.rng.choice(("失效", "无效"))
        return [_expect(item, "PATENT_NOT_IN_FORCE")]

    def _patent_not_held(self) -> list[Item]:
        item = self.product_filing()
        p = self.rng.choice(item.submission["product"]["patents"])
        self._row(p["number"])["holder"] = self._other_holder()
        if self.rng.random() < 0.5:
            p["holder"] = item.submission["entity"]["name"]  # the filer claims it; the register disagrees
        return [_expect(item, "PATENT_NOT_HELD")]

    def _patent_all_lapsed(self) -> list[Item]:
        filed, upd = self.annual_update()
        lapsed = self.rng.random() < 0.5
        for p in upd.submission["product"]["patents"]:
            row = self._row(p["number"])
            if lapsed:
                row["status"] = "失效"
            else:
                row["holder"] = self._other_holder()
        also = "PATENT_NOT_IN_FORCE" if lapsed else "PATENT_NOT_HELD"
        return [filed, _expect(upd, "PATENT_ALL_LAPSED", also)]

    def _model_lines_differ(self) -> list[Item]:
        item = self.product_filing()
        kind = _kind_of(item.submission["product"]["name"])
        prefix = self.rng.choice(kind.prefixes)
        base = f"{prefix}{self.rng.randint(*kind.number)}"
        if self.rng.random() < 0.75:
            lines = [base] + [base + w for w in self.rng.sample(_LINE_WORDS, self.rng.randint(1, 2))]
        else:  # the same number under different series letters
            other = self.rng.choice([p for p in ("A", "M", "Z", "Q") if p != prefix])
            lines = [base, other + base[len(prefix):]]
        item.submission["product"]["models"] = lines
        item.submission["product"]["models_reason"] = self.rng.choice(_REASONS)
        return [_expect(item, "MODEL_LINES_DIFFER")]

    def _name_not_in_patents(self) -> list[Item]:
        item = self.product_filing()
        name = item.submission["product"]["name"]
        other = self.rng.choice([k for k in CATALOGUE if not _shares(name, " ".join(k.titles))])
        for p in item.submission["product"]["patents"]:
            title = self.rng.choice(other.titles) if not p["number"][6] == "3" else other.design_title
            self._row(p["number"])["title"] = title
            if "title" in p:
                p["title"] = title
        return [_expect(item, "NAME_NOT_IN_PATENTS")]

    def _design_patent_only(self) -> list[Item]:
        item = self.product_filing()
        kind = _kind_of(item.submission["product"]["name"])
        design = self._patent(kind, item.submission["entity"]["name"], digit=3)
        design["core"] = True
        others = [p for p in item.submission["product"]["patents"] if p["number"][6] != "3"]
        for p in others:
            p["core"] = False
        item.submission["product"]["patents"] = [design] + others[: self.rng.randint(0, 1)]
        return [_expect(item, "DESIGN_PATENT_ONLY")]

    def _scope_mismatch(self) -> list[Item]:
        item = self.product_filing()
        row = self.rng.choice(self.services)
        ent = item.submission["entity"]
        old = ent["name"]
        ent.update(uscc=row["uscc"], name=row["company_name"], business_scope=row["business_scope"])
        for p in item.submission["product"]["patents"]:
            self._row(p["number"])["holder"] = ent["name"]
            if p.get("holder") == old:
                p["holder"] = ent["name"]
        return [_expect(item, "SCOPE_MISMATCH")]

    def _industry_code_invalid(self) -> list[Item]:
        item = self.product_filing()
        code = item.submission["product"]["industry"]["code"]
        r = self.rng.random()
        if r < 0.3:  # a group or division, not a class
            bad = code[:4] if self.rng.random() < 0.6 else code[:3]
        elif r < 0.55:  # the digits under another section's letter
            bad = self.rng.choice([s for s in "ABDEFGIM" if s != code[0]]) + code[1:]
        else:  # a class number the standard does not have
            while True:
                division = self.rng.choice(sorted(self.section_of))
                bad = self.section_of[division] + division + f"{self.rng.randint(0, 99):02d}"
                if bad not in self.classes:
                    break
        item.submission["product"]["industry"]["code"] = bad
        return [_expect(item, "INDUSTRY_CODE_INVALID")]

    def _export_destinations_missing(self) -> list[Item]:
        item = self.product_filing()
        p = item.submission["product"]
        sales = p["figures_wan"]["sales"]
        p["figures_wan"]["export"] = round(sales * 0.2, 1)
        if self.rng.random() < 0.5:
            p["exported"], p["export_destinations"] = True, []
        else:
            p["exported"], p["export_destinations"] = False, []
        return [_expect(item, "EXPORT_DESTINATIONS_MISSING")]

    # -- clean twins of the subtle cases -------------------------------------------------------
    def clean(self) -> list[Item]:
        r = self.rng.random()
        if r < 0.15:
            return [self.entity_filing()]
        if r < 0.35:
            return list(self.annual_update())
        item = self.product_filing()
        patents, ent = item.submission["product"]["patents"], item.submission["entity"]
        if r < 0.45:  # the register names the filer's former name (曾用名)
            former = ent["name"].replace("有限公司", "") + "科技有限公司"
            ent["former_names"] = [former]
            self._row(patents[0]["number"])["holder"] = former
        elif r < 0.55:  # another holder, with a declared licence to the filer
            self._row(patents[0]["number"])["holder"] = self._other_holder()
            patents[0]["licensee"] = ent["name"]
        elif r < 0.6:  # co-owned
            row = self._row(patents[0]["number"])
            row["holder"] = f"{self._other_holder()}；{ent['name']}"
        return [item]

    # -- helpers ------------------------------------------------------------------------------
    def _row(self, number: str) -> dict:
        return next(r for r in self.register if r["number"] == number)

    def _other_holder(self) -> str:
        return f"{self.rng.choice(('深圳', '宁波', '苏州', '青岛'))}{self.rng.choice(_FIRMS)}实业有限公司"


def _drop(item: Item, kind: str) -> None:
    docs = item.submission["documents"]
    for d in [d for d in docs if d["kind"] == kind]:
        docs.remove(d)
        item.files.pop(d["file"])


def _expect(item: Item, *codes: str) -> Item:
    item.expect = set(codes)
    item.defect = codes[0]
    return item


def _kind_of(name: str) -> Kind:
    return next(k for k in CATALOGUE if k.name == name)


def _covers(scope: str, cues: tuple[str, ...]) -> bool:
    """A cue word naming goods in a clause that makes or sells them, outside the scope's exclusions
    (bracketed notes, 不含… up to the next clause): "销售：家用电器" covers, "对通讯行业的投资" and
    "通讯领域内的技术服务" do not."""
    text = re.sub(r"（[^）]*）|\([^)]*\)", "", scope)
    text = re.sub(r"(不含|除外|不得|禁止)[^；;。]*", "", text)
    for clause in re.split("[；;。]", text):
        if not re.search("生产|制造|加工|销售|批发|零售|经销|代销|购销|批零|零售", clause):
            continue
        for c in cues:
            if re.search(re.escape(c) + "(?!行业|专业|领域|技术|工程|服务|网络|系统|保险|租赁|维修)", clause):
                return True
    return False


def _shares(a: str, b: str) -> bool:
    return any(a[i:i + 2] in b for i in range(len(a) - 1))


def generate(n: int = 2000, seed: int = 0, realdata: Path | None = None) -> RulesSet:
    """``n`` scored filings (context items come on top), about 45 % clean, the rest one planted
    defect each, spread evenly over ``SCORED``."""
    if realdata is None or not Path(realdata).is_dir():
        raise FileNotFoundError(f"real-data folder {realdata} not found")
    gen = _Gen(seed, Path(realdata))
    items: list[Item] = []
    scored = 0
    defects = int(n * 0.55)
    plan = [SCORED[i % len(SCORED)] for i in range(defects)] + [None] * (n - defects)
    gen.rng.shuffle(plan)
    for code in plan:
        batch = gen.planted(code) if code else gen.clean()
        items.extend(batch)
        scored += sum(1 for i in batch if i.expect is not None)
    return RulesSet(items, gen.register)
