"""The pair scorer learns from labelled pairs, stores plain JSON, and the committed one loads."""

import json
import random

import numpy as np
import pytest

from models.pair_scorer import DEFAULT_DIR, LabelledPair, PairScorer, feature_names, train_pair_scorer


def _pairs(n, seed=0):
    """Feature dicts where only the model-code relation and the cosine carry the label."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        dup = rng.random() < 0.5
        rel = rng.choice(["same", "variant"]) if dup else rng.choice(["different", "different", "unknown"])
        cos = rng.uniform(0.75, 0.98) if dup or rng.random() < 0.5 else rng.uniform(0.2, 0.6)
        if rel == "unknown" and not dup:
            cos = rng.uniform(0.2, 0.6)
        f = {"cosine": cos, "name_equal": float(rng.random() < 0.5), "name_jaccard": rng.random(),
             "model_same": float(rel == "same"), "model_variant": float(rel == "variant"),
             "model_different": float(rel == "different"), "model_unknown": float(rel == "unknown"),
             "same_entity": float(rng.random() < 0.5), "photo_missing": 1.0, "photo_distance": 1.0}
        out.append(LabelledPair(f, int(dup), "synthetic"))
    return out


def test_learns_that_another_line_is_not_a_duplicate():
    scorer = train_pair_scorer(_pairs(600), version="test")
    test = _pairs(300, seed=1)
    p = scorer.probabilities([x.features for x in test])
    y = np.array([x.label for x in test])
    assert ((p >= scorer.threshold) == (y == 1)).mean() > 0.95
    close = {"cosine": 0.95, "name_equal": 1.0, "name_jaccard": 1.0, "same_entity": 1.0, "photo_missing": 1.0,
             "photo_distance": 1.0}
    assert scorer.probability({**close, "model_variant": 1.0}) > scorer.threshold
    assert scorer.probability({**close, "model_different": 1.0}) < scorer.threshold
    assert 0.0 < scorer.threshold < 1.0


def test_save_load_round_trip_is_json(tmp_path):
    scorer = train_pair_scorer(_pairs(300), version="t1")
    scorer.save(tmp_path / "s")
    body = json.loads((tmp_path / "s" / "weights.json").read_text())
    assert body["features"] == feature_names() and len(body["coef"]) == len(feature_names())
    again = PairScorer.load(tmp_path / "s")
    probe = _pairs(20, seed=5)
    assert np.allclose(again.probabilities([x.features for x in probe]), scorer.probabilities([x.features for x in probe]))
    assert again.version == "pair-scorer@t1" and again.threshold == scorer.threshold
    assert again.manifest.data_hash and again.manifest.recipe["pairs"] == 300


def test_needs_both_labels():
    with pytest.raises(ValueError):
        train_pair_scorer([LabelledPair({"cosine": 0.9}, 1)] * 10)


def test_reviewer_pairs_can_be_added_with_weight():
    base = _pairs(400)
    # reviewers say: a same-entity pair of another line with close text IS the same product here
    extra = [LabelledPair({"cosine": 0.97, "model_different": 1.0, "same_entity": 1.0, "name_equal": 1.0,
                           "name_jaccard": 1.0, "photo_missing": 1.0, "photo_distance": 1.0}, 1, "reviewer", weight=5.0)] * 60
    before = train_pair_scorer(base).probability(extra[0].features)
    after = train_pair_scorer(base + extra).probability(extra[0].features)
    assert after > before


def test_committed_default_loads_with_its_manifest():
    scorer = PairScorer.load_default()
    assert scorer.version.startswith("pair-scorer@")
    m = scorer.manifest
    assert m.data_hash and m.metrics["test"]["precision"] >= 0.95 and m.metrics["test"]["recall"] >= 0.95
    assert (DEFAULT_DIR / "manifest.json").exists() and not list(DEFAULT_DIR.glob("*.pkl"))


def _unlike(**more):
    """Another maker's other product (an air conditioner beside a refrigerator): nothing in the
    name, model code or photo says they are one product."""
    return {"cosine": 0.65, "name_equal": 0.0, "name_jaccard": 0.0, "intro_jaccard": 0.16, "model_different": 1.0,
            "same_entity": 0.0, "photo_missing": 1.0, "photo_distance": 1.0, "patent_missing": 0.0, **more}


@pytest.mark.parametrize("scorer", ["committed", "trained"])
def test_a_shared_patent_alone_does_not_move_the_score(scorer):
    """One patent may serve several products: without a similar name, model or photo the shared
    patents count for nothing, whatever the weights learned (they enter only through likeness)."""
    model = PairScorer.load_default() if scorer == "committed" else train_pair_scorer(_pairs(300), version="t")
    alone = model.probability(_unlike())
    shared = model.probability(_unlike(patent_shared=1.0, patent_jaccard=1.0))
    assert shared == pytest.approx(alone, abs=1e-12)
    # with a similar name the same patents do count (a reseller's filing of the maker's product)
    like = {"name_jaccard": 0.8}
    if scorer == "committed":
        assert model.probability(_unlike(**like, patent_shared=1.0, patent_jaccard=1.0)) > model.probability(_unlike(**like))


def test_likeness_is_the_closest_of_name_model_and_photo():
    from models.pair_scorer import likeness

    assert likeness({"name_jaccard": 0.3, "photo_copy": 0.0}) == 0.3
    assert likeness({"model_variant": 1.0}) == 1.0 and likeness({"photo_copy": 1.0}) == 1.0
    assert likeness({"cosine": 0.99, "intro_jaccard": 0.9, "same_entity": 1.0}) == 0.0  # text alone is not likeness
