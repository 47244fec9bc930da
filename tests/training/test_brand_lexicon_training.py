"""The brand dictionary's common-word filter: its counts and its cross-fitted labels (no real data
needed; the shipped filter's figures are asserted in tests/models/test_brand_lexicon.py)."""

from __future__ import annotations

from training.brand_lexicon import FEATURES, Evidence, entries_in, labelled

ENTRIES = {"华为", "电源", "长城", "博世"}
JIEBA = {"电源": (900, "n"), "长城": (1500, "ns")}


def test_entries_in_counts_texts_not_occurrences():
    assert entries_in(["开关电源电源", "电源线", "华为"], ENTRIES, 4) == {"电源": 2, "华为": 1}


def test_evidence_counts_company_cores_and_words_elsewhere_in_company_names():
    ev = Evidence(ENTRIES, ["开关电源"], [], [("深圳华为电源有限公司", "华为电源"), ("华为技术有限公司", "华为")], 4)
    assert ev.core["华为"] == 1 and ev.core_prefix["华为"] == 1
    assert ev.elsewhere["电源"] == 0  # inside the core 华为电源, which is blanked out
    assert ev.product["电源"] == 1 and ev.product["华为"] == 0
    f = ev.features("华为", JIEBA)
    assert len(f) == len(FEATURES) and f[FEATURES.index("company_core")] > 0


def _halves():
    # half 0: 电源 in product text, 华为 a company core, 长城 in product text; half 1: 长城 a company core
    h0 = Evidence(ENTRIES, ["开关电源", "长城纪念品"], [], [("华为技术有限公司", "华为")], 4)
    h1 = Evidence(ENTRIES, [], [], [("长城汽车有限公司", "长城")], 4)
    return [h0, h1]


def test_labels_come_from_the_other_half_than_the_features():
    halves = _halves()
    product = FEATURES.index("product_text")
    core = FEATURES.index("company_core")
    X, y = labelled(halves, ["电源"], set(), JIEBA)
    # one row: features of half 1 (no product text there), the common-word label read from half 0
    assert X.shape == (1, len(FEATURES)) and list(y) == [0] and X[0, product] == 0
    X, y = labelled(halves, ["华为"], set(), JIEBA)
    assert list(y) == [1] and X[0, core] == 0  # the core is in half 0, the features from half 1
    X, y = labelled(halves, ["长城"], set(), JIEBA)  # a brand in one half, a word in the other: both
    assert sorted(y) == [0, 1]
    assert X[list(y).index(1), product] > 0 and X[list(y).index(0), core] > 0


def test_known_brands_are_labelled_from_both_sides_and_unseen_entries_not_at_all():
    X, y = labelled(_halves(), ["博世"], {"博世"}, JIEBA)
    assert list(y) == [1, 1]
    X, y = labelled(_halves(), ["博世"], set(), JIEBA)
    assert X.shape == (0, len(FEATURES)) and len(y) == 0
