"""Which seal a document must carry, judged on what each seal's rim says (``ocr.seal_text``).

Seed 002 三(一): the 利润表 "审计报告须具有审计单位盖章，若无审计单位盖章，须加盖本单位财务章（财务报表须加盖本单位财务章）。
若本单位无财务章，上述文件可替换为加盖单位公章，但须另附本单位无财务章的说明" → STATEMENT_UNSEALED; the
诚信承诺书 "加盖公章" → PLEDGE_UNSEALED (ours). Seed 002 五(一)3 ①: the economic proof "并加盖财务章"
(the same exception for the official seal) → PROOF_UNSEALED (ours).

Only what a rim's own words state is judged, precision first: an accepted kind passes (an
entity's own seal must name the entity: one naming another organisation is said); a rim read as
``unknown`` passes (it may be the accepted seal); then the official seal without the
``seal_explanation`` upload, or a seal of another kind (合同专用章, 发票专用章, a government
body's), is the required seal missing, said with the seal's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocr.layout import normalise_name
from ocr.seal_text import SealText

from ..pipeline import ScreeningContext

OWNER_MIN_SCORE = 0.9  # the rim's read confidence below which its name is not compared
OWNER_MAX_OVERLAP = 0.34  # at most this share of the shorter distinctive name in common: another organisation
# words every organisation's name may carry: they say nothing of whose seal it is
_ORG_WORDS = re.compile(r"(股份有限公司|有限责任公司|有限公司|股份|集团|公司|分公司|总公司|有限|责任|"
                        r"科技|技术|实业|发展|贸易|商贸|工贸|国际|控股|投资|"
                        r"[\u4e00-\u9fff]{1,3}(省|自治区|市|县|区|镇))")
KIND_NAMES = {"finance": "财务专用章", "official": "公章", "audit": "审计单位印章", "authority": "机关印章"}


@dataclass(frozen=True)
class SealRule:
    code: str
    document: str  # the document kind, as evidence names it
    label: str  # what the filer calls the document
    accepted: tuple[str, ...]  # seal kinds that pass, most acceptable first
    owned: tuple[str, ...]  # accepted kinds that are the entity's own seal: they must name the entity
    official_with_explanation: bool  # the official seal passes beside a ``seal_explanation`` upload
    required: str  # the seal the rule asks for, in the message
    rule: str  # the seed's sentence
    no_seal_confidence: float


STATEMENT = SealRule(
    "STATEMENT_UNSEALED", "profit_statement", "利润表", ("audit", "finance"), ("finance",), True,
    "审计单位印章或本单位财务章",
    "审计报告须具有审计单位盖章，若无审计单位盖章，须加盖本单位财务章（财务报表须加盖本单位财务章）。"
    "若本单位无财务章，上述文件可替换为加盖单位公章，但须另附本单位无财务章的说明，且该说明需加盖公章。", 0.8)
PLEDGE = SealRule(
    "PLEDGE_UNSEALED", "integrity_pledge", "诚信承诺书", ("official",), ("official",), False, "单位公章",
    "诚信承诺书加盖公章且必须为清晰彩色原件扫描件或数码照", 0.8)
PROOF = SealRule(
    "PROOF_UNSEALED", "economic_proof", "经济效益证明材料", ("audit", "finance"), ("finance",), True, "本单位财务章",
    "须上传能够体现本备案产品（单一产品）经济效益的相关证明材料（可使用平台提供的“参考模版”），并加盖财务章。"
    "若单位无财务章，可加盖公章，但需另附说明文件，说明单位无财务章，并在该说明文件中加盖公章。", 0.7)


def judge_seals(ctx: ScreeningContext, rule: SealRule, file: str, where: str,
                seals: list[tuple[list[int] | None, SealText]], source: str) -> None:
    """``seals``: (box in the upload's pixels, the rim read) of every seal found on the page."""
    entity = ctx.submission.entity
    base = {"document": rule.document, "file": file, "form": entity.name if entity else None, "rule": rule.rule}
    if not seals:
        ctx.add(rule.code, where, f"{rule.label}“{file}”未见红色印章：须加盖{rule.required}",
                evidence={**base, "box": None, "read": None}, confidence=rule.no_seal_confidence, source=source)
        return
    first: dict[str, tuple[list[int] | None, SealText]] = {}
    for box, rim in seals:
        first.setdefault(rim.kind, (box, rim))
    accepted = next((k for k in rule.accepted if k in first), None)
    if accepted is not None:
        box, rim = first[accepted]
        share = foreign_owner(rim, entity.name if entity else None) if accepted in rule.owned else None
        if share is not None:
            kind = KIND_NAMES[accepted]
            ctx.add(rule.code, where,
                    f"{rule.label}“{file}”所盖{kind}的单位为“{rim.owner}”，不是本单位“{entity.name}”的{kind}",
                    evidence={**base, "box": box, "read": rim.text, "seal_kind": accepted, "seal_owner": rim.owner,
                              "overlap": round(share, 3)}, confidence=round(0.8 * rim.score, 4), source=source)
        return
    if "unknown" in first:
        return  # an unread rim may be the seal asked for: not judged
    if "official" in first and rule.official_with_explanation:
        if ctx.submission.documents_of("seal_explanation"):
            return
        box, rim = first["official"]
        ctx.add(rule.code, where,
                f"{rule.label}“{file}”加盖的是单位公章（印章文字“{rim.text}”），未见{rule.required}："
                f"无财务章的单位须另附本单位无财务章的说明（加盖公章）",
                evidence={**base, "box": box, "read": rim.text, "seal_kind": "official"},
                confidence=round(0.8 * rim.score, 4), source=source)
        return
    box, rim = seals[0]
    what = f"{rim.purpose}专用章" if rim.kind == "purpose" and rim.purpose else KIND_NAMES.get(rim.kind, "其他印章")
    ctx.add(rule.code, where, f"{rule.label}“{file}”所盖印章为{what}（印章文字“{rim.text}”），不是{rule.required}",
            evidence={**base, "box": box, "read": rim.text, "seal_kind": rim.kind, "purpose": rim.purpose},
            confidence=round(0.9 * rim.score, 4), source=source)


def foreign_owner(rim: SealText, entity_name: str | None) -> float | None:
    """The names' overlap when the seal, read surely, names another organisation than the entity;
    None when it names the entity, or too unsurely or too briefly to tell. OCR slips leave most
    of a name in place (宜民投资集有限司 for 宜民投资集团有限公司): only a name that keeps little of the
    entity's distinctive part is another organisation's."""
    if not (entity_name and rim.owner) or rim.score < OWNER_MIN_SCORE:
        return None
    share = name_overlap(rim.owner, entity_name)
    return share if share is not None and share <= OWNER_MAX_OVERLAP else None


def name_overlap(read: str, form: str) -> float | None:
    """The longest common subsequence of two names' distinctive parts (company-form, region and
    common trade words removed) over the shorter one's length; None when either keeps under 2
    characters (too little to tell two organisations apart)."""
    a, b = _ORG_WORDS.sub("", normalise_name(read)), _ORG_WORDS.sub("", normalise_name(form))
    if min(len(a), len(b)) < 2:
        return None
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1] / min(len(a), len(b))
