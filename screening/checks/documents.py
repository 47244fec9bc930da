"""The uploaded documents read and cross-checked against the form (part "ocr").

Licence: LICENCE_UNREADABLE, LICENCE_USCC_MISMATCH, LICENCE_NAME_MISMATCH, LICENCE_EXPIRED,
ENTITY_INELIGIBLE (from the licence's 类型/组成形式; its own finding, unless the entity rules
already gave the same reason from the form). Statement: STATEMENT_REVENUE_MISMATCH,
STATEMENT_UNIT_ERROR, STATEMENT_PROFIT_MISMATCH, STATEMENT_ENTITY_MISMATCH,
STATEMENT_PERIOD_WRONG, STATEMENT_UNSEALED (no seal, or only a seal of another kind than the
audit firm's or the finance seal: its rim is read), and (ours) STATEMENT_UNREADABLE for each expected
field not read, DOCUMENT_KIND_WRONG for another statement uploaded as the 利润表. Economic proof:
PROOF_MISMATCH and (ours) PROOF_UNSEALED. Integrity pledge: (ours) PLEDGE_UNSEALED, its seals
only. Which seal each document must carry: ``seal_rules``.

Every finding's evidence names the document, the file, the pixel box in the uploaded file's
own pixels, the text read there and what the form says, so the reviewer pages can draw it.
Readers come from ``ctx.resources.ocr`` (``ocr.readers.DocumentReaders``); an engine that is
missing, fails or times out raises, and the pipeline reports the part as CHECK_FAILED.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from ..errors import ModelError
from ..money import format_money
from ..pipeline import Check, ScreeningContext
from .seal_rules import PLEDGE, PROOF, STATEMENT, judge_seals

UNIT_FACTORS = (10_000, 1_000, 10, 1 / 10, 1 / 1_000, 1 / 10_000)
READ_KINDS = ("business_licence", "profit_statement", "economic_proof", "integrity_pledge")
_PROOF_AMOUNT = re.compile(r"(销售额|销售收入|销售金额|营业收入|含税金额|不含税金额|合计|总计|金额)[^\d\n]{0,12}?([\d,，]+(?:\.\d+)?)\s*(万元|元)?")


def _norm(name: str | None) -> str:
    from ocr.layout import normalise_name

    return normalise_name(name)


def _decimals(v: float) -> int:
    s = repr(float(v))
    return min(4, len(s.split(".")[1].rstrip("0"))) if "." in s else 0


def close_wan(form_wan: float, yuan: float) -> bool:
    """The form's 万元 figure equals ``yuan`` within the form's own rounding."""
    tol = 0.5 * 10 ** (-_decimals(form_wan)) + 1e-9
    return abs(form_wan - yuan / 10_000) <= max(tol, 0.005 + 1e-9)


def unit_slip(form_wan: float, yuan: float) -> float | None:
    """The factor by which the form is off when it is off by exactly a unit (10⁴, 10³, 10)."""
    if yuan == 0 or form_wan == 0:
        return None
    for f in UNIT_FACTORS:
        if close_wan(form_wan, yuan * f):
            return f
    return None


def _call_with_timeout(fn, arg, timeout_s: float):
    """Run one read; raise TimeoutError when it takes longer than ``timeout_s``."""
    box: dict[str, Any] = {}

    def target():
        try:
            box["value"] = fn(arg)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True, name="ocr-read")
    t.start()
    t.join(timeout_s)
    if t.is_alive():
        raise TimeoutError(f"OCR took longer than {timeout_s:.0f}s")
    if "error" in box:
        raise box["error"]
    return box["value"]


class DocumentChecks(Check):
    name = "documents"
    part = "ocr"
    codes = (
        "LICENCE_USCC_MISMATCH", "LICENCE_NAME_MISMATCH", "LICENCE_UNREADABLE", "LICENCE_EXPIRED",
        "ENTITY_INELIGIBLE", "STATEMENT_REVENUE_MISMATCH", "STATEMENT_UNIT_ERROR", "STATEMENT_PROFIT_MISMATCH",
        "STATEMENT_ENTITY_MISMATCH", "STATEMENT_PERIOD_WRONG", "STATEMENT_UNSEALED", "PROOF_MISMATCH",
        "STATEMENT_UNREADABLE", "DOCUMENT_KIND_WRONG", "PLEDGE_UNSEALED", "PROOF_UNSEALED",
    )

    def applies(self, ctx: ScreeningContext) -> bool:
        return any(d.kind in READ_KINDS for d in ctx.submission.documents)

    def run(self, ctx: ScreeningContext) -> None:
        docs = [(i, d) for i, d in enumerate(ctx.submission.documents)
                if d.kind in READ_KINDS and d.file in ctx.decoded and d.file not in ctx.bad_files]
        if ctx.submission.stage == "entity":
            docs = [(i, d) for i, d in docs if d.kind != "economic_proof"]
        if not docs:
            return
        readers = ctx.resources.ocr
        if readers is None:
            raise ModelError("OCR engine not loaded")
        timeout = float(readers.timeout_s)
        for i, doc in docs:
            decoded = ctx.decoded[doc.file]
            image, scale = decoded.image, decoded.scale
            where = f"documents[{i}].file"
            if doc.kind == "business_licence":
                reading = _call_with_timeout(readers.read_licence, image, timeout)
                self._licence(ctx, doc.file, where, reading, scale, readers.version)
            elif doc.kind == "profit_statement":
                reading = _call_with_timeout(readers.read_statement, image, timeout)
                self._statement(ctx, doc.file, where, reading, scale, readers.version)
            elif doc.kind == "integrity_pledge":
                seals = _call_with_timeout(readers.read_seals, image, timeout)
                self._seals(ctx, PLEDGE, doc.file, where, seals, scale, readers.version)
            else:
                page = _call_with_timeout(readers.read_text, image, timeout)
                self._proof(ctx, doc.file, where, page, scale, readers.version)
                seals = _call_with_timeout(readers.read_seals, image, timeout)
                self._seals(ctx, PROOF, doc.file, where, seals, scale, readers.version)

    # ---- licence --------------------------------------------------------------------------

    def _licence(self, ctx, file, where, r, scale, source) -> None:
        entity = ctx.submission.entity
        box = lambda f: _unscale(f.box, scale)  # noqa: E731
        ev = lambda f, form, **kw: {"document": "business_licence", "file": file, "box": box(f), "read": f.raw,  # noqa: E731
                                    "form": form, **kw}
        ctx.extracted["business_licence"] = {
            "file": file, "uscc": r.uscc.value, "uscc_status": r.uscc_status, "uscc_seen": r.uscc_seen,
            "name": r.name.value, "type": r.type.value, "legal_rep": r.legal_rep.value,
            "registered_capital": r.registered_capital.value, "registered_capital_wan": r.registered_capital_wan,
            "established": r.established.value, "term_start": r.term_start, "term_end": r.term_end,
            "term_long": r.term_long, "address": r.address.value, "business_scope": r.business_scope.value,
            "ineligible": r.ineligible, "rotation": r.rotation,
            "boxes": {k: box(getattr(r, k)) for k in ("uscc", "name", "type", "legal_rep", "term", "address")},
            "error": r.error,
        }
        expects_licence = entity is None or entity.kind in (None, "enterprise")
        form_uscc = (entity.uscc or "").strip().upper() if entity else ""
        form_name = entity.name if entity else None
        if r.error or r.uscc.value is None or r.name.value is None:
            if expects_licence:
                missing = "、".join(w for w, v in (("统一社会信用代码", r.uscc.value), ("单位名称", r.name.value)) if v is None)
                seen = f"（识别到“{r.uscc_seen}”，无法确认）" if r.uscc_seen else ""
                ctx.add("LICENCE_UNREADABLE", where,
                        f"营业执照“{file}”无法识别{missing or '内容'}{seen}：须为清晰彩色原件扫描件或数码照",
                        evidence={**ev(r.uscc, form_uscc or None), "seen": r.uscc_seen, "status": r.uscc_status,
                                  "error": r.error}, confidence=0.8, source=source)
        if r.uscc.value and form_uscc and r.uscc.value != re.sub(r"[\s\-]", "", form_uscc):
            ctx.add("LICENCE_USCC_MISMATCH", "entity.uscc",
                    f"营业执照上的统一社会信用代码为“{r.uscc.value}”，与填写的“{form_uscc}”不一致",
                    evidence=ev(r.uscc, form_uscc, status=r.uscc_status), confidence=max(0.5, r.uscc.confidence),
                    source=source)
        if r.name.value and form_name and _norm(r.name.value) != _norm(form_name):
            ctx.add("LICENCE_NAME_MISMATCH", "entity.name",
                    f"营业执照上的单位名称为“{r.name.value}”，与填写的“{form_name}”不一致",
                    evidence=ev(r.name, form_name), confidence=_name_confidence(r.name.value, form_name, r.name.confidence),
                    source=source)
        if r.term_end and r.term_end < ctx.today.isoformat():
            ctx.add("LICENCE_EXPIRED", where, f"营业执照的营业期限已于{r.term_end}届满，提交时不在有效期内",
                    evidence=ev(r.term, ctx.today.isoformat(), term_end=r.term_end), confidence=max(0.6, r.term.confidence),
                    source=source)
        if r.ineligible and not _already_said(ctx, r.ineligible):
            # our own finding, with the licence's box: another check's finding is never edited
            ctx.add("ENTITY_INELIGIBLE", where,
                    f"营业执照显示单位类型为“{r.type.value or r.form.value or r.ineligible}”（{r.ineligible}），"
                    f"不具备独立法人资格，不能作为备案主体",
                    evidence=ev(r.type if r.type.value else r.form, entity.kind if entity else None,
                                reason=r.ineligible),
                    confidence=max(0.6, r.type.confidence or 0.8), source=source)

    # ---- statement ------------------------------------------------------------------------

    def _statement(self, ctx, file, where, r, scale, source) -> None:
        entity = ctx.submission.entity
        figures = entity.figures_wan if entity else None
        unit = r.unit.value or "元"
        factor = {"元": 1, "千元": 1_000, "万元": 10_000, "百万元": 1_000_000}[unit]
        rev = None if r.operating_revenue.value is None else round(r.operating_revenue.value * factor, 2)
        net = None if r.net_profit.value is None else round(r.net_profit.value * factor, 2)
        box = lambda f: _unscale(f.box, scale)  # noqa: E731
        ev = lambda f, form, **kw: {"document": "profit_statement", "file": file, "box": box(f), "read": f.raw,  # noqa: E731
                                    "form": form, **kw}
        rim = getattr(r, "seal_rim", None)  # (a reader without rim reading leaves it out)
        ctx.extracted["profit_statement"] = {
            "file": file, "operating_revenue_yuan": rev, "net_profit_yuan": net, "unit": r.unit.value,
            "period_year": r.period.value, "period_full_year": r.period_full_year, "preparer": r.preparer.value,
            "sealed": r.seal.value, "seal_box": box(r.seal), "kind": getattr(getattr(r, "kind", None), "value", None),
            "seal_kind": rim.kind if rim else None, "seal_text": rim.text if rim else None,
            "boxes": {k: box(getattr(r, k)) for k in ("operating_revenue", "net_profit", "unit", "period", "preparer")},
            "rotation": r.rotation, "error": r.error,  # the page shows the scan turned as it was read
        }
        if r.error:
            ctx.skip(where, f"利润表“{file}”无法识别（{r.error}），请人工核对营业收入、净利润与编制单位")
            return
        self._statement_gaps(ctx, file, where, r, box, source)
        unit_note = {} if r.unit.value else {"unit_assumed": "元"}
        form_rev = figures.operating_revenue if figures else None
        if rev is not None and form_rev is not None and not close_wan(form_rev, rev):
            slip = unit_slip(form_rev, rev)
            if slip is not None:
                ctx.add("STATEMENT_UNIT_ERROR", "entity.figures_wan.operating_revenue",
                        f"填写的营业收入{format_money(form_rev)}与利润表营业收入{r.operating_revenue.raw}（单位：{unit}）"
                        f"相差恰好{_factor_text(slip)}倍，疑似未换算为万元",
                        evidence=ev(r.operating_revenue, form_rev, statement_yuan=rev, factor=slip, unit=unit, **unit_note),
                        confidence=0.9 if r.unit.value else 0.7, source=source)
            else:
                ctx.add("STATEMENT_REVENUE_MISMATCH", "entity.figures_wan.operating_revenue",
                        f"填写的营业收入{format_money(form_rev)}与利润表的营业收入{format_money(rev / 10_000)}不一致",
                        evidence=ev(r.operating_revenue, form_rev, statement_yuan=rev, unit=unit, **unit_note),
                        confidence=max(0.5, r.operating_revenue.confidence) * (1 if r.unit.value else 0.8), source=source)
        form_net = figures.net_profit if figures else None
        if net is not None and form_net is not None and not close_wan(form_net, net):
            slip = unit_slip(form_net, net)
            extra = f"（相差恰好{_factor_text(slip)}倍，疑似未换算为万元）" if slip else ""
            ctx.add("STATEMENT_PROFIT_MISMATCH", "entity.figures_wan.net_profit",
                    f"填写的净利润{format_money(form_net)}与利润表的净利润{format_money(net / 10_000)}不一致{extra}",
                    evidence=ev(r.net_profit, form_net, statement_yuan=net, unit=unit, factor=slip, **unit_note),
                    confidence=max(0.5, r.net_profit.confidence), source=source)
        if r.preparer.value and entity and entity.name and _norm(r.preparer.value) != _norm(entity.name):
            ctx.add("STATEMENT_ENTITY_MISMATCH", "entity.name",
                    f"利润表的编制单位为“{r.preparer.value}”，不是备案单位“{entity.name}”",
                    evidence=ev(r.preparer, entity.name),
                    confidence=_name_confidence(r.preparer.value, entity.name, r.preparer.confidence), source=source)
        expected = _expected_year(ctx)
        if r.period.value is not None and expected is not None and (r.period.value != expected or not r.period_full_year):
            what = f"{r.period.value}年" + ("" if r.period_full_year else "（非完整年度）")
            ctx.add("STATEMENT_PERIOD_WRONG", where, f"利润表期间为{what}，应为提交日期的上一完整年度{expected}年",
                    evidence=ev(r.period, expected, period_year=r.period.value, full_year=r.period_full_year,
                                figures_year=entity.figures_year if entity else None),
                    confidence=max(0.6, r.period.confidence), source=source)
        if r.seal.value is False:
            ctx.add("STATEMENT_UNSEALED", where, f"利润表“{file}”未发现审计机构或单位财务的红色印章",
                    evidence={"document": "profit_statement", "file": file, "box": None, "read": None, "form": None},
                    confidence=r.seal.confidence, source=source)
        elif r.seal.value and rim is not None:
            # the reader reports the page's most acceptable seal (ocr.readers: every rim is read)
            judge_seals(ctx, STATEMENT, file, where, [(box(r.seal), rim)], source)

    def _seals(self, ctx, rule, file, where, page, scale, source) -> None:
        """The seals found on a page that is not otherwise searched for one (ocr.seal_text.PageSeals)."""
        seals = [(_unscale(box, scale), rim) for box, _, rim in page.seals]
        ctx.extracted.setdefault(rule.document, {}).update(
            file=file, sealed=None if page.error else bool(seals), error=page.error,
            seal_kind=seals[0][1].kind if seals else None, seal_text=seals[0][1].text if seals else None)
        if not page.error:  # an unusable image: the file checks said so already
            judge_seals(ctx, rule, file, where, seals, source)

    def _statement_gaps(self, ctx, file, where, r, box, source) -> None:
        """What the page is and what could not be read on it: never a silent gap."""
        kind = getattr(r, "kind", None)
        kind_value = kind.value if kind is not None else None
        unread = [label for label, f in (("营业收入", r.operating_revenue), ("净利润", r.net_profit),
                                         ("期间（年度）", r.period), ("编制单位", r.preparer)) if f.value is None]
        if kind_value not in (None, "利润表"):
            what = "其他报表" if kind_value == "unknown" else kind_value
            why = f"标题为“{kind.raw}”" if kind.raw else "未见利润表的任何项目（营业收入、营业成本、利润总额、净利润等）"
            ctx.add("DOCUMENT_KIND_WRONG", where,
                    f"作为利润表上传的“{file}”是{what}（{why}），不是利润表：请上传上一年度的利润表",
                    evidence={"document": "profit_statement", "file": file, "box": box(kind), "read": kind.raw,
                              "form": "利润表", "kind": kind_value, "unread": unread},
                    confidence=max(0.7, kind.confidence) if kind.raw else 0.7, source=source)
        if unread:
            ctx.add("STATEMENT_UNREADABLE", where,
                    f"利润表“{file}”中未能识别{'、'.join(unread)}，无法与填写内容核对：须为清晰的原件扫描件，并请人工核对",
                    evidence={"document": "profit_statement", "file": file, "box": None, "read": None, "form": None,
                              "fields": unread},
                    confidence=0.7, source=source)

    # ---- economic proof -------------------------------------------------------------------

    def _proof(self, ctx, file, where, page, scale, source) -> None:
        product = ctx.submission.product
        if product is None or page.error:
            return
        text = "".join(l["text"] for l in page.lines)
        flat = _norm(text)
        base = {"document": "economic_proof", "file": file}
        if product.name and _norm(product.name) not in flat:
            ctx.add("PROOF_MISMATCH", "product.name",
                    f"经济效益证明材料“{file}”中未见产品名称“{product.name}”",
                    evidence={**base, "box": None, "read": text[:200], "form": product.name}, confidence=0.6,
                    source=source)
        sales = product.figures_wan.sales if product.figures_wan else None
        if sales is None:
            return
        found = []
        for line in page.lines:
            for m in _PROOF_AMOUNT.finditer(line["text"]):
                try:
                    v = float(m.group(2).replace(",", "").replace("，", ""))
                except ValueError:
                    continue
                yuan = v * 10_000 if (m.group(3) == "万元" or "万元" in line["text"]) else v
                found.append((yuan, line, m.group()))
        if found and not any(close_wan(sales, y) for y, _, _ in found):
            yuan, line, raw = max(found, key=lambda f: f[0])
            ctx.add("PROOF_MISMATCH", "product.figures_wan.sales",
                    f"经济效益证明材料中的金额“{raw}”与填写的产品销售额{format_money(sales)}不一致",
                    evidence={**base, "box": _unscale(line["box"], scale), "read": raw, "form": sales,
                              "proof_yuan": yuan}, confidence=0.6, source=source)


# the entity rules' ENTITY_INELIGIBLE (their evidence "rule", screening/checks/entity.py) that
# already say what a licence's reason (ocr.licence.INELIGIBLE_TYPES) says: one finding per reason
_SAME_REASON: dict[str, frozenset[str]] = {
    "个体工商户": frozenset({"sole_proprietorship", "uscc_category"}),
    "个人独资企业": frozenset({"sole_proprietorship"}),
    "合伙企业": frozenset({"partnership"}),
    "非法人组织": frozenset({"uscc_category"}),
    **{branch: frozenset({"branch", "company_unit"}) for branch in ("分公司", "分支机构", "分厂", "办事处")},
}


def _already_said(ctx: ScreeningContext, reason: str) -> bool:
    """An ENTITY_INELIGIBLE from the form (the entity rules) already gives the licence's reason."""
    rules = _SAME_REASON.get(reason, frozenset())
    return any(f.code == "ENTITY_INELIGIBLE" and f.evidence.get("rule") in rules for f in ctx.findings)


def _unscale(box, scale: float):
    if not box:
        return None
    return [int(round(v / scale)) for v in box] if scale and scale != 1.0 else list(box)


def _factor_text(f: float) -> str:
    return f"{f:,.0f}" if f >= 1 else f"1/{1 / f:,.0f}"


def _expected_year(ctx: ScreeningContext) -> int | None:
    """The year before the submission date (seed 002 三(一): 上一年度利润表), whatever year the
    filer says its figures are for: a filer who states 2023 figures in 2026 is not excused."""
    return ctx.today.year - 1


def _name_confidence(read: str, form: str, ocr_conf: float) -> float:
    """One differing character may be an OCR slip: say so with a lower confidence."""
    a, b = _norm(read), _norm(form)
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1:
        return round(min(0.6, ocr_conf), 4)
    return round(max(0.7, ocr_conf), 4)
