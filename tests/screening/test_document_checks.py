"""DocumentChecks with the real readers on generated documents whose truth we know."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from screening.checks.documents import DocumentChecks, close_wan, unit_slip
from screening.contract import DocumentRef, Entity, EntityFigures, Submission
from screening.pipeline import DecodedUpload, Resources, ScreeningContext
from training.docgen import render_licence, render_statement
from training.docgen.entities import Entity as GenEntity
from training.docgen.fonts import available


def test_unit_arithmetic():
    assert close_wan(6890.5, 68_905_000.0)
    assert not close_wan(6890.5, 68_915_000.0)
    assert unit_slip(68_905_000.0, 68_905_000.0) == 10_000  # typed the 元 figure into the 万元 field
    assert unit_slip(68_905.0, 68_905_000.0) == 10  # typed the 千元 figure: 10x too large
    assert unit_slip(6890.5, 68_905_000.0) is None


@pytest.fixture(scope="module")
def readers():
    if not available():
        pytest.skip("fonts-noto-cjk not installed")
    from ocr.readers import DocumentReaders
    from screening.validators.uscc import CODE_RULES

    return DocumentReaders.load(CODE_RULES)


def _ctx(readers, entity, docs, images, today=date(2026, 3, 1)):
    sub = Submission(submission_id="t", stage="entity", submitted_at=datetime(2026, 3, 1, 10),
                     entity=entity, documents=[DocumentRef(kind=k, file=f) for k, f in docs])
    kinds = dict((f, k) for k, f in docs)
    decoded = {f: DecodedUpload(file=f, kind=kinds[f], image=img) for f, img in images.items()}
    return ScreeningContext(submission=sub, files={}, resources=Resources(ocr=readers), today=today, decoded=decoded)


@pytest.mark.slow
def test_mismatches_and_unit_error(readers):
    who = GenEntity("深圳市雄楚速通国际物流有限公司", "91440300MA5H3E0T3W")
    lic, _ = render_licence(random.Random(8), "paper", entity=who, damage=[])
    st, truth = render_statement(random.Random(8), "standard", entity=GenEntity("另一家有限公司", who.uscc),
                                 year=2023, unit="元", sealed=False, damage=[])
    figures = EntityFigures(operating_revenue=truth["operating_revenue_yuan"], net_profit=round(truth["net_profit_yuan"] / 1e4, 2))
    entity = Entity(uscc="914403001922038216", name="深圳市雄楚速通国际物流有限公司", kind="enterprise",
                    figures_year=2025, figures_wan=figures)
    ctx = _ctx(readers, entity, [("business_licence", "l.png"), ("profit_statement", "s.png")], {"l.png": lic, "s.png": st})
    DocumentChecks().run(ctx)
    codes = {f.code: f for f in ctx.findings}
    assert "LICENCE_USCC_MISMATCH" in codes and "LICENCE_NAME_MISMATCH" not in codes
    assert codes["LICENCE_USCC_MISMATCH"].evidence["read"]
    assert len(codes["LICENCE_USCC_MISMATCH"].evidence["box"]) == 4
    assert "STATEMENT_UNIT_ERROR" in codes and codes["STATEMENT_UNIT_ERROR"].evidence["factor"] == 10_000
    # the 元 figure typed into the 万元 field is in the tens of millions: it reads with separators
    message = codes["STATEMENT_UNIT_ERROR"].message
    assert f"填写的营业收入{figures.operating_revenue:,.2f}万元" in message and "e+" not in message, message
    assert "STATEMENT_PROFIT_MISMATCH" not in codes
    assert {"STATEMENT_ENTITY_MISMATCH", "STATEMENT_PERIOD_WRONG", "STATEMENT_UNSEALED"} <= set(codes)
    assert ctx.extracted["profit_statement"]["operating_revenue_yuan"] == pytest.approx(truth["operating_revenue_yuan"])
    assert ctx.extracted["business_licence"]["uscc"] == who.uscc


@pytest.mark.slow
def test_clean_filing_and_ineligible(readers):
    who = GenEntity("上海毅嘉享文化传播有限公司", "91310120MACWUMH0XQ")
    st, truth = render_statement(random.Random(2), "cumulative", entity=who, year=2025, unit="千元", sealed=True, damage=[])
    entity = Entity(uscc=who.uscc, name=who.name, kind="enterprise", figures_year=2025,
                    figures_wan=EntityFigures(operating_revenue=round(truth["operating_revenue_yuan"] / 1e4, 2),
                                              net_profit=round(truth["net_profit_yuan"] / 1e4, 2)))
    ctx = _ctx(readers, entity, [("profit_statement", "s.png")], {"s.png": st})
    DocumentChecks().run(ctx)
    assert [f.code for f in ctx.findings] == []
    # a 个体工商户 licence (seed chosen so the generator draws one)
    for seed in range(400):
        lic, t = render_licence(random.Random(seed), "electronic", damage=[])
        if t["entity_kind"] == "individual":
            break
    assert t["entity_kind"] == "individual"
    ctx = _ctx(readers, Entity(uscc=t["uscc"], name=t["name"], kind="enterprise"), [("business_licence", "l.png")], {"l.png": lic})
    DocumentChecks().run(ctx)
    assert "ENTITY_INELIGIBLE" in {f.code for f in ctx.findings}


def test_missing_engine_raises():
    img = render_licence(random.Random(1), "paper", damage=[])[0] if available() else None
    if img is None:
        pytest.skip("fonts-noto-cjk not installed")
    ctx = _ctx(None, Entity(uscc="x", name="y"), [("business_licence", "l.png")], {"l.png": img})
    with pytest.raises(Exception):
        DocumentChecks().run(ctx)


# ---- what the page is, and what could not be read on it (never a silent gap) --------------

def _blank(img, box, text=None, size=48):
    from PIL import ImageDraw

    from training.docgen.fonts import font

    img = img.copy()
    d = ImageDraw.Draw(img)
    d.rectangle(box, fill=(255, 255, 255))
    if text:
        d.text((box[0], box[1]), text, font=font(size, "bold"), fill=(15, 15, 15))
    return img


def _figures(truth) -> EntityFigures:
    return EntityFigures(operating_revenue=round(truth["operating_revenue_yuan"] / 1e4, 2),
                         net_profit=round(truth["net_profit_yuan"] / 1e4, 2))


def test_a_statement_without_its_preparer_names_the_unread_field(readers):
    who = GenEntity("上海毅嘉享文化传播有限公司", "91310120MACWUMH0XQ")
    st, truth = render_statement(random.Random(2), "cumulative", entity=who, year=2025, unit="千元", sealed=True, damage=[])
    entity = Entity(uscc=who.uscc, name=who.name, kind="enterprise", figures_year=2025, figures_wan=_figures(truth))
    no_preparer = _blank(st, (80, 200, 820, 245))  # the 编制单位 line of the cumulative layout
    ctx = _ctx(readers, entity, [("profit_statement", "s.png")], {"s.png": no_preparer})
    DocumentChecks().run(ctx)
    codes = {f.code: f for f in ctx.findings}
    assert set(codes) == {"STATEMENT_UNREADABLE"}, [(f.code, f.message) for f in ctx.findings]
    assert codes["STATEMENT_UNREADABLE"].evidence["fields"] == ["编制单位"]
    assert "编制单位" in codes["STATEMENT_UNREADABLE"].message


def test_a_balance_sheet_titled_page_is_the_wrong_kind(readers):
    who = GenEntity("上海毅嘉享文化传播有限公司", "91310120MACWUMH0XQ")
    st, truth = render_statement(random.Random(2), "standard", entity=who, year=2025, sealed=True, damage=[])
    entity = Entity(uscc=who.uscc, name=who.name, kind="enterprise", figures_year=2025, figures_wan=_figures(truth))
    retitled = _blank(st, (300, 80, 940, 150), "资产负债表")
    ctx = _ctx(readers, entity, [("profit_statement", "s.png")], {"s.png": retitled})
    DocumentChecks().run(ctx)
    codes = {f.code: f for f in ctx.findings}
    assert codes["DOCUMENT_KIND_WRONG"].evidence["kind"] == "资产负债表"
    assert codes["DOCUMENT_KIND_WRONG"].field == "documents[0].file"
    assert ctx.extracted["profit_statement"]["kind"] == "资产负债表"


def test_the_period_is_the_year_before_submission_not_the_filers_figures_year(readers):
    """Submitted 2026-03-01 with a 2023 statement and figures_year 2023: the filer's own year
    does not excuse a statement two years old."""
    who = GenEntity("上海毅嘉享文化传播有限公司", "91310120MACWUMH0XQ")
    st, truth = render_statement(random.Random(2), "standard", entity=who, year=2023, sealed=True, damage=[])
    entity = Entity(uscc=who.uscc, name=who.name, kind="enterprise", figures_year=2023, figures_wan=_figures(truth))
    ctx = _ctx(readers, entity, [("profit_statement", "s.png")], {"s.png": st})
    DocumentChecks().run(ctx)
    codes = {f.code: f for f in ctx.findings}
    assert set(codes) == {"STATEMENT_PERIOD_WRONG"}
    assert codes["STATEMENT_PERIOD_WRONG"].evidence["form"] == 2025


@pytest.mark.slow  # real OCR of two scans: 1–3 s each
@pytest.mark.parametrize("name,kind", [
    ("RapidAI_TableStructureRec_wired_table6_balance_sheet.png", "资产负债表"),
    # its title is pixelated in the published scan: recognised by having no 利润表 line item
    ("RapidAI_TableStructureRec_wired_squeeze_error_scanned_settlement_statement.jpeg", "unknown"),
])
def test_real_statements_that_are_not_a_profit_statement(readers, realdata, name, kind):
    from PIL import Image

    path = realdata / "doc_images" / "financial_statements" / name
    if not path.exists():
        pytest.skip(f"{name} is absent")
    entity = Entity(uscc="91310120MACWUMH0XQ", name="上海毅嘉享文化传播有限公司", kind="enterprise",
                    figures_wan=EntityFigures(operating_revenue=500.0, net_profit=50.0))
    ctx = _ctx(readers, entity, [("profit_statement", "s.png")], {"s.png": Image.open(path).convert("RGB")})
    DocumentChecks().run(ctx)
    codes = {f.code: f for f in ctx.findings}
    assert codes["DOCUMENT_KIND_WRONG"].evidence["kind"] == kind, [(f.code, f.message) for f in ctx.findings]
    assert {"营业收入", "净利润"} <= set(codes["STATEMENT_UNREADABLE"].evidence["fields"])
    assert "STATEMENT_UNSEALED" not in codes or kind == "资产负债表"  # the settlement statement's two seals are found


def _sealed_statement_ctx(readers, seal_kind: str, explanation: bool = False, seal_name: str | None = None):
    who = GenEntity("上海毅嘉享文化传播有限公司", "91310120MACWUMH0XQ")
    st, truth = render_statement(random.Random(2), "standard", entity=who, year=2025, sealed=True, damage=[],
                                 seal_kind=seal_kind, seal_name=seal_name)
    entity = Entity(uscc=who.uscc, name=who.name, kind="enterprise", figures_year=2025, figures_wan=_figures(truth))
    docs = [("profit_statement", "s.png")] + ([("seal_explanation", "note.png")] if explanation else [])
    ctx = _ctx(readers, entity, docs, {"s.png": st})
    DocumentChecks().run(ctx)
    return ctx, {f.code: f for f in ctx.findings}


@pytest.mark.slow  # real OCR of a statement and its seal's rim: ~1 s each
@pytest.mark.parametrize("seal_kind,purpose", [("contract", "合同"), ("invoice", "发票")])
def test_a_special_purpose_seal_is_not_the_finance_seal(readers, seal_kind, purpose):
    """Seed 002 三(一): the audit firm's seal, else the entity's finance seal; a contract or
    invoice seal is the required seal missing, said with the seal's own words."""
    ctx, codes = _sealed_statement_ctx(readers, seal_kind)
    assert set(codes) == {"STATEMENT_UNSEALED"}, [(f.code, f.message) for f in ctx.findings]
    f = codes["STATEMENT_UNSEALED"]
    assert f"{purpose}专用章" in f.message and f.evidence["seal_kind"] == "purpose"
    assert f.evidence["purpose"] == purpose and f.evidence["read"].endswith(f"{purpose}专用章")
    assert len(f.evidence["box"]) == 4 and "财务章" in f.evidence["rule"]
    assert ctx.extracted["profit_statement"]["seal_kind"] == "purpose"


@pytest.mark.slow
@pytest.mark.parametrize("seal_kind", ["finance", "audit"])
def test_the_finance_and_the_audit_seal_pass(readers, seal_kind):
    ctx, codes = _sealed_statement_ctx(readers, seal_kind)
    assert codes == {}, [(f.code, f.message) for f in ctx.findings]
    assert ctx.extracted["profit_statement"]["seal_kind"] == seal_kind
    assert ctx.extracted["profit_statement"]["seal_text"]


@pytest.mark.slow
def test_the_official_seal_needs_the_no_finance_seal_explanation(readers):
    """"若本单位无财务章，上述文件可替换为加盖单位公章，但须另附本单位无财务章的说明"."""
    ctx, codes = _sealed_statement_ctx(readers, "official")
    assert set(codes) == {"STATEMENT_UNSEALED"}, [(f.code, f.message) for f in ctx.findings]
    assert "单位公章" in codes["STATEMENT_UNSEALED"].message and "无财务章的说明" in codes["STATEMENT_UNSEALED"].message
    assert codes["STATEMENT_UNSEALED"].evidence["read"] == "上海毅嘉享文化传播有限公司"
    ctx, codes = _sealed_statement_ctx(readers, "official", explanation=True)
    assert codes == {}, [(f.code, f.message) for f in ctx.findings]


@pytest.mark.slow
def test_another_organisations_finance_seal_is_not_the_entitys(readers):
    """"须加盖本单位财务章": the finance seal of another company is said, naming both."""
    ctx, codes = _sealed_statement_ctx(readers, "finance", seal_name="杭州万里汽车销售有限公司")
    assert set(codes) == {"STATEMENT_UNSEALED"}, [(f.code, f.message) for f in ctx.findings]
    f = codes["STATEMENT_UNSEALED"]
    assert f.evidence["seal_owner"] == "杭州万里汽车销售有限公司" and f.evidence["overlap"] <= 0.34
    assert "杭州万里汽车销售有限公司" in f.message and "上海毅嘉享文化传播有限公司" in f.message


def _pledge_ctx(readers, seal_words):
    from training.docgen.examples import render_pledge

    who = GenEntity("上海毅嘉享文化传播有限公司", "91310120MACWUMH0XQ")
    img = render_pledge(who, "2026年3月9日", seal_words=seal_words)
    ctx = _ctx(readers, Entity(uscc=who.uscc, name=who.name, kind="enterprise"),
               [("integrity_pledge", "pledge.png")], {"pledge.png": img})
    DocumentChecks().run(ctx)
    return ctx, {f.code: f for f in ctx.findings}


@pytest.mark.slow  # the pledge's seals are found and read (no OCR of its text): ~0.2 s each
@pytest.mark.parametrize("seal_words,said", [
    (None, None),  # the entity's own official seal
    ("", "未见红色印章"),
    ("上海毅嘉享文化传播有限公司财务专用章", "财务专用章"),
    ("上海毅嘉享文化传播有限公司合同专用章", "合同专用章"),
    ("杭州万里汽车销售有限公司", "杭州万里汽车销售有限公司"),  # another organisation's official seal
])
def test_the_pledge_carries_the_entitys_official_seal(readers, seal_words, said):
    """Seed 002 三(一): "诚信承诺书加盖公章"."""
    ctx, codes = _pledge_ctx(readers, seal_words)
    if said is None:
        assert codes == {}, [(f.code, f.message) for f in ctx.findings]
        assert ctx.extracted["integrity_pledge"]["seal_kind"] == "official"
        return
    assert set(codes) == {"PLEDGE_UNSEALED"}, [(f.code, f.message) for f in ctx.findings]
    f = codes["PLEDGE_UNSEALED"]
    assert said in f.message and f.field == "documents[0].file" and "加盖公章" in f.evidence["rule"]
    assert (f.evidence["box"] is None) == (seal_words == "")
