"""Growable numpy columns and a hashed key index over them.

Why: at a million filings, one Python object per value (a str, an int, a set entry) costs
tens of bytes of header and pointers beside a few bytes of data. These hold the same values
as contiguous arrays, so the metadata of a filing costs about its own bytes.
"""

from __future__ import annotations

import hashlib

import numpy as np


def key_of(text: str) -> int:
    """A stable 64-bit key for a string (the same in every process: key arrays are persisted).

    Keys only lead to rows; whoever looks a string up compares the row's own value, so a
    collision costs a wasted look, never a wrong answer."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class Column:
    """A 1-d array grown by appending (amortised O(1)); ``values`` is a view of what it holds."""

    def __init__(self, dtype, data: np.ndarray | None = None, n: int | None = None) -> None:
        """Empty, or holding ``data`` (its first ``n`` items when ``n`` is given: the rest is
        spare room, so that the next appends need no copy)."""
        self.dtype = np.dtype(dtype)
        self._data = np.empty(16, self.dtype) if data is None else np.asarray(data, dtype=self.dtype)
        self.n = 0 if data is None else len(self._data) if n is None else n

    def __len__(self) -> int:
        return self.n

    @property
    def values(self) -> np.ndarray:
        return self._data[: self.n]

    @property
    def buffer(self) -> np.ndarray:
        """The whole allocation, valid below ``len(self)``: for reading single items without
        making a view (the buffer is replaced, never changed in place, when it grows)."""
        return self._data

    def append(self, value) -> None:
        if self.n == len(self._data):
            self._reserve(self.n + 1)
        self._data[self.n] = value
        self.n += 1

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.dtype)
        end = self.n + len(values)
        if end > len(self._data):
            self._reserve(end)
        self._data[self.n : end] = values
        self.n = end

    def _reserve(self, size: int) -> None:
        # a fresh, uninitialised array: the pages of its spare room are not touched, so they
        # take no memory until written (ndarray.resize would zero them: all resident)
        grown = np.empty(max(size, spare(len(self._data))), self.dtype)
        grown[: self.n] = self._data[: self.n]
        self._data = grown


def spare(n: int) -> int:
    """The room a column of ``n`` items grows to (untouched room costs no memory)."""
    return n * 3 // 2 + 16


class KeyIndex:
    """uint64 key -> rows (int32), many rows a key: a sorted base searched by bisection, and the
    keys added since in a small dict, folded into the base once it outgrows a sixteenth of it.

    Rows are never removed one by one: the table marks a row dead and filters on lookup, and
    ``remap`` renumbers (or drops) every entry when the table compacts."""

    def __init__(self, keys: np.ndarray | None = None, rows: np.ndarray | None = None) -> None:
        self._keys = np.zeros(0, np.uint64) if keys is None else np.asarray(keys, np.uint64)
        self._rows = np.zeros(0, np.int32) if rows is None else np.asarray(rows, np.int32)
        self._recent: dict[int, list[int]] = {}
        self._n_recent = 0

    def __len__(self) -> int:
        return len(self._keys) + self._n_recent

    def add(self, key: int, row: int) -> None:
        self._recent.setdefault(key, []).append(row)
        self._n_recent += 1
        if self._n_recent > max(4096, len(self._keys) // 16):
            self._fold()

    def lookup(self, key: int) -> list[int]:
        keys, k = self._keys, np.uint64(key)
        lo = int(keys.searchsorted(k))
        hi = lo
        if lo < len(keys) and keys[lo] == k:  # most keys have one row: no second bisection for them
            hi = lo + 1 if lo + 1 == len(keys) or keys[lo + 1] != k else int(keys.searchsorted(k, "right"))
        return self._rows[lo:hi].tolist() + self._recent.get(key, [])

    def _fold(self) -> None:
        if not self._recent:
            return
        keys = np.fromiter((k for k, rows in self._recent.items() for _ in rows), np.uint64, self._n_recent)
        rows = np.fromiter((r for rs in self._recent.values() for r in rs), np.int32, self._n_recent)
        keys = np.concatenate([self._keys, keys])
        rows = np.concatenate([self._rows, rows])
        order = np.argsort(keys, kind="stable")
        self._keys, self._rows = keys[order], rows[order]
        self._recent.clear()
        self._n_recent = 0

    def remap(self, new_row: np.ndarray) -> None:
        """Renumber every entry's row through ``new_row`` (old row -> new row, -1: gone)."""
        self._fold()
        rows = new_row[self._rows]
        keep = rows >= 0
        self._keys, self._rows = self._keys[keep], rows[keep].astype(np.int32)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        self._fold()
        return self._keys, self._rows
