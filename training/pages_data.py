"""Generated stored submissions for the reviewer pages: a small realistic queue and a bulk one.

``seed_realistic(store)`` records a few filings whose pages show every kind of evidence (a
licence image with a read box, a product photo, a duplicate, a unit error); ``seed_many(store, n)``
records ``n`` plain ones spread over stages and days. Reports are built from the contract's
dataclasses and recorded through ``Store.record_screening``, like any screening. The web tests
build their pages from them and ``prescreen eval bench-pages`` its full queue.
"""

from __future__ import annotations

import io
import random
import sys
from datetime import datetime, timedelta, timezone

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_INDEX = 2  # the SC face of the collection
FORM_USCC = "91440300MA5H3E0T3W"
READ_USCC = "91440300MA5H3E0T3X"  # what the licence image says: one character off


# ---------------------------------------------------------------- documents
def licence_image(uscc: str = READ_USCC, name: str = "深圳市雄楚速通国际物流有限公司") -> tuple[bytes, dict[str, list[int]]]:
    """A business-licence-like PNG and the pixel boxes [x0, y0, x1, y1] of what is printed on it
    ("uscc", "name", "term")."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = 1240, 874
    img = Image.new("RGB", (w, h), (250, 247, 238))
    d = ImageDraw.Draw(img)
    d.rectangle([18, 18, w - 18, h - 18], outline=(170, 40, 30), width=10)
    d.rectangle([34, 34, w - 34, h - 34], outline=(190, 150, 80), width=3)

    def font(size):
        try:
            return ImageFont.truetype(FONT, size, index=FONT_INDEX)
        except OSError:  # no CJK font: the layout still holds, the glyphs do not matter to the box
            return ImageFont.load_default(size)

    title, small, body = font(72), font(26), font(30)
    d.text((w / 2, 120), "营 业 执 照", font=title, fill=(170, 30, 20), anchor="mm")
    d.text((80, 210), "统一社会信用代码", font=small, fill=(40, 40, 40))
    code_xy = (80, 248)
    d.text(code_xy, uscc, font=body, fill=(20, 20, 20))
    x0, y0, x1, y1 = d.textbbox(code_xy, uscc, font=body)
    rows = [("名　　称", name), ("类　　型", "有限责任公司（自然人投资或控股）"), ("法定代表人", "陈雄楚"),
            ("经营范围", "国际货运代理；家用电器研发、制造与销售"), ("成立日期", "2017年03月15日"),
            ("营业期限", "2017年03月15日 至 2047年03月14日"), ("住　　所", "深圳市南山区粤海街道科技园路8号")]
    y = 340
    boxes = {}
    for label, value in rows:
        d.text((300, y), label, font=body, fill=(40, 40, 40))
        d.text((500, y), value, font=body, fill=(20, 20, 20))
        boxes[label] = list(d.textbbox((500, y), value, font=body))
        y += 56
    d.ellipse([930, 640, 1130, 840], outline=(200, 30, 30), width=6)
    d.text((1030, 740), "登记机关", font=small, fill=(200, 30, 30), anchor="mm")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    pad = 6
    grow = lambda b: [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]  # noqa: E731
    return buf.getvalue(), {"uscc": grow([x0, y0, x1, y1]), "name": grow(boxes["名　　称"]),
                            "term": grow(boxes["营业期限"])}


def sideways_licence(uscc: str = FORM_USCC, name: str = "广州市穗新材料科技有限公司") -> tuple[bytes, dict[str, list[int]]]:
    """The licence scanned sideways (turned 90° clockwise) and its boxes in the upload's own
    pixels: the reader turns it back 90° counter-clockwise to read it (``rotation`` 90)."""
    from PIL import Image

    data, boxes = licence_image(uscc, name)
    upright = Image.open(io.BytesIO(data))
    h = upright.height
    buf = io.BytesIO()
    upright.rotate(-90, expand=True).save(buf, "PNG")
    # (x, y) upright -> (h - y, x) in the clockwise-turned upload
    return buf.getvalue(), {k: [h - b[3], b[0], h - b[1], b[2]] for k, b in boxes.items()}


def photo_image(color=(90, 120, 160), label: str = "BCD-520W") -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (235, 235, 235))
    d = ImageDraw.Draw(img)
    d.rectangle([220, 60, 420, 440], fill=color, outline=(40, 40, 40), width=4)
    d.line([220, 200, 420, 200], fill=(40, 40, 40), width=4)
    d.rectangle([395, 110, 405, 170], fill=(220, 220, 220))
    d.text((250, 450), label, fill=(30, 30, 30))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


# ---------------------------------------------------------------- forms and reports
def make_form(submission_id: str, stage: str, submitted_at: datetime, *, product_name: str = "雄楚家用电冰箱",
          entity_name: str = "深圳市雄楚速通国际物流有限公司", documents: list[dict] | None = None) -> dict:
    form = {
        "submission_id": submission_id, "stage": stage, "submitted_at": submitted_at.isoformat(),
        "entity": {
            "uscc": FORM_USCC, "name": entity_name, "kind": "enterprise", "figures_year": 2025,
            "figures_wan": {"total_cost": 5200.0, "ip_investment": 310.0, "net_profit": 820.0,
                            "operating_revenue": 6890.5, "total_product_sales": 6500.0, "total_assets": 12000.0},
            "employees": 230,
        },
        "documents": documents or [],
    }
    if stage != "entity":
        form["product"] = {
            "name": product_name, "models": ["BCD-520W"], "trademark": "雄楚",
            "category": {"code": "3951010100", "name": "家用电冰箱"},
            "industry": {"code": "C3851", "name": "家用制冷电器具制造"},
            "intro": "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构。",
            "figures_wan": {"sales": 2300.0, "export": 0.0, "profit": 310.0},
            "patents": [{"number": "CN201710601862.3", "core": True, "litigated": False,
                         "holder": entity_name}],
        }
    return form


def make_report(submission_id: str, findings, score: float, status: str = "complete", duplicates=None,
                extracted: dict | None = None, p_reject: float | None = None):
    from screening.contract import Priority, Report
    from screening.priority import p_reject_prior

    p, reasons = p_reject_prior(findings)
    p = p if p_reject is None else p_reject
    return Report(submission_id=submission_id, status=status,
                  priority=Priority(score=round(score, 2), p_reject=round(p, 4), reasons=reasons[:6]),
                  findings=list(findings), duplicates=list(duplicates or []), extracted=extracted or {},
                  models={"name-tagger": "2026.11.1"}, timings_ms={"total": 812.0})


def make_finding(code: str, field: str | None, message: str, evidence: dict | None = None, confidence: float = 0.9,
             source: str = "rules"):
    from screening.codes import severity_of
    from screening.contract import Finding

    return Finding(code=code, severity=severity_of(code).value, field=field, message=message,
                   evidence=evidence or {}, confidence=confidence, source=source)


def seed_realistic(store, *, now: datetime | None = None) -> dict:
    """A small queue of realistic filings; the top one has NAME_BRAND and a licence box.

    Returns {"top": id, "next": id, "box": [x0, y0, x1, y1], "ids": [...in queue order]}."""
    from screening.contract import DuplicateRef
    from screening.parsing import parse_decision, parse_submission
    from screening.pipeline import UploadedFile

    from screening.priority import BEIJING, PRESSURE_WEIGHT, P_WEIGHT, time_pressure

    now = now or datetime.now(timezone.utc)

    def report(sid, stage, submitted, findings, score, **kw):
        # the queue orders by p_reject and today's time pressure; choose p so that today's score
        # is ``score`` (20..80 is reachable at any pressure), whatever weekday the tests run on
        pressure = time_pressure(stage, submitted.astimezone(BEIJING), now.astimezone(BEIJING))
        p = (score / 100 - PRESSURE_WEIGHT * pressure) / P_WEIGHT
        return make_report(sid, findings, score, p_reject=round(p, 4), **kw)

    licence, boxes = licence_image()
    box = boxes["uscc"]
    from screening.money import format_money
    from screening.validators.uscc import validate_uscc

    read = {"business_licence": {
        "file": "licence.png",
        "uscc": {"value": READ_USCC, "confidence": 0.97, "box": box, "raw": READ_USCC},
        "uscc_status": "ok",
        "name": {"value": "深圳市雄楚速通国际物流有限公司", "confidence": 0.95, "box": boxes["name"]},
        "term": {"value": "2017年03月15日 至 2047年03月14日", "confidence": 0.93, "box": boxes["term"]},
        "term_end": "2047-03-14", "term_long": False, "rotation": 0, "image_size": [1240, 874], "engine": "rapidocr",
    }, "uscc": validate_uscc(FORM_USCC).to_dict(),
        "files": {"licence.png": {"document": "business_licence", "detected": "png", "size": 48213}}}
    photo = photo_image()
    # the earlier filing the top one duplicates
    other = "2025-P-004411"
    store.record_screening(parse_submission(make_form(other, "product", now - timedelta(days=40),
                                                  documents=[{"kind": "product_photo", "file": "photo.jpg"}])),
                           {"photo.jpg": UploadedFile("photo.jpg", photo)},
                           make_report(other, [], 3.0), actor="seed")
    store.record_decision(other, parse_decision({"decision": "approved"}), actor="seed")

    top = "2026-P-000123"
    docs = [{"kind": "business_licence", "file": "licence.png"}, {"kind": "product_photo", "file": "photo.jpg"}]
    findings = [
        make_finding("NAME_BRAND", "product.name", "产品名称含有品牌商标“雄楚”",
                 {"span": [0, 2], "text": "雄楚", "suggestion": "家用电冰箱"}, 0.94, "name-tagger@2026.11.1"),
        make_finding("LICENCE_USCC_MISMATCH", "entity.uscc",
                 f"营业执照上的统一社会信用代码 {READ_USCC} 与填写的 {FORM_USCC} 不一致",
                 {"document": "business_licence", "file": "licence.png", "box": box, "read": READ_USCC,
                  "form": FORM_USCC, "rule": "营业执照中显示的统一社会信用代码应当与在平台上填写的一致"},
                 0.97, "ocr-licence@2026.11.1"),
        # as screening.checks.duplicates reports it: both sides (Filing.side()), the signals, the drivers
        make_finding("DUPLICATE_FILING", "product.name",
                 f"与本单位已提交的产品“雄楚家用电冰箱”（{other}，型号BCD-520W）疑似同一产品（相似度0.91）",
                 {"score": 0.91,
                  "other": {"submission_id": other, "stage": "product", "product_name": "雄楚家用电冰箱",
                            "models": ["BCD-520W"], "entity_name": "深圳市雄楚速通国际物流有限公司",
                            "entity_uscc": FORM_USCC, "patents": ["2017106018623"], "file": "photo.jpg"},
                  "this": {"submission_id": top, "stage": "product", "product_name": "雄楚家用电冰箱",
                           "models": ["BCD-520W"], "entity_name": "深圳市雄楚速通国际物流有限公司",
                           "entity_uscc": FORM_USCC, "patents": ["2017106018623", "2019205551234"],
                           "file": "photo.jpg"},
                  "signals": {"cosine": 0.97, "name_equal": 1.0, "name_jaccard": 1.0, "intro_jaccard": 0.82,
                              "intro_missing": 0.0, "model_same": 1.0, "model_variant": 0.0, "model_different": 0.0,
                              "model_unknown": 0.0, "patent_shared": 1.0, "patent_jaccard": 0.5,
                              "patent_missing": 0.0, "same_entity": 1.0, "photo_copy": 1.0, "photo_distance": 0.03,
                              "photo_missing": 0.0, "generation_differs": 0.0},
                  "drivers": [["cosine*model_same", 1.84], ["patent_shared*likeness", 1.52], ["cosine", 1.21],
                              ["same_entity", -0.61], ["photo_copy", 0.44]]},
                 0.91, "pair-scorer@2026.12.2"),
        make_finding("NAME_ADJECTIVE", "product.name", "产品名称含有修饰性用语", {"span": [2, 4], "text": "家用"}, 0.41,
                 "name-tagger@2026.11.1"),
    ]
    store.record_screening(
        parse_submission(make_form(top, "product", now - timedelta(days=4), documents=docs)),
        {"licence.png": UploadedFile("licence.png", licence), "photo.jpg": UploadedFile("photo.jpg", photo)},
        report(top, "product", now - timedelta(days=4), findings, 79.0, extracted=read,
               duplicates=[DuplicateRef(other, 0.91, "雄楚家用电冰箱", "深圳市雄楚速通国际物流有限公司")]),
        actor="seed")

    nxt = "2026-E-000088"
    sideways, turned = sideways_licence()
    nxt_form = make_form(nxt, "entity", now - timedelta(days=2), entity_name="广州市穗新材料科技有限公司",
                         documents=[{"kind": "business_licence", "file": "licence-scan.png"}])
    nxt_form["entity"]["figures_wan"]["operating_revenue"] = 68905000.0  # the 元 figure typed into 万元
    store.record_screening(
        parse_submission(nxt_form), {"licence-scan.png": UploadedFile("licence-scan.png", sideways)},
        report(nxt, "entity", now - timedelta(days=2),
               [make_finding("STATEMENT_UNIT_ERROR", "entity.figures_wan.operating_revenue",
                             f"填写的营业收入{format_money(68905000.0)}与利润表营业收入68,905,000（单位：元）"
                             "相差恰好10,000倍，疑似未换算为万元",
                             {"document": "profit_statement", "read": "68,905,000", "form": 68905000.0,
                              "statement_yuan": 68905000.0, "factor": 10000, "unit": "元",
                              "suggestion": "6890.5"}, 0.88)], 72.0,
               extracted={"business_licence": {
                   "file": "licence-scan.png", "rotation": 90, "uscc_status": "ok",
                   "uscc": {"value": FORM_USCC, "confidence": 0.96, "box": turned["uscc"]},
                   "name": {"value": "广州市穗新材料科技有限公司", "confidence": 0.94, "box": turned["name"]},
                   "term": {"value": "2017年03月15日 至 2047年03月14日", "confidence": 0.9, "box": turned["term"]}},
                   "profit_statement": {"operating_revenue_yuan": 68905000.0, "net_profit_yuan": 8200000.0,
                                        "unit": "元", "period_year": 2025, "period_full_year": True,
                                        "preparer": "广州市穗新材料科技有限公司", "sealed": True},
                   "uscc": validate_uscc(FORM_USCC).to_dict()}),
        actor="seed")
    rest = []
    for i, (stage, code, days, score) in enumerate([
        ("product", "NAME_TOO_BROAD", 1, 60.0), ("annual_update", "SALES_ZERO", 13, 55.0),  # 9 working days: overdue
        ("entity", "LICENCE_EXPIRED", 3, 50.0), ("product", None, 0.2, 21.0),
    ]):
        sid = f"2026-{'PEA'[('product', 'entity', 'annual_update').index(stage)]}-0002{i:02d}"
        fs = [make_finding(code, "product.name" if code and code.startswith("NAME") else None,
                       "示例问题", {}, 0.8)] if code else []
        store.record_screening(parse_submission(make_form(sid, stage, now - timedelta(days=days))), {},
                               report(sid, stage, now - timedelta(days=days), fs, score), actor="seed")
        rest.append(sid)
    return {"top": top, "next": nxt, "box": box, "other": other, "ids": [top, nxt, *rest], "overdue": rest[1],
            "turned_box": turned["uscc"]}


BULK_CODES = ["NAME_BRAND", "NAME_TOO_BROAD", "NAME_ADJECTIVE", "NAME_HAS_SPEC", "STATEMENT_REVENUE_MISMATCH",
              "STATEMENT_UNIT_ERROR", "LICENCE_USCC_MISMATCH", "PATENT_NUMBER_INVALID", "DUPLICATE_FILING",
              "SALES_ZERO", "INTRO_OFF_TOPIC", "MODEL_VAGUE"]


def seed_many(store, n: int, *, seed: int = 7, now: datetime | None = None, progress: bool = False) -> None:
    """``n`` stored submissions with 0–4 findings each, spread over three stages and 20 days."""
    from tqdm import tqdm

    from screening.parsing import parse_submission

    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    stages = ["product"] * 6 + ["entity"] * 3 + ["annual_update"]
    for i in tqdm(range(n), desc="seeding", disable=not progress, file=sys.stderr):
        stage = rng.choice(stages)
        sid = f"B-{stage[0].upper()}-{i:06d}"
        findings = [make_finding(code, "product.name" if code.startswith("NAME") else None, "批量示例问题",
                             {"span": [0, 2]} if code.startswith("NAME") else {}, round(rng.uniform(0.4, 0.99), 2))
                    for code in rng.sample(BULK_CODES, rng.randint(0, 4))]
        form = make_form(sid, stage, now - timedelta(hours=rng.uniform(0, 480)), product_name=f"样品{i}号电冰箱")
        store.record_screening(parse_submission(form), {}, make_report(sid, findings, rng.uniform(0, 90)), actor="bench")
