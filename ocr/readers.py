# Over 400 lines: one class runs both readers over one page pipeline (detect, orient, recognise, fallbacks).
"""The document readers the rest of the system uses, loaded once at start-up.

    readers = DocumentReaders.load(rules)          # rules: screening.validators.uscc.CODE_RULES
    readers.read_licence(image)    -> LicenceReading
    readers.read_statement(image)  -> StatementReading

``image`` is a PIL image, a path, bytes or an RGB array. Every field carries its value, a
confidence, its pixel box [x0, y0, x1, y1] in the ORIGINAL upload's coordinates and the raw
text read there. A page that cannot be read (tiny, corrupt, not an image) gives a reading
with ``error`` set, never an exception; an engine failure does raise (the pipeline turns it
into CHECK_FAILED and a degraded report).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import licence as lic
from . import statement as st
from .codes import CodeRules
from .codes import runs as codes_runs
from .engine import OcrEngine, crop_quad, load_engine
from .layout import Line, RowText, group_rows
from .preprocess import (
    Frame, ImageUnusable, det_copy, is_vertical, make_frame, red_as_grey, to_rgb_array,
    turn, turn_quads,
)
from .seal_text import KIND_RANK, PageSeals, SealText, read_page_seals, read_seal
from .seals import find_red_seals

MAX_SEALS_READ = 3  # rims read per statement page (each ~30 ms)
READERS_VERSION = "readers@2"  # 2: the seal's rim is read (seal_kind)


@dataclass
class FieldReading:
    value: Any = None
    confidence: float = 0.0
    box: list[int] | None = None
    raw: str | None = None


@dataclass
class LicenceReading:
    uscc: FieldReading = field(default_factory=FieldReading)
    uscc_status: str = "absent"  # ok | corrected | unreadable | absent
    uscc_seen: str | None = None
    name: FieldReading = field(default_factory=FieldReading)
    type: FieldReading = field(default_factory=FieldReading)
    form: FieldReading = field(default_factory=FieldReading)
    legal_rep: FieldReading = field(default_factory=FieldReading)
    registered_capital: FieldReading = field(default_factory=FieldReading)
    registered_capital_wan: float | None = None
    established: FieldReading = field(default_factory=FieldReading)  # value: ISO date
    term: FieldReading = field(default_factory=FieldReading)  # value: raw term text
    term_start: str | None = None
    term_end: str | None = None
    term_long: bool = False
    address: FieldReading = field(default_factory=FieldReading)
    business_scope: FieldReading = field(default_factory=FieldReading)  # 经营范围, the whole paragraph
    ineligible: str | None = None  # why the holder is not an independent legal person
    rotation: int = 0  # degrees the upload was turned counter-clockwise to read it
    image_size: list[int] | None = None
    error: str | None = None
    engine: str = ""
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StatementReading:
    operating_revenue: FieldReading = field(default_factory=FieldReading)  # value in the printed unit
    net_profit: FieldReading = field(default_factory=FieldReading)
    unit: FieldReading = field(default_factory=FieldReading)  # 元 | 千元 | 万元
    period: FieldReading = field(default_factory=FieldReading)  # value: the year
    period_full_year: bool = False
    preparer: FieldReading = field(default_factory=FieldReading)
    seal: FieldReading = field(default_factory=FieldReading)  # value: True/False
    seal_rim: SealText | None = None  # what the reported seal's rim says: its kind, words, owner
    kind: FieldReading = field(default_factory=FieldReading)  # value: 利润表 | 资产负债表 | … | unknown
    rotation: int = 0
    image_size: list[int] | None = None
    error: str | None = None
    engine: str = ""
    elapsed_ms: float = 0.0

    @property
    def factor(self) -> float | None:
        return st.UNITS.get(self.unit.value) if self.unit.value else None

    @property
    def operating_revenue_yuan(self) -> float | None:
        v, f = self.operating_revenue.value, self.factor
        return None if v is None or f is None else round(v * f, 2)

    @property
    def net_profit_yuan(self) -> float | None:
        v, f = self.net_profit.value, self.factor
        return None if v is None or f is None else round(v * f, 2)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["operating_revenue_yuan"] = self.operating_revenue_yuan
        out["net_profit_yuan"] = self.net_profit_yuan
        return out


@dataclass
class PageText:
    """All recognised lines of a page (for proof documents and the baseline)."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    rotation: int = 0
    error: str | None = None


@dataclass
class _Page:
    frame: Frame
    image: np.ndarray  # what crops are cut from (colour or red-as-grey)
    quads: list[np.ndarray]
    lines: list[Line] = field(default_factory=list)


class DocumentReaders:
    def __init__(self, engine: OcrEngine, rules: CodeRules, timeout_s: float = 60.0) -> None:
        self.engine = engine
        self.rules = rules  # the credit code's rules (screening.validators.uscc.CODE_RULES)
        self.version = f"{engine.version}+{READERS_VERSION}"
        # how long the document check waits for one page before it gives the part up
        self.timeout_s = timeout_s

    @classmethod
    def load(cls, rules: CodeRules, engine: str = "rapidocr", timeout_s: float = 60.0, *, threads: int = 0,
             det_dir: str | Path | None = None, rec_dir: str | Path | None = None) -> "DocumentReaders":
        """The readers on engine ``engine``; every argument comes from the settings
        (``screening.resources.load_readers``), none from the environment."""
        return cls(load_engine(engine, threads=threads, det_dir=det_dir, rec_dir=rec_dir), rules, timeout_s)

    # ---- page -----------------------------------------------------------------------------

    def _page(self, rgb: np.ndarray, *, red: bool = False) -> _Page:
        frame = make_frame(rgb)
        quads = self._detect(frame, red)
        if quads and is_vertical(quads):
            frame = turn(frame, 1)
            quads = self._detect(frame, red)
        if quads and self._upside_down(frame, quads, red):
            h, w = frame.image.shape[:2]
            quads = turn_quads(quads, (w, h), 2)
            frame = turn(frame, 2)
        img = red_as_grey(frame.image) if red else frame.image
        return _Page(frame=frame, image=img, quads=quads)

    def _upside_down(self, frame: Frame, quads: list[np.ndarray], red: bool) -> bool:
        """The line classifier on the widest lines; when it hesitates, which way reads better."""
        img = red_as_grey(frame.image) if red else frame.image

        def size(q):
            return float(np.linalg.norm(q[0] - q[1])), float(np.linalg.norm(q[0] - q[3]))

        lines = [q for q in quads if 2.5 * size(q)[1] <= size(q)[0] <= 30 * size(q)[1]]
        lines = sorted(lines or quads, key=lambda q: -size(q)[0])[:8]
        crops = [crop_quad(img, q) for q in lines]
        probs = self.engine.upside_down(crops)
        p = float(np.mean(probs)) if probs else 0.0
        if p >= 0.85 or p <= 0.15:
            return p >= 0.85
        upright = [sc for _, sc in self.engine.recognize(crops[:5])]
        flipped = [sc for _, sc in self.engine.recognize([np.ascontiguousarray(c[::-1, ::-1]) for c in crops[:5]])]
        return float(np.mean(flipped)) > float(np.mean(upright)) + 0.05

    def _detect(self, frame: Frame, red: bool) -> list[np.ndarray]:
        img = red_as_grey(frame.image) if red else frame.image
        small, s = det_copy(img)
        return [q / s for q in self.engine.detect(small)]

    def _recognise(self, page: _Page, quads: list[np.ndarray]) -> list[Line]:
        crops = [crop_quad(page.image, q) for q in quads]
        keep = [i for i, c in enumerate(crops) if c.shape[0] >= 4 and c.shape[1] >= 4]
        texts = self.engine.recognize([crops[i] for i in keep])
        out = []
        for i, (t, sc) in zip(keep, texts):
            if t.strip():
                out.append(Line(quad=quads[i], text=t, score=sc))
        return out

    def _box(self, page: _Page, quad: np.ndarray | None) -> list[int] | None:
        return None if quad is None else page.frame.box_to_original(quad)

    def _rotation(self, page: _Page) -> int:
        return (page.frame.turns % 4) * 90

    # ---- licence --------------------------------------------------------------------------

    def read_licence(self, image: Any) -> LicenceReading:
        t0 = time.perf_counter()
        out = LicenceReading(engine=self.version)
        try:
            rgb = to_rgb_array(image)
        except ImageUnusable as exc:
            out.error = str(exc)
            return out
        out.image_size = [int(rgb.shape[1]), int(rgb.shape[0])]
        page = self._page(rgb)
        wanted, skipped = _skip_unneeded(page.quads, page.frame.image.shape[0])
        page.lines = self._recognise(page, wanted)
        fields, rows = self._licence_fields(page)
        if not _licence_complete(fields) and skipped:
            page.lines += self._recognise(page, skipped)
            fields, rows = self._licence_fields(page)
        if "name" not in fields.hits and "name" in fields.bare:
            self._value_beside_label(page, fields, rows, "name")
        if fields.code is not None and fields.code.status == "unreadable" and len(fields.code.seen) != 18:
            self._code_beside_label(page, fields, rows)
        if fields.code is None or fields.code.status != "ok":
            fields, rows, page = self._licence_red_retry(rgb, page, fields, rows)
        if fields.code is None:
            fields, rows = self._licence_gap_retry(page, fields, rows)
        self._fill_licence(out, page, fields, rows)
        out.elapsed_ms = round((time.perf_counter() - t0) * 1000, 1)
        return out

    def _licence_fields(self, page: _Page) -> tuple[lic.LicenceFields, list[RowText]]:
        rows = [RowText.of(r) for r in group_rows(page.lines)]
        return lic.parse_rows(rows, self.rules), rows

    def _value_beside_label(self, page: _Page, fields: lic.LicenceFields, rows: list[RowText], name: str) -> None:
        """A label with nothing detected after it (a watermark across the value): read that strip."""
        ri, s, e = fields.bare[name]
        label = rows[ri].span_quad(s, e)
        if label is None:
            return
        x1, y0, y1 = float(label[:, 0].max()), float(label[:, 1].min()), float(label[:, 1].max())
        h = max(y1 - y0, 6.0)
        H, W = page.image.shape[:2]
        rx0, rx1 = x1 + 0.2 * h, min(W - 1, x1 + 16 * h)
        ry0, ry1 = max(0, y0 - 0.25 * h), min(H - 1, y1 + 0.25 * h)
        if rx1 - rx0 < 8:
            return
        quad = np.array([[rx0, ry0], [rx1, ry0], [rx1, ry1], [rx0, ry1]], dtype=np.float32)
        crop = crop_quad(page.frame.image, quad)
        variants = [crop, np.ascontiguousarray(np.repeat(crop[:, :, 2:3], 3, axis=2))]
        text, score = max(self.engine.recognize(variants), key=lambda ts: ts[1])
        text = text.strip(" :：")
        if len(text) >= 2 and score >= 0.6:
            line = Line(quad=quad, text=text, score=score)
            page.lines.append(line)
            rows.append(RowText.of([line]))
            fields.hits[name] = lic.Hit(name, text, len(rows) - 1, 0, len(text), score)

    def _code_beside_label(self, page: _Page, fields: lic.LicenceFields, rows: list[RowText]) -> None:
        """The code's line was not detected (a watermark across it): read below and right of its label."""
        row = rows[fields.code_row]
        s, e = fields.code_span
        label = row.span_quad(s, e)
        if label is None or not fields.code.seen == "" and fields.code_row is None:
            return
        x0, y0 = float(label[:, 0].min()), float(label[:, 1].min())
        x1, y1 = float(label[:, 0].max()), float(label[:, 1].max())
        h = max(y1 - y0, 6.0)
        H, W = page.image.shape[:2]
        regions = [
            (x0 - 0.3 * h, y1, x0 + max(1.4 * (x1 - x0), 11 * h), y1 + 1.5 * h),  # below the label
            (x1, y0 - 0.2 * h, x1 + 12 * h, y1 + 0.2 * h),  # right of it
        ]
        best = fields.code
        for rx0, ry0, rx1, ry1 in regions:
            rx0, ry0, rx1, ry1 = max(0, rx0), max(0, ry0), min(W - 1, rx1), min(H - 1, ry1)
            if rx1 - rx0 < 8 or ry1 - ry0 < 6:
                continue
            quad = np.array([[rx0, ry0], [rx1, ry0], [rx1, ry1], [rx0, ry1]], dtype=np.float32)
            crop = crop_quad(page.frame.image, quad)
            # blue overlays vanish in the blue channel, red seals in the red one
            variants = [crop, np.ascontiguousarray(np.repeat(crop[:, :, 2:3], 3, axis=2)), red_as_grey(crop)]
            for (text, score) in self.engine.recognize(variants):
                for _, _, run in codes_runs(text):
                    verdict = lic._judge_run(run, score, self.rules)
                    rank = {"ok": 0, "corrected": 1, "unreadable": 2}
                    if (rank[verdict.status], -len(verdict.seen)) < (rank[best.status], -len(best.seen)):
                        best = verdict
                        page.lines.append(Line(quad=quad, text=text, score=score))
        if best is not fields.code:
            fields.code = best
            # re-point the evidence at the line just added
            new_rows = [RowText.of(r) for r in group_rows(page.lines)]
            for ri, r in enumerate(new_rows):
                for li, l in enumerate(r.lines):
                    if best.seen and best.seen in l.text.upper().replace(" ", ""):
                        rows[:] = new_rows
                        start = r.owner.index(li)
                        fields.code_row, fields.code_span = ri, (start, start + len(l.text))
                        return

    def _licence_red_retry(self, rgb, page, fields, rows):
        """A code under a red seal: read the code's lines again from the red channel."""
        red_img = red_as_grey(page.frame.image)
        redo = [i for i, l in enumerate(page.lines) if sum(ch.isalnum() and ch.isascii() for ch in l.text) >= 8]
        if redo:
            crops = [crop_quad(red_img, page.lines[i].quad) for i in redo]
            texts = self.engine.recognize(crops)
            lines = list(page.lines)
            for i, (t, sc) in zip(redo, texts):
                lines[i] = Line(quad=lines[i].quad, text=t, score=sc)
            trial = _Page(frame=page.frame, image=red_img, quads=page.quads, lines=lines)
            f2, r2 = self._licence_fields(trial)
            if f2.code is not None and f2.code.status == "ok":
                return f2, r2, trial
        if fields.code is None or fields.code.status == "unreadable" and len(fields.code.seen) == 18:
            # the code's line itself was not detected under the seal: detect on the red channel
            red_page = self._page(rgb, red=True)
            red_page.lines = self._recognise(red_page, red_page.quads)
            f3, r3 = self._licence_fields(red_page)
            if f3.code is not None and f3.code.status in ("ok", "corrected") and (
                fields.code is None or fields.code.status != "ok"
            ):
                return f3, r3, red_page
        return fields, rows, page

    def _licence_gap_retry(self, page: _Page, fields: lic.LicenceFields, rows: list[RowText]):
        """No code and no code label anywhere: a line the detector lost on the whole page (an
        overlay stamped across it) is often found when only the band it sits in is searched.
        The unusually tall gaps between rows in the upper part of the page are detected again,
        each on its own, and their lines added."""
        spans = [(float(row.box[0, 1]), float(row.box[2, 1])) for row in rows]
        if len(spans) < 2:
            return fields, rows
        line_h = float(np.median([b - a for a, b in spans]))
        limit = 0.6 * page.image.shape[0]
        added: list[Line] = []
        for (_, above), (below, _) in zip(spans, spans[1:]):
            if below - above < 1.5 * line_h or above > limit:
                continue
            y0, y1 = int(max(0, above)), int(below)
            band = page.image[y0:y1]
            small, s = det_copy(band)
            quads = [q / s + np.array([0.0, y0], dtype=np.float32) for q in self.engine.detect(small)]
            added += self._recognise(page, quads)
        if not added:
            return fields, rows
        page.lines = page.lines + added
        return self._licence_fields(page)

    def _fill_licence(self, out: LicenceReading, page: _Page, fields: lic.LicenceFields, rows: list[RowText]) -> None:
        out.rotation = self._rotation(page)
        if fields.code is not None:
            row = rows[fields.code_row]
            s, e = fields.code_span
            out.uscc = FieldReading(fields.code.value, fields.code.confidence, self._box(page, row.span_quad(s, e)),
                                    row.text[s:e])
            out.uscc_status = fields.code.status
            out.uscc_seen = fields.code.seen
        for name in ("name", "type", "form", "legal_rep", "address"):
            hit = fields.hits.get(name)
            if hit:
                setattr(out, name, self._field(page, rows, hit, hit.value))
        hit = fields.hits.get("scope")
        if hit:
            out.business_scope = self._field(page, rows, hit, hit.value)
        hit = fields.hits.get("capital")
        if hit:
            out.registered_capital = self._field(page, rows, hit, hit.value)
            out.registered_capital_wan = lic.capital_wan(hit.value)
        hit = fields.hits.get("established")
        if hit:
            out.established = self._field(page, rows, hit, lic.parse_date(hit.value))
        hit = fields.hits.get("term")
        if hit:
            out.term = self._field(page, rows, hit, hit.value)
            out.term_start, out.term_end, out.term_long = lic.parse_term(hit.value)
        out.ineligible = lic.ineligible_reason(out.type.value, out.form.value, out.name.value, out.uscc.value)

    def _field(self, page: _Page, rows: list[RowText], hit: lic.Hit, value: Any) -> FieldReading:
        row = rows[hit.row]
        return FieldReading(value, round(hit.score, 4), self._box(page, row.span_quad(hit.start, hit.end)), hit.value)

    # ---- statement ------------------------------------------------------------------------

    def read_statement(self, image: Any) -> StatementReading:
        t0 = time.perf_counter()
        out = StatementReading(engine=self.version)
        try:
            rgb = to_rgb_array(image)
        except ImageUnusable as exc:
            out.error = str(exc)
            return out
        out.image_size = [int(rgb.shape[1]), int(rgb.shape[0])]
        # statements are read from the red channel: audit seals sit on the figures
        page = self._page(rgb, red=True)
        page.lines = self._recognise(page, page.quads)
        rows = [RowText.of(r) for r in group_rows(page.lines)]
        out.rotation = self._rotation(page)
        guide, header = st.find_columns(rows)
        kind, ri, title = st.statement_kind(rows)
        out.kind = FieldReading(kind, round(rows[ri].span_score(0, len(rows[ri].text)), 4) if ri is not None else 0.8,
                                self._box(page, rows[ri].box) if ri is not None else None, title)
        stop = header if header is not None else min(len(rows) - 1, 6)
        rev_at = st.find_item_row(rows, st._REVENUE_ROW, (header or 0))
        body_start = rev_at[0] if rev_at else len(rows)
        head_stop = min(stop, body_start - 1) if header is not None else max(0, body_start - 1)
        for attr, at in (("operating_revenue", rev_at),
                         ("net_profit", st.find_item_row(rows, st._PROFIT_ROW, body_start))):
            if at is None:
                continue
            row = rows[at[0]]
            amt = st.pick_current(st.amounts_in(row, at[1] + 1), row, guide)
            if amt is not None:
                line = row.lines[amt.line]
                setattr(out, attr, FieldReading(amt.value, round(line.score, 4), self._box(page, line.quad), line.text))
        unit, ri, span = st.find_unit(rows, head_stop)
        if unit:
            out.unit = FieldReading(unit, round(rows[ri].span_score(*span), 4),
                                    self._box(page, rows[ri].span_quad(*span)), rows[ri].text[span[0]:span[1]])
        else:
            out.unit = self._unit_beside_header(page, rows, head_stop)
        year, full, ri, span = st.find_period(rows, head_stop)
        if year:
            out.period = FieldReading(year, round(rows[ri].span_score(*span), 4),
                                      self._box(page, rows[ri].span_quad(*span)), rows[ri].text[span[0]:span[1]])
            out.period_full_year = full
        name, ri, span = st.find_preparer(rows, head_stop)
        if name:
            out.preparer = FieldReading(name, round(rows[ri].span_score(*span), 4),
                                        self._box(page, rows[ri].span_quad(*span)), name)
        seals = find_red_seals(page.frame.image)
        if seals:
            # every seal's rim is read (a page may carry the firm's and the entity's); the one of
            # the most acceptable kind is reported (ocr.seal_text.KIND_RANK)
            reads = [(box, conf, read_seal(self.engine, page.frame.image, box))
                     for box, conf in sorted(seals, key=lambda s: -s[1])[:MAX_SEALS_READ]]
            box, conf, rim = min(reads, key=lambda r: (KIND_RANK[r[2].kind], -r[1]))
            quad = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]], dtype=np.float32)
            out.seal = FieldReading(True, round(conf, 4), self._box(page, quad), None)
            out.seal_rim = rim
        else:
            out.seal = FieldReading(False, 0.8, None, None)
        out.elapsed_ms = round((time.perf_counter() - t0) * 1000, 1)
        return out

    def _unit_beside_header(self, page: _Page, rows: list[RowText], head_stop: int) -> FieldReading:
        """"单位：元" the detector missed (a watermark across it, perspective): it stands at the
        right end of the preparer's or the period's row in every layout we know, so that band
        is recognised as one crop, without detection. Confidence is lowered: nothing but the
        band's position says it belongs to the header."""
        candidates = [st.find_preparer(rows, head_stop)[1], st.find_period(rows, head_stop)[2]]
        width = page.image.shape[1]
        for ri in dict.fromkeys(r for r in candidates if r is not None):
            box = rows[ri].box
            y0, y1, x0 = float(box[0, 1]), float(box[2, 1]), float(box[2, 0])
            pad = 0.3 * (y1 - y0)
            if width - x0 < 2 * (y1 - y0):
                continue  # the row already reaches the right edge
            band = np.array([[x0, y0 - pad], [width, y0 - pad], [width, y1 + pad], [x0, y1 + pad]], dtype=np.float32)
            crop = crop_quad(page.image, band)
            if crop.shape[0] < 4 or crop.shape[1] < 4:
                continue
            (text, score), = self.engine.recognize([crop])
            unit = st.unit_in(text)
            if unit:
                return FieldReading(unit, round(0.8 * score, 4), self._box(page, band), text)
        return FieldReading()

    # ---- any page -------------------------------------------------------------------------

    def read_seals(self, image: Any) -> PageSeals:
        """The seals on a page and what their rims say (ocr.seal_text.read_page_seals)."""
        return read_page_seals(self.engine, image)

    def read_text(self, image: Any) -> PageText:
        """Every line of a page, top to bottom (proof documents, certificates)."""
        try:
            rgb = to_rgb_array(image)
        except ImageUnusable as exc:
            return PageText(error=str(exc))
        page = self._page(rgb)
        page.lines = self._recognise(page, page.quads)
        rows = group_rows(page.lines)
        lines = [{"text": l.text, "confidence": round(l.score, 4), "box": self._box(page, l.quad)}
                 for row in rows for l in row]
        return PageText(lines=lines, rotation=self._rotation(page))


def _licence_complete(fields: lic.LicenceFields) -> bool:
    return fields.code is not None and fields.code.status == "ok" and "name" in fields.hits and (
        "type" in fields.hits or "form" in fields.hits)


def _skip_unneeded(quads: list[np.ndarray], page_height: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Lines no licence field needs: the footer band and giant title glyphs. (经营范围's body is
    a field now, the business scope: its paragraph is read.)"""
    if len(quads) < 6:
        return quads, []
    heights = sorted(float(np.linalg.norm(q[0] - q[3])) for q in quads)
    median = heights[len(heights) // 2]
    keep, drop = [], []
    for q in quads:
        cy = float(q[:, 1].mean())
        h = float(np.linalg.norm(q[0] - q[3]))
        (drop if cy > 0.88 * page_height or h > 2.5 * median else keep).append(q)
    return keep, drop

