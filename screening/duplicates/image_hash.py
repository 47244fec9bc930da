"""Perceptual hashes of product photos and the index that finds near-copies (DUPLICATE_IMAGE).

Two 64-bit hashes per photo, numpy + PIL only:
- pHash: the signs of the 8×8 lowest DCT frequencies of the 32×32 grey image against their
  median — stable under resizing, recompression and small crops;
- dHash: the signs of horizontal gradients on a 9×8 grey image — a second, independent view
  that keeps the false matches down.
A photo matches another when BOTH distances are within their thresholds (set from the
generated transformed-copy set: eval/duplicates.py, docs/duplicates.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.fft import dctn

PHASH_MAX = 12  # of 64 bits
DHASH_MAX = 16
_BITS = 1 << np.arange(64, dtype=np.uint64)


def _grey(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    img = image if image.mode == "L" else image.convert("L")
    return np.asarray(img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0), dtype=np.float64)


def _pack(bits: np.ndarray) -> int:
    return int((bits.ravel().astype(np.uint64) * _BITS).sum())


def phash(image: Image.Image) -> int:
    pixels = _grey(image, (32, 32))
    low = dctn(pixels, norm="ortho")[:8, :8]
    return _pack(low > np.median(low))


def dhash(image: Image.Image) -> int:
    pixels = _grey(image, (9, 8))
    return _pack(pixels[:, 1:] > pixels[:, :-1])


@dataclass(frozen=True)
class PhotoHash:
    phash: int
    dhash: int

    @classmethod
    def of(cls, image: Image.Image) -> "PhotoHash":
        return cls(phash(image), dhash(image))

    def to_list(self) -> list[int]:
        return [self.phash, self.dhash]


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def is_copy(a: PhotoHash, b: PhotoHash) -> bool:
    return hamming(a.phash, b.phash) <= PHASH_MAX and hamming(a.dhash, b.dhash) <= DHASH_MAX


class PhotoHashIndex:
    """Every indexed photo's hashes beside its owner (a revision id); brute force over uint64.

    A scan of a million photos is two XORs and popcounts over 8 MB arrays: a few milliseconds,
    so no tree is needed at the platform's scale."""

    def __init__(self) -> None:
        self._p: list[int] = []
        self._d: list[int] = []
        self._owner: list[int] = []
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._removed: set[int] = set()

    def __len__(self) -> int:
        return len(self._owner) - sum(1 for o in self._owner if o in self._removed)

    def add(self, owner: int, hashes: list[PhotoHash]) -> None:
        for h in hashes:
            self._p.append(h.phash)
            self._d.append(h.dhash)
            self._owner.append(owner)
        self._arrays = None

    def remove(self, owners) -> None:
        self._removed.update(owners)
        if len(self._removed) > 1000 and len(self._removed) * 10 > len(self._owner):
            self._compact()

    def _compact(self) -> None:
        keep = [i for i, o in enumerate(self._owner) if o not in self._removed]
        self._p = [self._p[i] for i in keep]
        self._d = [self._d[i] for i in keep]
        self._owner = [self._owner[i] for i in keep]
        self._removed.clear()
        self._arrays = None

    def _array(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._arrays is None:
            self._arrays = (np.array(self._p, dtype=np.uint64), np.array(self._d, dtype=np.uint64),
                            np.array(self._owner, dtype=np.int64))
        return self._arrays

    def search(self, h: PhotoHash, *, phash_max: int = PHASH_MAX, dhash_max: int = DHASH_MAX) -> list[tuple[int, int, int]]:
        """(owner, phash distance, dhash distance) of every copy, closest first."""
        p, d, owner = self._array()
        hit, dp, dd = copies(p, d, h, phash_max, dhash_max)
        out = [(int(owner[i]), int(a), int(b)) for i, a, b in zip(hit, dp, dd) if int(owner[i]) not in self._removed]
        return sorted(out, key=lambda t: (t[1] + t[2], t[0]))


def copies(phashes: np.ndarray, dhashes: np.ndarray, h: PhotoHash, phash_max: int = PHASH_MAX,
           dhash_max: int = DHASH_MAX) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions, pHash distances, dHash distances) of the copies of ``h`` among uint64 hash arrays."""
    dp = np.bitwise_count(phashes ^ np.uint64(h.phash))
    dd = np.bitwise_count(dhashes ^ np.uint64(h.dhash))
    hit = np.flatnonzero((dp <= phash_max) & (dd <= dhash_max))
    return hit, dp[hit], dd[hit]
