"""Reviewers' duplicate decisions become training pairs; one retraining fixes what they corrected."""

from __future__ import annotations

import pytest

from models.pair_scorer import PairScorer, served_pair_scorer
from models.registry import Registry
from training.duplicate_feedback import (
    FIXED_SET,
    error_rate,
    feedback_pairs,
    feedback_weights,
    fixed_generated_set,
    record_reviews,
    refile_pairs,
    scenario_pairs,
    split_feedback,
    train_with_feedback,
)
from training.feedback import load_decided


@pytest.fixture(scope="module")
def embedder():
    from models.embedder import SentenceEmbedder

    return SentenceEmbedder.load_default()


@pytest.fixture(scope="module")
def vocab(realdata):
    from training.pairs import load_vocab

    return load_vocab(realdata)


@pytest.fixture(scope="module")
def generated(vocab, embedder, realdata):
    """Small featurised generated sets (train 600, fixed held-out 300), shared by the tests."""
    from training.pairs import generate_pairs, labelled_pairs, pairs_hash

    train = generate_pairs(vocab, "train", 600, seed=3)
    return (labelled_pairs(train, embedder), pairs_hash(train)), fixed_generated_set(embedder, n_test=300, seed=3,
                                                                                      realdata=realdata)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, vocab, embedder):
    """80 scenario pairs screened by the real duplicate check (shipped scorer), decided, read back."""
    from screening.duplicates import DuplicateSearch
    from screening.storage import open_store

    root = tmp_path_factory.mktemp("dupfb")
    store = open_store(f"sqlite:///{root / 'db.sqlite'}", root / "files")
    search = DuplicateSearch.open(root / "data", store, embedder, scorer=PairScorer.load_default())
    scenario = scenario_pairs(vocab, "train", 80, seed=7)
    counts = record_reviews(store, search, scenario)
    pairs, exported = feedback_pairs(store, load_decided(store), embedder)
    store.engine.dispose()
    return scenario, counts, pairs, exported


@pytest.mark.slow
def test_decisions_become_featurised_pairs_from_the_stored_forms(reviewed):
    scenario, counts, pairs, exported = reviewed
    truth = {(p.b.submission_id, p.a.submission_id): p for p in scenario}
    # the shipped scorer flags most next generations (the pattern it never saw) and every true duplicate
    assert counts["flagged_label1"] == sum(p.label for p in scenario)
    assert counts["flagged_label0"] >= 0.7 * sum(1 - p.label for p in scenario)
    assert exported["dropped_no_form"] == 0 and exported["used"] == len(pairs) >= counts["flagged"]
    scenario_pairs_seen = [p for p in pairs if (p.meta["a"], p.meta["b"]) in truth]
    assert len(scenario_pairs_seen) == counts["flagged"]
    for p in scenario_pairs_seen:
        fp = truth[(p.meta["a"], p.meta["b"])]
        assert p.label == fp.label and p.kind == "reviewer"
        assert p.meta["a_name"] == fp.b.product_name and p.meta["b_name"] == fp.a.product_name
        assert p.features["same_entity"] == 1.0 and 0.0 <= p.features["cosine"] <= 1.0001
        if fp.kind == "next_generation":  # the forms' texts and patents, read back from the store
            assert p.features["model_unknown"] == 1.0 and p.features["patent_jaccard"] < 1.0
            assert p.features["name_equal"] == 0.0


def test_time_split_and_weights():
    items = list(range(10))
    train, held = split_feedback(items, 0.3)
    assert train == items[:7] and held == items[7:]
    assert feedback_weights(4000, 200) == 4.0
    assert feedback_weights(4000, 10) == 10.0  # capped
    assert feedback_weights(100, 200) == 1.0  # never below one generated pair


@pytest.mark.slow
def test_one_retraining_fixes_the_pattern_and_keeps_the_fixed_set(reviewed, generated, vocab, embedder, tmp_path):
    from training.pairs import labelled_pairs

    _, _, pairs, _ = reviewed
    train_generated, fixed = generated
    registry = Registry(tmp_path / "registry")
    served = served_pair_scorer(registry.root, check_s=0.0)
    shipped = PairScorer.load_default()
    assert served.version == shipped.version  # nothing promoted: the shipped weights stand

    summary = train_with_feedback(pairs, registry, embedder, promote=True, fixed=fixed, train_generated=train_generated,
                                  holdout=0.25)
    assert summary["promoted"], summary.get("refused")
    folder = registry.path("pair-scorer", summary["version"])
    assert (folder / "card.md").is_file() and (folder / "score_histograms.png").stat().st_size > 1000
    held = summary["feedback_holdout"]
    assert held["candidate"]["n"] == len(split_feedback(pairs, 0.25)[1])
    assert held["candidate"]["errors"] < held["serving"]["errors"]

    # the service's scorer follows the first promotion without a restart
    assert served.version.endswith(summary["version"])
    fresh = labelled_pairs(scenario_pairs(vocab, "test", 160, seed=11), embedder)
    next_gen = [p for p in fresh if p.kind == "next_generation"]
    dups = [p for p in fresh if p.kind != "next_generation"]
    before, after = error_rate(shipped, next_gen), error_rate(served, next_gen)
    assert before["error_rate"] >= 0.6 and after["error_rate"] <= 0.1, (before, after)
    assert error_rate(served, dups)["error_rate"] <= error_rate(shipped, dups)["error_rate"] + 0.02
    # ...and learns it from the generation marker, not from the patent overlap: the same product
    # re-filed listing fewer patents stays a duplicate (0.99 missed before that feature existed)
    refiled = labelled_pairs(refile_pairs(vocab, "test", 60, seed=12), embedder)
    assert error_rate(served, refiled)["error_rate"] <= 0.1, error_rate(served, refiled)
    c, s = summary["fixed"][FIXED_SET], summary["fixed_serving"][FIXED_SET]
    assert c["precision"] >= s["precision"] - 0.01 and c["recall"] >= s["recall"] - 0.01

    assert registry.serving("pair-scorer") == summary["version"]


@pytest.mark.slow
def test_reviewers_who_contradict_the_rules_are_refused_by_the_gate(reviewed, generated, embedder, tmp_path):
    """Pairs labelled against the generated rules (every true duplicate marked 'not a duplicate')
    make a candidate that loses recall on the fixed set: registered, not promoted."""
    import copy

    _, _, pairs, _ = reviewed
    flipped = [copy.deepcopy(p) for p in pairs]
    for p in flipped:
        p.label = 0
    train_generated, fixed = generated
    registry = Registry(tmp_path / "registry")
    summary = train_with_feedback(flipped + [copy.deepcopy(p) for p in pairs if p.label == 0], registry, embedder,
                                  promote=True, fixed=fixed, train_generated=train_generated, share=1.0)
    assert not summary["promoted"] and "worse than the shipped scorer" in summary["refused"]
    assert registry.serving("pair-scorer") is None
    assert [v.version for v in registry.versions("pair-scorer")] == [registry.builtin("pair-scorer").version,
                                                                     summary["version"]]
    assert served_pair_scorer(registry.root).version == PairScorer.load_default().version
