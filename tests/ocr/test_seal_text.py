"""A seal's rim read into words and its kind: stated words only, never a guess."""

from __future__ import annotations

import random

import pytest

from ocr.preprocess import to_rgb_array
from ocr.seal_text import read_seal, seal_kind, unroll_rim
from training.docgen.fonts import available
from training.docgen.statement import render_statement


@pytest.mark.parametrize("text,score,kind,purpose", [
    ("深圳华信会计师事务所", 0.99, "audit", None),
    ("太原华誠鑫计师事多所", 0.83, "audit", None),  # 务 misread: 计师事 still says it
    ("上海华轻溪出经纪有限公司财务专用章", 0.97, "finance", None),
    ("新郑市德泰源聚塑制品有限公司財务专用章", 0.94, "finance", None),  # traditional 財
    ("宜民投资集有限司财专用章", 0.83, "finance", None),  # 务 lost: 财 before 专用章
    ("某某有限公司财务章", 0.9, "finance", None),
    ("吉林市金山科技开发有限公司合局专用章", 0.99, "purpose", "合同"),  # one character of 合同 misread
    ("中国石化销售有限公司安徽六安发票专用章", 0.99, "purpose", "发票"),
    ("四会市市场监督管理局", 1.0, "authority", None),
    ("上海毅嘉享文化传播有限公司", 0.99, "official", None),
    # not stated, so not judged: a name read unsurely, a name with noise after it, a purpose
    # word that fits two purposes (能务: 财务 or 业务), a rim read in pieces
    ("上海毅嘉享文化传播有限公司", 0.7, "unknown", None),
    ("中国人寿保险股份有限公司彭州市支公司福", 0.96, "unknown", None),
    ("北京市自泉水象的泰州考水外理能务专用康", 0.72, "unknown", None),
    ("新阳靠据有限安案", 0.55, "unknown", None),
    ("", 0.0, "unknown", None),
])
def test_kind_from_the_rims_words(text, score, kind, purpose):
    assert seal_kind(text, score) == (kind, purpose)


@pytest.mark.skipif(not available(), reason="fonts-noto-cjk not installed")
def test_the_rim_unrolls_into_one_upright_line(readers):
    img, truth = render_statement(random.Random(2), "standard", sealed=True, damage=[], seal_kind="contract")
    rgb = to_rgb_array(img)
    strip = unroll_rim(rgb, truth["seal_box"])
    assert strip.ndim == 2 and strip.shape[1] > 6 * strip.shape[0]  # a long line, not a disc
    assert (strip < 128).mean() > 0.05  # the red ink became dark text
    read = read_seal(readers.engine, rgb, truth["seal_box"])
    assert read.kind == "purpose" and read.purpose == "合同" and read.text.endswith("合同专用章"), read
    assert read.text.startswith(truth["preparer"][:4])
    # black print alone (the statement's table) holds no red ink: an empty line, not text
    blank = unroll_rim(rgb, [100, 300, 340, 540])
    assert (blank < 128).mean() < 0.01


@pytest.mark.parametrize("text,kind,owner", [
    ("上海华轻溪出经纪有限公司财务专用章", "finance", "上海华轻溪出经纪有限公司"),
    ("某某有限公司财务章", "finance", "某某有限公司"),
    ("吉林市金山科技开发有限公司合局专用章", "purpose", "吉林市金山科技开发有限公司"),
    ("上海毅嘉享文化传播有限公司", "official", "上海毅嘉享文化传播有限公司"),
    ("财务专用章", "finance", None),  # nothing before the purpose
    ("深圳华信会计师事务所", "audit", None),  # the firm's, not an entity's own seal
])
def test_the_owner_is_the_rim_before_its_purpose(text, kind, owner):
    from ocr.seal_text import owner_of

    assert owner_of(text, kind) == owner


def test_an_empty_box_reads_nothing(readers):
    import numpy as np

    rgb = np.full((200, 200, 3), 255, np.uint8)
    read = read_seal(readers.engine, rgb, [50, 50, 50, 50])
    assert read.kind == "unknown"


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_seal_on_a_page_lying_sideways_is_still_read(readers, turns):
    """A photographed pledge is not turned upright before its seals are read."""
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from ocr.seal_text import read_page_seals

    pledge = np.asarray(Image.open(Path(__file__).resolve().parents[2] / "examples" / "pledge.png").convert("RGB"))
    seals = read_page_seals(readers.engine, np.ascontiguousarray(np.rot90(pledge, turns))).seals
    assert len(seals) == 1 and seals[0][2].kind == "official", seals
