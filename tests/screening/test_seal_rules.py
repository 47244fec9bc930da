"""Which seal a document must carry: the rules on read seals (no OCR here: the rims are given)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ocr.seal_text import SealText, owner_of, seal_kind
from screening.checks.seal_rules import PLEDGE, PROOF, STATEMENT, judge_seals, name_overlap
from screening.contract import DocumentRef, Entity, Submission
from screening.pipeline import Resources, ScreeningContext

ENTITY = "上海毅嘉享文化传播有限公司"


def _rim(text: str, score: float = 0.97) -> SealText:
    kind, purpose = seal_kind(text, score)
    return SealText(text, score, kind, purpose, owner_of(text, kind))


def _judge(rule, rims: list[str], explanation: bool = False):
    docs = [DocumentRef(kind=rule.document, file="f.png")]
    if explanation:
        docs.append(DocumentRef(kind="seal_explanation", file="note.png"))
    sub = Submission(submission_id="t", stage="entity", submitted_at=datetime(2026, 3, 1, 10),
                     entity=Entity(uscc="91310120MACWUMH0XQ", name=ENTITY, kind="enterprise"), documents=docs)
    ctx = ScreeningContext(submission=sub, files={}, resources=Resources(), today=date(2026, 3, 1))
    judge_seals(ctx, rule, "f.png", "documents[0].file", [([1, 2, 30, 40], _rim(t)) for t in rims], "test")
    return ctx.findings


@pytest.mark.parametrize("rule,rims,explanation,said", [
    (PROOF, [ENTITY + "财务专用章"], False, None),
    (PROOF, ["深圳华信会计师事务所"], False, None),  # an audited special report
    (PROOF, [], False, "未见红色印章"),
    (PROOF, ["杭州万里汽车销售有限公司财务专用章"], False, "杭州万里汽车销售有限公司"),  # another's finance seal
    (PROOF, [ENTITY], False, "无财务章的说明"),  # the official seal alone
    (PROOF, [ENTITY], True, None),  # … beside the explanation
    (PROOF, [ENTITY + "合同专用章"], False, "合同专用章"),
    (PROOF, [ENTITY + "合同专用章", "新阳靠据有限安案"], False, None),  # an unread rim may be the finance seal
    (PLEDGE, [ENTITY], False, None),
    (PLEDGE, [ENTITY + "财务专用章"], False, "财务专用章"),  # the pledge needs the official seal
    (PLEDGE, [ENTITY + "财务专用章", ENTITY], False, None),  # both seals: the official one is there
    (STATEMENT, ["四会市市场监督管理局"], False, "机关印章"),
])
def test_the_seal_a_document_must_carry(rule, rims, explanation, said):
    findings = _judge(rule, rims, explanation)
    if said is None:
        assert findings == [], [(f.code, f.message) for f in findings]
        return
    assert [f.code for f in findings] == [rule.code]
    f = findings[0]
    assert said in f.message and f.field == "documents[0].file" and f.evidence["rule"] == rule.rule
    assert f.evidence["document"] == rule.document and (f.evidence["box"] is None) == (not rims)


def test_name_overlap_tolerates_ocr_slips_and_ignores_company_words():
    assert name_overlap("新华人寿保险股份有限公司广西", "新华人寿保险股份有限公司广西分公司") == 1.0  # cut short
    assert name_overlap("重庆金地土地房星送量有限公司", "重庆金地土地房屋测量有限公司") >= 0.7  # two slips
    assert name_overlap("上海华轻溪出经纪有限公司", "上海毅嘉享文化传播有限公司") <= 0.34  # only 上海 shared
    assert name_overlap("某有限公司", "某某科技有限公司") is None  # nothing distinctive left to compare
