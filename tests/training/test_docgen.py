from __future__ import annotations

import json
import random

import pytest

from training.docgen import LICENCE_LAYOUTS, STATEMENT_LAYOUTS, generate_set, render_licence, render_statement
from training.docgen.entities import check_char, generated_code, pick_entity
from training.docgen.fonts import available

pytestmark = pytest.mark.skipif(not available(), reason="fonts-noto-cjk not installed")


def test_generated_codes_validate():
    from screening.validators.uscc import validate_uscc

    rng = random.Random(1)
    for _ in range(50):
        assert validate_uscc(generated_code(rng)).valid


def test_entities_splits_disjoint(realdata):
    a = {pick_entity(random.Random(i), "eval").uscc for i in range(200)}
    b = {pick_entity(random.Random(i), "train").uscc for i in range(200)}
    assert not a & b
    assert all(check_char(c[:17]) == c[17] for c in a | b)


@pytest.mark.parametrize("layout", LICENCE_LAYOUTS)
def test_licence_truth(layout):
    img, truth = render_licence(random.Random(2), layout, damage=["rot90", "jpeg", "overlay"])
    assert img.height > img.width if layout != "vertical" else img.width > img.height  # turned by 90°
    assert truth["layout"] == layout and len(truth["uscc"]) == 18 and truth["name"]


@pytest.mark.parametrize("layout", STATEMENT_LAYOUTS)
@pytest.mark.parametrize("unit", ["元", "千元", "万元"])
def test_statement_truth(layout, unit):
    img, truth = render_statement(random.Random(3), layout, unit=unit, damage=[])
    factor = {"元": 1, "千元": 1_000, "万元": 10_000}[unit]
    assert truth["operating_revenue_yuan"] == pytest.approx(truth["operating_revenue"] * factor, abs=0.01 * factor)
    assert img.size == (1240, 1754)


def test_generate_set(tmp_path):
    labels = generate_set(tmp_path, n=4, seed=9)
    rows = [json.loads(l) for l in labels.read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in rows] == ["business_licence", "profit_statement"] * 2
    assert all((tmp_path / r["file"]).is_file() for r in rows)
