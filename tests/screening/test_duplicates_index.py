"""The faiss wrapper: exact below IVF_MIN, IVF above; add, remove, reconstruct, serialise."""

import numpy as np
import pytest

from screening.duplicates.vector_index import IVF_MIN, IndexSpec, VectorIndex, spec_for


def _unit(n, dim=32, seed=0):
    x = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_spec_grows_with_the_collection():
    assert spec_for(IVF_MIN - 1).kind == "flat"
    big = spec_for(1_000_000)
    assert big.kind == "ivf" and big.nlist == 2048 and big.nprobe == 16 and big.factory == "IVF2048,SQfp16"


@pytest.mark.parametrize("spec", [IndexSpec("flat"), IndexSpec("ivf", nlist=64, nprobe=8)])
def test_add_search_remove_reconstruct_serialise(spec):
    x = _unit(5000)
    ids = np.arange(5000, dtype=np.int64) * 7 + 3
    vi = VectorIndex.build(x, ids, spec)
    _, got = vi.search(x[:20], 1)
    assert (got[:, 0] == ids[:20]).mean() >= 0.95
    assert np.allclose(vi.reconstruct([ids[5]]), x[5], atol=1e-3)
    assert vi.remove([ids[0], ids[1], 999_999_999]) == 2 and vi.ntotal == 4998
    _, got = vi.search(x[:1], 5)
    assert ids[0] not in got[0]
    again = VectorIndex.from_bytes(vi.to_bytes(), 32, spec)
    assert again.ntotal == 4998 and again.remove([ids[2]]) == 1
    vecs, held = again.vectors()
    assert len(held) == 4997 and set(held) == set(ids[3:])
    assert np.allclose(vecs[np.argsort(held)], x[3:], atol=1e-3)
