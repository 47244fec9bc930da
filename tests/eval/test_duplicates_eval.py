"""The duplicate evaluations and the index benchmark, run small."""

import numpy as np
import pytest

from eval.bench_index import bench_size, format_table, synthetic_vectors
from eval.duplicates import evaluate_filing, evaluate_images, evaluate_photo_kind
from models.pair_scorer import pair_metrics
from models.pair_scorer import LabelledPair, PairScorer


def test_pair_metrics_count_right():
    scorer = PairScorer.load_default()
    dup = {"cosine": 0.97, "name_equal": 1.0, "name_jaccard": 1.0, "model_same": 1.0, "patent_shared": 1.0,
           "patent_jaccard": 1.0, "same_entity": 1.0, "photo_missing": 1.0, "photo_distance": 1.0}
    other = {**dup, "model_same": 0.0, "model_different": 1.0, "cosine": 0.4, "name_equal": 0.0, "name_jaccard": 0.1,
             "patent_shared": 0.0, "patent_jaccard": 0.0, "patent_missing": 1.0}
    pairs = [LabelledPair(dup, 1, "a")] * 3 + [LabelledPair(other, 0, "b")] * 2 + [LabelledPair(other, 1, "c")]
    m = pair_metrics(scorer, pairs)
    assert (m["tp"], m["fp"], m["fn"]) == (3, 0, 1)
    assert m["precision"] == 1.0 and m["recall"] == 0.75
    assert m["by_kind"]["c"]["accuracy"] == 0.0 and len(m["errors"]) == 1


def test_image_copies_are_found_and_distinct_images_are_not():
    m = evaluate_images(n_images=24, copies_per_image=2, seed=3)
    assert m["copies"] == 48 and m["recall"] >= 0.9
    assert m["false_match_rate"] <= 0.01


def test_bench_runs_small_and_compares_with_exact():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(200, 64)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    x = synthetic_vectors(100, centres, seed=1)
    assert x.shape == (100, 64) and np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-5)
    out = bench_size(20_000, centres, n_queries=30, n_exact_timed=10, nprobes=(16,), codecs=("SQfp16",), hnsw_max=0)
    exact, ivf = out["rows"][0], out["rows"][1]
    assert exact["recall_at_10"] == 1.0 and exact["index"].startswith("exact")
    assert ivf["recall_at_10"] >= 0.9 and "speedup_vs_exact" in ivf and ivf["memory_mb"] < exact["memory_mb"]
    assert "exact" in format_table({"threads": 2, "vectors": "t", "sizes": [out]})


@pytest.mark.slow
def test_photo_kind_headline_on_held_out_generated_images():
    """IMAGE_NOT_PHOTO, small: 30 held-out images a class and 60 crops of real photos."""
    m = evaluate_photo_kind(n_per_class=30, seed=1)
    assert m["precision"] >= 0.97 and m["recall"] >= 0.97
    assert m["real_photos"]["kept_as_photo"] >= 0.95


@pytest.mark.slow
def test_pair_scorer_headline_on_held_out_generated_pairs(realdata):
    """DUPLICATE_FILING, small: 300 held-out generated pairs (separable by construction, so this
    guards the features and the shipped weights against a regression, not real precision)."""
    m = evaluate_filing(n_test=300, seed=0, realdata=realdata)
    assert m["precision"] >= 0.98 and m["recall"] >= 0.98


@pytest.mark.slow
def test_scale_bench_runs_small_and_measures_both_layouts():
    """eval/bench_duplicates_scale.py at a few thousand filings, in this process (its figures mean
    nothing here; that it runs, and reports both layouts side by side, is what is checked)."""
    from eval.bench_duplicates_scale import format_table, run_bench

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(50, 512)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = run_bench([1500, 3000], 1000, n_queries=10, train_sample=2000, centres=centres, isolate=False,
                    progress=lambda _: None)
    assert [(r["layout"], r["n"]) for r in out["runs"]] == [("objects", 1000), ("table", 1500), ("table", 3000)]
    for r in out["runs"]:
        assert r["search"]["queries"] == 10 and r["search"]["median_ms"] > r["search"]["median_ms_embedded"] > 0
        assert r["base"]["VmRSS"] > 0
        assert r["search"]["candidates_mean"] > 0  # the queries' first sides are indexed: something is found
    assert out["served"]["n"] == 3000 and out["served"]["search"]["queries"] == 10
    assert out["objects_extrapolated"]["n"] == 3000
    assert set(out["runs"][0]["paired"]) == {"objects", "table"}
    text = format_table(out)
    assert "objects" in text and "table" in text and "snapshot opened in a fresh process" in text
