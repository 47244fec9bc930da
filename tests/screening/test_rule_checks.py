# Over 400 lines: a case or a few per rule of screening/checks (rules, entity, patents, product form, figures).
"""The rule checks through the real pipeline, on parsed submissions (CONTRACT.md's example and variants)."""

from __future__ import annotations

import copy
import io

import pytest
from PIL import Image

from screening.checks.entity import ineligible_name_reasons
from screening.checks.rules import rule_checks
from screening.parsing import parse_submission
from screening.pipeline import Check, Pipeline, Resources, UploadedFile
from tests.examples import CONTRACT_EXAMPLE

# CONTRACT.md's example submission with its four documents, as sent by the review pipeline, plus
# the CCC certificate a household refrigerator needs (the compulsory-certification catalogue)
CONTRACT_SUBMISSION = {
    **CONTRACT_EXAMPLE,
    "documents": [
        {"kind": "business_licence", "file": "licence.jpg"},
        {"kind": "profit_statement", "file": "statement.png"},
        {"kind": "product_photo", "file": "photo.jpg"},
        {"kind": "economic_proof", "file": "proof.jpg"},
        {"kind": "certification", "file": "ccc.jpg"},
    ],
}


PLEDGE = {"kind": "integrity_pledge", "file": "pledge.jpg"}


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (240, 240, 240)).save(buf, fmt)
    return buf.getvalue()


def contract_files() -> dict[str, UploadedFile]:
    data = {"licence.jpg": _image("JPEG"), "statement.png": _image("PNG"), "photo.jpg": _image("JPEG"),
            "proof.jpg": _image("JPEG"), "ccc.jpg": _image("JPEG"), "pledge.jpg": _image("JPEG")}
    return {n: UploadedFile(n, d) for n, d in data.items()}


def example() -> dict:
    return copy.deepcopy(CONTRACT_SUBMISSION)


def screen(data: dict, files: dict | None = None, resources: Resources | None = None):
    return Pipeline(rule_checks(), resources).screen(parse_submission(data), files if files is not None else contract_files())


def codes(report) -> list[str]:
    return sorted(f.code for f in report.findings if f.code != "CHECK_SKIPPED")


def only(report, code):
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, [(f.code, f.field, f.message) for f in report.findings]
    return found[0]


# ---------------------------------------------------------------------------- the contract example

def test_contract_example_is_clean():
    report = screen(example())
    assert report.findings == [], [(f.code, f.field, f.message) for f in report.findings]
    assert report.status == "complete"
    assert report.extracted["uscc"]["valid"] is True
    assert set(report.timings_ms) >= {"files", "rules", "total"}


def test_rule_checks_order_and_declared_codes():
    checks = rule_checks()
    assert [type(c).__name__ for c in checks] == ["FileCheck", "EntityRules", "FigureRules", "ProductFormRules", "PatentRules",
                                                  "CompletenessRules", "CalendarRules"]
    assert all(isinstance(c, Check) and c.codes for c in checks)


def test_every_finding_is_well_formed():
    data = example()
    data["entity"]["uscc"] = "91440300MA5H3E0T3X"
    data["entity"]["figures_wan"]["ip_investment"] = 9999.0
    data["product"]["models"] = ["A1系列", "B2"]
    data["product"]["intro"] = "冰" * 501
    data["product"]["patents"].append({"number": "US10123456B2", "litigated": True, "holder": "别的公司"})
    report = screen(data)
    declared = {code for c in rule_checks() for code in c.codes} | {"CHECK_SKIPPED"}
    assert len(report.findings) >= 7
    for f in report.findings:
        assert f.code in declared
        # the pipeline itself reports only a skipped check; every other finding is a rule's
        assert f.source == ("pipeline" if f.code == "CHECK_SKIPPED" else "rules") and f.field and f.message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.message)  # Chinese for the reviewer
        assert isinstance(f.evidence, dict) and f.evidence


# ---------------------------------------------------------------------------- entity

def test_invalid_uscc_blocks_with_reasons_and_suggestion():
    data = example()
    data["entity"]["uscc"] = "9144O300MA5H3E0T3W"  # letter O typed for zero
    f = only(screen(data), "ENTITY_USCC_INVALID")
    assert f.severity == "block" and f.field == "entity.uscc"
    assert f.evidence["problems"] == ["charset"]
    assert f.evidence["suggestion"] == "91440300MA5H3E0T3W" and "是否应为" in f.message


def test_wrong_check_character_is_named():
    data = example()
    data["entity"]["uscc"] = "91440300MA5H3E0T3X"
    f = only(screen(data), "ENTITY_USCC_INVALID")
    assert f.evidence["expected_check"] == "W" and "第18位校验码应为“W”" in f.message


def test_reviewer_verified_code_is_not_flagged():
    data = example()
    data["entity"]["uscc"] = "91350211M0000XUF46"  # real, issued with a non-conforming check character
    data["entity"]["name"] = "厦门云上晴空航空科技有限公司"
    data["product"]["patents"][0]["holder"] = "厦门云上晴空航空科技有限公司"
    assert codes(screen(data)) == ["ENTITY_USCC_INVALID"]
    verified = {"91350211M0000XUF46"}
    report = screen(data, resources=Resources(verified_codes=verified.__contains__))
    assert codes(report) == []
    assert report.extracted["uscc"]["verified_by_reviewer"] is True


def test_failing_verified_lookup_still_flags_and_says_so():
    def broken(code):
        raise ConnectionError("database down")

    data = example()
    data["entity"]["uscc"] = "91350211M0000XUF46"
    report = screen(data, resources=Resources(verified_codes=broken))
    f = only(report, "ENTITY_USCC_INVALID")
    assert f.evidence["verified_lookup"] == "failed" and report.status == "complete"


def test_org_check_failure_alone_is_not_a_finding():
    data = example()
    data["entity"]["uscc"] = "91140107239309284J"  # real registry code failing GB 11714 at position 17
    report = screen(data)
    assert "ENTITY_USCC_INVALID" not in codes(report)
    assert report.extracted["uscc"]["org_check_ok"] is False and report.extracted["uscc"]["warnings"]


@pytest.mark.parametrize(
    "name, rule",
    [
        ("深圳市雄楚速通国际物流有限公司北京分公司", "branch"),
        ("上海伊诺威不动产咨询有限公司古北分公司", "branch"),
        ("某某证券股份有限公司上海营业部", "branch"),
        ("某某集团有限公司驻京办事处", "branch"),
        ("某某(德国)有限公司上海代表处", "branch"),
        ("上海信诚五金配件厂分厂", "branch"),
        ("中国石油天然气股份有限公司黑龙江尚志销售分公司延寿经销处长胜加油站", "branch"),
        ("天津云上畅游科技合伙企业（有限合伙）", "partnership"),
        ("资阳市雁江区合利机械厂（普通合伙）", "partnership"),
        ("某某会计师事务所(特殊普通合伙)", "partnership"),
        ("上海某某机械厂（个人独资）", "sole_proprietorship"),
        ("上海好德便利有限公司广元路店", "company_unit"),
    ],
)
def test_non_legal_person_names(name, rule):
    assert rule in [r for r, _, _ in ineligible_name_reasons(name)]


@pytest.mark.parametrize(
    "name",
    [
        "北京分析仪器有限公司", "深圳市雄楚速通国际物流有限公司", "创业合伙人（北京）科技有限公司",
        "分众传媒信息技术股份有限公司", "上海分部件制造有限公司", "某某一人有限责任公司", "某某农民专业合作社",
        "中国科学院自动化研究所", "清华大学", "深圳市分公司路灯具有限公司",
    ],
)
def test_legal_person_names_are_not_flagged(name):
    assert ineligible_name_reasons(name) == []


def test_institutes_named_after_their_group_are_not_units():
    assert ineligible_name_reasons("中国电子科技集团公司第十四研究所") == []
    assert ineligible_name_reasons("中国航天科技集团有限公司第五研究院") == []


def test_branch_word_with_a_public_institution_code_is_only_a_question():
    data = example()
    data["entity"]["name"] = "中国科学院上海分院"
    data["entity"]["kind"] = "research_institute"
    data["entity"]["uscc"] = "121200004013590816"  # 机构编制 / 事业单位
    data["product"]["patents"][0]["holder"] = "中国科学院上海分院"
    f = only(screen(data), "ENTITY_INELIGIBLE")
    assert f.confidence == 0.6 and "请核实" in f.message


def test_entity_without_figures_in_a_product_filing_says_the_comparison_was_skipped():
    data = example()
    del data["entity"]["figures_wan"]
    report = screen(data)
    assert codes(report) == []
    assert [f.field for f in report.findings if f.code == "CHECK_SKIPPED"] == ["entity.figures_wan"]


def test_branch_name_blocks():
    data = example()
    data["entity"]["name"] = "深圳市雄楚速通国际物流有限公司北京分公司"
    f = only(screen(data), "ENTITY_INELIGIBLE")
    assert f.field == "entity.name" and f.confidence == 1.0 and "分公司" in f.message


def test_company_unit_is_flagged_with_lower_confidence():
    data = example()
    data["entity"]["name"] = "深圳市雄楚速通国际物流有限公司冰箱厂"
    data["product"]["patents"][0]["holder"] = data["entity"]["name"]
    f = only(screen(data), "ENTITY_INELIGIBLE")
    assert f.confidence == 0.6 and "请核实" in f.message


def test_individual_business_code_is_ineligible():
    data = example()
    data["entity"]["uscc"] = "92340602MA2PBQAH7E"
    f = only(screen(data), "ENTITY_INELIGIBLE")
    assert f.field == "entity.uscc" and "个体工商户" in f.message and f.confidence == 1.0


def test_farmers_cooperative_is_eligible():
    data = example()
    first17 = "93440300MA5H3E0T3"
    from screening.validators.uscc import check_char

    data["entity"]["uscc"] = first17 + check_char(first17)
    assert codes(screen(data)) == []


def test_kind_contradicting_the_code_asks_for_a_look():
    data = example()
    data["entity"]["kind"] = "university"
    f = only(screen(data), "ENTITY_INELIGIBLE")
    assert f.field == "entity.kind" and f.confidence == 0.6
    data = example()
    data["entity"]["uscc"] = "121200004013590816"  # 事业单位 filing as an enterprise
    assert only(screen(data), "ENTITY_INELIGIBLE").evidence["category"] == "事业单位"
    data["entity"]["kind"] = "research_institute"
    assert codes(screen(data)) == []


# ---------------------------------------------------------------------------- figures

@pytest.mark.parametrize(
    "field, value, flagged",
    [
        ("ip_investment", 5300.0, "entity.figures_wan.ip_investment"),
        ("patent_assets", 12500.0, "entity.figures_wan.patent_assets"),
        ("fixed_assets", 13000.0, "entity.figures_wan.fixed_assets"),
        ("net_profit", 7000.0, "entity.figures_wan.net_profit"),
        ("total_product_sales", 7000.0, "entity.figures_wan.total_product_sales"),
        ("total_assets", -1.0, "entity.figures_wan.total_assets"),
        ("selling_expense", -5.0, "entity.figures_wan.selling_expense"),
    ],
)
def test_entity_figures_inconsistent(field, value, flagged):
    data = example()
    data["entity"]["figures_wan"][field] = value
    report = screen(data)
    found = [f for f in report.findings if f.code == "ENTITY_FIGURES_INCONSISTENT"]
    assert flagged in [f.field for f in found], [(f.field, f.message) for f in report.findings]


def test_entity_figures_allow_rounding_and_legit_negatives():
    data = example()
    fw = data["entity"]["figures_wan"]
    fw["total_product_sales"] = fw["operating_revenue"] + 0.04  # within 500 yuan
    fw["net_profit"] = -300.0
    fw["finance_expense"] = -12.0  # interest income
    assert codes(screen(data)) == []


def test_net_profit_above_revenue_has_lower_confidence():
    data = example()
    data["entity"]["figures_wan"]["net_profit"] = 7000.0
    f = only(screen(data), "ENTITY_FIGURES_INCONSISTENT")
    assert f.confidence == 0.8 and f.evidence["value"] == 7000.0 and f.evidence["limit"] == 6890.5
    assert "净利润" in f.message and "营业收入" in f.message
    assert "7,000.00万元" in f.message and "6,890.50万元" in f.message, f.message  # screening.money


@pytest.mark.parametrize(
    "change, field",
    [
        ({"sales": 6600.0}, "product.figures_wan.sales"),  # above entity's total product sales
        ({"export": 2400.0}, "product.figures_wan.export"),  # above sales (and exported=false)
        ({"profit": 2400.0}, "product.figures_wan.profit"),
        ({"total_cost": 5300.0}, "product.figures_wan.total_cost"),
        ({"ip_investment": 400.0}, "product.figures_wan.ip_investment"),
        ({"export": -1.0}, "product.figures_wan.export"),
    ],
)
def test_product_figures_inconsistent(change, field):
    data = example()
    data["product"]["figures_wan"].update(change)
    found = [f for f in screen(data).findings if f.code == "PRODUCT_FIGURES_INCONSISTENT"]
    assert field in [f.field for f in found]


def test_sales_above_both_entity_totals_is_one_finding():
    data = example()
    data["product"]["figures_wan"]["sales"] = 8000.0
    f = only(screen(data), "PRODUCT_FIGURES_INCONSISTENT")
    assert f.evidence["fields"] == ["product.figures_wan.sales", "entity.figures_wan.total_product_sales"]


def test_not_exported_but_export_figures_or_destinations():
    data = example()
    data["product"]["figures_wan"]["export"] = 100.0
    data["product"]["export_destinations"] = ["德国"]
    fields = sorted(f.field for f in screen(data).findings if f.code == "PRODUCT_FIGURES_INCONSISTENT")
    assert fields == ["product.export_destinations", "product.figures_wan.export"]
    data["product"]["exported"] = True
    assert codes(screen(data)) == []


def test_product_ip_investment_is_compared_with_low_confidence():
    data = example()
    data["product"]["figures_wan"]["ip_investment"] = 400.0
    assert only(screen(data), "PRODUCT_FIGURES_INCONSISTENT").confidence == 0.5


def test_sales_zero_blocks_and_absent_sales_is_skipped():
    data = example()
    data["product"]["figures_wan"]["sales"] = 0.0
    data["product"]["figures_wan"]["profit"] = 0.0
    f = only(screen(data), "SALES_ZERO")
    assert f.severity == "block" and f.field == "product.figures_wan.sales"
    del data["product"]["figures_wan"]["sales"]
    report = screen(data)
    assert "SALES_ZERO" not in codes(report)
    assert "product.figures_wan.sales" in [f.field for f in report.findings if f.code == "CHECK_SKIPPED"]


def test_sales_zero_only_for_product_stages():
    data = example()
    data["stage"] = "entity"
    data["product"]["figures_wan"]["sales"] = 0.0
    data["documents"] = data["documents"][:2] + [PLEDGE]
    assert codes(screen(data)) == []
    data["stage"] = "annual_update"
    assert "SALES_ZERO" in codes(screen(data))


# ---------------------------------------------------------------------------- product form

def test_intro_length_counts_stripped_characters():
    data = example()
    data["product"]["intro"] = "  " + "冰" * 500 + "\n "
    assert codes(screen(data)) == []
    data["product"]["intro"] = "冰" * 501
    f = only(screen(data), "INTRO_TOO_LONG")
    assert f.severity == "block" and f.evidence["length"] == 501 and f.evidence["limit"] == 500


@pytest.mark.parametrize("model", ["BCD系列", "BCD-520W等", "各类冰箱型号", "BCD-520W...", "BCD-520W…", "若干型号"])
def test_vague_models(model):
    data = example()
    data["product"]["models"] = [model]
    f = only(screen(data), "MODEL_VAGUE")
    assert f.field == "product.models[0]" and f.evidence["model"] == model


@pytest.mark.parametrize("model", ["BCD-520W", "一等品A型", "KFR-35GW/BP3DN8Y", "无", "同等级G2"])
def test_clear_models(model):
    data = example()
    data["product"]["models"] = [model]
    assert codes(screen(data)) == []


@pytest.mark.parametrize(
    "models",
    [["BCD-520W", "BCD-520WP"], ["BCD-520W、BCD-520WP"], ["BCD-520W,BCD-520WP"], ["BCD-520W；BCD-520WP"]],
)
def test_several_models_need_a_reason(models):
    data = example()
    data["product"]["models"] = models
    f = only(screen(data), "MODEL_MULTI_UNJUSTIFIED")
    assert f.evidence["count"] == 2 and f.field == "product.models_reason"
    for trivial in ("无", "  ", "见附件", "同一产品", "..."):
        data["product"]["models_reason"] = trivial
        assert "MODEL_MULTI_UNJUSTIFIED" in codes(screen(data)), trivial
    data["product"]["models_reason"] = "两个型号仅颜色不同，结构、材料和零部件相同"
    assert codes(screen(data)) == []


def test_slash_inside_one_model_is_one_model():
    data = example()
    data["product"]["models"] = ["KFR-35GW/BP3DN8Y"]
    assert codes(screen(data)) == []


# ---------------------------------------------------------------------------- patents

def test_no_patent_blocks():
    for patents in ([], None, [{"number": " ", "holder": "x"}]):
        data = example()
        data["product"]["patents"] = patents
        f = only(screen(data), "PATENT_MISSING")
        assert f.severity == "block" and f.field == "product.patents"


def test_invalid_patent_numbers_name_the_entry():
    data = example()
    data["product"]["patents"] += [
        {"number": "CN107966475B", "holder": "深圳市雄楚速通国际物流有限公司"},
        {"number": "US10123456B2", "holder": "深圳市雄楚速通国际物流有限公司"},
        {"number": "CN201710601862.4", "holder": "深圳市雄楚速通国际物流有限公司"},
    ]
    found = {f.field: f for f in screen(data).findings if f.code == "PATENT_NUMBER_INVALID"}
    assert set(found) == {"product.patents[1].number", "product.patents[2].number", "product.patents[3].number"}
    assert found["product.patents[1].number"].evidence["problems"] == ["publication"]
    assert "公开（公告）号" in found["product.patents[1].number"].message
    assert found["product.patents[2].number"].evidence["problems"] == ["foreign"]
    assert found["product.patents[3].number"].evidence["expected_check"] == "3"


def test_litigated_patent_needs_a_case_number():
    data = example()
    data["product"]["patents"][0]["litigated"] = True
    f = only(screen(data), "PATENT_LITIGATED_NO_CASE")
    assert f.field == "product.patents[0].case_number"
    data["product"]["patents"][0]["case_number"] = "4W112345"
    assert codes(screen(data)) == []


def test_patent_not_held():
    data = example()
    data["product"]["patents"][0]["holder"] = "另一家有限公司"
    f = only(screen(data), "PATENT_NOT_HELD")
    assert f.field == "product.patents[0].holder" and f.severity == "high"
    data["product"]["patents"][0]["licensee"] = "深圳市雄楚速通国际物流有限公司"
    assert codes(screen(data)) == []


def test_holder_comparison_folds_brackets_spaces_and_co_owners():
    data = example()
    data["entity"]["name"] = "谷歌信息技术（中国）有限公司"
    data["entity"]["uscc"] = "91110108795101314G"
    for holder in ("谷歌信息技术(中国)有限公司", " 谷歌信息技术 （中国） 有限公司", "某大学；谷歌信息技术（中国）有限公司",
                   "谷歌信息技术(中国)有限公司, 另一家公司"):
        data["product"]["patents"][0]["holder"] = holder
        assert codes(screen(data)) == [], holder


def test_no_holder_data_means_no_comparison():
    data = example()
    data["product"]["patents"][0]["holder"] = None
    assert codes(screen(data)) == []


# ---------------------------------------------------------------------------- stages and gaps

def test_entity_stage_checks_entity_and_its_documents_only():
    data = example()
    data["stage"] = "entity"
    data["product"]["intro"] = "冰" * 600
    data["product"]["patents"] = []
    data["entity"]["figures_wan"]["ip_investment"] = 6000.0
    data["documents"] = [{"kind": "business_licence", "file": "licence.jpg"}]
    report = screen(data)
    assert codes(report) == ["DOCUMENT_MISSING", "DOCUMENT_MISSING", "ENTITY_FIGURES_INCONSISTENT"]
    missing = [f.evidence["required"] for f in report.findings if f.code == "DOCUMENT_MISSING"]
    assert missing == [["profit_statement"], ["integrity_pledge"]]  # the entity's own uploads only


def test_entity_stage_leaves_product_uploads_alone():
    files = contract_files()
    files["photo.jpg"] = UploadedFile("photo.jpg", b"%PDF-1.4 not a photo")
    data = example()
    data["stage"] = "entity"
    data["documents"].append(PLEDGE)
    assert codes(screen(data, files)) == []
    data["stage"] = "product"
    assert codes(screen(data, files)) == ["FILE_TYPE_INVALID"]


def test_product_stage_without_entity_checks_the_product():
    data = example()
    del data["entity"]
    data["product"]["figures_wan"]["export"] = 2400.0
    report = screen(data)
    assert codes(report) == ["PRODUCT_FIGURES_INCONSISTENT", "PRODUCT_FIGURES_INCONSISTENT"]
    assert report.status == "complete"


def test_missing_parts_are_said_not_silent():
    data = {"submission_id": "gap-1", "stage": "product", "documents": [{"kind": "business_licence", "file": "x.jpg"}]}
    report = screen(data, files={})
    skipped = {f.field for f in report.findings if f.code == "CHECK_SKIPPED"}
    assert {"product", "documents[0].file"} <= skipped
    # what is missing is said; the uploads a product filing needs are findings of their own
    assert sorted(f.code for f in report.findings if f.severity != "info") == ["DOCUMENT_MISSING", "IMAGE_MAIN_COUNT"]
    data = {"submission_id": "gap-2", "stage": "entity", "entity": {"kind": "enterprise"}}
    skipped = {f.field for f in screen(data, files={}).findings if f.code == "CHECK_SKIPPED"}
    assert skipped == {"entity.uscc", "entity.name", "entity.figures_wan"}


def test_bad_upload_and_form_findings_together():
    files = contract_files()
    files["proof.jpg"] = UploadedFile("proof.jpg", b"%PDF-1.4 ...")
    data = example()
    data["product"]["figures_wan"]["sales"] = 0.0
    data["product"]["figures_wan"]["profit"] = 0.0
    report = screen(data, files)
    assert codes(report) == ["FILE_TYPE_INVALID", "SALES_ZERO"]
    assert report.priority.p_reject > 0.9
