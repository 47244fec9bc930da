"""DOCUMENT_MISSING and IMAGE_MAIN_COUNT through the rule checks, each on a real-looking case and its clean twin."""

from __future__ import annotations

import copy

import pytest

from screening.checks.completeness import RULE_MAIN_IMAGE, RULE_REGULATED, regulated_matches
from screening.checks.rules import rule_checks
from screening.contract import CodeName, Product
from screening.parsing import parse_submission
from screening.pipeline import Pipeline
from tests.examples import CONTRACT_EXAMPLE
from tests.screening.test_rule_checks import _image

ENTITY_DOCS = [
    {"kind": "business_licence", "file": "licence.jpg"},
    {"kind": "profit_statement", "file": "statement.png"},
    {"kind": "integrity_pledge", "file": "pledge.jpg"},
]
PRODUCT_DOCS = [
    {"kind": "product_photo", "file": "photo.jpg"},
    {"kind": "product_image", "file": "side.jpg"},
    {"kind": "economic_proof", "file": "proof.jpg"},
    {"kind": "certification", "file": "ccc.jpg"},
]


def _files(docs):
    from screening.pipeline import UploadedFile

    return {d["file"]: UploadedFile(d["file"], _image("PNG" if d["file"].endswith("png") else "JPEG")) for d in docs}


def screen(stage: str, docs: list[dict], **changes):
    data = copy.deepcopy(CONTRACT_EXAMPLE)
    data.update(stage=stage, documents=docs, **changes)
    return Pipeline(rule_checks()).screen(parse_submission(data), _files(docs))


def found(report, code):
    return [f for f in report.findings if f.code == code]


# ---------------------------------------------------------------- real-name verification

def test_entity_with_its_three_uploads_is_complete():
    report = screen("entity", ENTITY_DOCS)
    assert found(report, "DOCUMENT_MISSING") == []


def test_entity_without_the_integrity_pledge():
    report = screen("entity", ENTITY_DOCS[:2])
    (f,) = found(report, "DOCUMENT_MISSING")
    assert f.severity == "high" and f.field == "documents"
    assert "诚信承诺书" in f.message and f.message.startswith("实名认证")
    assert f.evidence["required"] == ["integrity_pledge"]
    assert f.evidence["uploaded"] == ["business_licence", "profit_statement"]
    assert f.evidence["rule"] == "进行实名认证，填报基本信息，上传证明材料和诚信承诺书后提交审核"


def test_entity_with_no_documents_at_all_misses_all_three():
    report = screen("entity", [])
    required = [f.evidence["required"] for f in found(report, "DOCUMENT_MISSING")]
    assert required == [["business_licence", "organisation_certificate"], ["profit_statement"], ["integrity_pledge"]]


def test_an_organisation_certificate_stands_in_for_the_licence_and_is_said_unread():
    docs = [{"kind": "organisation_certificate", "file": "org.jpg"}, *ENTITY_DOCS[1:]]
    report = screen("entity", docs)
    assert found(report, "DOCUMENT_MISSING") == []
    (note,) = [f for f in report.findings if f.code == "CHECK_SKIPPED" and f.field == "documents[0].file"]
    assert "组织机构代码证" in note.message and note.severity == "info"


def test_a_deferred_statement_waits_until_30_april_and_not_after():
    entity = {**CONTRACT_EXAMPLE["entity"], "figures_wan": None, "figures_year": None}
    docs = [ENTITY_DOCS[0], ENTITY_DOCS[2]]
    april = screen("entity", docs, entity=entity, submitted_at="2027-04-30T23:00:00+08:00")
    assert found(april, "DOCUMENT_MISSING") == []
    (wait,) = [f for f in april.findings if f.code == "CHECK_SKIPPED" and f.field == "documents"]
    assert "2027年4月30日前补传" in wait.message
    # 23:30 UTC on 30 April is 1 May in Beijing: the deferral is over
    may = screen("entity", docs, entity=entity, submitted_at="2027-04-30T16:30:00Z")
    (f,) = found(may, "DOCUMENT_MISSING")
    assert f.evidence["required"] == ["profit_statement"] and "2026年度" in f.message
    assert not [x for x in may.findings if "4月30日前补传" in x.message]


# ---------------------------------------------------------------- product filing

def test_product_with_proof_one_main_image_and_certificate_is_complete():
    report = screen("product", PRODUCT_DOCS)
    assert found(report, "DOCUMENT_MISSING") == [] and found(report, "IMAGE_MAIN_COUNT") == []


def test_product_without_economic_proof():
    report = screen("product", [d for d in PRODUCT_DOCS if d["kind"] != "economic_proof"])
    (f,) = found(report, "DOCUMENT_MISSING")
    assert f.field == "documents" and "经济效益证明材料" in f.message and f.message.startswith("产品备案")
    assert f.evidence["required"] == ["economic_proof"]


def test_product_with_only_other_images_has_no_main_image():
    docs = [d for d in PRODUCT_DOCS if d["kind"] != "product_photo"]
    (f,) = found(screen("product", docs), "IMAGE_MAIN_COUNT")
    assert f.severity == "high" and f.field == "documents"
    assert "必填" in f.message and "1幅其它图片" in f.message
    assert f.evidence["rule"] == RULE_MAIN_IMAGE and f.evidence["main_images"] == []


def test_two_main_images_are_one_too_many():
    docs = [*PRODUCT_DOCS, {"kind": "product_photo", "file": "front2.jpg"}]
    (f,) = found(screen("product", docs), "IMAGE_MAIN_COUNT")
    assert f.field == "documents[4].kind"
    assert f.evidence["main_images"] == ["photo.jpg", "front2.jpg"] and "限一幅" in f.message


def test_refrigerator_without_ccc_certificate_names_the_certificate():
    report = screen("product", [d for d in PRODUCT_DOCS if d["kind"] != "certification"])
    (f,) = found(report, "DOCUMENT_MISSING")
    assert f.field == "product.name"
    assert "强制性产品认证（CCC）证书" in f.message and "家用和类似用途设备" in f.message
    assert f.evidence["rule"] == RULE_REGULATED
    assert f.evidence["requirement"] == "ccc"
    assert f.evidence["matched"] == {"industry_code": "C3851", "product_name": "电冰箱", "category_name": "电冰箱"}
    assert f.confidence == 1.0


def test_unregulated_product_needs_no_certificate():
    product = {**CONTRACT_EXAMPLE["product"], "name": "电冰箱门封条", "category": {"code": "2929990000", "name": "橡胶密封件"},
               "industry": {"code": "C2913", "name": "橡胶零件制造"}}
    report = screen("product", [d for d in PRODUCT_DOCS if d["kind"] != "certification"], product=product)
    assert found(report, "DOCUMENT_MISSING") == []


@pytest.mark.parametrize("name, industry, expected", [
    ("智能手机", None, "ccc_telecom"),
    ("乘用车子午线轮胎", None, "ccc_tyres"),
    ("防爆电机", None, "ccc_explosion_proof"),
    ("普通硅酸盐水泥", "C3011", "licence_industrial"),
    ("医用外科口罩", None, "licence_medical_devices"),
    ("低糖酸奶", "C1440", "licence_food"),
    ("电动叉车", None, "licence_special_equipment"),
    ("电动自行车用锂离子蓄电池", None, "ccc_ebike_parts"),
    ("电冰箱（家用，双门）", None, "ccc_household"),
])
def test_regulated_groups_match_on_name_head_or_industry(name, industry, expected):
    product = Product(name=name, industry=CodeName(code=industry) if industry else None)
    assert expected in [g.id for g, _ in regulated_matches(product)]


@pytest.mark.parametrize("name", ["手机壳", "轮胎模具", "自行车轮胎", "防爆膜", "汽车空调", "空调遥控器", "咖啡胶囊", "散热风扇",
                                  "绞肉机（手工具）", "飞机轮胎", "3D打印机", "非电动螺丝刀", "宠物沐浴露", "耐火水泥"])
def test_parts_and_look_alikes_are_not_regulated(name):
    assert regulated_matches(Product(name=name)) == []


def test_an_excluded_name_is_not_regulated_by_its_industry_class_either():
    assert regulated_matches(Product(name="汽车空调", industry=CodeName(code="C3852"))) == []
    assert [g.id for g, _ in regulated_matches(Product(name="分体式空调", industry=CodeName(code="C3852")))] == [
        "ccc_household"]


# ---------------------------------------------------------------- annual update and revocation

def test_annual_update_needs_a_new_proof_but_not_the_filed_images():
    docs = [{"kind": "economic_proof", "file": "proof2027.jpg"}]
    report = screen("annual_update", docs, submitted_at="2027-02-10T10:00:00+08:00")
    assert found(report, "DOCUMENT_MISSING") == [] and found(report, "IMAGE_MAIN_COUNT") == []
    (f,) = found(screen("annual_update", [], submitted_at="2027-02-10T10:00:00+08:00"), "DOCUMENT_MISSING")
    assert f.message.startswith("年度更新") and f.evidence["required"] == ["economic_proof"]
    assert "经济证明文件进行更新" in f.evidence["rule"]


def test_a_revocation_needs_no_uploads():
    report = screen("revocation", [], revocation={"reason": "off_market"})
    assert found(report, "DOCUMENT_MISSING") == [] and found(report, "IMAGE_MAIN_COUNT") == []
