"""The red seal detector: large, faded and touching seals are found; red text and rules are not."""

from __future__ import annotations

import random

import pytest
from PIL import ImageDraw

from ocr.preprocess import to_rgb_array
from ocr.seals import find_red_seals
from training.docgen import render_statement
from training.docgen.draw import seal
from training.docgen.fonts import available, font

pytestmark = pytest.mark.skipif(not available(), reason="fonts-noto-cjk not installed")
STATEMENTS = "doc_images/financial_statements"
RED = (210, 30, 35)


def _iou(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _red_ink(img):
    """Red ink that is not a seal: a red heading, a red frame, a red rule, a five-line block of
    red notes and two large red characters."""
    d = ImageDraw.Draw(img)
    d.text((100, 30), "审计调整后金额 以红字标注", font=font(40), fill=RED)
    d.rectangle([640, 300, 1160, 700], outline=RED, width=4)
    d.line([(90, 900), (1150, 900)], fill=RED, width=3)
    for i in range(5):
        d.text((700, 1500 + i * 40), f"红字说明第{i + 1}行：本表数据已复核无误", font=font(30), fill=RED)
    d.text((200, 1560), "已核", font=font(90), fill=RED)
    return img


@pytest.mark.slow  # renders and reads two pages: 2–5 s
def test_a_large_seal_is_found_and_its_clean_twin_with_red_ink_has_none():
    clean, _ = render_statement(random.Random(501), sealed=False, damage=[])
    twin = _red_ink(clean.copy())
    assert find_red_seals(to_rgb_array(clean)) == []
    assert find_red_seals(to_rgb_array(twin)) == []  # precision: red text, frames and rules are no seal
    stamped = twin.copy()
    truth = seal(stamped, 600, 900, 450, "某某会计师事务所有限公司审计专用章", random.Random(1), alpha=120)
    found = find_red_seals(to_rgb_array(stamped))
    assert len(found) == 1 and _iou(found[0][0], truth) > 0.9


def test_a_seal_touching_red_overlay_text_is_found():
    """A "仅供备案使用" overlay written in red across the seal's rim makes one red blob of both."""
    img, _ = render_statement(random.Random(502), sealed=False, damage=[])
    truth = seal(img, 500, 900, 110, "某某有限公司财务专用章", random.Random(2), alpha=160)
    ImageDraw.Draw(img).text((560, 840), "仅供备案使用", font=font(110), fill=(225, 120, 120))
    found = find_red_seals(to_rgb_array(img))
    assert len(found) == 1 and _iou(found[0][0], truth) > 0.8, found


def test_two_faded_seals_on_the_real_scanned_settlement_statement(realdata):
    path = realdata / STATEMENTS / "RapidAI_TableStructureRec_wired_squeeze_error_scanned_settlement_statement.jpeg"
    if not path.exists():
        pytest.skip(f"{path.name} is absent")
    found = sorted(box for box, _ in find_red_seals(to_rgb_array(path)))
    # the two pale-pink round seals at the foot of the page (boxes read by eye, 2338x1654 px)
    assert len(found) == 2
    assert _iou(found[0], [640, 1245, 955, 1560]) > 0.8
    assert _iou(found[1], [1548, 1248, 1866, 1563]) > 0.8


def test_the_real_balance_sheet_without_seal_has_none(realdata):
    path = realdata / STATEMENTS / "RapidAI_TableStructureRec_wired_table6_balance_sheet.png"
    if not path.exists():
        pytest.skip(f"{path.name} is absent")
    assert find_red_seals(to_rgb_array(path)) == []
