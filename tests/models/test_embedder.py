import numpy as np
import pytest

from models.embedder import SentenceEmbedder, normalise


@pytest.fixture(scope="module")
def embedder():
    return SentenceEmbedder.load_default()


def test_encode_shape_dtype_and_unit_norm(embedder):
    vecs = embedder.encode(["家用电冰箱", "双门风冷无霜冰箱，容积520升", ""])
    assert vecs.shape == (3, embedder.dim)
    assert vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_empty_list_gives_empty_matrix(embedder):
    assert embedder.encode([]).shape == (0, embedder.dim)


def test_related_products_are_closer_than_unrelated(embedder):
    a, b, c, d = embedder.encode(["电冰箱", "家用电冰箱", "洗衣机", "一种数据处理方法"])
    assert a @ b > a @ c > a @ d


def test_batching_does_not_change_vectors(embedder):
    texts = [f"产品{i}号电机" for i in range(10)]
    assert np.allclose(embedder.encode(texts, batch_size=3), embedder.encode(texts, batch_size=64), atol=1e-5)


def test_a_repeated_single_text_is_remembered_not_recomputed(embedder, monkeypatch):
    first = embedder.encode(["重复使用的过滤器文本"])
    calls = []
    real = embedder._encode
    monkeypatch.setattr(embedder, "_encode", lambda texts, bs: calls.append(texts) or real(texts, bs))
    again = embedder.encode(["重复使用的过滤器文本"])
    assert calls == [] and np.array_equal(first, again)
    again[0, 0] = 42.0  # callers get a copy: the remembered vector cannot be changed through it
    assert np.array_equal(embedder.encode(["重复使用的过滤器文本"]), first)
    assert np.allclose(first, embedder.encode(["重复使用的过滤器文本", "别的文本"])[:1], atol=1e-5)
    embedder.encode(["另一段文本"])
    assert calls == [["重复使用的过滤器文本", "别的文本"], ["另一段文本"]]  # batches are not cached


def test_full_width_and_half_width_embed_the_same(embedder):
    assert normalise("ＬＥＤ　显示屏") == "LED 显示屏"
    x, y = embedder.encode(["ＬＥＤ显示屏", "LED显示屏"])
    assert x @ y > 0.999


def test_save_and_load_round_trip(embedder, tmp_path):
    embedder.save(tmp_path / "e")
    again = SentenceEmbedder.load(tmp_path / "e")
    assert again.version == embedder.version
    assert np.allclose(again.encode(["电冰箱"]), embedder.encode(["电冰箱"]), atol=1e-6)


@pytest.mark.slow  # reads the real vocabulary
def test_rephrased_goods_names_find_their_original_first(embedder, realdata):
    """The embedder's headline (docs/text.md: recall@1 0.972 on 600): a held-out official goods
    name with a qualifier in front (家用…, 便携式…) finds the plain name first among 300."""
    import random

    from training.text_data import QUALIFIERS
    from training.text_vocab import RealVocab, strip_parenthetical

    rng = random.Random(1)
    goods = [g for g in RealVocab.load(realdata).goods["eval"] if 3 <= len(strip_parenthetical(g.name)) <= 12]
    rng.shuffle(goods)
    names = [strip_parenthetical(g.name) for g in goods[:300]]
    rephrased = [rng.choice(QUALIFIERS) + name for name in names]
    sims = embedder.encode(rephrased) @ embedder.encode(names).T
    assert float((sims.argmax(1) == np.arange(len(names))).mean()) >= 0.95
