# Over 400 lines: filers, defects, detectors and reviewers are one seeded process whose rates are read together.
"""A reviewer simulator: submissions with known defects, screened, then decided as the rules say.

The whole retraining loop runs on it in tests and benchmarks::

    world = World(seed=7)
    cases = world.cases(300)                                  # forms + the defects planted in them
    service = ScreeningService(simulated_pipeline(world), store)
    run_loop(world, cases, service)                           # screen (recorded) → decide (recorded)

What is simulated, and how noisy (the numbers are the module constants below):

- **Filers.** Entities have a latent carelessness (Beta(2, 4): one in three submissions
  defective on average, some filers far worse), and file several times, so the entity's
  history of returns carries signal. Defects are planted in the form itself, on the CONTRACT.md
  example shape: a wrong USCC check character, a branch (分公司) or an individual business
  (92…), no patents, a patent number with a wrong check digit, zero sales, brand names like
  海尔电冰箱, method names (…方法/工艺), vague wording (一种/等/系列), revenue entered in 元
  instead of 万元, profit above revenue, a patent summary as the introduction, a copy of an
  earlier filing. Document-only defects (licence USCC mismatch, proof mismatch) have no form trace.
- **Detectors.** ``SimulatedDetectors`` is a pipeline check standing in for the rules, OCR,
  text and duplicate models together: it sees the planted defects and reports each with the
  per-code recall in ``DEFECTS``; it also raises false alarms (``FALSE_ALARMS``), and one
  *systematic* false alarm: ``NAME_ADJECTIVE`` on every name with 智能 (智能门锁 is a product,
  not an adjective) — the pattern the feedback export must find. Every finding's confidence,
  true hit or false alarm alike, is drawn from the one distribution ``CONFIDENCE`` (and every
  duplicate hit's score from ``DUPLICATE_SCORE``): a confidence says nothing about which class a
  finding belongs to, so a model's ranking measures what it learned (which codes reviewers
  uphold, the entity's history, what co-occurs), not ranges the simulator drew apart. Real checks can run before it (``simulated_pipeline(..., real_checks=True)``).
- **Reviewers.** They catch each true defect with probability ``CATCH`` (they miss some), send
  back 4% of clean submissions anyway (a reason of their own), and give per-finding feedback on
  ~85% of findings: ``confirmed`` for true defects, ``false_positive`` otherwise.

Everything is seeded: the same seed gives the same cases, findings and decisions.
``feature_rows(n, seed)`` runs the same generative process without a database, straight to
the priority model's feature rows (the 50,000-decision benchmark uses it).
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from screening.contract import Decision, DuplicateRef, FindingFeedback
from screening.parsing import parse_submission
from screening.pipeline import Check, Pipeline, Resources, ScreeningContext
# the check characters the forms are built with are the validators' own (one implementation)
from screening.validators.patent_number import check_char as patent_check
from screening.validators.uscc import ALPHABET as USCC_ALPHABET
from screening.validators.uscc import check_char as uscc_check

CST = timezone(timedelta(hours=8))
START = datetime(2026, 1, 5, 9, 0, tzinfo=CST)

# code -> (stage it can occur in, detector recall, share among planted defects)
DEFECTS: dict[str, tuple[str, float, float]] = {
    "ENTITY_USCC_INVALID": ("entity", 0.98, 1.0),
    "ENTITY_INELIGIBLE": ("entity", 0.90, 1.0),
    "LICENCE_USCC_MISMATCH": ("entity", 0.85, 0.7),
    "STATEMENT_UNIT_ERROR": ("entity", 0.92, 1.0),
    "ENTITY_FIGURES_INCONSISTENT": ("entity", 0.95, 0.8),
    "PATENT_MISSING": ("product", 0.99, 0.8),
    "PATENT_NUMBER_INVALID": ("product", 0.97, 0.8),
    "SALES_ZERO": ("product", 0.99, 0.8),
    "NAME_BRAND": ("product", 0.85, 1.2),
    "NAME_METHOD": ("product", 0.93, 1.0),
    "NAME_VAGUE_WORDING": ("product", 0.90, 1.0),
    "NAME_TOO_BROAD": ("product", 0.75, 0.8),
    "MODEL_VAGUE": ("product", 0.90, 0.6),
    "INTRO_OFF_TOPIC": ("product", 0.80, 0.8),
    "DUPLICATE_FILING": ("product", 0.88, 0.8),
    "PROOF_MISMATCH": ("product", 0.70, 0.6),
}
CATCH = {"block": 0.97, "high": 0.92, "medium": 0.85}  # reviewers' chance to notice a true defect
FALSE_ALARMS = {  # code -> chance per submission that does not carry the defect
    "NAME_TOO_BROAD": 0.03, "INTRO_OFF_TOPIC": 0.04, "STATEMENT_UNSEALED": 0.05,
    "PRODUCT_FIGURES_INCONSISTENT": 0.02, "NAME_BRAND": 0.02, "DUPLICATE_FILING": 0.02,
}
# one distribution for every finding's confidence (Beta(a, b), mean 0.67), true or false
CONFIDENCE = (4.0, 2.0)
DUPLICATE_SCORE = (0.6, 0.99)  # uniform, for a real duplicate and a near miss alike
SYSTEMATIC_FP = ("NAME_ADJECTIVE", "智能")  # fires on every name with 智能; reviewers mark it false positive
CLEAN_REJECT = 0.04
FEEDBACK_RATE = 0.85

CITIES = [("440300", "深圳市"), ("110105", "北京市"), ("310115", "上海市"), ("330106", "杭州市"),
          ("320505", "苏州市"), ("420111", "武汉市"), ("510107", "成都市"), ("370212", "青岛市")]
FIRM_WORDS = ["雄楚", "恒瑞", "华宇", "科源", "新锐", "中晟", "博远", "天翔", "瑞丰", "启明", "远航", "金诚"]
FIRM_TRADES = ["电器", "智能科技", "精密机械", "新材料", "生物医药", "电子", "软件", "汽车零部件"]
PRODUCTS = [  # (name, category name, industry code, intro)
    ("家用电冰箱", "家用电冰箱", "C3851", "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构。"),
    ("叶轮机叶片", "叶轮机零部件", "C3411", "镍基高温合金整体精铸叶片，用于燃气轮机高压涡轮。"),
    ("电子烟外壳", "电子烟零部件", "C1690", "铝合金阳极氧化外壳，内置电池仓与气流通道。"),
    ("锂离子动力电池", "锂电池", "C3841", "磷酸铁锂电芯与模组，能量密度160Wh/kg，用于电动客车。"),
    ("汽车导航软件", "车载软件", "I6513", "车载导航系统软件，支持离线地图与实时路况。"),
    ("医用防护口罩", "医用口罩", "C2770", "三层无纺布结构，细菌过滤效率不低于95%。"),
    ("数控机床主轴", "机床功能部件", "C3421", "电主轴转速24000转每分钟，油气润滑。"),
    ("不锈钢保温杯", "保温容器", "C3381", "双层304不锈钢真空保温，保温时长12小时。"),
    ("智能门锁", "电子门锁", "C3399", "指纹与密码开锁，内置防撬报警模块。"),
    ("智能电饭煲", "电饭锅", "C3854", "IH电磁加热，内胆容量4升，预约与保温功能。"),
    ("智能手环", "可穿戴设备", "C3969", "心率与血氧监测，续航14天。"),
    ("光伏逆变器", "逆变器", "C3825", "组串式并网逆变器，最大效率98.6%。"),
]
BRANDS = ["海尔", "美的", "格力", "华为", "小米"]
METHOD_SUFFIX = ["制备方法", "生产工艺", "处理技术", "解决方案"]
BROAD = ["电器", "叶片", "电子烟结构件", "设备", "材料"]


@dataclass
class Filer:
    uscc: str
    name: str
    kind: str
    care: float  # chance that a submission carries a defect


@dataclass
class Case:
    """One simulated submission: the form sent, and the truth the simulator knows about it."""

    form: dict
    defects: list[str]
    seed: int
    duplicate_of: str | None = None

    @property
    def submission_id(self) -> str:
        return self.form["submission_id"]

    @property
    def submission(self):
        return parse_submission(copy.deepcopy(self.form))


@dataclass
class World:
    seed: int = 0
    n_filers: int | None = None
    filers: list[Filer] = field(default_factory=list)
    truth: dict[str, Case] = field(default_factory=dict)
    product_cases: list[Case] = field(default_factory=list)  # earlier filings a duplicate can copy
    _count: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # ------------------------------------------------------------------ filers
    def _new_filer(self) -> Filer:
        r = self.rng
        div, city = r.choice(CITIES)
        body = "".join(r.choice(USCC_ALPHABET) for _ in range(9))
        kind = r.choices(["enterprise", "university", "research_institute"], [0.9, 0.05, 0.05])[0]
        word = r.choice(FIRM_WORDS)
        if kind == "enterprise":
            category = "92" if r.random() < 0.03 else "91"  # a few individual businesses (ineligible)
            name = f"{city}{word}{r.choice(FIRM_TRADES)}有限公司"
            if r.random() < 0.03:
                name += r.choice(["南山分公司", "第二分厂", "驻京办事处"])
        else:  # public institutions: registered by 机构编制 as 事业单位 (12…), as the rules expect
            category = "12"
            name = f"{city[:-1]}{word}大学" if kind == "university" else f"{city}{word}{r.choice(FIRM_TRADES)}研究院"
        first = category + div + body
        return Filer(first + uscc_check(first), name, kind, r.betavariate(2, 4))

    def _filer(self, n_cases: int) -> Filer:
        limit = self.n_filers or max(5, n_cases // 3)
        if len(self.filers) < limit and (not self.filers or self.rng.random() < 0.45):
            self.filers.append(self._new_filer())
            return self.filers[-1]
        # repeat filers: the earliest ones file somewhat more often
        return self.filers[int(len(self.filers) * self.rng.random() ** 1.5)]

    # ------------------------------------------------------------------ submissions
    def cases(self, n: int) -> list[Case]:
        return [self.case(n) for _ in range(n)]

    def case(self, n_cases: int = 1000) -> Case:
        r = self.rng
        self._count += 1
        filer = self._filer(n_cases)
        stage = r.choices(["entity", "product", "annual_update"], [0.3, 0.55, 0.15])[0]
        at = START + timedelta(minutes=37 * self._count + r.randint(0, 30))
        if stage == "annual_update":
            at = at.replace(month=r.randint(1, 3), day=r.randint(1, 28))
        sid = f"SIM-{self.seed}-{self._count:06d}"
        form = _clean_form(r, sid, stage, at, filer)
        defects: list[str] = []
        if filer.uscc[:2] == "92" or any(w in filer.name for w in ("分公司", "分厂", "办事处")):
            defects.append("ENTITY_INELIGIBLE")
        if r.random() < filer.care:
            allowed = [c for c, (st, _, _) in DEFECTS.items()
                       if (st == "entity" or stage != "entity") and c != "ENTITY_INELIGIBLE"]
            weights = [DEFECTS[c][2] for c in allowed]
            for _ in range(1 + _poisson(r, 0.35)):
                code = r.choices(allowed, weights)[0]
                if code not in defects:
                    defects.append(code)
        case = Case(form, [], seed=r.getrandbits(32))
        for code in defects:
            if _plant(r, case, code, self):
                case.defects.append(code)
        self.truth[sid] = case
        if "product" in form:
            self.product_cases.append(case)
        return case


def _poisson(r: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= r.random()
        if p < limit:
            return k
        k += 1


def _patent(r: random.Random) -> str:
    digits = f"{r.randint(2008, 2024)}{r.choice('123')}{r.randint(0, 9999999):07d}"
    return f"CN{digits}.{patent_check(digits)}"


def _clean_form(r: random.Random, sid: str, stage: str, at: datetime, filer: Filer) -> dict:
    revenue = round(r.uniform(800, 90000), 1)
    form = {
        "submission_id": sid, "stage": stage, "submitted_at": at.isoformat(),
        "entity": {
            "uscc": filer.uscc, "name": filer.name, "kind": filer.kind, "figures_year": at.year - 1,
            "figures_wan": {"total_cost": round(revenue * 0.75, 1), "ip_investment": round(revenue * 0.04, 1),
                            "net_profit": round(revenue * r.uniform(0.03, 0.15), 1), "operating_revenue": revenue,
                            "total_product_sales": round(revenue * 0.9, 1), "total_assets": round(revenue * 1.8, 1),
                            "patent_assets": round(revenue * 0.05, 1)},
            "employees": r.randint(20, 3000),
        },
        "documents": [],
    }
    if stage != "entity":
        name, category, industry, intro = r.choice(PRODUCTS)
        sales = round(revenue * r.uniform(0.1, 0.6), 1)
        form["product"] = {
            "name": name, "models": [f"{''.join(r.choices('ABCDHKMX', k=3))}-{r.randint(100, 999)}"],
            "trademark": r.choice(FIRM_WORDS), "category": {"code": "3951010100", "name": category},
            "industry": {"code": industry, "name": category}, "intro": intro, "exported": False,
            "figures_wan": {"sales": sales, "export": 0.0, "profit": round(sales * 0.12, 1)},
            "patents": [{"number": _patent(r), "core": True, "litigated": False, "holder": filer.name}],
        }
    return form


EXCLUSIVE = (  # defects written into the same form field: at most one of each group per case
    ("STATEMENT_UNIT_ERROR", "ENTITY_FIGURES_INCONSISTENT"),
    ("PATENT_MISSING", "PATENT_NUMBER_INVALID"),
    ("NAME_BRAND", "NAME_METHOD", "NAME_VAGUE_WORDING", "NAME_TOO_BROAD", "DUPLICATE_FILING"),
)


def _plant(r: random.Random, case: Case, code: str, world: World) -> bool:
    """Write defect ``code`` into the form; False when this form cannot carry it."""
    form = case.form
    ent, prod = form["entity"], form.get("product")
    if code in ("STATEMENT_UNIT_ERROR", "ENTITY_FIGURES_INCONSISTENT") and set(EXCLUSIVE[0]) & set(case.defects):
        return False
    if code == "ENTITY_USCC_INVALID":
        good = ent["uscc"]
        ent["uscc"] = good[:17] + r.choice([c for c in USCC_ALPHABET if c != good[17]])
    elif code == "STATEMENT_UNIT_ERROR":
        ent["figures_wan"]["operating_revenue"] = round(ent["figures_wan"]["operating_revenue"] * 10_000, 1)
    elif code == "ENTITY_FIGURES_INCONSISTENT":
        ent["figures_wan"]["net_profit"] = round(ent["figures_wan"]["operating_revenue"] * 1.3, 1)
    elif code in ("ENTITY_INELIGIBLE", "LICENCE_USCC_MISMATCH", "PROOF_MISMATCH"):
        pass  # in the name/code already, or only on the documents
    elif prod is None:
        return False
    elif any(code in group and set(group) & set(case.defects) for group in EXCLUSIVE):
        return False  # a second defect on the same field would overwrite the first's trace
    elif code == "PATENT_MISSING":
        prod["patents"] = []
    elif code == "PATENT_NUMBER_INVALID":
        number = prod["patents"][0]["number"] if prod["patents"] else _patent(r)
        wrong = r.choice([c for c in "0123456789X" if c != number[-1]])
        prod["patents"] = [{"number": number[:-1] + wrong, "core": True, "litigated": False}]
    elif code == "SALES_ZERO":
        prod["figures_wan"].update(sales=0.0, profit=0.0)
    elif code == "NAME_BRAND":
        brand = r.choice(BRANDS)
        prod["name"], prod["trademark"] = brand + prod["name"], brand
    elif code == "NAME_METHOD":
        prod["name"] = prod["name"] + r.choice(METHOD_SUFFIX)
    elif code == "NAME_VAGUE_WORDING":
        prod["name"] = r.choice(["一种{}", "{}等产品", "{}系列"]).format(prod["name"])
    elif code == "NAME_TOO_BROAD":
        prod["name"] = r.choice(BROAD)
    elif code == "MODEL_VAGUE":
        prod["models"] = [prod["models"][0] + "系列"]
    elif code == "INTRO_OFF_TOPIC":
        prod["intro"] = "本发明公开了一种" + prod["name"] + "，属于技术领域，解决了现有技术的不足。"
    elif code == "DUPLICATE_FILING":
        earlier = world.product_cases[-200:]
        if not earlier:
            return False
        other = r.choice(earlier)
        prod["name"] = other.form["product"]["name"]
        case.duplicate_of = other.submission_id
    return True


# ---------------------------------------------------------------------- detection
def _rng(case: Case, salt: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{case.seed}:{salt}".encode()).hexdigest()[:16], 16))


FIELD = {"ENTITY_USCC_INVALID": "entity.uscc", "ENTITY_INELIGIBLE": "entity.name", "LICENCE_USCC_MISMATCH": "entity.uscc",
         "STATEMENT_UNIT_ERROR": "entity.figures_wan.operating_revenue", "STATEMENT_UNSEALED": None,
         "ENTITY_FIGURES_INCONSISTENT": "entity.figures_wan", "PATENT_MISSING": "product.patents",
         "PATENT_NUMBER_INVALID": "product.patents[0].number", "SALES_ZERO": "product.figures_wan.sales",
         "MODEL_VAGUE": "product.models", "INTRO_OFF_TOPIC": "product.intro", "DUPLICATE_FILING": "product.name",
         "PROOF_MISMATCH": "product.figures_wan", "PRODUCT_FIGURES_INCONSISTENT": "product.figures_wan"}


def _confidence(r: random.Random) -> float:
    return round(min(0.99, max(0.05, r.betavariate(*CONFIDENCE))), 3)


def detect(case: Case) -> tuple[list[tuple[str, str | None, float]], list[DuplicateRef]]:
    """What the (simulated) detectors report: (code, field, confidence) and duplicate hits."""
    r = _rng(case, "detect")
    prod = case.form.get("product")
    found: list[tuple[str, str | None, float]] = []
    dups: list[DuplicateRef] = []
    for code in case.defects:
        if r.random() < DEFECTS[code][1]:
            found.append((code, FIELD.get(code, "product.name"), _confidence(r)))
            if code == "DUPLICATE_FILING":
                dups.append(DuplicateRef(case.duplicate_of, round(r.uniform(*DUPLICATE_SCORE), 3), prod["name"]))
    for code, rate in FALSE_ALARMS.items():
        if code in case.defects or (code.startswith(("NAME_", "INTRO_", "PRODUCT_", "DUPLICATE_")) and prod is None):
            continue
        if r.random() < rate:
            found.append((code, FIELD.get(code, "product.name"), _confidence(r)))
            if code == "DUPLICATE_FILING":
                dups.append(DuplicateRef(f"SIM-near-{r.randint(1, 99999):05d}", round(r.uniform(*DUPLICATE_SCORE), 3),
                                         prod["name"]))
    code, marker = SYSTEMATIC_FP
    if prod is not None and marker in prod["name"]:
        found.append((code, "product.name", _confidence(r)))
    return found, dups


class SimulatedDetectors(Check):
    """Stands in for every detector over the simulator's submissions (see the module doc)."""

    name = "simulated-detectors"
    part = "simulated"
    codes = tuple(sorted({*DEFECTS, *FALSE_ALARMS, SYSTEMATIC_FP[0]}))

    def __init__(self, world: World) -> None:
        self.world = world

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.submission_id in self.world.truth

    def run(self, ctx: ScreeningContext) -> None:
        found, dups = detect(self.world.truth[ctx.submission.submission_id])
        for code, fld, confidence in found:
            evidence = {"simulated": True}
            if code.startswith("DUPLICATE") and dups:
                evidence["submission_id"] = dups[0].submission_id
            ctx.add(code, fld, None, evidence=evidence, confidence=confidence, source="simulator@1")
        ctx.duplicates.extend(dups)


def simulated_pipeline(world: World, *, real_checks: bool = False, resources: Resources | None = None) -> Pipeline:
    checks: list[Check] = []
    if real_checks:
        from screening.checks import default_checks

        checks = default_checks()
    return Pipeline(checks + [SimulatedDetectors(world)], resources or Resources())


# ---------------------------------------------------------------------- reviewing
def review(case: Case, findings: list[dict]) -> Decision:
    """A reviewer's decision on a report's findings (dicts as the report stores them)."""
    from screening.codes import severity_of

    r = _rng(case, "review")
    caught = [c for c in case.defects if r.random() < CATCH[severity_of(c).value]]
    if not caught and r.random() < CLEAN_REJECT:
        caught = [r.choice(["INTRO_OFF_TOPIC", "CATEGORY_MISMATCH", "NAME_TOO_BROAD", "PROOF_MISMATCH"])]
    feedback = []
    for i, f in enumerate(findings):
        if severity_of(f["code"]).value == "info" or r.random() > FEEDBACK_RATE:
            continue
        feedback.append(FindingFeedback(verdict="confirmed" if f["code"] in case.defects else "false_positive",
                                        finding=i))
    if not caught:
        return Decision("approved", [], feedback, reviewer="sim-reviewer")
    kind = "rejected" if any(severity_of(c).value == "block" for c in caught) else "returned"
    return Decision(kind, caught, feedback, reviewer="sim-reviewer")


def run_loop(world: World, cases: list[Case], service, *, progress: bool = False) -> list[dict]:
    """Screen every case through the service (recorded) and record the simulated decision."""
    from tqdm import tqdm

    decided = []
    for case in tqdm(cases, desc="simulate", unit="sub", disable=not progress):
        report, _ = service.screen(case.submission, {}, actor="simulator")
        decided.append(service.decide(case.submission_id, review(case, report["findings"]), actor="simulator"))
    return decided


def feature_rows(n: int, seed: int, *, progress: bool = False) -> list[dict]:
    """The same process without a database: snapshot rows as ``training.priority`` builds them."""
    from tqdm import tqdm

    world = World(seed=seed)
    history: dict[str, dict[str, bool]] = {}
    rows = []
    for i in tqdm(range(n), desc="simulate rows", unit="row", disable=not progress):
        case = world.case(n)
        found, dups = detect(case)
        findings = [{"code": c, "confidence": conf, "field": f} for c, f, conf in found]
        decision = review(case, findings)
        uscc = case.form["entity"]["uscc"]
        seen = history.setdefault(uscc, {})
        rows.append({
            "submission_id": case.submission_id, "revision": 1, "order": i, "stage": case.form["stage"],
            "kind": case.form["entity"]["kind"], "submitted_at": case.form["submitted_at"],
            "findings": [[c, conf] for c, _, conf in found], "duplicates": [d.score for d in dups],
            "history": [len(seen), sum(seen.values())], "decision": decision.decision,
            "label": int(decision.decision != "approved"),
        })
        seen[case.submission_id] = decision.decision != "approved"
    return rows
