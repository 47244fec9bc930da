"""Fields of a business licence (营业执照) from recognised rows.

Works on the three layouts in use: the old vertical 副本 (2015-era, one column, the code
above the fields), the current paper 副本 and the electronic licence (two columns, the code
top left). Labels are matched only where a line starts, with the characters allowed to be
spread out ("名　　称"), so a value that contains a label word ("（住所申报）") stays whole.
Distractors near the code (证照编号, 编号, 副本号, "(1/4)") are never taken for the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .codes import CodeRead, CodeRules, clean, judge, runs
from .layout import RowText, spaced

# field -> label spellings, longest first so 主要经营场所 wins over 经营场所
LABELS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "name": ("企业名称", "单位名称", "名称"),
    "type": ("主体类型", "类型"),
    "form": ("组成形式",),
    "legal_rep": ("执行事务合伙人", "法定代表人", "经营者姓名", "投资人", "经营者", "负责人"),
    "capital": ("注册资本", "注册资金", "出资总额", "出资额"),
    "established": ("成立日期", "注册日期"),
    "term": ("营业期限", "合伙期限", "经营期限"),
    "address": ("主要经营场所", "经营场所", "营业场所", "住所"),
    "scope": ("经营范围",),
    "authority": ("登记机关",),
    "distractor": ("证照编号", "副本编号", "副本号", "编号"),
}
# bold, widely spaced labels are often detected apart: "名" and "类" end up in one box of
# their own and the value line starts with the label's last character ("称湖北省…有限公司")
TAIL_LABELS = {"称": "name", "型": "type", "所": "address"}
# ...or the label's second character is lost under a watermark: a line that is only "类"
HEAD_LABELS = {"名": "name", "类": "type", "住": "address", "称": "name", "型": "type"}
_ALL = sorted(((f, l) for f, ls in LABELS.items() for l in ls), key=lambda fl: -len(fl[1]))
_LABEL_RE = re.compile("|".join(f"(?P<g{i}>{spaced(l)})" for i, (_, l) in enumerate(_ALL)))
_TAIL_RE = re.compile(r"[称型所](?=[\s\u3000]*\S{3})")
_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?")
_LONG = re.compile(r"长期|永久|不约定期限|无固定期限")
_SEP = " \u3000:：;；,，"


@dataclass
class Hit:
    field: str
    value: str
    row: int
    start: int
    end: int
    score: float


@dataclass
class LicenceFields:
    code: CodeRead | None = None
    code_row: int | None = None
    code_span: tuple[int, int] | None = None
    hits: dict[str, Hit] = field(default_factory=dict)
    bare: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # label with no value read: (row, s, e)


def _labels_in(row: RowText) -> list[tuple[int, int, str]]:
    out = []
    for m in _LABEL_RE.finditer(row.text):
        s = m.start()
        at_line_start = s == 0 or row.owner[s - 1] == -1 or row.owner[s - 1] != row.owner[s]
        if not at_line_start:
            continue
        idx = int(m.lastgroup[1:])
        out.append((s, m.end(), _ALL[idx][0]))
    taken = {s for s, _, _ in out}
    for i, line in enumerate(row.lines):
        start = row.owner.index(i)
        if start in taken or any(s <= start < e for s, e, _ in out):
            continue
        m = _TAIL_RE.match(row.text, start)
        if m and len(line.text.strip()) >= 5:
            out.append((start, m.end(), TAIL_LABELS[m.group()]))
        elif line.text.strip() in HEAD_LABELS:
            out.append((start, start + len(line.text), HEAD_LABELS[line.text.strip()]))
    out.sort()
    return out


def parse_rows(rows: list[RowText], rules: CodeRules) -> LicenceFields:
    out = LicenceFields()
    labelled: list[list[tuple[int, int, str]]] = [_labels_in(r) for r in rows]
    for ri, (row, labels) in enumerate(zip(rows, labelled)):
        for li, (s, e, fld) in enumerate(labels):
            stop = labels[li + 1][0] if li + 1 < len(labels) else len(row.text)
            vs, ve = e, stop
            while vs < ve and row.text[vs] in _SEP:
                vs += 1
            ve = _stop_at_gap(row, vs, ve)
            if fld == "scope" and fld not in out.hits:  # a paragraph: its punctuation is part of it
                value = _paragraph(rows, labelled, ri, row, vs, row.text[vs:ve].rstrip(), s)
                if len(value) >= MIN_SCOPE_CHARS:
                    out.hits[fld] = Hit(fld, value, ri, vs, ve, row.span_score(vs, ve))
                continue
            while ve > vs and row.text[ve - 1] in _SEP:
                ve -= 1
            if fld in ("uscc", "authority", "distractor") or fld in out.hits:
                continue
            value = row.text[vs:ve]
            if fld == "name":
                # overlay strokes read as stray ASCII punctuation inside a Chinese name
                value = re.sub(r"(?<=[\u4e00-\u9fff（）()])[.,'`·]+|[.,'`·]+(?=[\u4e00-\u9fff（）()])", "", value)
            if not value:
                out.bare.setdefault(fld, (ri, s, e))
                continue
            if fld in ("address", "name", "type"):
                value = _with_continuation(rows, labelled, ri, row, vs, value, s)
            out.hits[fld] = Hit(fld, value, ri, vs, ve, row.span_score(vs, ve))
    _find_code(rows, labelled, out, rules)
    return out


def _stop_at_gap(row: RowText, vs: int, ve: int) -> int:
    """A value is the line after its label and lines close to it, not text further right."""
    last = None
    for k in range(vs, ve):
        o = row.owner[k]
        if o < 0:
            continue
        if last is not None and o != last:
            prev, nxt = row.lines[last], row.lines[o]
            if nxt.x0 - prev.x1 > 1.5 * max(prev.height, nxt.height, 1.0):
                return k - 1 if row.text[k - 1] == "\u3000" else k
        last = o
    return ve


def _with_continuation(rows, labelled, ri, row, vs, value, label_start) -> str:
    """An address wraps onto the next row, in the value's column."""
    quad = row.span_quad(vs, vs + 1)
    if quad is None or ri + 1 >= len(rows):
        return value
    x0, h = float(quad[:, 0].min()), float(quad[3, 1] - quad[0, 1])
    nxt = rows[ri + 1]
    lx = row.lines[row.owner[label_start]].x0 if row.owner[label_start] >= 0 else x0
    # a label in the value's own column ends the value; one in the other column does not
    if any(abs(nxt.lines[nxt.owner[s]].x0 - lx) < 3 * h or nxt.lines[nxt.owner[s]].x0 >= lx
           for s, _, _ in labelled[ri + 1] if nxt.owner[s] >= 0):
        return value
    # a lone character at the label's place ("型" of 类型 read apart) is a label too
    if any(len(l.text.strip()) <= 2 and l.x1 < x0 - 0.3 * h and l.x0 >= lx - h for l in nxt.lines):
        return value
    for line in rows[ri + 1].lines:
        if abs(line.x0 - x0) <= 1.5 * max(h, 8.0) and line.y0 - quad[:, 1].max() < 1.2 * max(h, 8.0):
            return value + line.text.strip()
    return value


MIN_SCOPE_CHARS = 6  # shorter is a fragment (a stray line read), not a scope to judge by


def _paragraph(rows, labelled, ri, row, vs, value, label_start, max_rows: int = 14) -> str:
    """经营范围 is a paragraph: the rows below whose lines start in the value's column and follow
    on without a gap, up to a row with a label in the label's column (or the page's foot)."""
    if row.owner[label_start] < 0:
        return value
    label_line = row.lines[row.owner[label_start]]
    lx, h = label_line.x0, max(label_line.height, 8.0)
    quad = row.span_quad(vs, vs + 1) if value else None
    if quad is not None and float(quad[:, 0].min()) - label_line.x1 > 6 * h:
        value, quad = "", None  # text far to the right is the other column's, not this paragraph
    # the value's column: where its first character is, else just right of the label
    x0 = float(quad[:, 0].min()) if quad is not None else label_line.x1 + 0.5 * h
    bottom = float(quad[:, 1].max()) if quad is not None else label_line.y1
    parts = [value] if value else []
    for k in range(ri + 1, min(len(rows), ri + 1 + max_rows)):
        nxt = rows[k]
        if any(nxt.owner[st] >= 0 and abs(nxt.lines[nxt.owner[st]].x0 - lx) < 3 * h for st, _, _ in labelled[k]):
            break
        follow = [ln for ln in nxt.lines
                  if abs(ln.x0 - x0) <= 1.5 * h and ln.y0 - bottom < 1.5 * h and ln.text.strip()]
        if not follow:
            break
        parts.append("".join(ln.text.strip() for ln in follow))
        bottom = max(ln.y1 for ln in follow)
    return "".join(parts)


def _find_code(rows: list[RowText], labelled, out: LicenceFields, rules: CodeRules) -> None:
    """The code is on the label's row or the row below it; else any 18-character run."""
    label_rows = [ri for ri, ls in enumerate(labelled) if any(f == "uscc" for _, _, f in ls)]
    near = []
    for ri in label_rows:
        near += [ri, ri + 1, ri - 1]
    order = [ri for ri in near if 0 <= ri < len(rows)] + [ri for ri in range(len(rows)) if ri not in near]
    best: tuple[int, CodeRead, int, tuple[int, int]] | None = None
    rank = {"ok": 0, "corrected": 1, "unreadable": 2}
    for pos, ri in enumerate(order):
        row = rows[ri]
        text = row.text
        for s, e, run in runs(text):
            # distractors: 证照编号/编号/副本号 right before the run
            before = clean(text[max(0, s - 6):s])
            if any(d in before for d in ("编号", "副本号")):
                continue
            if run.isdigit() and len(run) != 18 and pos >= len(near):
                continue
            cand = _judge_run(run, row.span_score(s, e), rules)
            near_label = pos < len([r for r in near if 0 <= r < len(rows)])
            if cand.status == "unreadable" and not near_label:
                continue
            key = (rank[cand.status], 0 if near_label else 1)
            if best is None or key < (rank[best[1].status], best[0]):
                best = (key[1], cand, ri, (s, e))
    if best is not None:
        out.code, out.code_row, out.code_span = best[1], best[2], best[3]
    elif label_rows:
        # the label is there but no code was read next to it: unreadable, not absent
        out.code, out.code_row = CodeRead(None, "", "unreadable", 0.0), label_rows[0]
        s, e, _ = next(l for l in labelled[label_rows[0]] if l[2] == "uscc")
        out.code_span = (s, e)


def _judge_run(run: str, score: float, rules: CodeRules) -> CodeRead:
    if len(run) == 18:
        return judge(run, score, rules)
    if 18 < len(run) <= 21:
        # "(1/4)" or a stray character glued on: an 18-character window may be the code
        verdicts = [judge(run[i:i + 18], score, rules) for i in range(len(run) - 17)]
        ok = {v.value for v in verdicts if v.status == "ok"}
        if len(ok) == 1:
            return next(v for v in verdicts if v.status == "ok")
        return CodeRead(None, run, "unreadable", 0.0)
    return CodeRead(None, run, "unreadable", 0.0)


# ---- values -------------------------------------------------------------------------------

def parse_date(text: str | None) -> str | None:
    if not text:
        return None
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def parse_term(text: str | None) -> tuple[str | None, str | None, bool]:
    """(start, end, long_term) from "2014年01月23日至2034年01月22日" or "…至长期"."""
    if not text:
        return None, None, False
    dates = [parse_date(m.group()) for m in _DATE.finditer(text)]
    dates = [d for d in dates if d]
    long_term = bool(_LONG.search(text))
    start = dates[0] if dates else None
    end = dates[1] if len(dates) > 1 else None
    if long_term:
        end = None
    return start, end, long_term


_CN_DIGIT = {"零": 0, "〇": 0, "壹": 1, "一": 1, "贰": 2, "二": 2, "两": 2, "叁": 3, "三": 3, "肆": 4, "四": 4,
             "伍": 5, "五": 5, "陆": 6, "六": 6, "柒": 7, "七": 7, "捌": 8, "八": 8, "玖": 9, "九": 9}
_CN_UNIT = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}


def _cn_number(s: str) -> float | None:
    total, section, digit = 0, 0, 0
    seen = False
    for ch in s:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
            seen = True
        elif ch in _CN_UNIT:
            section += (digit or 1) * _CN_UNIT[ch]
            digit = 0
            seen = True
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    return float(total + section + digit) if seen else None


def capital_wan(text: str | None) -> float | None:
    """Registered capital in 万元 from "人民币6000.0000万元整", "壹亿零壹佰万元", "10万元"."""
    if not text:
        return None
    s = text.replace(",", "").replace("，", "")
    m = re.search(r"(\d+(?:\.\d+)?)\s*(亿|万)?", s)
    if m:
        v = float(m.group(1))
        unit = m.group(2) or ("万" if "万" in s else "")
        return v * 10_000 if unit == "亿" else v if unit == "万" else v / 10_000
    body = re.sub(r"[^零〇壹一贰二两叁三肆四伍五陆六柒七捌八玖九拾十佰百仟千万亿]", "", s.replace("元", ""))
    # the number ends at its last 万 or 亿 (the currency unit): 伍佰万元 = 500 万元
    yuan = _cn_number(body)
    return None if yuan is None else yuan / 10_000


INELIGIBLE_TYPES = (
    ("个体工商户", "个体工商户"),
    ("个人独资", "个人独资企业"),
    ("合伙", "合伙企业"),
    ("分公司", "分公司"),
    ("分支机构", "分支机构"),
    ("非法人", "非法人组织"),
    ("分厂", "分厂"),
    ("办事处", "办事处"),
)


def ineligible_reason(type_text: str | None, form_text: str | None, name: str | None, uscc: str | None) -> str | None:
    """Why the licence's holder is not an independent legal person, or None."""
    for key, reason in INELIGIBLE_TYPES:
        if type_text and key in type_text:
            return reason
    if form_text and ("个人经营" in form_text or "家庭经营" in form_text):
        return "个体工商户"
    if name and re.search(r"(分公司|分厂|办事处)[)）]?$", name.strip()):
        return "分支机构"
    if uscc and len(uscc) == 18 and uscc.startswith("92"):
        return "个体工商户"
    return None
