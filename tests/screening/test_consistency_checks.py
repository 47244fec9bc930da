"""The consistency checks of the second round, each on a real-looking case and on its clean twin.

CONTRACT.md's example (a 家用电冰箱 BCD-520W in C3851 with patent CN201710601862.3) is the
clean base; each test changes one thing.
"""

from __future__ import annotations

import copy

import pytest

from screening.checks.consistency import consistency_checks
from screening.parsing import parse_submission
from screening.pipeline import Check, Pipeline, Resources
from screening.register import RegisterPatent, patent_key
from tests.examples import CONTRACT_EXAMPLE

FILER = "深圳市雄楚速通国际物流有限公司"
FRIDGE = "201710601862.3"
SNAPSHOT = {"imported_at": "2026-11-01T00:00:00+00:00", "rows": 3, "source": "register.csv"}


def number(digits: str) -> str:
    r = sum(int(d) * (2 + i % 8) for i, d in enumerate(digits)) % 11
    return f"CN{digits}.{'X' if r == 10 else r}"


DESIGN = number("201930601862")  # type digit 3
UTILITY = number("202020412345")


class FakeRegister:
    """The store's interface (snapshot, lookup), over a dict."""

    def __init__(self, *entries: RegisterPatent) -> None:
        self.entries = {e.number: e for e in entries}

    def snapshot(self):
        return SNAPSHOT

    def lookup(self, numbers):
        return {n: self.entries[n] for n in numbers if n in self.entries}


def entry(num: str, status: str = "in_force", holder: str | None = FILER, title: str | None = None) -> RegisterPatent:
    return RegisterPatent(patent_key(num) or num, status, holder, title, None)


def example(**product) -> dict:
    data = copy.deepcopy(CONTRACT_EXAMPLE)
    data["entity"]["business_scope"] = "生产、销售：家用电器、制冷设备；货物进出口。"
    data["product"].update(product)
    return data


def screen(data: dict, register=None):
    default = FakeRegister(entry(FRIDGE, title="一种风冷电冰箱的送风结构"))
    resources = Resources(patent_register=register if register is not None else default)
    return Pipeline(consistency_checks(), resources).screen(parse_submission(data), {})


def found(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


def codes(report) -> list[str]:
    return sorted(f.code for f in report.findings if f.code != "CHECK_SKIPPED")


def test_contract_example_is_clean():
    report = screen(example())
    assert report.findings == [], [(f.code, f.message) for f in report.findings]
    assert report.extracted["patent_register"]["patents"][FRIDGE]["status"] == "in_force"
    assert report.extracted["industry"] == {"code": "C3851", "name": "家用制冷电器具制造"}


def test_every_finding_names_its_field_in_chinese_with_the_seed_sentence():
    data = example(models=["P40", "P40 Pro"], industry={"code": "C385", "name": None}, exported=True,
                   export_destinations=[])
    data["entity"]["business_scope"] = "投资顾问；房地产投资咨询（中介除外）；经济信息咨询；会议服务。"
    report = screen(data, FakeRegister(entry(FRIDGE, "lapsed", title="一种利用高铝粉煤灰烧结的方法")))
    assert {"PATENT_NOT_IN_FORCE", "MODEL_LINES_DIFFER", "INDUSTRY_CODE_INVALID", "EXPORT_DESTINATIONS_MISSING",
            "NAME_NOT_IN_PATENTS"} <= set(codes(report))
    for f in report.findings:
        if f.code == "CHECK_SKIPPED":
            continue
        assert f.field and any("\u4e00" <= ch <= "\u9fff" for ch in f.message)
        assert f.evidence["rule"] and f.evidence["rule"][:12] in _seed_text(), f.code


def _seed_text() -> str:
    from screening.settings import realdata_dir

    seeds = realdata_dir().parent / "seeds" / "002_6086c87cf4f5401a.txt"
    if not seeds.is_file():
        pytest.skip("the seeds are not beside the repository")
    return seeds.read_text(encoding="utf-8").replace(" ", "")


# ---------------------------------------------------------------------------- register

def test_lapsed_patent_is_not_in_force_and_its_twin_passes():
    f = found(screen(example(), FakeRegister(entry(FRIDGE, "lapsed"))), "PATENT_NOT_IN_FORCE")
    assert len(f) == 1 and f[0].severity == "block" and f[0].field == "product.patents[0].number"
    assert "已失效" in f[0].message and f[0].evidence["register_status"] == "lapsed"
    assert f[0].evidence["snapshot"] == SNAPSHOT
    assert found(screen(example(), FakeRegister(entry(FRIDGE, "in_force"))), "PATENT_NOT_IN_FORCE") == []


def test_register_holder_decides_who_holds():
    other = FakeRegister(entry(FRIDGE, holder="海信容声（广东）冰箱有限公司"))
    data = example()  # the form says the filer holds it; the register says otherwise
    f = found(screen(data, other), "PATENT_NOT_HELD")
    assert len(f) == 1 and f[0].field == "product.patents[0].number"
    assert "海信容声（广东）冰箱有限公司" in f[0].message and f[0].evidence["form_holder"] == FILER
    # clean twins: the register names the filer's former name (曾用名), or the form declares a licence
    renamed = FakeRegister(entry(FRIDGE, holder="深圳市雄楚速通物流有限公司"))
    data = example()
    data["entity"]["former_names"] = ["深圳市雄楚速通物流有限公司"]
    assert found(screen(data, renamed), "PATENT_NOT_HELD") == []
    data = example()
    data["product"]["patents"][0].update(holder=None, licensee=FILER)
    assert found(screen(data, other), "PATENT_NOT_HELD") == []
    co_owned = FakeRegister(entry(FRIDGE, holder=f"海信容声（广东）冰箱有限公司；{FILER}"))
    assert found(screen(example(), co_owned), "PATENT_NOT_HELD") == []


def test_form_based_not_held_is_not_reported_twice():
    from screening.checks.patents import PatentRules

    data = example()
    data["product"]["patents"][0]["holder"] = "另一家公司"
    other = FakeRegister(entry(FRIDGE, holder="另一家公司"))
    report = Pipeline([PatentRules(), *consistency_checks()], Resources(patent_register=other)).screen(
        parse_submission(data), {})
    assert len(found(report, "PATENT_NOT_HELD")) == 1


def test_annual_update_with_every_patent_lapsed_prompts_revocation():
    data = example()
    data["stage"] = "annual_update"
    data["product"]["patents"].append({"number": UTILITY, "core": False, "holder": FILER})
    gone = FakeRegister(entry(FRIDGE, "lapsed"), entry(UTILITY, holder="青岛某某实业有限公司"))  # lapsed + transferred
    report = screen(data, gone)
    f = found(report, "PATENT_ALL_LAPSED")
    assert len(f) == 1 and f[0].severity == "high" and f[0].field == "product.patents"
    assert "撤销" in f[0].message and len(f[0].evidence["patents"]) == 2
    assert codes(report).count("PATENT_NOT_IN_FORCE") == 1 and "PATENT_NOT_HELD" in codes(report)
    # twins: one patent still in force and held; or a first filing (not a filed product)
    assert found(screen(data, FakeRegister(entry(FRIDGE, "lapsed"), entry(UTILITY))), "PATENT_ALL_LAPSED") == []
    data["stage"] = "product"
    assert found(screen(data, gone), "PATENT_ALL_LAPSED") == []


def test_without_a_snapshot_the_register_checks_say_so_once():
    class Empty(FakeRegister):
        def snapshot(self):
            return None

    data = example()
    data["product"]["patents"].append({"number": UTILITY})
    for register in (Empty(), None):
        pipeline = Pipeline(consistency_checks(), Resources(patent_register=register))
        report = pipeline.screen(parse_submission(data), {})
        skipped = [f for f in report.findings if f.code == "CHECK_SKIPPED" and f.field == "product.patents"]
        assert len(skipped) == 1 and "专利登记簿" in skipped[0].message
        assert codes(report) == []


def test_patent_missing_from_the_snapshot_is_said():
    data = example()
    data["product"]["patents"].append({"number": UTILITY})
    report = screen(data)
    skipped = [f for f in report.findings if f.code == "CHECK_SKIPPED"]
    assert len(skipped) == 1 and UTILITY in skipped[0].message and codes(report) == []


# ---------------------------------------------------------------------------- product vs patents

def test_name_sharing_nothing_with_the_patent_titles():
    data = example()
    data["product"]["patents"][0]["title"] = "一种利用高铝粉煤灰烧结的方法"
    f = found(screen(data), "NAME_NOT_IN_PATENTS")
    assert len(f) == 1 and f[0].field == "product.name" and f[0].severity == "medium"
    assert f[0].evidence["titles"] == [{"number": "CN201710601862.3", "title": "一种利用高铝粉煤灰烧结的方法"}]
    data["product"]["patents"][0]["title"] = "一种风冷电冰箱的送风结构"
    assert found(screen(data), "NAME_NOT_IN_PATENTS") == []


def test_titles_come_from_the_register_and_the_head_noun_counts():
    register = FakeRegister(entry(FRIDGE, title="座椅扶手调节装置"))
    assert found(screen(example(name="办公椅"), register), "NAME_NOT_IN_PATENTS") == []  # 椅
    assert len(found(screen(example(name="家用电冰箱"), register), "NAME_NOT_IN_PATENTS")) == 1
    unknown = FakeRegister(entry(FRIDGE, title=None))
    assert found(screen(example(), unknown), "NAME_NOT_IN_PATENTS") == []


def test_only_core_patent_a_design_is_said():
    data = example()
    data["product"]["patents"] = [{"number": DESIGN, "core": True, "holder": FILER, "title": "电冰箱"},
                                  {"number": "CN201710601862.3", "core": False, "holder": FILER}]
    register = FakeRegister(entry(FRIDGE), entry(DESIGN, title="电冰箱"))
    f = found(screen(data, register), "DESIGN_PATENT_ONLY")
    assert len(f) == 1 and f[0].severity == "info" and f[0].field == "product.patents[0].number"
    assert "外观设计" in f[0].message
    data["product"]["patents"][1]["core"] = True  # an invention is core too
    assert found(screen(data, register), "DESIGN_PATENT_ONLY") == []


# ---------------------------------------------------------------------------- model lines

@pytest.mark.parametrize("models", [["P40", "P40 Pro", "P40 Plus"], ["P40、P40Pro"], ["Mate 40", "P40"],
                                    ["K60", "K60 Ultra"], ["XQG100-B14", "XQB100-B14"], ["S10", "S10+"], ["KZ76", "Z76"]])
def test_different_product_lines_whatever_the_reason(models):
    data = example(models=models, models_reason="各型号仅颜色不同，结构、材料与零部件完全相同，属于同一产品")
    f = found(screen(data), "MODEL_LINES_DIFFER")
    assert len(f) == 1 and f[0].severity == "high" and f[0].field == "product.models"
    assert "不同产品" in f[0].message and f[0].evidence["pairs"]


@pytest.mark.parametrize("models", [["BCD-520W", "BCD-520WF"], ["P40 亮黑色", "P40 冰霜银"],
                                    ["P40 8GB+128GB", "P40 8GB+256GB"], ["NaCl 100ML", "NaCl 500ML"],
                                    ["KFR-35GW/BP3DN8Y", "KFR-26GW/BP3DN8Y"], ["BCD-520W"],
                                    ["vivoZ1", "Z1 极光蓝"], ["S10+ 8GB+128GB", "S10+ 12GB+512GB"]])
def test_variants_of_one_product_pass(models):
    assert found(screen(example(models=models, models_reason="仅颜色与容量不同，结构相同")), "MODEL_LINES_DIFFER") == []


# ---------------------------------------------------------------------------- industry, category, export

@pytest.mark.parametrize("code, words", [("C385", "中类"), ("C38", "大类"), ("A3851", "应为C3851"),
                                         ("C3850", "没有行业代码"), ("家电", "格式")])
def test_industry_code_not_a_class(code, words):
    f = found(screen(example(industry={"code": code, "name": "家用制冷电器具制造"})), "INDUSTRY_CODE_INVALID")
    assert len(f) == 1 and f[0].field == "product.industry.code" and words in f[0].message


@pytest.mark.parametrize("code", ["C3851", "3851", " c3851 "])
def test_industry_class_passes(code):
    assert found(screen(example(industry={"code": code, "name": None})), "INDUSTRY_CODE_INVALID") == []


def test_manufacturing_class_with_a_service_category():
    data = example(category={"code": "6513000000", "name": "软件设计服务"})
    f = found(screen(data), "CATEGORY_MISMATCH")
    assert len(f) == 1 and f[0].evidence["industry_code"] == "C3851" and "服务类" in f[0].message
    assert found(screen(example()), "CATEGORY_MISMATCH") == []


def test_export_declarations():
    f = found(screen(example(exported=True, export_destinations=[])), "EXPORT_DESTINATIONS_MISSING")
    assert len(f) == 1 and f[0].field == "product.export_destinations"
    data = example(exported=False)
    data["product"]["figures_wan"]["export"] = 120.0
    f = found(screen(data), "EXPORT_DESTINATIONS_MISSING")
    assert len(f) == 1 and f[0].field == "product.exported" and "120" in f[0].message
    data = example(exported=True, export_destinations=["德国"])
    data["product"]["figures_wan"]["export"] = 120.0
    assert found(screen(data), "EXPORT_DESTINATIONS_MISSING") == []


# ---------------------------------------------------------------------------- business scope

def test_scope_that_neither_makes_nor_sells_the_product():
    data = example()
    data["entity"]["business_scope"] = "投资顾问；房地产投资咨询（中介除外）；经济信息咨询；会议服务。"
    f = found(screen(data), "SCOPE_MISMATCH")
    assert len(f) == 1 and f[0].field == "entity.business_scope" and "投资顾问" in f[0].message
    assert "家用制冷电器具制造" in f[0].evidence["matched_against"]


@pytest.mark.parametrize("scope", [
    "销售：家用电器、五金交电",  # the class's own words
    "批发、零售：五金交电、日用百货、针纺织品",  # a broad class containing C385
    "法律、法规禁止的，不得经营；应经审批的，未获审批前不得经营；法律、法规未规定审批的，企业自主选择经营项目，开展经营活动。",
    "一般项目：家用电器研发；家用电器制造；日用家电零售（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
    "商品批发贸易（许可审批类商品除外）；商品零售贸易（许可审批类商品除外）",
])
def test_scopes_that_cover_it_pass(scope):
    data = example()
    data["entity"]["business_scope"] = scope
    assert found(screen(data), "SCOPE_MISMATCH") == []


def test_no_scope_is_said_not_passed():
    data = example()
    del data["entity"]["business_scope"]
    report = screen(data)
    assert [f.field for f in report.findings if f.code == "CHECK_SKIPPED"] == ["entity.business_scope"]


def test_university_that_neither_makes_nor_sells():
    data = example()
    data["entity"].update(kind="university", name="某某理工大学", business_scope="高等学历教育；科学研究；技术开发与转让")
    data["entity"]["figures_wan"]["total_product_sales"] = 0.0
    data["product"]["patents"][0]["holder"] = "某某理工大学"
    f = found(screen(data), "ENTITY_INELIGIBLE")
    assert len(f) == 1 and f[0].field == "entity.kind" and f[0].confidence == 0.8 and "大学或科研院所" in f[0].message
    data["entity"]["figures_wan"]["total_product_sales"] = 850.0  # it sells products: eligible
    assert found(screen(data), "ENTITY_INELIGIBLE") == []
    data["entity"]["figures_wan"]["total_product_sales"] = 0.0
    data["entity"]["business_scope"] = "高等学历教育；科研成果转化产品的生产与销售"  # its scope makes and sells
    assert found(screen(data), "ENTITY_INELIGIBLE") == []
    data["entity"]["kind"] = "enterprise"
    data["entity"]["business_scope"] = "高等学历教育；科学研究"
    assert found(screen(data), "ENTITY_INELIGIBLE") == []  # only universities and research institutes


@pytest.mark.parametrize("field, value", [("former_names", "深圳市雄楚速通物流有限公司"), ("former_names", [1]),
                                          ("business_scope", ["销售"])])
def test_new_entity_fields_are_typed(field, value):
    from screening.errors import InvalidInput

    data = example()
    data["entity"][field] = value
    with pytest.raises(InvalidInput) as exc:
        parse_submission(data)
    assert exc.value.field.startswith(f"entity.{field}")


def test_product_patent_rules_read_the_register_on_their_own():
    from screening.checks.product_patents import ProductPatentRules

    register = FakeRegister(entry(FRIDGE, title="一种利用高铝粉煤灰烧结的方法"))
    report = Pipeline([ProductPatentRules()], Resources(patent_register=register)).screen(parse_submission(example()), {})
    assert [f.code for f in report.findings] == ["NAME_NOT_IN_PATENTS"]


class _LicenceRead(Check):
    """What the document check leaves for the others: the scope paragraph read off the licence
    (tests/ocr/test_readers.py reads it off the real scans)."""

    name = "licence-read"
    part = "ocr"

    def __init__(self, scope: str) -> None:
        self.scope = scope

    def applies(self, ctx) -> bool:
        return True

    def run(self, ctx) -> None:
        ctx.extracted["business_licence"] = {"business_scope": self.scope}


def _screen_with_read_scope(scope: str):
    data = example()
    del data["entity"]["business_scope"]
    checks = [_LicenceRead(scope), *consistency_checks()]
    resources = Resources(patent_register=FakeRegister(entry(FRIDGE, title="一种风冷电冰箱的送风结构")))
    return Pipeline(checks, resources).screen(parse_submission(data), {})


def test_a_scope_read_off_the_licence_is_judged_when_the_form_has_none():
    report = _screen_with_read_scope("投资顾问；经济信息咨询；会议服务。（依法须经批准的项目，经相关部门批准后方可开展经营活动）")
    f = found(report, "SCOPE_MISMATCH")
    assert len(f) == 1 and f[0].evidence["source"] == "documents.business_licence"
    covered = _screen_with_read_scope("研发、产销：家用电器、五金制品；销售：塑胶制品。")
    assert found(covered, "SCOPE_MISMATCH") == [] and found(covered, "CHECK_SKIPPED") == []


def test_a_scope_read_only_in_part_is_not_judged():
    # the OCR lost the paragraph's last lines: the words that cover the product may be there
    report = _screen_with_read_scope("组织文化艺术交流活动（不含营业性演出）；经济贸易咨询；企业管理咨询：企业策划、设计：公共关系服")
    assert found(report, "SCOPE_MISMATCH") == []
    skipped = found(report, "CHECK_SKIPPED")
    assert [f.field for f in skipped] == ["entity.business_scope"] and "未能完整读出" in skipped[0].message
