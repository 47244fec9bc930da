"""The filings the duplicate search holds, as columns rather than one Python object each.

A held filing is a row: its revision id, a live flag, its text fields as one compact JSON
record (UTF-8) in a shared byte heap, and its photo hashes in uint64 arrays. Look-ups by
revision id, submission id, patent number, model line and entity go through ``KeyIndex``es
of 64-bit keys; every look-up then compares the row's own values, so the answers are exactly
those of sets of strings. A ``Filing`` is made only for the few rows a search scores.

Why not the database: scoring a candidate needs its names, codes, introduction and patents,
and its photo hashes, which are computed from the blobs and stored nowhere else; up to 65
candidates a search would be one more round trip under the search lock. Measured in
docs/duplicates.md (about 0.5 KB a filing here against about 1.9 KB as objects).
"""

from __future__ import annotations

import json
from typing import Iterator

import numpy as np

from .columns import Column, KeyIndex, key_of
from .filing import Filing
from .image_hash import DHASH_MAX, PHASH_MAX, PhotoHash, copies
from .model_codes import _bare

# a dead row is reclaimed when they make up this share of the rows (and at least MIN_DEAD)
DEAD_SHARE = 0.25
MIN_DEAD = 10_000
_FIELDS = ("submission_id", "stage", "entity_uscc", "entity_name", "product_name", "models", "intro", "patents")
_INDEXES = ("by_rid", "by_submission", "by_patent", "by_line", "by_entity")
COLUMNS = ("rid", "live", "record_end", "heap", "photo_end", "phash", "dhash", "photo_row")


def _bare_lines(f: Filing) -> set[str]:
    return {_bare(line) for line in f.lines}


class FilingTable:
    """The latest revision of every indexed submission (the search drops the older one first)."""

    def __init__(self) -> None:
        self.rid = Column(np.int64)
        self.live = Column(np.bool_)
        self.record_end = Column(np.int64)  # row i's record is heap[record_end[i-1]:record_end[i]]
        self.heap = Column(np.uint8)
        self.photo_end = Column(np.int64)  # row i's photos are [photo_end[i-1]:photo_end[i]]
        self.phash = Column(np.uint64)
        self.dhash = Column(np.uint64)
        self.photo_row = Column(np.int32)
        self.index = {name: KeyIndex() for name in _INDEXES}
        self.n_live = 0
        self.min_dead = MIN_DEAD

    def __len__(self) -> int:
        return self.n_live

    def __contains__(self, revision_id: int) -> bool:
        return self._row_of(revision_id) is not None

    # ---------------------------------------------------------------- changes
    def hold(self, f: Filing) -> None:
        row = len(self.rid)
        record = json.dumps([getattr(f, name) for name in _FIELDS], ensure_ascii=False, separators=(",", ":"))
        self.heap.extend(np.frombuffer(record.encode("utf-8", "surrogatepass"), np.uint8))
        self.record_end.append(len(self.heap))
        for h in f.photos:
            self.phash.append(h.phash)
            self.dhash.append(h.dhash)
            self.photo_row.append(row)
        self.photo_end.append(len(self.phash))
        self.rid.append(f.revision_id)
        self.live.append(True)
        self.n_live += 1
        self.index["by_rid"].add(f.revision_id, row)
        self.index["by_submission"].add(key_of(f.submission_id), row)
        for p in set(f.patents):
            self.index["by_patent"].add(key_of(p), row)
        for line in _bare_lines(f):
            self.index["by_line"].add(key_of(line), row)
        if f.entity_uscc:
            self.index["by_entity"].add(key_of(f.entity_uscc), row)

    def drop(self, revision_id: int) -> bool:
        """Forget a filing; False when it was not held."""
        row = self._row_of(revision_id)
        if row is None:
            return False
        self.live.values[row] = False
        self.n_live -= 1
        dead = len(self.rid) - self.n_live
        if dead >= self.min_dead and dead >= DEAD_SHARE * len(self.rid):
            self.compact()
        return True

    def compact(self) -> None:
        """Reclaim the dead rows: copy the live ones down, renumber every index."""
        live = self.live.values.copy()
        new_row = np.where(live, np.cumsum(live) - 1, -1)
        ends = self.record_end.values
        starts = np.concatenate([[0], ends[:-1]])
        heap = Column(np.uint8)
        for a in range(0, len(live), 65_536):  # in chunks: no heap-sized mask at once
            b = min(a + 65_536, len(live))
            segment = self.heap.values[starts[a] : ends[b - 1]]
            heap.extend(segment[np.repeat(live[a:b], ends[a:b] - starts[a:b])])
        keep_photo = live[self.photo_row.values]
        photo_counts = np.diff(np.concatenate([[0], self.photo_end.values]))[live]
        self.heap = heap
        self.record_end = Column(np.int64, np.cumsum((ends - starts)[live]))
        self.photo_end = Column(np.int64, np.cumsum(photo_counts))
        self.phash = Column(np.uint64, self.phash.values[keep_photo])
        self.dhash = Column(np.uint64, self.dhash.values[keep_photo])
        self.photo_row = Column(np.int32, new_row[self.photo_row.values[keep_photo]])
        self.rid = Column(np.int64, self.rid.values[live])
        self.live = Column(np.bool_, np.ones(int(live.sum()), np.bool_))
        for index in self.index.values():
            index.remap(new_row)

    # ---------------------------------------------------------------- reading
    def filing(self, row: int) -> Filing:
        # .buffer, not .values: no view made per column (a search makes up to 65 of these)
        ends = self.record_end.buffer
        start = int(ends[row - 1]) if row else 0
        values = json.loads(self.heap.buffer[start : int(ends[row])].tobytes().decode("utf-8", "surrogatepass"))
        pe = self.photo_end.buffer
        a, b = (int(pe[row - 1]) if row else 0), int(pe[row])
        photos = [PhotoHash(p, d) for p, d in zip(self.phash.buffer[a:b].tolist(), self.dhash.buffer[a:b].tolist())] \
            if b > a else []
        return Filing(int(self.rid.buffer[row]), *values, photos=photos)

    def holds(self, revision_id: int) -> bool:
        return self._row_of(revision_id) is not None

    def get(self, revision_id: int) -> Filing | None:
        row = self._row_of(revision_id)
        return None if row is None else self.filing(row)

    def __iter__(self) -> Iterator[Filing]:
        """Every held filing, in the order they were held (a full scan: for tests and migrations)."""
        for row in np.flatnonzero(self.live.values).tolist():
            yield self.filing(row)

    def current(self, submission_id: str) -> int | None:
        """The revision id held for a submission."""
        rows = [r for r in self._rows("by_submission", submission_id) if self.filing(r).submission_id == submission_id]
        return int(self.rid.values[max(rows)]) if rows else None

    def submission_ids(self) -> Iterator[str]:
        for f in self:
            yield f.submission_id

    def of_entity(self, uscc: str) -> list[Filing]:
        found = (self.filing(r) for r in self._rows("by_entity", uscc)) if uscc else ()
        return [f for f in found if f.entity_uscc == uscc]

    def photo_copies(self, h: PhotoHash, *, phash_max: int = PHASH_MAX,
                     dhash_max: int = DHASH_MAX) -> list[tuple[int, int, int]]:
        """(revision id, pHash distance, dHash distance) of every held photo that copies ``h``, closest first."""
        hit, dp, dd = copies(self.phash.values, self.dhash.values, h, phash_max, dhash_max)
        rows = self.photo_row.values[hit]
        keep = self.live.values[rows]
        out = [(int(r), int(a), int(b)) for r, a, b in zip(self.rid.values[rows[keep]], dp[keep], dd[keep])]
        return sorted(out, key=lambda t: (t[1] + t[2], t[0]))

    def sharing(self, f: Filing, *, exclude, limit: int) -> list[Filing]:
        """The held filings, newest ``limit`` of them, that share a patent number, a model line
        (brand prefix ignored) or a photo copy with ``f``, leaving out revision ids in ``exclude``."""
        photo = {rid for h in f.photos for rid, _, _ in self.photo_copies(h)}
        rows = {r for p in f.patents for r in self._rows("by_patent", p)}
        lines = _bare_lines(f)
        rows |= {r for line in lines for r in self._rows("by_line", line)}
        found = dict(zip(self.rid.buffer[list(rows)].tolist(), rows))
        patents = set(f.patents)
        out = []
        for rid in sorted((set(found) | photo) - set(exclude), reverse=True):
            other = self.filing(found[rid]) if rid in found else self.get(rid)
            if rid in photo or patents & set(other.patents) or lines & _bare_lines(other):
                out.append(other)
                if len(out) == limit:
                    break
        return out

    def _rows(self, index: str, value: str) -> list[int]:
        rows = self.index[index].lookup(key_of(value))
        return np.asarray(rows, np.int64)[self.live.buffer[rows]].tolist() if len(rows) > 8 else \
            [r for r in rows if self.live.buffer[r]]

    def _row_of(self, revision_id: int) -> int | None:
        rows = [r for r in self.index["by_rid"].lookup(revision_id) if self.live.buffer[r]]
        return rows[-1] if rows else None

    # ---------------------------------------------------------------- persistence
    def arrays(self) -> dict[str, np.ndarray]:
        """Every column and index as named arrays (for ``np.savez``; no pickles)."""
        out = {name: getattr(self, name).values for name in COLUMNS}
        for name, index in self.index.items():
            out[f"{name}_keys"], out[f"{name}_rows"] = index.arrays()
        return out

    @classmethod
    def from_arrays(cls, arrays) -> "FilingTable":
        """From ``arrays()``'s names; a column may come as a ``Column`` already (with spare room)."""
        t = cls()
        for name in COLUMNS:
            value = arrays[name]
            setattr(t, name, value if isinstance(value, Column) else Column(getattr(t, name).dtype, value))
        t.index = {name: KeyIndex(arrays[f"{name}_keys"], arrays[f"{name}_rows"]) for name in _INDEXES}
        t.n_live = int(t.live.values.sum())
        return t
