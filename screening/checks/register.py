"""PATENT_NOT_IN_FORCE, PATENT_NOT_HELD (from the register), PATENT_ALL_LAPSED: the related
patents against the patent register snapshot (``prescreen register import patents``).

- A related patent the register lists as lapsed (失效/终止) or invalidated (无效) → PATENT_NOT_IN_FORCE
  (seed 002 五(一)2 ③: "产品备案的专利应当是维持有效的中国发明专利、中国实用新型专利或中国外观设计专利。").
- The register's holder is neither the filer nor one of its former names (``entity.former_names``,
  曾用名: seed 002 四(一) "单位曾用名与现用名对应的专利权信息均包含在内"), and the form declares no
  licence to the filer (``patent.licensee``) → PATENT_NOT_HELD (seed 002 五(一)2 ②). A patent the
  form-based check (PatentRules) already flagged is not flagged twice.
- An annual update (a filed product) whose every related patent is lapsed, invalidated or held by
  someone else (transferred) → PATENT_ALL_LAPSED: the filer should revoke the filing (seed 002 五(三)).

No snapshot imported → one CHECK_SKIPPED saying so; patents absent from the snapshot → one
CHECK_SKIPPED listing them. Never a silent pass.
"""

from __future__ import annotations

from ..pipeline import Check, ScreeningContext
from ..register import STATUS_ZH, RegisterPatent, patent_key
from .entity import normalize_name
from .patents import parties

PRODUCT_STAGES = ("product", "annual_update")
RULE_IN_FORCE = "产品备案的专利应当是维持有效的中国发明专利、中国实用新型专利或中国外观设计专利。"
RULE_HELD = "产品备案专利的主体应当是专利权人或者经专利权人同意的专利实施许可的被许可人。"
RULE_ALL_LAPSED = "如产品所关联的专利已全部失效或者转让，系统会提示单位进行撤销确认。单位确认后，该产品予以备案撤销。"


def filer_keys(entity) -> tuple[str | None, set[str]]:
    """(the filer's name, its current and former names normalised)."""
    if entity is None or not (entity.name and entity.name.strip()):
        return None, set()
    keys = {normalize_name(entity.name)}
    keys |= {normalize_name(n) for n in (entity.former_names or []) if n and n.strip()}
    return entity.name, {k for k in keys if k}


def register_entries(ctx: ScreeningContext) -> tuple[dict | None, dict[str, RegisterPatent]]:
    """(the snapshot in use or None, the register's entries for this filing's patents)."""
    register = ctx.resources.patent_register
    snapshot = register.snapshot() if register is not None else None
    keys = [k for p in (ctx.submission.product.patents or []) if (k := patent_key(p.number))]
    found = register.lookup(keys) if snapshot is not None and keys else {}
    return snapshot, found


class RegisterRules(Check):
    name = "register-rules"
    part = "rules"
    codes = ("PATENT_NOT_IN_FORCE", "PATENT_NOT_HELD", "PATENT_ALL_LAPSED")

    def applies(self, ctx: ScreeningContext) -> bool:
        return ctx.submission.stage in PRODUCT_STAGES and ctx.submission.product is not None

    def run(self, ctx: ScreeningContext) -> None:
        sub = ctx.submission
        patents = sub.product.patents or []
        keyed = [(i, p, k) for i, p in enumerate(patents) if (k := patent_key(p.number))]
        if not keyed:
            return  # PATENT_MISSING / PATENT_NUMBER_INVALID say why
        snapshot, found = register_entries(ctx)
        if snapshot is None:
            ctx.add("CHECK_SKIPPED", "product.patents",
                    "未导入专利登记簿快照，无法核对关联专利是否维持有效、专利权人是否为备案单位",
                    evidence={"check": "patent_register", "rule": RULE_IN_FORCE}, source="pipeline")
            return
        ctx.extracted["patent_register"] = {
            "snapshot": snapshot,
            "patents": {k: {"status": e.status, "holder": e.holder, "title": e.title, "type": e.type}
                        for k, e in found.items()},
        }
        name, keys = filer_keys(sub.entity)
        already = {f.field.split(".")[1] for f in ctx.findings
                   if f.code == "PATENT_NOT_HELD" and f.field and f.field.startswith("product.patents[")}
        missing, lost, seen = [], [], []
        for i, patent, key in keyed:
            entry = found.get(key)
            if entry is None:
                missing.append(patent.number)
                continue
            seen.append(entry)
            base = f"product.patents[{i}]"
            evidence = {"number": patent.number, "register_status": entry.status, "register_holder": entry.holder,
                        "register_title": entry.title, "snapshot": snapshot}
            gone = False
            if not entry.in_force:
                gone = True
                ctx.add("PATENT_NOT_IN_FORCE", f"{base}.number",
                        f"第{i + 1}项关联专利（{patent.number}）在专利登记簿中{STATUS_ZH[entry.status]}，"
                        f"不是维持有效的专利：{RULE_IN_FORCE}",
                        evidence={**evidence, "rule": RULE_IN_FORCE})
            if entry.holder and keys:
                held = bool(parties(entry.holder) & keys)
                licensed = bool(patent.licensee and parties(patent.licensee) & keys)
                if not held and not licensed:
                    gone = True
                    if f"patents[{i}]" not in already:
                        former = "（含曾用名）" if sub.entity and sub.entity.former_names else ""
                        ctx.add("PATENT_NOT_HELD", f"{base}.number",
                                f"第{i + 1}项关联专利（{patent.number}）在专利登记簿中的专利权人为“{entry.holder}”，"
                                f"备案单位“{name}”{former}不是专利权人，也未填写其为被许可人：{RULE_HELD}",
                                evidence={**evidence, "entity_name": name, "former_names": sub.entity.former_names,
                                          "form_holder": patent.holder, "licensee": patent.licensee,
                                          "rule": RULE_HELD})
            if gone:
                lost.append({"number": patent.number, "status": entry.status, "holder": entry.holder})
        if missing:
            ctx.add("CHECK_SKIPPED", "product.patents",
                    f"专利登记簿快照中没有以下关联专利，无法核对其法律状态与专利权人：{'、'.join(missing)}",
                    evidence={"check": "patent_register", "numbers": missing, "snapshot": snapshot}, source="pipeline")
        elif not keys and seen:
            ctx.skip("entity.name", "关联专利的专利权人与备案单位的比对")
        if sub.stage == "annual_update" and not missing and lost and len(lost) == len(keyed):
            ctx.add("PATENT_ALL_LAPSED", "product.patents",
                    f"该已备案产品关联的{len(lost)}项专利已全部失效或转让，产品中已无有效专利，"
                    f"应向平台提出备案撤销申请：{RULE_ALL_LAPSED}",
                    evidence={"patents": lost, "snapshot": snapshot, "rule": RULE_ALL_LAPSED})
