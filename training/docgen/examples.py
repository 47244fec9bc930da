"""The sample filing shipped under ``examples/``: a submission whose entity matches a rendered
business licence and 利润表, with a signed integrity pledge (README's curl example sends exactly
these four files).

    python -m training.docgen.examples examples/

The licence's seed is the first that draws a limited company under that very name; the
statement's seed is the first that draws a revenue of 10–100 million yuan with a profit,
so the form's other figures (CONTRACT.md's example entity) stay consistent with it.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

from .draw import seal, wrap
from .entities import Entity
from .fonts import font
from .licence import render_licence
from .statement import render_statement

ENTITY = Entity("深圳市雄楚速通国际物流有限公司", "91440300MA5H3E0T3W")
YEAR = 2025  # the statement's year: the year before the submission date below
SUBMITTED_AT = "2026-03-10T10:00:00+08:00"


PLEDGE = ("本单位承诺：在国家专利密集型产品备案认定试点平台填报的单位信息、产品信息及上传的证明材料"
          "真实、准确、完整，不存在虚假记载、误导性陈述或重大遗漏；如有不实，本单位愿承担相应责任。")


def render_pledge(entity: Entity, signed: str, seal_words: str | None = None) -> Image.Image:
    """A plain signed and sealed 诚信承诺书 page (the third upload real-name verification needs);
    ``seal_words``: what the seal says (default: the entity's name, its official seal; "" for none)."""
    w, h = 1240, 1754
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.text((w // 2, 200), "诚信承诺书", font=font(72, "bold"), fill=(20, 20, 20), anchor="mm")
    y = 360
    for line in wrap(PLEDGE, 36, w - 240):
        d.text((120, y), line, font=font(36), fill=(20, 20, 20))
        y += 60
    d.text((w - 120, y + 200), f"承诺单位（盖章）：{entity.name}", font=font(32), fill=(20, 20, 20), anchor="rm")
    d.text((w - 120, y + 270), signed, font=font(32), fill=(20, 20, 20), anchor="rm")
    if seal_words != "":
        seal(img, w - 320, y + 230, 130, entity.name if seal_words is None else seal_words, random.Random(0))
    return img


def build(out_dir: str | Path) -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for seed in range(1000):  # the generator also draws partnerships and sole traders: a company's licence
        licence, lt = render_licence(random.Random(seed), "paper", entity=ENTITY, damage=[])
        if not lt["ineligible"] and lt["name"] == ENTITY.name:
            break
    licence.convert("RGB").save(out / "licence.jpg", quality=80)
    for seed in range(1000):
        statement, truth = render_statement(random.Random(seed), "standard", entity=ENTITY, year=YEAR, unit="元",
                                            sealed=True, damage=[])
        if 1e8 <= truth["operating_revenue_yuan"] * 10 <= 1e9 and truth["net_profit_yuan"] > 0:
            break
    statement.quantize(colors=32).save(out / "statement.png", optimize=True)  # a rendered page: 32 colours suffice
    render_pledge(ENTITY, "2026年3月9日").quantize(colors=16).save(out / "pledge.png", optimize=True)
    submission = {
        "submission_id": "2026-E-000001",
        "stage": "entity",
        "submitted_at": SUBMITTED_AT,
        "entity": {
            "uscc": ENTITY.uscc, "name": ENTITY.name, "kind": "enterprise", "figures_year": YEAR,
            "figures_wan": {
                "total_cost": 5200.0, "ip_investment": 310.0,
                "net_profit": round(truth["net_profit_yuan"] / 1e4, 2),
                "operating_revenue": round(truth["operating_revenue_yuan"] / 1e4, 2),
                "total_product_sales": 6500.0, "fixed_assets": 2100.0, "total_output": 7000.0,
                "selling_expense": 300.0, "admin_expense": 420.0, "finance_expense": 35.0,
                "patent_assets": 450.0, "total_assets": 12000.0,
            },
            "employees": 230,
        },
        "documents": [{"kind": "business_licence", "file": "licence.jpg"},
                      {"kind": "profit_statement", "file": "statement.png"},
                      {"kind": "integrity_pledge", "file": "pledge.png"}],
    }
    (out / "submission.json").write_text(json.dumps(submission, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return submission


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "examples")
