"""The labelled pair generator: labels follow the rules, and the held-out split shares no product."""

import pytest

from screening.duplicates.model_codes import relation
from training.pairs import PAIR_KINDS, generate_pairs, load_vocab


@pytest.fixture(scope="module")
def vocab(realdata):
    return load_vocab(realdata)


def test_every_kind_is_made_with_its_label(vocab):
    pairs = generate_pairs(vocab, "train", 600, seed=4)
    kinds = {p.kind for p in pairs}
    assert kinds == set(PAIR_KINDS)
    for p in pairs:
        rel = relation(p.a.models, p.b.models)
        if p.kind == "variant":
            assert p.label == 1 and rel in ("same", "variant"), (p.a.models, p.b.models)
        if p.kind == "other_line":
            assert p.label == 0 and rel == "different", (p.a.models, p.b.models)
        if p.kind == "shared_patents":
            assert p.label == 0 and set(p.a.patents) & set(p.b.patents)
        if p.kind == "shared_patents_other_maker":
            assert p.label == 0 and set(p.a.patents) & set(p.b.patents) and p.a.entity_uscc != p.b.entity_uscc
        if p.kind == "two_entities":
            assert p.label == 1 and p.a.entity_uscc != p.b.entity_uscc


def test_held_out_products_and_companies_are_unseen(vocab):
    train = generate_pairs(vocab, "train", 800, seed=0)
    test = generate_pairs(vocab, "test", 400, seed=0)

    def goods(pairs):
        return {f.product_name for p in pairs for f in (p.a, p.b)}

    def firms(pairs):
        return {f.entity_uscc for p in pairs for f in (p.a, p.b)}

    assert not firms(train) & firms(test)
    # names are built from goods names: a held-out name never appears in training
    assert not goods(train) & goods(test)


@pytest.mark.slow
def test_training_on_a_small_set_reaches_the_targets(vocab):
    from models.embedder import SentenceEmbedder
    from training.duplicates import train_default_pair_scorer

    scorer, metrics = train_default_pair_scorer(n_train=300, n_test=150, embedder=SentenceEmbedder.load_default(),
                                                realdata=None, version="t")
    assert metrics["precision"] >= 0.95 and metrics["recall"] >= 0.95
    assert scorer.manifest.metrics["test"]["n"] == 150 and scorer.manifest.recipe["n_train"] == 300
