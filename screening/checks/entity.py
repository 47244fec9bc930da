"""ENTITY_USCC_INVALID and ENTITY_INELIGIBLE: the filing entity's code and legal standing.

The USCC must pass GB 32100-2015 (``screening.validators.uscc``). A few real codes were issued
with a non-conforming check character; a reviewer who has confirmed one marks it verified
(``POST /v1/verified-codes``), and ``ctx.resources.verified_codes(code)`` then returns True:
such a code is not flagged (the report's ``extracted["uscc"]`` says it was verified).

Only independent legal persons may file (appendix 一、备案单位资格). Rules, from the form alone:
- the name ends in a branch word (分公司, 分厂, 办事处, 营业部, 经营部, 代表处…), or contains
  分公司 and does not end as a company (…分公司…加油站) → a branch; a unit named after a company (``XX有限公司广元路店``) → probably a
  branch (confidence 0.6), unless it is an institute, school or hospital (…集团公司第十四研究所).
  "分" inside a word (分析仪器有限公司) is not a branch. A code registered by 编办 or 民政
  (which register legal persons: 中国科学院上海分院) lowers a name-based branch finding to 0.6;
- the name says 个人独资 or 个体工商户, or (有限合伙)/(普通合伙)/合伙企业 → not a legal person;
- USCC category 92 (个体工商户) and the other non-legal-person categories (representative
  offices of foreign news, culture and tourism bodies and foreign NGOs, non-legal-person
  trade unions, owners' assemblies);
- the form's unit kind contradicting the code where that is clear (kind "enterprise" with a
  code not registered by market regulation, kind "university"/"social_organization" with an
  enterprise code): confidence 0.6, the reviewer checks which is wrong.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from ..pipeline import Check, ScreeningContext
from ..validators.uscc import UsccResult, correct_one_confusable, validate_uscc

log = logging.getLogger(__name__)

_BRANCH_END = re.compile(
    r"(分公司|分厂|分店|分部|分所|分院|分行|支行|分社|分场|分中心|分理处|营业部|经营部|门市部|"
    r"办事处|代表处|联络处|分支机构|分会|经销处)$"
)
_BRANCH_ANYWHERE = re.compile(r"分公司|分支机构")
# "<a company><something that is not itself a company>": a shop, works or station of the company
_COMPANY_UNIT = re.compile(r"^(.+?公司)(.+)$")
# institutes named after their group (中国电子科技集团公司第十四研究所) are legal persons of their own
_INSTITUTE_END = re.compile(r"(研究所|研究院|设计院|设计研究院|研究中心|实验室|学院|大学|学校|医院)$")
_PARTNERSHIP = re.compile(r"\((?:有限|普通|特殊普通)合伙(?:企业)?\)|合伙企业")
_SOLE = re.compile(r"个人独资|个体工商户")
_TRAILING_BRACKETS = re.compile(r"(\([^()]*\))+$")
_SPACES = re.compile(r"\s+")

# authority+category of entities that are not legal persons (GB 32100 table)
NON_LEGAL_PERSON_KINDS = {
    "92": "个体工商户",
    "82": "非法人工会组织",
    "21": "外国常驻新闻机构",
    "41": "外国在华文化中心",
    "61": "外国政府旅游部门常驻代表机构",
    "62": "港澳台地区旅游部门常驻代表机构",
    "G1": "境外非政府组织代表机构",
    "J1": "业主大会",
}
# registering authorities whose registrants are legal persons by registration (事业单位, 社会组织)
_LEGAL_PERSON_REGISTRIES = frozenset({"1", "5"})
# the form's unit kind → registering authorities that clearly contradict it
_KIND_CONFLICTS = {
    "enterprise": lambda r: r.authority != "9",
    "university": lambda r: r.authority == "9",
    "social_organization": lambda r: r.authority == "9",
}
_KIND_NAMES = {
    "enterprise": "企业", "university": "高校", "research_institute": "科研院所",
    "rd_institution": "新型研发机构", "social_organization": "社会组织",
}


def normalize_name(name: str) -> str:
    """Full-width to half-width (brackets included), no whitespace: how names are compared."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", name))


def ineligible_name_reasons(name: str) -> list[tuple[str, str, float]]:
    """[(rule, Chinese reason, confidence)] for a name that shows the entity is not a legal person."""
    n = normalize_name(name)
    out: list[tuple[str, str, float]] = []
    if m := _PARTNERSHIP.search(n):
        out.append(("partnership", f"单位名称含“{m.group(0)}”，合伙企业不具备法人资格", 1.0))
    if m := _SOLE.search(n):
        out.append(("sole_proprietorship", f"单位名称含“{m.group(0)}”，不具备法人资格", 1.0))
    base = _TRAILING_BRACKETS.sub("", n)
    ends_as_company = base.endswith("公司") and not base.endswith("分公司")  # "…分公司路灯具有限公司" is a company
    if (m := _BRANCH_END.search(base)) or (not ends_as_company and (m := _BRANCH_ANYWHERE.search(base))):
        out.append(("branch", f"单位名称含“{m.group(0)}”，为分支机构，不具备独立法人资格", 1.0))
    elif (m := _COMPANY_UNIT.match(base)) and not m.group(2).endswith("公司") and not _INSTITUTE_END.search(base):
        out.append((
            "company_unit",
            f"单位名称为“{m.group(1)}”下属的“{m.group(2)}”，可能是不具备独立法人资格的分支机构，请核实",
            0.6,
        ))
    return out


class EntityRules(Check):
    name = "entity-rules"
    part = "rules"
    codes = ("ENTITY_USCC_INVALID", "ENTITY_INELIGIBLE")

    def run(self, ctx: ScreeningContext) -> None:
        sub = ctx.submission
        entity = sub.entity
        if entity is None:
            if sub.stage == "entity":
                ctx.skip("entity", "单位信息（统一社会信用代码、单位名称、法人资格）")
            return
        uscc = self._check_uscc(ctx, entity.uscc)
        self._check_eligibility(ctx, entity.name, entity.kind, uscc)

    def _check_uscc(self, ctx: ScreeningContext, raw: str | None) -> UsccResult | None:
        if raw is None or not raw.strip():
            ctx.skip("entity.uscc", "统一社会信用代码的格式与校验位")
            return None
        result = validate_uscc(raw)
        summary = result.to_dict()
        ctx.extracted["uscc"] = summary
        if result.valid:
            if not result.org_check_ok:
                summary["warnings"] = ["第17位组织机构代码校验位不符合GB 11714（部分真实代码如此，不作为退回理由）"]
            return result
        verified, lookup_error = self._verified(ctx, result.code)
        if verified:
            summary["verified_by_reviewer"] = True
            return result
        evidence = {
            "uscc": result.code,
            "reasons": list(result.reasons),
            "problems": list(result.problems),
            "expected_check": result.expected_check,
            "org_check_ok": result.org_check_ok,
        }
        if result.org_check_ok is False:
            evidence["warnings"] = ["第17位组织机构代码校验位亦不符合GB 11714"]
        suggestion = correct_one_confusable(result.code)
        if suggestion and suggestion != result.code:
            evidence["suggestion"] = suggestion
        if lookup_error:
            evidence["verified_lookup"] = "failed"
        message = f"统一社会信用代码“{raw.strip()}”不符合GB 32100-2015：" + "；".join(result.reasons)
        if suggestion and suggestion != result.code:
            message += f"（是否应为{suggestion}？）"
        ctx.add("ENTITY_USCC_INVALID", "entity.uscc", message, evidence=evidence)
        return result

    @staticmethod
    def _verified(ctx: ScreeningContext, code: str) -> tuple[bool, bool]:
        lookup = ctx.resources.verified_codes
        if lookup is None:
            return False, False
        try:
            return bool(lookup(code)), False
        except Exception:  # the store being down must not hide the finding or the other checks
            log.exception("verified-codes lookup failed")
            return False, True

    def _check_eligibility(self, ctx: ScreeningContext, name: str | None, kind: str | None, uscc: UsccResult | None) -> None:
        if name is None or not name.strip():
            ctx.skip("entity.name", "单位名称（是否为分支机构、合伙或个人独资企业）")
        else:
            for rule, reason, confidence in ineligible_name_reasons(name):
                if uscc is not None and uscc.authority in _LEGAL_PERSON_REGISTRIES and rule in ("branch", "company_unit"):
                    # registered by 编办/民政, which register legal persons (中国科学院上海分院 is one)
                    confidence = min(confidence, 0.6)
                    reason += "，但统一社会信用代码显示为" + (uscc.authority_name or "") + "登记，请核实"
                ctx.add(
                    "ENTITY_INELIGIBLE", "entity.name", f"{reason}，不能作为备案主体",
                    evidence={"rule": rule, "name": name}, confidence=confidence,
                )
        if uscc is None or uscc.category_name is None:
            return  # no code, or one whose category cannot be read: nothing to say about it
        if uscc.kind in NON_LEGAL_PERSON_KINDS:
            what = NON_LEGAL_PERSON_KINDS[uscc.kind]
            ctx.add(
                "ENTITY_INELIGIBLE", "entity.uscc",
                f"统一社会信用代码前两位“{uscc.kind}”表明单位为{what}，不具备法人资格，不能作为备案主体",
                evidence={"rule": "uscc_category", "uscc": uscc.code, "authority": uscc.authority_name, "category": what},
            )
        elif kind in _KIND_CONFLICTS and _KIND_CONFLICTS[kind](uscc):
            ctx.add(
                "ENTITY_INELIGIBLE", "entity.kind",
                f"单位类型填写为“{_KIND_NAMES[kind]}”，但统一社会信用代码显示为{uscc.authority_name}登记的"
                f"“{uscc.category_name}”，请核实单位类型与备案资格",
                evidence={"rule": "kind_vs_uscc", "kind": kind, "uscc": uscc.code,
                          "authority": uscc.authority_name, "category": uscc.category_name},
                confidence=0.6,
            )
