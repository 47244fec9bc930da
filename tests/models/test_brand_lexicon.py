"""NAME_BRAND evidence beside the tagger: the company-name core, the shipped brand dictionary, the
declared trademark first; and the calibrated thresholds."""

from __future__ import annotations

import pytest

from models.brand_lexicon import BrandLexicon, company_core
from models.embedder import WEIGHTS_ROOT
from models.text_calibration import TextCalibration, evidence_kind
from models.text_screener import TextFinding, TextScreener

SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "集团"]
INDUSTRY = ["技术", "电器", "重工", "科技", "食品"]


@pytest.mark.parametrize("company, core", [
    ("华为技术有限公司", "华为"),
    ("珠海格力电器股份有限公司", "格力"),
    ("三一重工股份有限公司", "三一"),
    ("广东省深圳市大疆科技有限公司", "大疆"),
    ("有限公司", None),
])
def test_company_core(company, core):
    assert company_core(company, SUFFIXES, INDUSTRY, ["深圳", "珠海"]) == core


@pytest.fixture(scope="module")
def lexicon():
    return BrandLexicon.load(WEIGHTS_ROOT / "brand-lexicon")


def test_trie_walk_finds_entries_at_word_starts_anywhere():
    small = BrandLexicon({"华为": 0.9, "华为手机": 0.2, "海天": 0.5, "海天味业": 0.95, "格力": 0.7, "格力空调": 0.6,
                          "和乐": 0.9, "博世": 0.9}, SUFFIXES, INDUSTRY, [], 0.0)
    m = lambda name, b=(): [(x.start, x.end, x.text) for x in small.matches(name, b)]  # noqa: E731
    assert m("华为充电宝") == [(0, 2, "华为")]
    assert m("华为手机充电器") == [(0, 2, "华为")]  # the best-scoring entry at a start
    assert m("海天味业酱油") == [(0, 4, "海天味业")]
    assert m("格力空调") == [(0, 2, "格力")]  # the longest that leaves a product after it
    assert m("华为") == [] and m("华为手") == []  # no product after the entry
    assert m("德国博世电钻") == [(2, 4, "博世")]  # the country is not the mark
    assert m("5G华为手机") == [(2, 4, "华为")]  # after a character that is not Chinese
    assert m("新款华为手机") == [] and m("新款华为手机", [2]) == [(2, 4, "华为")]  # inside: only at a word start
    assert m("山梨豆和乐谱纸卷") == []  # a slice across two words is no match
    assert m("充电宝 华为移动电源") == [(4, 6, "华为")]
    assert small.matches("华为充电宝")[0].score == 0.9


def test_shipped_dictionary_scores_common_words_low_and_brands_high(lexicon):
    assert len(lexicon.entries) > 280_000 and lexicon.manifest.data_hash
    metrics, recipe = lexicon.manifest.metrics, lexicon.manifest.recipe
    assert metrics["filter_heldout_auc"] >= 0.9 and len(recipe["coef"]) == len(recipe["features"])
    for word in ("新能源", "冰淇淋", "太阳", "热风"):  # ordinary words that the trade-name list holds
        assert lexicon.entries[word] <= 0.05, word
    for brand in ("华为", "博世", "双汇", "长城"):
        assert lexicon.entries[brand] >= 0.9, brand
    assert [m.text for m in lexicon.matches("德国博世电钻")] == ["博世"]
    assert [m.text for m in lexicon.matches("新款华为充电宝", [2])] == ["华为"]


def test_save_load_round_trip(lexicon, tmp_path):
    small = BrandLexicon({"双汇": 0.9, "华为": 0.8}, SUFFIXES, INDUSTRY, ["深圳"], 0.0)
    small.save(tmp_path)
    back = BrandLexicon.load(tmp_path)
    assert back.entries == small.entries and back.company_core("深圳华为技术有限公司") == "华为"


@pytest.fixture(scope="module")
def screener():
    return TextScreener.load_default()


def brand(screener, name, **kw):
    a = screener.analyse_names([name], [kw.get("trademark")], companies=[kw.get("company")], patents=[kw.get("patents")])[0]
    return [f for f in a.findings if f.code == "NAME_BRAND"]


def test_brand_evidence_in_order(screener):
    f = brand(screener, "雄楚牌电冰箱", trademark="雄楚")
    assert f and f[0].evidence["by"].split("+")[0] == "trademark" and f[0].evidence["text"] == "雄楚"
    f = brand(screener, "雄楚电冰箱", company="武汉雄楚电器有限公司")
    assert f and "company" in f[0].evidence["by"] and f[0].evidence["span"] == [0, 2]
    assert f[0].evidence["spans"][0]["company"] == "武汉雄楚电器有限公司"
    f = brand(screener, "双汇火腿肠")
    assert f and "brand-dictionary" in f[0].evidence["by"] and f[0].evidence["spans"][0]["score"] > 0
    assert 0.9 <= f[0].confidence <= 1.0 and "raw_confidence" in f[0].evidence
    assert f[0].evidence["spans"][0]["lexicon"].startswith("brand-lexicon@")


def test_dictionary_brand_anywhere_carries_list_model_and_score(screener):
    for name, text, span in (("新款华为充电宝", "华为", [2, 4]), ("适用于华为手机的充电器", "华为", [3, 5]),
                             ("德国博世电钻", "博世", [2, 4]), ("5G华为手机", "华为", [2, 4])):
        f = brand(screener, name)
        assert f, name
        hit = next(h for h in f[0].evidence["spans"] if h["text"] == text)
        assert hit["span"] == span and "brand-dictionary" in hit["by"], name
        assert hit["lexicon"] == screener.brands.version and hit["score"] == screener.brands.entries[text]
    tagged = [h for f in brand(screener, "华为充电宝") for h in f.evidence["spans"] if "tagger" in h["by"]]
    assert all(h["model"] == screener.tagger.version for h in tagged)


def test_common_words_in_the_dictionary_are_not_brands(screener):
    for name in ("新能源汽车充电桩", "冰淇淋凝结剂", "智能电源适配器", "太阳能热水器", "热风干燥机", "铝合金门窗"):
        assert not brand(screener, name), name


def test_plain_industrial_goods_are_not_flagged(screener):
    for name in ("变频器", "断路器", "压铸件", "聚氯乙烯树脂", "工业软件", "电机控制器"):
        a = screener.analyse_names([name])[0]
        assert not [f.code for f in a.findings if f.code in ("NAME_BRAND", "NAME_PATENT_TITLE")], name


def test_patent_title_needs_the_form_or_the_filing_patent(screener):
    codes = lambda n, p=None: {f.code for f in screener.analyse_names([n], patents=[p])[0].findings}  # noqa: E731
    assert "NAME_PATENT_TITLE" in codes("一种含有乳酸菌的碳酸饮料")
    assert "NAME_PATENT_TITLE" not in codes("可下载的手机铃音")
    f = [f for f in screener.analyse_names(["含有乳酸菌的碳酸饮料"], patents=[["一种含有乳酸菌的碳酸饮料"]])[0].findings
         if f.code == "NAME_PATENT_TITLE"]
    assert f and f[0].evidence["patent_title"] == "一种含有乳酸菌的碳酸饮料"


def test_multi_product_forms_and_sets(screener):
    codes = lambda n: {f.code for f in screener.analyse_names([n])[0].findings}  # noqa: E731
    for name in ("洗衣机和烘干机", "空调及其安装服务", "床垫、枕头"):
        assert "NAME_MULTI_PRODUCT" in codes(name), name
    assert "NAME_MULTI_PRODUCT" not in codes("乳液、精华套装")


def test_calibration_maps_and_thresholds(tmp_path):
    cal = TextCalibration({"NAME_BRAND:tagger": ([0.6, 0.9], [0.2, 0.96])}, {"NAME_BRAND": 0.95})
    cal.save(tmp_path)
    cal = TextCalibration.load(tmp_path)
    weak = TextFinding("NAME_BRAND", "product.name", "", {"by": "tagger", "spans": [{"by": "tagger"}]}, 0.7)
    strong = TextFinding("NAME_BRAND", "product.name", "", {"by": "tagger", "spans": [{"by": "tagger"}]}, 0.9)
    exact = TextFinding("NAME_BRAND", "product.name", "", {"by": "trademark"}, 0.99)
    out = cal.apply([weak, strong, exact])
    assert [f.confidence for f in out] == [0.96, 0.99]  # the weak one dropped; exact evidence kept as is
    assert evidence_kind("NAME_BRAND", {"by": "tagger+brand-dictionary+product"}) == "NAME_BRAND:brand-dictionary+product+tagger"


def _shaped():
    """A lexicon with the structural vocabularies: product words, product-text slices, general words."""
    return BrandLexicon({"鸵鸟": 0.2, "红豆": 0.01, "齐特": 0.7, "尊享": 0.4}, SUFFIXES, INDUSTRY, [], 0.0,
                        product_words={"读卡器", "手机壳", "羽毛", "音箱", "试纸", "面包", "齐特拉琴", "按摩椅"},
                        product_grams={"石蕊", "红豆", "PVC"}, general_words={"广口", "鸵鸟"},
                        char_scores={"沣": 2.0, "标": 0.5, "广": -1.0, "口": -1.0})


def test_an_unknown_word_right_before_a_product_word_is_a_mark():
    lex = _shaped()
    hit = lex.before_head("沣标读卡器")
    assert hit is not None and (hit.start, hit.end, hit.text, hit.head, hit.reason) == (0, 2, "沣标", "读卡器", "unknown word")
    assert hit.score > 0.5  # its characters lean to trade names
    assert lex.before_head("德国沣标读卡器", [2]).text == "沣标"  # from a word start after the country
    assert lex.before_head("JBL音箱").reason == "latin word"
    assert lex.before_head("鸵鸟羽毛").reason == "entry unseen in product text"
    assert lex.before_head("沣标读卡器（黑色）").head == "读卡器"  # a note at the end aside


def test_describing_words_and_transliterated_goods_names_are_no_marks():
    lex = _shaped()
    for name in ("石蕊试纸",  # a slice of real product text
                 "广口手机壳",  # a general word
                 "红豆面包",  # a dictionary entry that product text holds: its common use
                 "PVC音箱",  # a Latin word product text writes
                 "沣标读卡器和音箱",  # no product word after the prefix
                 "齐特拉琴"):  # 齐特拉 + 琴 leaves no product word of two characters
        assert lex.before_head(name) is None, name
    assert BrandLexicon({"沣标": 0.9}, SUFFIXES, INDUSTRY, [], 0.0).before_head("沣标读卡器") is None  # old weights


def test_an_entry_opening_a_longer_word_is_not_matched():
    lex = _shaped()
    assert [m.text for m in lex.matches("齐特拉琴")] == []  # the official goods name runs on past 齐特
    assert [m.text for m in lex.matches("尊享版按摩椅")] == []  # an edition, not a mark
    assert [m.text for m in lex.matches("红豆手机壳")] == ["红豆"]


def test_structural_round_trip(tmp_path):
    lex = _shaped()
    lex.save(tmp_path)
    back = BrandLexicon.load(tmp_path)
    assert (back.product_words, back.product_grams, back.general_words) == (lex.product_words, lex.product_grams, lex.general_words)
    assert back.char_scores == lex.char_scores and back.before_head("沣标读卡器") == lex.before_head("沣标读卡器")


def test_shipped_marks_in_no_list_and_common_words_in_common_use(screener):
    f = brand(screener, "BOSE音箱")  # a Latin word no real product text writes, before a product word
    hit = next(h for h in f[0].evidence["spans"] if h["text"] == "BOSE")
    assert "structure" in hit["by"] and hit["head"] == "音箱" and hit["reason"] == "latin word"
    f = brand(screener, "飞利浦剃须刀")  # a listed mark that no product text holds, before a product word
    hit = f[0].evidence["spans"][0]
    assert hit["text"] == "飞利浦" and "head" in hit["by"].split("+") and hit["head"] == "剃须刀" and hit["score"] > 0
    for name in ("小米粥", "红豆面包", "红豆沙", "巴拉莱卡琴", "马林巴琴", "玻璃瓶"):  # common use, goods names
        assert not brand(screener, name), name


def test_structure_kinds():
    spans = [{"by": "structure", "score": 0.8, "confidence": 0.9}]
    assert evidence_kind("NAME_BRAND", {"by": "structure", "spans": spans}) == "NAME_BRAND:structure"
    assert evidence_kind("NAME_BRAND", {"by": "tagger+structure"}) == "NAME_BRAND:structure+tagger"
    # the dictionary's score decides when the entry is listed; the structure says it is before a product word
    assert evidence_kind("NAME_BRAND", {"by": "brand-dictionary+product+structure"}) == "NAME_BRAND:brand-dictionary+head"
    from models.text_calibration import raw_confidence
    assert raw_confidence("NAME_BRAND", {"by": "structure", "spans": spans}, 0.9) == 0.8
