"""The faiss index over filing embeddings (L2-normalised, inner product = cosine).

Ids are the database's revision row ids (int64), so a hit maps straight back to a filing.
Which faiss structure depends on the size (measured: docs/duplicates.md, eval/bench_index.py):

- below ``IVF_MIN`` filings an exact ``IndexFlatIP`` — at that size exact search is already
  fast, and it needs no training;
- from ``IVF_MIN`` on an inverted file with fp16 scalar quantisation (``IVF{nlist},SQfp16``):
  half the memory of float32, distances practically exact, so recall is set by ``nprobe``
  alone (SQ8 halves memory again but its coarser distances cost recall@10 — see the bench).
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass

import faiss
import numpy as np

IVF_MIN = 50_000
CODEC = "SQfp16"


@dataclass(frozen=True)
class IndexSpec:
    kind: str  # "flat" or "ivf"
    nlist: int = 0
    nprobe: int = 0
    codec: str = CODEC

    @property
    def factory(self) -> str:
        return "Flat" if self.kind == "flat" else f"IVF{self.nlist},{self.codec}"

    def describe(self) -> str:
        return "flat" if self.kind == "flat" else f"ivf{self.nlist}-{self.codec.lower()}-nprobe{self.nprobe}"


def spec_for(n: int, *, codec: str = CODEC) -> IndexSpec:
    """The index for ``n`` filings: exact below IVF_MIN, else about 2·sqrt(n) lists, 16 probed
    (at 1M: recall@10 0.999 against exact search; doubling the probes gains 0.0002 and costs
    more than double the time — eval/bench_index.py)."""
    if n < IVF_MIN:
        return IndexSpec("flat")
    nlist = 2 ** round(math.log2(2 * math.sqrt(n)))
    return IndexSpec("ivf", nlist=nlist, nprobe=max(16, nlist // 128), codec=codec)


class VectorIndex:
    def __init__(self, dim: int, spec: IndexSpec, index: faiss.Index) -> None:
        self.dim = dim
        self.spec = spec
        self.index = index
        if spec.kind == "ivf":
            ivf = faiss.extract_index_ivf(index)
            ivf.nprobe = spec.nprobe
            if ivf.direct_map.type != faiss.DirectMap.Hashtable:
                # id -> code position: lets a candidate found by an exact signal get its vector
                # back (no second embedding) and makes removals cheap
                ivf.set_direct_map_type(faiss.DirectMap.Hashtable)

    @classmethod
    def empty(cls, dim: int) -> "VectorIndex":
        return cls(dim, IndexSpec("flat"), faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def build(cls, vectors: np.ndarray, ids: np.ndarray, spec: IndexSpec | None = None,
              *, train_sample: int = 200_000, seed: int = 0) -> "VectorIndex":
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        spec = spec or spec_for(len(vectors))
        rng = np.random.default_rng(seed)
        sample = vectors if len(vectors) <= train_sample else vectors[rng.choice(len(vectors), train_sample, replace=False)]
        out = cls.trained(sample, spec)
        out.add(vectors, ids)
        return out

    @classmethod
    def trained(cls, sample: np.ndarray, spec: IndexSpec) -> "VectorIndex":
        """An empty index of ``spec``, its lists trained on ``sample`` (ignored for flat): vectors
        can then be added a chunk at a time, never all in memory at once."""
        dim = sample.shape[1]
        if spec.kind == "flat":
            return cls.empty(dim)
        index = faiss.index_factory(dim, spec.factory, faiss.METRIC_INNER_PRODUCT)
        index.train(np.ascontiguousarray(sample, dtype=np.float32))
        return cls(dim, spec, index)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def add(self, vectors: np.ndarray, ids: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                    np.ascontiguousarray(ids, dtype=np.int64))

    def remove(self, ids) -> int:
        ids = np.asarray(list(ids), dtype=np.int64)
        if not len(ids):
            return 0
        if self.spec.kind == "ivf":  # the hashtable direct map removes by an id array only
            ids = np.array([i for i in ids if _has(self.index, int(i))], dtype=np.int64)
            if not len(ids):
                return 0
            return int(self.index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids))))
        return int(self.index.remove_ids(faiss.IDSelectorBatch(ids)))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (n, k); missing slots have id -1."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, max(self.ntotal, 1)))
        return self.index.search(queries, k)

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (vector, id) held, for rebuilding as another kind (exact for flat, fp16 for ivf)."""
        if self.spec.kind == "flat":
            ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
            flat = faiss.downcast_index(self.index.index)
            return flat.reconstruct_n(0, self.ntotal), ids
        ivf = faiss.extract_index_ivf(self.index)
        invlists = ivf.invlists
        ids = [faiss.rev_swig_ptr(invlists.get_ids(lst), invlists.list_size(lst)).copy()
               for lst in range(ivf.nlist) if invlists.list_size(lst)]
        if not ids:
            return np.zeros((0, self.dim), np.float32), np.zeros(0, np.int64)
        all_ids = np.concatenate(ids).astype(np.int64)
        return self.reconstruct(all_ids), all_ids

    def reconstruct(self, ids) -> np.ndarray:
        """The stored vectors of these ids (fp16-exact for ivf)."""
        ids = np.asarray(list(ids), dtype=np.int64)
        if not len(ids):
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self.index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def memory_bytes(self) -> int:
        """Its serialised size, counted as it streams (no copy of it is made)."""
        size = 0

        def count(chunk: bytes) -> int:
            nonlocal size
            size += len(chunk)
            return len(chunk)

        self.write(count)
        return size

    def write(self, sink) -> None:
        """Serialise to ``sink(bytes)`` a chunk at a time: at a million filings the index is about
        1 GB, and a serialised copy beside it would double the process's peak."""
        faiss.write_index(self.index, faiss.PyCallbackIOWriter(sink))

    @classmethod
    def read(cls, source, dim: int, spec: IndexSpec) -> "VectorIndex":
        """From ``source(n) -> bytes`` (a file's ``read``), a chunk at a time."""
        return cls(dim, spec, faiss.read_index(faiss.PyCallbackIOReader(source)))

    def to_bytes(self) -> np.ndarray:
        return faiss.serialize_index(self.index)

    @classmethod
    def from_bytes(cls, data: np.ndarray, dim: int, spec: IndexSpec) -> "VectorIndex":
        return cls(dim, spec, faiss.deserialize_index(np.asarray(data, dtype=np.uint8)))


def set_search_threads(n: int) -> None:
    """faiss's OpenMP threads, for the whole process. A served search asks one query at a time:
    measured under load on 2 cores, a flat search of a few hundred filings took 3.4 ms with the
    default threads (waking them) against 0.04 ms alone."""
    faiss.omp_set_num_threads(max(1, n))


def release_free_memory() -> None:
    """Hand memory the allocator holds free back to the system (glibc ``malloc_trim``; nothing
    elsewhere). Why: an inverted list reallocates on its first new vector after a load, and
    glibc keeps the old buffers — a search opened at 1M filings grew by about half its index
    over its first few thousand new filings (docs/duplicates.md)."""
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL("libc.so.6")
        except OSError:
            _libc = False
    if _libc and hasattr(_libc, "malloc_trim"):
        _libc.malloc_trim(0)


_libc = None


def _has(index, i: int) -> bool:
    try:
        faiss.extract_index_ivf(index).direct_map.get(i)
        return True
    except RuntimeError:  # not held
        return False
