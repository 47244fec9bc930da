"""The committed text models on DOMAIN.md's own examples."""

from __future__ import annotations

import pytest

from models.text_screener import TextScreener
from screening.contract import CodeName, Product


@pytest.fixture(scope="module")
def screener():
    return TextScreener.load_default()


def codes(screener, name, trademark=None):
    return {f.code: f for f in screener.analyse_names([name], [trademark])[0].findings}


@pytest.mark.parametrize("name, trademark, code, suggestion", [
    ("海尔电冰箱", None, "NAME_BRAND", "电冰箱"),
    ("雄楚电冰箱", "雄楚", "NAME_BRAND", "电冰箱"),
    ("9英寸手机屏幕", None, "NAME_HAS_SPEC", "手机屏幕"),
    ("制冷效果好的冰箱", None, "NAME_ADJECTIVE", "冰箱"),
    ("新型高端电饭煲", None, "NAME_ADJECTIVE", "电饭煲"),
    ("一种椅子等家具", None, "NAME_VAGUE_WORDING", "椅子"),
    ("一种含有乳酸菌的碳酸饮料", None, "NAME_PATENT_TITLE", "碳酸饮料"),
])
def test_span_codes_carry_span_and_suggestion(screener, name, trademark, code, suggestion):
    found = codes(screener, name, trademark)
    assert code in found, found
    ev = found[code].evidence
    assert ev["suggestion"] == suggestion
    a, b = ev["span"]
    assert name[a:b] == ev["text"]


@pytest.mark.parametrize("name, code", [
    ("数据处理方法", "NAME_METHOD"),
    ("一种可旋转拍摄的手机的制造方法", "NAME_METHOD"),
    ("一种可旋转拍摄的手机的制造方法", "NAME_PATENT_TITLE"),
    ("玻璃幕墙及其清洗维护服务", "NAME_MULTI_PRODUCT"),
    ("table", "NAME_FOREIGN_OR_CODE"),
    ("PS", "NAME_FOREIGN_OR_CODE"),
    ("电器", "NAME_TOO_BROAD"),
    ("勇者无敌", "NAME_SELF_COINED"),
])
def test_sentence_codes(screener, name, code):
    assert code in codes(screener, name)


@pytest.mark.parametrize("name", ["家用电冰箱", "LED屏", "USB充电器", "5G基站天线", "乳液、精华套装", "等离子电视",
                                  "锂离子电池", "碳酸饮料"])
def test_fine_names_pass(screener, name):
    assert codes(screener, name) == {}


def test_screen_a_product(screener):
    product = Product(name="海尔电冰箱", models=["BCD-520W", "海尔"], trademark="海尔",
                      category=CodeName("1", "家用电冰箱"),
                      intro="本公司成立于1998年，注册资本5000万元，是一家集研发、生产、销售于一体的高新技术企业。")
    found = screener.screen(product)
    got = {(f.code, f.field) for f in found}
    assert ("NAME_BRAND", "product.name") in got
    assert ("MODEL_INVALID_CONTENT", "product.models[1]") in got
    assert ("MODEL_INVALID_CONTENT", "product.models[0]") not in got
    assert ("INTRO_OFF_TOPIC", "product.intro") in got
    assert all(f.source == "rules" or "@" in f.source for f in found)


def test_category_mismatch(screener):
    assert screener.check_category("汽车导航软件", "软件设计服务")  # software filed as a design service
    assert screener.check_category("锰酸锂", "锂电池")  # a cathode material filed as the battery
    assert not screener.check_category("家用电冰箱", "家用电冰箱")


def test_versions(screener):
    assert set(screener.versions) == {"sentence-embedder", "name-tagger", "text-heads", "brand-lexicon", "text-calibration"}
    assert "name-tagger@" in screener.version


@pytest.mark.parametrize("product", [
    Product(name="电" * 300, models=["", "  ", "X" * 200], intro="好" * 3000, category=CodeName(None, None)),
    Product(name="😀🚀冰箱", models=None, intro=None, category=None, trademark="😀"),
    Product(name="   ", models=["BCD-520W"], intro="", trademark=""),
    Product(name="（）", trademark="（）"),
])
def test_odd_input_does_not_break_the_screening(screener, product):
    for f in screener.screen(product):
        assert f.code and f.field and f.message
        if "span" in f.evidence:
            a, b = f.evidence["span"]
            assert 0 <= a <= b
