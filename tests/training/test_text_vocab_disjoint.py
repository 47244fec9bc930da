"""The generator's hand-written vocabularies and the exact rules' lists are kept apart, so a
held-out generated set does not grade the rules against their own words (issue: the
generator and the rules shared all broad words, the adjectives, the method words)."""

import re

from models import text_rules as rules
from models.brand_lexicon import PROVINCES
from training import text_data as gen
from training.text_real_data import DATA_DIR

_COUNTRY_RULES = {"德国", "日本", "美国", "韩国", "意大利", "法国", "英国", "瑞士", "瑞典", "丹麦", "荷兰", "芬兰", "澳大利亚",
                  "新西兰", "加拿大"}


def _contains_any(words, vocabulary):
    return sorted({w for w in words for v in vocabulary if v in w})


def test_adjectives_are_disjoint_even_as_substrings():
    assert _contains_any(gen.ADJECTIVES + gen.EFFECT_WORDS, rules.ADJECTIVE_WORDS) == []


def test_broad_words_and_set_endings_are_disjoint():
    assert set(gen.BROAD_WORDS + gen.BROAD_SUFFIX) & rules.BROAD_TERMS == set()
    assert [w for w in gen.SET_WORDS if rules.SET_TAIL.search(w)] == []


def test_abbreviations_letter_codes_and_countries_are_disjoint():
    assert {q.upper() for q in gen.QUALIFIERS} & rules.ABBREVIATIONS == set()
    assert {c.upper() for c in gen.LETTER_CODES} & rules.ABBREVIATIONS == set()
    assert set(gen.COUNTRIES) & (_COUNTRY_RULES | set(PROVINCES)) == set()


def test_method_stems_are_not_rule_words():
    # the tail words themselves (方法, 工艺, 技术, 方案) are the seed rule's definition of the code
    # and so shared by construction; the stems in front of them are the generator's own
    assert [s for s in gen.METHOD_STEMS if rules.METHOD_TAIL.search(s)] == []


def test_open_vocabularies_share_no_rule_word():
    """Vague words, conjunctions and units are closed classes the seed rules name, shared by
    construction; every open vocabulary of the generator avoids the rules' words."""
    open_lists = [gen.ADJECTIVES, gen.BROAD_WORDS, gen.BROAD_SUFFIX, gen.SET_WORDS, gen.COINED_STEMS, gen.COINED_SUFFIX,
                  gen.PATENT_MODS, gen.KNOWN_BRANDS, gen.LATIN_BRANDS]
    rule_words = set(rules.ADJECTIVE_WORDS) | rules.BROAD_TERMS | rules.ABBREVIATIONS
    assert [w for lst in open_lists for w in lst if w in rule_words] == []


def test_generator_brands_are_not_evaluation_brands():
    lines = (DATA_DIR / "brands.tsv").read_text(encoding="utf-8").splitlines()
    eval_brands = {ln.split("\t")[0] for ln in lines if ln and not ln.startswith("#")}
    assert set(gen.KNOWN_BRANDS) & eval_brands == set()
    assert re.fullmatch(r"[\u4e00-\u9fff]+", "".join(gen.KNOWN_BRANDS))
