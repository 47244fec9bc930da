"""FILED_FIELD_CHANGED, UPDATE_FIGURES_STALE, UPDATE_PROOF_STALE: an annual update against the
product's filed record; a revocation's filed record (seed 000 七; seed 002 五(二)(三), 六, appendix 十).

Finding the filed record (``ctx.resources.filed_records``, a ``screening.storage.filed.FiledRecords``):
1. ``filed_submission_id`` sent: that submission's latest product or annual-update revision
   (the submission's own id: its latest ``product`` revision — an update re-sent under the
   filing's id);
2. else the submission's own earlier ``product`` revision, if any;
3. else the entity's product filings and annual updates (by USCC) that are the same product:
   the same model line, or without models the same name (``same_product``); reviewer-approved
   first, then the newest. Name *and* models both changed → not found.
Not found → CHECK_SKIPPED naming what was looked for, never silence. No store → the part
cannot run (CHECK_FAILED, like any absent resource).

Compared (annual updates only):
- locked fields (五(二) "备案成功后，所填报的信息自动锁定"): the name, any change; the models,
  any change of model line (a colour, memory or size written differently is the same product,
  五(一)1(2): listed in ``extracted["filed_record"]``, not flagged). Patents: seed 002 六(一) lets an update "根据实际情况对经济数据、关联专利等进行修改和更新",
  so a patent added or dropped (a lapsed one) is not a finding; only when none of the filed
  patents remains (the product's whole patent basis replaced) is it FILED_FIELD_CHANGED, at
  confidence 0.8. Partial changes are listed in ``extracted["filed_record"]``.
- figures: the entity's ``figures_year`` must be the year before the update (六's example);
  older years that ASSET_UPDATE_OVERDUE already names are left to it. Product figures equal to
  the filed record's in every field sent (≥ 3, sales > 0) are last year's copied (confidence 0.8).
- the economic proof: the same file (SHA-256) as the filed record's proof → UPDATE_PROOF_STALE.
A filed record from the same calendar year as the update is not a previous year's: the
figure and proof comparisons do not apply.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from ..duplicates.filing import Filing, normalise_patent, same_product
from ..duplicates.model_codes import _bare, line_of, normalise_code, split_models
from ..errors import ModelError
from ..pipeline import Check, ScreeningContext
from .seed_calendar import BEIJING, beijing_day, required_figures_year

RULE_LOCKED = "备案成功后，所填报的信息自动锁定，单位不可随意更改。"
RULE_FIGURES = ("（例如：若产品备案填报时为 2000 年，则所填经营数据为 1999 年度数据，该备案产品在 2001 年进行产品信息更新时，"
                "需确认单位 2000 年的经营数据、产品信息和专利信息是否发生变化。）")
RULE_PROOF = "往年备案通过的产品在新一年度需进行产品信息年度更新，对产品经济数据和经济证明文件进行更新，其他信息如有变化可一并进行更新。"
RULE_REVOKE = "如果备案产品已退出市场、产品关联专利全部失效或其他原因，备案主体可主动撤销备案，向平台提出备案撤销申请"
FIGURE_FIELDS = ("sales", "export", "profit", "ip_investment", "total_cost")
MIN_SAME_FIGURES = 3


class FiledRecordChecks(Check):
    name = "filed-record"
    part = "rules"
    codes = ("FILED_FIELD_CHANGED", "UPDATE_FIGURES_STALE", "UPDATE_PROOF_STALE")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in ("annual_update", "revocation")

    def run(self, ctx: ScreeningContext) -> None:
        records = ctx.resources.filed_records
        if records is None:
            raise ModelError("the filed records (the store) are not available")
        sub = ctx.submission
        record, matched_by, looked_for = find_filed(sub, records)
        what = "备案撤销" if sub.stage == "revocation" else "年度更新"
        if record is None:
            field = "filed_submission_id" if sub.filed_submission_id else "product"
            ctx.add("CHECK_SKIPPED", field,
                    f"未找到该产品的备案记录（{looked_for}），{what}无法与备案信息比对，请人工核查",
                    evidence={"check": "filed_record", **({"rule": RULE_REVOKE} if sub.stage == "revocation" else {}),
                              "looked_for": looked_for},
                    source="pipeline")
            ctx.extracted["filed_record"] = None
            return
        summary = {"submission_id": record.submission_id, "revision": record.revision, "stage": record.stage,
                   "decision": record.decision, "matched_by": matched_by}
        ctx.extracted["filed_record"] = summary
        if sub.stage == "revocation":
            reason = sub.revocation.reason if sub.revocation else None
            ctx.extracted["revocation"] = {"filed_submission_id": record.submission_id, "reason": reason}
            if reason is None:
                ctx.skip("revocation.reason", "撤销原因（退出市场、专利全部失效或转让、其他）")
            return
        base = {"filed_submission_id": record.submission_id, "filed_revision": record.revision,
                "filed_decision": record.decision, "matched_by": matched_by}
        self._locked(ctx, record.form.get("product") or {}, base, summary)
        day = beijing_day(ctx)
        filed_day = _day_of(record.form.get("submitted_at"))
        if filed_day is not None and filed_day.year >= day.year:
            summary["same_year"] = True  # filed this year: its figures and proof are this year's too
            return
        self._figures(ctx, day, record.form, base)
        self._proof(ctx, record, base, filed_day)

    # ---------------------------------------------------------------- locked fields
    def _locked(self, ctx: ScreeningContext, filed: dict, base: dict, summary: dict) -> None:
        product = ctx.submission.product
        if product is None:
            ctx.skip("product", "年度更新与备案信息（产品名称、型号、专利）的比对")
            return
        old_name, new_name = filed.get("name"), product.name
        if old_name and new_name and _norm(old_name) != _norm(new_name):
            self._changed(ctx, "product.name", "产品名称", f"“{old_name}” → “{new_name}”", old_name, new_name, base)
        old_models, new_models = split_models(filed.get("models")), split_models(product.models)
        if new_models and _lines(old_models) != _lines(new_models):
            self._changed(ctx, "product.models", "规格型号",
                          f"{'、'.join(old_models) or '（未填）'} → {'、'.join(new_models)}", old_models, new_models, base)
        elif new_models and {normalise_code(m) for m in old_models} != {normalise_code(m) for m in new_models}:
            # colour, memory, size written differently: the same product (seed 002 五(一)1(2)), said, not flagged
            summary["models_variants_changed"] = {"old": old_models, "new": new_models}
        old_patents = {normalise_patent(p.get("number")) for p in filed.get("patents") or [] if p} - {""}
        new_patents = {normalise_patent(p.number) for p in product.patents or []} - {""}
        if old_patents and new_patents and old_patents != new_patents:
            summary["patents_added"] = sorted(new_patents - old_patents)
            summary["patents_removed"] = sorted(old_patents - new_patents)
            if not old_patents & new_patents:
                self._changed(ctx, "product.patents", "关联专利",
                              f"{'、'.join(sorted(old_patents))} → {'、'.join(sorted(new_patents))}（备案时的专利无一保留）",
                              sorted(old_patents), sorted(new_patents), base, confidence=0.8)

    @staticmethod
    def _changed(ctx, field, label, change, old, new, base, confidence: float = 1.0) -> None:
        ctx.add(
            "FILED_FIELD_CHANGED", field,
            f"年度更新修改了备案后锁定的{label}：{change}（备案记录{base['filed_submission_id']}）",
            evidence={"rule": RULE_LOCKED, "field": field, "old": old, "new": new, **base},
            confidence=confidence,
        )

    # ---------------------------------------------------------------- figures and proof
    def _figures(self, ctx: ScreeningContext, day: date, filed_form: dict, base: dict) -> None:
        want = day.year - 1
        entity = ctx.submission.entity
        year = entity.figures_year if entity is not None else None
        if year is None:
            ctx.skip("entity.figures_year", f"年度更新的数据年度（应为{want}年度）")
        elif year != want and not year < required_figures_year(day):  # older ones: ASSET_UPDATE_OVERDUE
            ctx.add(
                "UPDATE_FIGURES_STALE", "entity.figures_year",
                f"{day.year}年的年度更新应提供{want}年度的经营数据，填写的是{year}年度",
                evidence={"rule": RULE_FIGURES, "figures_year": year, "expected_year": want, **base},
            )
        product = ctx.submission.product
        new = product.figures_wan if product is not None else None
        old = (filed_form.get("product") or {}).get("figures_wan") or {}
        if new is None or not old:
            return
        pairs = {k: (old.get(k), getattr(new, k)) for k in FIGURE_FIELDS
                 if old.get(k) is not None and getattr(new, k) is not None}
        if len(pairs) >= MIN_SAME_FIGURES and (new.sales or 0) > 0 and all(a == b for a, b in pairs.values()):
            ctx.add(
                "UPDATE_FIGURES_STALE", "product.figures_wan",
                f"年度更新填写的产品经济数据与备案记录{base['filed_submission_id']}完全相同"
                f"（销售额{new.sales:g}万元等{len(pairs)}项），疑似未更新为{want}年度数据",
                evidence={"rule": RULE_FIGURES, "same": {k: a for k, (a, _) in pairs.items()}, "expected_year": want, **base},
                confidence=0.8,  # identical to the 万元 decimal in every field two years running is rare, not impossible
            )

    def _proof(self, ctx: ScreeningContext, record, base: dict, filed_day: date | None) -> None:
        old = {f["sha256"]: f["name"] for f in record.files_of("economic_proof")}
        for i, doc in enumerate(ctx.submission.documents):
            upload = ctx.files.get(doc.file)
            if doc.kind != "economic_proof" or upload is None or upload.sha256 not in old:
                continue
            when = f"{filed_day.year}年" if filed_day else ""
            ctx.add(
                "UPDATE_PROOF_STALE", f"documents[{i}].file",
                f"经济效益证明材料“{doc.file}”与备案记录{base['filed_submission_id']}（{when}提交）的证明材料"
                f"“{old[upload.sha256]}”是同一文件，年度更新须更换为{beijing_day(ctx).year - 1}年度的证明材料",
                evidence={"rule": RULE_PROOF, "file": doc.file, "sha256": upload.sha256,
                          "filed_file": old[upload.sha256], **base},
            )


def find_filed(sub, records):
    """(the filed record or None, how it was found, what was looked for — in Chinese)."""
    if sub.filed_submission_id:
        own = sub.filed_submission_id == sub.submission_id
        record = records.by_submission_id(sub.filed_submission_id,
                                          stages=("product",) if own else ("product", "annual_update"))
        return record, "filed_submission_id", f"备案编号{sub.filed_submission_id}"
    record = records.by_submission_id(sub.submission_id, stages=("product",))
    if record is not None:
        return record, "submission_id", f"备案编号{sub.submission_id}"
    uscc = (sub.entity.uscc or "").strip().upper() if sub.entity else ""
    this = Filing.from_form({**sub.to_dict(), "stage": "annual_update"})
    if not uscc or this is None:
        return None, "entity_and_product", "未提供filed_submission_id，也缺少统一社会信用代码或产品信息"
    candidates = [r for r in records.of_entity(uscc, exclude_submission_id=sub.submission_id)
                  if (f := Filing.from_form(r.form)) is not None and same_product(this, f)]
    looked_for = f"统一社会信用代码{uscc}的同一产品（型号{'、'.join(this.models) or '未填'}，名称“{this.product_name}”）"
    if not candidates:
        return None, "entity_and_product", looked_for
    candidates.sort(key=lambda r: (r.decision == "approved", r.revision_id), reverse=True)
    return candidates[0], "entity_and_product", looked_for


def _lines(models: list[str]) -> set[str]:
    return {_bare(line_of(m)) for m in models} - {""}


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _day_of(value) -> date | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (at.replace(tzinfo=BEIJING) if at.tzinfo is None else at).astimezone(BEIJING).date()
