"""DOCUMENT_MISSING and IMAGE_MAIN_COUNT: the uploads each stage needs (seed 002 三(一), 五(一)3, appendix 八).

- Real-name verification (stage ``entity``): the business licence or, in its place, the
  organisation certificate (``organisation_certificate``); the profit statement; the integrity
  pledge. A filer who defers last year's asset figures (no ``entity.figures_wan``) may upload
  the statement with them until 30 April (Beijing date of ``submitted_at``): then the missing
  statement is said as CHECK_SKIPPED, from 1 May it is DOCUMENT_MISSING.
- Product filing (stage ``product``): the economic-benefit proof; exactly one main image; and,
  for a regulated product, its production licence or compulsory certificate (``certification``).
  The main image is ``product_photo`` (产品主图: the file check's label, and the image the
  photo/rendering judge reads); ``product_image`` is 其它图片, optional and any number.
- Annual update: the economic proof must be replaced each year (appendix 十), so it is needed;
  the main image and the certificate were filed and are not sent again, but two main images
  are still one too many.
- Revocation: nothing to upload.

Regulated products are listed in ``regulated_products.json`` (CCC catalogue, production
licence catalogue, sector licences), matched on the industry class or on the head of the
product or category name (see that file). The finding names which document is missing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..contract import Product
from ..pipeline import Check, ScreeningContext
from .seed_calendar import asset_deferral_open, beijing_day

RULE_LICENCE = "所有信息填写完成后，上传营业执照或组织机构代码证"
RULE_STATEMENT = "“单位利润表”请上传审计报告本单位“利润表”一页（若单位没有上年度审计报告，则可提供财务部门编制的上年度财务报表）。"
RULE_PLEDGE = "进行实名认证，填报基本信息，上传证明材料和诚信承诺书后提交审核"
RULE_DEFERRAL = "延后填报的截止时间为每年的4月30日，每年5月1日后，单位必须更新上一年度资产信息"
RULE_PROOF = "须上传能够体现本备案产品（单一产品）经济效益的相关证明材料（可使用平台提供的“参考模版”），并加盖财务章。"
RULE_UPDATE_PROOF = "往年备案通过的产品在新一年度需进行产品信息年度更新，对产品经济数据和经济证明文件进行更新"
RULE_MAIN_IMAGE = "产品主图为必填项，限一幅图；其他图片非必填项，可上传多张图片。"
RULE_REGULATED = ("如备案产品属于国家特殊行业管理要求的产品，须上传具备相关行业管理部门颁发的生产许可证；"
                  "如备案产品属于国家实施强制性认证的产品，须上传通过相关产品认证的证明材料。")

MAIN_IMAGE = "product_photo"
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class RegulatedGroup:
    id: str
    requirement: str  # "ccc" or "production_licence"
    document: str  # the document the filer must upload, in Chinese
    name: str
    industry: tuple[str, ...] = ()  # GB/T 4754-2017 digit prefixes
    heads: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    require: tuple[str, ...] = ()

    def head_of(self, raw: str | None) -> str | None:
        """The listed head the name ends with (bracketed remarks aside), unless an exclusion
        anywhere in it, remarks included ("绞肉机（手工具）"), says it is something else."""
        full = unicodedata.normalize("NFKC", raw or "")
        text = _clean(full)
        if not text or any(x in full for x in self.exclude):
            return None
        if self.require and not any(r in text for r in self.require):
            return None
        return next((h for h in self.heads if text.endswith(h)), None)  # longest first (regulated_groups)


@cache
def regulated_groups() -> tuple[RegulatedGroup, ...]:
    data = json.loads((Path(__file__).with_name("regulated_products.json")).read_text(encoding="utf-8"))
    return tuple(
        RegulatedGroup(id=g["id"], requirement=g["requirement"], document=g["document"], name=g["name"],
                       industry=tuple(g.get("industry", ())),
                       heads=tuple(sorted(g.get("heads", ()), key=len, reverse=True)),
                       exclude=tuple(g.get("exclude", ())), require=tuple(g.get("require", ())))
        for g in data["groups"]
    )


_BRACKETED = re.compile(r"\([^()]*\)")


def _clean(text: str | None) -> str:
    """NFKC (full-width brackets become ASCII), bracketed remarks and whitespace dropped:
    "电冰箱（家用）" ends with its head again."""
    return re.sub(r"\s+", "", _BRACKETED.sub("", unicodedata.normalize("NFKC", text or "")))


@cache
def _head_index() -> tuple[dict[str, list[RegulatedGroup]], tuple[int, ...]]:
    """head -> the groups listing it, and the head lengths longest first: a name's possible heads
    are its last n characters for those n (one dict lookup each, not a scan of every group)."""
    index: dict[str, list[RegulatedGroup]] = {}
    for g in regulated_groups():
        for h in g.heads:
            index.setdefault(h, []).append(g)
    return index, tuple(sorted({len(h) for h in index}, reverse=True))


def _heads(raw: str | None) -> dict[str, str]:
    """group id -> the longest listed head ``raw`` ends with, the group's exclusions and
    requirements applied (``RegulatedGroup.head_of``)."""
    text = _clean(raw)
    if not text:
        return {}
    index, lengths = _head_index()
    out: dict[str, str] = {}
    for n in lengths:
        for g in index.get(text[-n:], ()) if n <= len(text) else ():
            if g.id not in out and g.head_of(raw):
                out[g.id] = text[-n:]
    return out


def regulated_matches(product: Product) -> list[tuple[RegulatedGroup, dict]]:
    """[(group, how it matched)] for the product, one entry per group, in the list's order."""
    name = product.name
    names, categories = _heads(name), _heads(product.category.name if product.category else None)
    code = "".join(_DIGITS.findall(product.industry.code or "")) if product.industry else ""
    folded = unicodedata.normalize("NFKC", name or "")
    out = []
    for g in regulated_groups():
        matched: dict = {}
        # a name the group excludes (汽车空调 under 3852) is not regulated by its industry class either
        if code and g.industry and any(code.startswith(p) for p in g.industry) \
                and not any(x in folded for x in g.exclude):
            matched["industry_code"] = product.industry.code
        if g.id in names:
            matched["product_name"] = names[g.id]
        if g.id in categories:
            matched["category_name"] = categories[g.id]
        if matched:
            out.append((g, matched))
    return out


class CompletenessRules(Check):
    name = "completeness-rules"
    part = "rules"
    codes = ("DOCUMENT_MISSING", "IMAGE_MAIN_COUNT")

    def run(self, ctx: ScreeningContext) -> None:
        stage = ctx.submission.stage
        if stage == "entity":
            self._entity(ctx)
        elif stage == "product":
            self._proof(ctx, RULE_PROOF)
            self._main_image(ctx, required=True)
            self._regulated(ctx)
        elif stage == "annual_update":
            self._proof(ctx, RULE_UPDATE_PROOF)
            self._main_image(ctx, required=False)

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _kinds(ctx: ScreeningContext) -> list[str]:
        return [d.kind for d in ctx.submission.documents]

    def _missing(self, ctx: ScreeningContext, kinds: tuple[str, ...], label: str, rule: str, **extra) -> None:
        ctx.add(
            "DOCUMENT_MISSING", "documents",
            f"{_STAGE_NAMES[ctx.submission.stage]}缺少必须上传的{label}",
            evidence={"rule": rule, "required": list(kinds), "uploaded": self._kinds(ctx), **extra},
        )

    # ---------------------------------------------------------------- real-name verification
    def _entity(self, ctx: ScreeningContext) -> None:
        sub = ctx.submission
        if not sub.documents_of("business_licence"):
            certificates = sub.documents_of("organisation_certificate")
            if not certificates:
                self._missing(ctx, ("business_licence", "organisation_certificate"), "营业执照（或组织机构代码证）",
                              RULE_LICENCE)
            else:
                i = sub.documents.index(certificates[0])
                ctx.add(
                    "CHECK_SKIPPED", f"documents[{i}].file",
                    f"以组织机构代码证“{certificates[0].file}”代替营业执照：该证不经自动识别，"
                    "其上的代码、名称和有效期请人工核对",
                    evidence={"rule": RULE_LICENCE, "document": "organisation_certificate", "file": certificates[0].file},
                    source="pipeline",
                )
        if not sub.documents_of("profit_statement"):
            day = beijing_day(ctx)
            deferred = sub.entity is not None and sub.entity.figures_wan is None
            if deferred and asset_deferral_open(day):
                ctx.add(
                    "CHECK_SKIPPED", "documents",
                    f"未上传单位利润表：单位延后填写{day.year - 1}年度资产信息，利润表可随资产信息"
                    f"于{day.year}年4月30日前补传",
                    evidence={"rule": RULE_DEFERRAL, "required": ["profit_statement"], "day": day.isoformat()},
                    source="pipeline",
                )
            else:
                extra = {"day": day.isoformat(), "deferral": RULE_DEFERRAL} if deferred else {}
                self._missing(ctx, ("profit_statement",), f"单位利润表（{day.year - 1}年度）", RULE_STATEMENT, **extra)
        if not sub.documents_of("integrity_pledge"):
            self._missing(ctx, ("integrity_pledge",), "诚信承诺书", RULE_PLEDGE)

    # ---------------------------------------------------------------- product
    def _proof(self, ctx: ScreeningContext, rule: str) -> None:
        if not ctx.submission.documents_of("economic_proof"):
            self._missing(ctx, ("economic_proof",), "经济效益证明材料", rule)

    def _main_image(self, ctx: ScreeningContext, *, required: bool) -> None:
        mains = [(i, d) for i, d in enumerate(ctx.submission.documents) if d.kind == MAIN_IMAGE]
        others = len(ctx.submission.documents_of("product_image"))
        evidence = {"rule": RULE_MAIN_IMAGE, "main_images": [d.file for _, d in mains], "other_images": others}
        if not mains and required:
            extra = f"（另有{others}幅其它图片，请将其中一幅实物图作为主图）" if others else ""
            ctx.add("IMAGE_MAIN_COUNT", "documents", f"未上传产品主图，产品主图为必填项{extra}", evidence=evidence)
        elif len(mains) > 1:
            files = "、".join(f"“{d.file}”" for _, d in mains)
            ctx.add(
                "IMAGE_MAIN_COUNT", f"documents[{mains[1][0]}].kind",
                f"上传了{len(mains)}幅产品主图（{files}），产品主图限一幅，其余应作为其它图片上传",
                evidence=evidence,
            )

    def _regulated(self, ctx: ScreeningContext) -> None:
        product = ctx.submission.product
        if product is None or ctx.submission.documents_of("certification"):
            return
        seen: set[str] = set()
        for group, matched in regulated_matches(product):
            if group.document in seen:
                continue
            seen.add(group.document)
            field = ("product.name" if "product_name" in matched else
                     "product.category.name" if "category_name" in matched else "product.industry.code")
            why = "、".join(_MATCH_WORDS[k].format(v) for k, v in matched.items())
            ctx.add(
                "DOCUMENT_MISSING", field,
                f"产品（{why}）属于{group.name}，须上传{group.document}，未见资质证明材料",
                evidence={"rule": RULE_REGULATED, "required": ["certification"], "uploaded": self._kinds(ctx),
                          "group": group.id, "requirement": group.requirement, "document": group.document,
                          "matched": matched},
                # the industry class and the name agreeing leave little doubt; one of them alone may
                # be a part or an accessory the list did not foresee
                confidence=1.0 if len(matched) > 1 else 0.8,
            )


_STAGE_NAMES = {"entity": "实名认证", "product": "产品备案", "annual_update": "年度更新"}
_MATCH_WORDS = {"industry_code": "所属行业{}", "product_name": "名称为“{}”类", "category_name": "产品分类为“{}”类"}
