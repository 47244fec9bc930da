# Over 400 lines: one function per thing a reviewer page shows; the templates stay free of logic.
"""What the reviewer pages show, computed from stored reports and forms (no HTTP here).

Plain functions over the dicts the ``Store`` returns, so tests can call them directly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from screening.codes import CODES
from screening.priority import BEIJING, score_today, working_days_between

CHINA = BEIJING  # review targets count working days in Beijing time

STAGES = {"entity": "实名认证", "product": "产品备案", "annual_update": "年度更新", "revocation": "撤销备案"}
# the review-time targets from DOMAIN.md, in working days: (usual, at most)
TARGETS = {"entity": (1, 2), "product": (3, 5), "annual_update": (3, 5), "revocation": (3, 5)}
SEVERITIES = [("block", "不予通过", "依规直接不予通过"), ("high", "高风险", "几乎总被退回"),
              ("medium", "需核实", "常被退回，请查看"), ("info", "提示", "供审核参考")]
SEVERITY_LABEL = {k: label for k, label, _ in SEVERITIES}
DECISIONS = {"approved": "通过", "returned": "退回修改", "rejected": "不予通过"}
VERDICTS = {"confirmed": "确认", "false_positive": "误报"}
DOCUMENTS = {
    "business_licence": "营业执照", "profit_statement": "利润表", "integrity_pledge": "诚信承诺书",
    "product_photo": "产品照片", "product_image": "产品图片", "economic_proof": "经济效益证明材料",
    "certification": "资质证明", "product_video": "产品视频", "organisation_certificate": "组织机构代码证",
}
EXTRA_REASONS = {"TIME_PRESSURE": "审核时限临近"}

# form paths (list indexes dropped) → Chinese labels; anything else shows its path
FIELD_LABELS = {
    "submission_id": "备案编号", "stage": "备案阶段", "submitted_at": "提交时间",
    "entity": "备案主体", "entity.uscc": "统一社会信用代码", "entity.name": "单位名称", "entity.kind": "单位类型",
    "entity.figures_year": "数据年度", "entity.employees": "职工人数",
    "entity.figures_wan.total_cost": "总成本（万元）", "entity.figures_wan.ip_investment": "知识产权投入（万元）",
    "entity.figures_wan.net_profit": "净利润（万元）", "entity.figures_wan.operating_revenue": "单位年度营业收入总额（万元）",
    "entity.figures_wan.total_product_sales": "产品销售总额（万元）", "entity.figures_wan.fixed_assets": "固定资产（万元）",
    "entity.figures_wan.total_output": "总产值（万元）", "entity.figures_wan.selling_expense": "销售费用（万元）",
    "entity.figures_wan.admin_expense": "管理费用（万元）", "entity.figures_wan.finance_expense": "财务费用（万元）",
    "entity.figures_wan.patent_assets": "专利资产（万元）", "entity.figures_wan.total_assets": "总资产（万元）",
    "product": "产品", "product.name": "产品名称", "product.models": "规格型号", "product.models_reason": "多型号说明",
    "product.trademark": "商标", "product.category": "产品分类", "product.category.code": "产品分类代码",
    "product.category.name": "产品分类", "product.industry.code": "所属行业代码", "product.industry.name": "所属行业",
    "product.intro": "产品简介", "product.exported": "是否出口", "product.export_destinations": "出口目的地",
    "product.figures_wan.sales": "上年度销售额（万元）", "product.figures_wan.export": "出口额（万元）",
    "product.figures_wan.profit": "产品利润（万元）", "product.figures_wan.ip_investment": "产品知识产权投入（万元）",
    "product.figures_wan.total_cost": "产品总成本（万元）", "product.market_share_pct": "市场占有率（%）",
    "product.patents.number": "专利号", "product.patents.core": "核心专利", "product.patents.litigated": "涉诉",
    "product.patents.case_number": "案件编号", "product.patents.holder": "专利权人",
    "product.patents.licensee": "被许可人", "product.patents.title": "专利名称",
    "documents": "上传文件",
    "product.figures_wan": "产品经济数据", "product.patents": "关联专利", "entity.figures_wan": "单位资产信息",
    "filed_submission_id": "原备案编号", "revocation": "撤销申请", "revocation.reason": "撤销原因",
    "revocation.explanation": "撤销说明",
}
ENTITY_KINDS = {"enterprise": "企业", "university": "高等院校", "research_institute": "科研院所",
                "rd_institution": "新型研发机构", "social_organization": "社会组织"}
# keys inside duplicate evidence ("this"/"other") and their labels
EVIDENCE_KEYS = {"submission_id": "备案编号", "product_name": "产品名称", "entity_name": "单位名称",
                 "entity_uscc": "统一社会信用代码", "uscc": "统一社会信用代码", "models": "规格型号",
                 "trademark": "商标", "intro": "产品简介", "file": "文件", "document": "文件类型",
                 "score": "相似度", "similarity": "相似度", "text": "文字"}


def code_title(code: str) -> str:
    if code in CODES:
        return CODES[code][1]
    return EXTRA_REASONS.get(code, code)


def field_label(path: str | None) -> str:
    if not path:
        return "整体"
    plain = _strip_indexes(path)
    label = FIELD_LABELS.get(plain)
    if label is None:
        return path
    index = _first_index(path)
    return f"{label}（第{index + 1}项）" if index is not None else label


def _strip_indexes(path: str) -> str:
    out, depth = [], 0
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _first_index(path: str) -> int | None:
    if "[" not in path:
        return None
    try:
        return int(path[path.index("[") + 1: path.index("]")])
    except ValueError:
        return None


# ---------------------------------------------------------------- age against the targets
@dataclass
class Age:
    working_days: int
    hours: float
    low: int
    high: int

    @property
    def state(self) -> str:
        """ok (within the usual time), warn (usual time reached), late (the limit reached)."""
        if self.working_days >= self.high:
            return "late"
        return "warn" if self.working_days >= self.low else "ok"

    @property
    def text(self) -> str:
        if self.hours < 24:
            return f"{max(self.hours, 0):.0f} 小时"
        return f"{self.hours / 24:.1f} 天"

    @property
    def target(self) -> str:
        return f"已用 {self.working_days} 个工作日 / 时限 {self.low}–{self.high} 个工作日"


def age_of(stage: str, submitted_at: datetime | str, now: datetime | None = None) -> Age:
    if isinstance(submitted_at, str):
        submitted_at = datetime.fromisoformat(submitted_at)
    if submitted_at.tzinfo is None:
        submitted_at = submitted_at.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    low, high = TARGETS.get(stage, (3, 5))
    used = working_days_between(submitted_at.astimezone(CHINA).date(), now.astimezone(CHINA).date())
    return Age(used, (now - submitted_at).total_seconds() / 3600, low, high)


def score_now(priority: dict, stage: str, submitted_at: datetime | str, now: datetime | None = None) -> float:
    """The priority score as the queue orders it today: the stored p_reject with today's time pressure."""
    if priority.get("p_reject") is None:
        return float(priority.get("score") or 0.0)
    if isinstance(submitted_at, str):
        submitted_at = datetime.fromisoformat(submitted_at)
    if submitted_at.tzinfo is None:
        submitted_at = submitted_at.replace(tzinfo=timezone.utc)
    return score_today(priority["p_reject"], stage, submitted_at, now or datetime.now(timezone.utc))[0]


# ---------------------------------------------------------------- findings and evidence
@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float
    finding: int | None  # None: a field the reader read, drawn faintly
    code: str
    severity: str
    label: str


@dataclass
class Document:
    name: str
    kind: str
    sha256: str
    mime: str
    width: int | None = None
    height: int | None = None
    boxes: list[Box] = field(default_factory=list)

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/") and self.width is not None


def box_of(value: Any) -> tuple[float, float, float, float] | None:
    """[x0, y0, x1, y1], or four [x, y] corner points, as (x, y, w, h); None when neither."""
    try:
        if isinstance(value, (list, tuple)) and len(value) == 4:
            if all(isinstance(v, (int, float)) for v in value):
                x0, y0, x1, y1 = (float(v) for v in value)
            else:
                xs = [float(p[0]) for p in value]
                ys = [float(p[1]) for p in value]
                x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
            if x1 < x0:
                x0, x1 = x1, x0
            if y1 < y0:
                y0, y1 = y1, y0
            return x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    except (TypeError, ValueError, IndexError):
        return None
    return None


def evidence_places(evidence: dict) -> list[dict]:
    """Every {file|document, box, read, form} the evidence names: itself, and its "this"/"other"."""
    places = []
    for part in (evidence, evidence.get("this"), *(evidence.get("places") or [])):
        if isinstance(part, dict) and part.get("box") is not None:
            places.append(part)
    return places


def documents_with_boxes(files: list[dict], findings: list[dict], sniff,
                         extracted: dict | None = None) -> list[Document]:
    """The revision's files, each with the boxes findings drew on it, and (faintly) where
    the readers found each field they read (``extracted[kind][field]["box"]``).

    ``sniff(sha256) -> (mime, width, height)`` judges the content. Evidence names a document
    by ``file`` (exact) or by ``document`` (its kind: the first file of that kind)."""
    docs = []
    for f in files:
        mime, w, h = sniff(f["sha256"])
        docs.append(Document(f["name"], f["kind"], f["sha256"], mime, w, h))
    by_name = {d.name: d for d in docs}
    by_kind: dict[str, Document] = {}
    for d in docs:
        by_kind.setdefault(d.kind, d)
    for i, finding in enumerate(findings):
        ev = finding.get("evidence") or {}
        if not isinstance(ev, dict):
            continue
        for place in evidence_places(ev):
            doc = by_name.get(place.get("file")) or by_kind.get(place.get("document"))
            box = box_of(place.get("box"))
            if doc is None or box is None or not doc.is_image:
                continue
            doc.boxes.append(Box(*box, finding=i, code=finding["code"], severity=finding.get("severity", "info"),
                                 label=str(place.get("read") or code_title(finding["code"]))))
    for kind, reading in (extracted or {}).items():
        doc = by_kind.get(kind)
        if doc is None or not doc.is_image or not isinstance(reading, dict):
            continue
        for key, value in reading.items():
            box = box_of(value.get("box")) if isinstance(value, dict) else None
            if box is not None and value.get("value") is not None:
                doc.boxes.append(Box(*box, finding=None, code="", severity="read",
                                     label=f"{READ_LABELS.get(key, key)}：{value['value']}"))
    # documents with evidence first, then in the order they were uploaded (sorted() is stable)
    return sorted(docs, key=lambda d: not any(b.finding is not None for b in d.boxes))


READ_LABELS = {
    "uscc": "统一社会信用代码", "uscc_status": "代码识别状态", "uscc_seen": "原始识别", "name": "名称", "type": "类型",
    "form": "组成形式", "legal_rep": "法定代表人", "registered_capital": "注册资本",
    "registered_capital_wan": "注册资本（万元）", "established": "成立日期", "term": "营业期限",
    "term_start": "营业期限自", "term_end": "营业期限至", "term_long": "长期", "address": "住所",
    "ineligible": "不具备独立法人资格的原因", "operating_revenue": "营业收入（表内单位）",
    "net_profit": "净利润（表内单位）", "unit": "金额单位", "period": "报表年度", "period_full_year": "完整年度",
    "preparer": "编制单位", "seal": "红色印章", "operating_revenue_yuan": "营业收入（元）",
    "net_profit_yuan": "净利润（元）", "error": "无法识别的原因", "rotation": "旋转角度",
}
READ_SKIP = {"engine", "elapsed_ms", "image_size", "lines", "text"}


def extracted_tables(extracted: dict) -> list[dict]:
    """What the readers read from each document, as (label, value, confidence) rows."""
    tables = []
    for kind, reading in (extracted or {}).items():
        if not isinstance(reading, dict):
            continue
        rows = []
        for key, value in reading.items():
            if key in READ_SKIP or (key == "rotation" and not value):
                continue
            conf = None
            if isinstance(value, dict):
                if "value" not in value:
                    continue
                conf, value = value.get("confidence"), value.get("value")
            if value is None or value == "" or isinstance(value, (dict, list)):
                continue
            if isinstance(value, bool):
                value = "是" if value else "否"
            rows.append({"label": READ_LABELS.get(key, key), "value": value, "confidence": conf})
        if rows:
            tables.append({"kind": kind, "title": DOCUMENTS.get(kind, kind), "rows": rows})
    return tables


def span_parts(text: str, span: Any) -> list[tuple[str, bool]] | None:
    """``text`` cut into (piece, highlighted) around ``span`` [start, end), or None if it does not fit."""
    if not isinstance(text, str) or not isinstance(span, (list, tuple)) or len(span) != 2:
        return None
    try:
        a, b = int(span[0]), int(span[1])
    except (TypeError, ValueError):
        return None
    if not 0 <= a < b <= len(text):
        return None
    return [(p, hl) for p, hl in ((text[:a], False), (text[a:b], True), (text[b:], False)) if p]


def get_path(form: dict, path: str | None) -> Any:
    """The form value at a dotted path like ``product.patents[0].number`` (None if absent)."""
    if not path:
        return None
    cur: Any = form
    for part in path.replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(name)
        if index:
            if not isinstance(cur, list) or not index.isdigit() or int(index) >= len(cur):
                return None
            cur = cur[int(index)]
    return cur


@dataclass
class ShownFinding:
    index: int
    code: str
    title: str
    severity: str
    field: str | None
    field_label: str
    message: str
    confidence: float
    source: str
    evidence: dict
    name_parts: list[tuple[str, bool]] | None  # the form text with the span highlighted
    read: str | None
    form_value: Any
    suggestion: str | None
    has_box: bool
    duplicate: dict | None  # {"this": {...}, "other": {...}}


def shown_findings(findings: list[dict], form: dict) -> list[ShownFinding]:
    out = []
    for i, f in enumerate(findings):
        ev = f.get("evidence") if isinstance(f.get("evidence"), dict) else {}
        value = get_path(form, f.get("field"))
        parts = span_parts(value, ev.get("span")) if isinstance(value, str) else None
        if parts is None and isinstance(ev.get("text"), str):
            parts = span_parts(ev["text"], ev.get("span")) if "span" in ev and ev.get("text") == value else None
        form_value = ev.get("form", value if not isinstance(value, (dict, list)) else None)
        dup = {"this": ev.get("this") or {}, "other": ev["other"]} if isinstance(ev.get("other"), dict) else None
        out.append(ShownFinding(
            index=i, code=f["code"], title=code_title(f["code"]), severity=f.get("severity", "info"),
            field=f.get("field"), field_label=field_label(f.get("field")), message=f.get("message", ""),
            confidence=float(f.get("confidence", 1.0)), source=str(f.get("source", "")), evidence=ev,
            name_parts=parts, read=ev.get("read") if isinstance(ev.get("read"), (str, int, float)) else None,
            form_value=form_value, suggestion=ev.get("suggestion") if isinstance(ev.get("suggestion"), str) else None,
            has_box=bool(evidence_places(ev)), duplicate=dup,
        ))
    return out


def grouped(findings: list[ShownFinding]) -> list[tuple[str, str, str, list[ShownFinding]]]:
    """(severity, label, hint, findings) for each severity that has findings, most severe first."""
    by: dict[str, list[ShownFinding]] = defaultdict(list)
    for f in findings:
        by[f.severity].append(f)
    return [(k, label, hint, by[k]) for k, label, hint in SEVERITIES if by.get(k)]


def prefilled_reasons(findings: list[dict]) -> list[str]:
    """Reason codes a reviewer most likely returns with: every non-info finding's code, most severe first."""
    rank = {"block": 0, "high": 1, "medium": 2}
    seen: dict[str, int] = {}
    for f in findings:
        sev = f.get("severity", "info")
        if sev in rank and f["code"] in CODES:
            seen[f["code"]] = min(seen.get(f["code"], 9), rank[sev])
    return sorted(seen, key=lambda c: (seen[c], c))


def form_rows(form: dict, flagged: dict[str, list[int]]) -> list[dict]:
    """The form as (label, value, findings on it) rows, in the order a filer fills it in."""
    rows = []

    def add(path: str, value: Any) -> None:
        if isinstance(value, dict):
            if set(value) <= {"code", "name"} and value:
                text = " ".join(str(v) for v in (value.get("code"), value.get("name")) if v)
                rows.append(_row(path, text, flagged))
                return
            for k, v in value.items():
                add(f"{path}.{k}" if path else k, v)
            return
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, v in enumerate(value):
                add(f"{path}[{i}]", v)
            return
        if isinstance(value, list):
            value = "、".join(str(v) for v in value) if value else None
        if path == "entity.kind":
            value = ENTITY_KINDS.get(value, value)
        if path == "stage":
            value = STAGES.get(value, value)
        if isinstance(value, bool):
            value = "是" if value else "否"
        rows.append(_row(path, value, flagged))

    for key in ("entity", "product"):
        if form.get(key):
            add(key, form[key])
    return rows


def _row(path: str, value: Any, flagged: dict[str, list[int]]) -> dict:
    hits = [i for p, idx in flagged.items() for i in idx if p == path or p.startswith(path + ".")]
    return {"path": path, "label": field_label(path), "value": value, "findings": hits}


def flagged_fields(findings: list[dict]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        if f.get("field"):
            out[f["field"]].append(i)
    return out


# ---------------------------------------------------------------- feedback statistics
def false_positive_rates(decisions: list[dict]) -> list[dict]:
    """Per code: confirmed, false positives and the rate, from the decisions still in force.

    A decision superseded by a later one on the same revision does not count twice."""
    superseded = {d["supersedes"] for d in decisions if d.get("supersedes")}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"confirmed": 0, "false_positive": 0})
    sources: dict[str, set[str]] = defaultdict(set)
    for d in decisions:
        if d["id"] in superseded:
            continue
        for fb in d.get("feedback") or []:
            code, verdict = fb.get("code"), fb.get("verdict")
            if code and verdict in ("confirmed", "false_positive"):
                counts[code][verdict] += 1
                if fb.get("source"):
                    sources[code].add(str(fb["source"]))
    rows = []
    for code, c in counts.items():
        n = c["confirmed"] + c["false_positive"]
        rows.append({"code": code, "title": code_title(code), "confirmed": c["confirmed"],
                     "false_positive": c["false_positive"], "n": n, "rate": c["false_positive"] / n if n else 0.0,
                     "sources": sorted(sources[code])})
    return sorted(rows, key=lambda r: (-r["rate"], -r["n"], r["code"]))


def china_time(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def today_china() -> date:
    return datetime.now(CHINA).date()
