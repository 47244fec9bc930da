"""The composed training data: labels agree with the text, and the splits never share a real item."""

import re

import pytest

from training.text_data import NAME_CODES, compose_names, jd_example, real_patent_example
from training.text_forms import INTRO_CLASSES, FormComposer
from training.text_vocab import RealVocab, split_of, strip_parenthetical


@pytest.fixture(scope="module")
def vocab(realdata):
    return RealVocab.load(realdata)


def test_split_is_stable_and_disjoint(vocab):
    assert split_of("电冰箱") == split_of("电冰箱")
    train = {strip_parenthetical(g.name) for g in vocab.goods["train"]}
    held = {strip_parenthetical(g.name) for g in vocab.goods["eval"]}
    assert train and held and not train & held
    assert not set(vocab.patent_titles["train"]) & set(vocab.patent_titles["eval"])
    assert not {r["title"] for r in vocab.jd_titles["train"]} & {r["title"] for r in vocab.jd_titles["eval"]}
    assert len(vocab.data_hash) == 64


def test_composed_names_are_consistent(vocab):
    names = compose_names(vocab, "train", 600, seed=5, titles=50, jd_repeat=1)
    assert any(e.tagger_only for e in names) and any(not e.tagger_only for e in names)
    for e in names:
        assert len(e.tags) == len(e.text)
        assert e.codes <= set(NAME_CODES)
        if e.tagger_only:  # e-commerce titles carry spans only
            continue
        for tag, code in (("BRAND", "NAME_BRAND"), ("SPEC", "NAME_HAS_SPEC"), ("ADJ", "NAME_ADJECTIVE"), ("VAGUE", "NAME_VAGUE_WORDING")):
            if any(t.endswith(tag) for t in e.tags):
                assert code in e.codes, e
        if e.text.startswith("一种"):
            assert "NAME_PATENT_TITLE" in e.codes
    flagged = [e for e in names if not e.tagger_only and e.codes]
    assert 0.3 < len(flagged) / len([e for e in names if not e.tagger_only]) < 0.9


def test_held_out_names_use_only_eval_vocabulary(vocab):
    train_goods = {strip_parenthetical(g.name) for g in vocab.goods["train"]}
    eval_goods = {strip_parenthetical(g.name) for g in vocab.goods["eval"]}
    held = compose_names(vocab, "eval", 300, seed=9, clean_share=1.0)
    heads = ["".join(c for c, t in zip(e.text, e.tags) if t.endswith("HEAD")) for e in held]
    eval_categories = {w for c in vocab.categories["eval"] for w in re.split(r"[/.、]", c[2])}
    from_goods = [h for h in heads if h in train_goods | eval_goods]
    assert from_goods
    assert all(h in eval_goods or h in eval_categories for h in from_goods)


def test_real_patent_title_example():
    e = real_patent_example("一种含有乳酸菌的碳酸饮料")
    assert e.codes == {"NAME_PATENT_TITLE", "NAME_VAGUE_WORDING"}
    assert e.suggestion == "碳酸饮料"
    m = real_patent_example("一种可旋转拍摄的手机的制造方法")
    assert "NAME_METHOD" in m.codes


def test_jd_titles_map_brands(vocab):
    row = vocab.jd_titles["train"][0]
    e = jd_example(row)
    brands = [x for x in row["entities"] if x["label"] == "1"]
    for b in brands:
        assert e.tags[b["start"]] == "B-BRAND"


def test_forms(vocab):
    f = FormComposer(vocab, "train", 3)
    entries = [f.model_entry("雄楚") for _ in range(200)]
    assert {inv for _, inv, _ in entries} == {True, False}
    assert any(kind == "classification" for *_, kind in entries)
    intros = [f.intro() for _ in range(100)]
    assert {c for _, c in intros} == set(INTRO_CLASSES)
    assert all(len(t) <= 500 for t, _ in intros)
    pairs = [f.category_pair() for _ in range(100)]
    assert {m for *_, m in pairs} == {True, False}
