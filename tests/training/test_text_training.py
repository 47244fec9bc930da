"""A small tagger and heads trained end to end through the same functions `prescreen train text` uses."""

import argparse

import pytest

from models.name_tagger import NameTagger
from models.text_heads import TextHeads
from models.text_screener import TextScreener
from training import text as train_text
from training.text_data import compose_names
from training.text_tagger import span_accuracy, train_tagger
from training.text_vocab import RealVocab


@pytest.mark.slow
def test_train_text_smoke_run_writes_loadable_models(realdata, tmp_path):
    parser = argparse.ArgumentParser()
    train_text.add_arguments(parser)
    args = parser.parse_args(["--realdata", str(realdata), "--out", str(tmp_path), "--scale", "0.02", "--version", "test"])
    recipe = train_text.scaled(train_text.RECIPE, 0.02)
    recipe["tagger"]["epochs"] = 1
    recipe["heads"]["epochs"] = 3
    vocab = RealVocab.load(realdata)
    tagger = train_text.build_tagger(vocab, recipe, "test")
    tagger.save(tmp_path / "name-tagger")
    from models.embedder import SentenceEmbedder

    heads = train_text.build_heads(vocab, tagger, SentenceEmbedder.load_default(), recipe, "test")
    heads.save(tmp_path / "text-heads")
    assert args.out == tmp_path
    loaded = TextScreener.load(tmp_path)
    assert loaded.tagger.version == "name-tagger@test"
    assert loaded.heads.manifest.data_hash and loaded.heads.manifest.recipe["heads"]["epochs"] == 3
    assert set(loaded.heads.specs) == {"name", "model_entry", "intro", "category"}
    assert loaded.analyse_names(["海尔电冰箱"], ["海尔"])[0].findings  # the trademark rule alone finds it


def test_tagger_learns_from_composed_names(realdata):
    vocab = RealVocab.load(realdata)
    train = [e for e in compose_names(vocab, "train", 1500, seed=11) if not e.tagger_only]
    tagger = train_tagger(train, epochs=4, lr=3e-3, hidden=64, layers=1, progress=False, version="t")
    assert isinstance(tagger, NameTagger) and tagger.manifest.data_hash
    scores = span_accuracy(tagger, [e for e in compose_names(vocab, "eval", 300, seed=12) if not e.tagger_only])
    assert scores["VAGUE"] > 0.5  # even a one-layer tagger trained for seconds finds 一种 / 系列


def test_best_threshold_picks_the_separating_value():
    import numpy as np

    p = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1])
    t, f1 = train_text.best_threshold(p, y)
    assert 0.3 < t <= 0.7 and f1 == 1.0
    assert isinstance(TextHeads.kind, str)
