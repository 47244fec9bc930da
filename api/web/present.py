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
from screening.money import format_money
from screening.priority import BEIJING, score_today, working_days_between

from .labels import (DOCUMENTS, ENTITY_KINDS, FIELD_LABELS, READ_KINDS_SKIP, READ_LABELS, READ_SKIP,  # noqa: F401
                     READ_TITLES, SIDE_LABELS, STAGES, field_label, read_value)

CHINA = BEIJING  # review targets count working days in Beijing time

# the review-time targets from DOMAIN.md, in working days: (usual, at most)
TARGETS = {"entity": (1, 2), "product": (3, 5), "annual_update": (3, 5), "revocation": (3, 5)}
SEVERITIES = [("block", "不予通过", "依规直接不予通过"), ("high", "高风险", "几乎总被退回"),
              ("medium", "需核实", "常被退回，请查看"), ("info", "提示", "供审核参考")]
SEVERITY_LABEL = {k: label for k, label, _ in SEVERITIES}
DECISIONS = {"approved": "通过", "returned": "退回修改", "rejected": "不予通过"}
VERDICTS = {"confirmed": "确认", "false_positive": "误报"}
EXTRA_REASONS = {"TIME_PRESSURE": "审核时限临近"}
OVERDUE = "已超期"


def code_title(code: str) -> str:
    if code in CODES:
        return CODES[code][1]
    return EXTRA_REASONS.get(code, code)


def reason_title(code: str, age: "Age | None" = None) -> str:
    """A queue reason in Chinese; time pressure says 已超期 once the review limit has passed."""
    if code == "TIME_PRESSURE" and age is not None and age.overdue:
        return f"{OVERDUE}{age.working_days - age.high}个工作日"
    return code_title(code)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---------------------------------------------------------------- age against the targets
@dataclass
class Age:
    working_days: int
    hours: float
    low: int
    high: int

    @property
    def state(self) -> str:
        """ok (within the usual time), warn (usual time reached), late (the limit reached or passed)."""
        if self.working_days >= self.high:
            return "late"
        return "warn" if self.working_days >= self.low else "ok"

    @property
    def overdue(self) -> bool:
        """More working days used than the review limit allows (9 against 3–5)."""
        return self.working_days > self.high

    @property
    def verdict(self) -> str:
        if self.overdue:
            return f"{OVERDUE} {self.working_days - self.high} 个工作日"
        if self.working_days == self.high:
            return "今日到期"
        return "审核时限临近" if self.state == "warn" else "时限内"

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
    rotation: int = 0  # degrees the reader turned it counter-clockwise to read it: shown the same way

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/") and self.width is not None

    @property
    def transform(self) -> str:
        """SVG transform that turns the page (and its boxes, in the original pixels) upright as
        read, inside a viewBox of the turned size (width and height swap at 90° and 270°)."""
        return rotate_transform(self.rotation, self.width or 0, self.height or 0)


def rotate_transform(rotation: int, width: int, height: int) -> str:
    """Counter-clockwise by ``rotation`` (SVG's rotate() turns clockwise on screen, y down)."""
    return {90: f"translate(0 {width}) rotate(-90)", 180: f"translate({width} {height}) rotate(180)",
            270: f"translate({height} 0) rotate(90)"}.get(rotation % 360, "")


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
    for kind in {d.kind for d in docs}:
        turned = rotation_of(extracted or {}, kind)
        for d in docs:
            if d.kind == kind and turned and _read_file(extracted or {}, kind) in (None, d.name):
                d.rotation = turned
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
            if box is not None and value.get("value") is not None and key in READ_LABELS:
                doc.boxes.append(Box(*box, finding=None, code="", severity="read",
                                     label=f"{READ_LABELS[key]}：{read_value(key, value['value'])}"))
    # documents with evidence first, then in the order they were uploaded (sorted() is stable)
    return sorted(docs, key=lambda d: not any(b.finding is not None for b in d.boxes))


def extracted_tables(extracted: dict) -> list[dict]:
    """What the readers read from each document, as (label, value, confidence) rows."""
    tables = []
    for kind, reading in (extracted or {}).items():
        if not isinstance(reading, dict) or kind in READ_KINDS_SKIP or kind not in READ_TITLES:
            continue
        rows = []
        for key, value in reading.items():
            # only what has a Chinese label: a key without one is bookkeeping, not for reviewers
            if key in READ_SKIP or key not in READ_LABELS or (key == "rotation" and not value):
                continue
            conf = None
            if isinstance(value, dict):
                if "value" not in value:
                    continue
                conf, value = value.get("confidence"), value.get("value")
            if value is None or value == "" or isinstance(value, (dict, list)):
                continue
            rows.append({"label": READ_LABELS[key], "value": read_value(key, value), "confidence": conf})
        if rows:
            tables.append({"kind": kind, "title": READ_TITLES[kind], "rows": rows})
    return tables


def _read_file(extracted: dict, kind: str) -> str | None:
    reading = extracted.get(kind)
    return reading.get("file") if isinstance(reading, dict) and isinstance(reading.get("file"), str) else None


def rotation_of(extracted: dict, kind: str) -> int:
    """Degrees the reader turned this kind's upload counter-clockwise to read it (0, 90, 180, 270)."""
    reading = (extracted or {}).get(kind)
    value = reading.get("rotation") if isinstance(reading, dict) else None
    if isinstance(value, dict):
        value = value.get("value")
    try:
        return int(value) % 360 if int(value) % 90 == 0 else 0
    except (TypeError, ValueError):
        return 0


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
    rule: str | None = None  # the seed sentence the finding enforces (evidence["rule"]), shown as a tooltip


def shown_findings(findings: list[dict], form: dict) -> list[ShownFinding]:
    out = []
    for i, f in enumerate(findings):
        ev = f.get("evidence") if isinstance(f.get("evidence"), dict) else {}
        value = get_path(form, f.get("field"))
        parts = span_parts(value, ev.get("span")) if isinstance(value, str) else None
        if parts is None and isinstance(ev.get("text"), str):
            parts = span_parts(ev["text"], ev.get("span")) if "span" in ev and ev.get("text") == value else None
        form_value = ev.get("form", value if not isinstance(value, (dict, list)) else None)
        suggestion = ev.get("suggestion") if isinstance(ev.get("suggestion"), str) else None
        if ".figures_wan." in (f.get("field") or ""):  # money: the same separators as the message
            if isinstance(form_value, (int, float)) and not isinstance(form_value, bool):
                form_value = format_money(form_value)
            if suggestion is not None and _number(suggestion) is not None:
                suggestion = format_money(_number(suggestion))
        dup = {"this": ev.get("this") or {}, "other": ev["other"]} if isinstance(ev.get("other"), dict) else None
        out.append(ShownFinding(
            index=i, code=f["code"], title=code_title(f["code"]), severity=f.get("severity", "info"),
            field=f.get("field"), field_label=field_label(f.get("field")), message=f.get("message", ""),
            confidence=float(f.get("confidence", 1.0)), source=str(f.get("source", "")), evidence=ev,
            name_parts=parts, read=ev.get("read") if isinstance(ev.get("read"), (str, int, float)) else None,
            form_value=form_value, suggestion=suggestion,
            has_box=bool(evidence_places(ev)), duplicate=dup, rule=rule_text(ev.get("rule")),
        ))
    return out


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def rule_text(rule: Any) -> str | None:
    """The rule's own sentence when the evidence quotes it; internal rule ids (``non_negative``) are
    not for reviewers."""
    return rule.strip() if isinstance(rule, str) and has_cjk(rule) else None


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
        if ".figures_wan." in path and isinstance(value, (int, float)):
            value = format_money(value, "")  # the label says 万元
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
