"""DuplicateSearch: every filed and pending product, searchable by meaning and by exact signals.

The database is the source of truth. The index is a cache of it:

- it persists to ``data_dir/index/duplicates.npz`` (the faiss index, the filings' metadata,
  and the commit place of the last revision applied), written atomically (``snapshot.py``), so several
  processes sharing a data directory never read half a snapshot;
- before each search it catches up with ``store.revisions_since(last_seq)`` — one indexed
  query, cheap — so a product filed through another server process sharing the PostgreSQL
  database is found within one search. It follows the revisions' commit places, not their
  row ids: a transaction that took a lower id can commit after a higher one, but its place
  is given as it commits, so "> last_seq" never misses it;
- only the latest revision of each submission is held (an older one is removed when a newer
  one arrives); ``rebuild()`` recreates everything from the database.

Candidates for a query come from three places, merged: the faiss neighbours of its embedding,
filings sharing a patent number, and filings of the same model line (so an exact signal is
never lost to an approximate search). The pair scorer decides which are duplicates.
The filings' metadata is held in columns (``filing_table.py``), not one object each.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from . import snapshot
from .filing import Filing, is_own_annual_update, pair_features
from .filing_table import FilingTable
from .image_hash import PhotoHash
from .recent import Answer, RecentSearches, filing_key
from .revisions import RevisionReader, batches
from .vector_index import IVF_MIN, VectorIndex, release_free_memory, spec_for
from .withdrawals import withdrawn

log = logging.getLogger(__name__)

SNAPSHOT = "duplicates.npz"
MAX_EXACT_CANDIDATES = 50
TRAIN_SAMPLE = 200_000  # filings an inverted file's lists are trained on at a rebuild
EMBED_CHUNK = 64 * 160  # filings embedded at a time at a rebuild (whole batches of the embedder's 64)


@dataclass
class Candidate:
    other: Filing
    probability: float
    features: dict[str, float]
    cosine: float


@dataclass
class ImageMatch:
    other: Filing
    phash_distance: int
    dhash_distance: int


class Current(Mapping):
    """Submission id -> its indexed revision id, read from the search's filing table."""

    def __init__(self, search: "DuplicateSearch") -> None:
        self._search = search

    def __getitem__(self, submission_id: str) -> int:
        found = self._search.table.current(submission_id)
        if found is None:
            raise KeyError(submission_id)
        return found

    def __iter__(self) -> Iterator[str]:
        return self._search.table.submission_ids()

    def __len__(self) -> int:
        return len(self._search.table)


@dataclass
class SearchState:
    current: Mapping[str, int]  # submission id -> its indexed revision id (latest revisions only)
    last_seq: int = 0  # the commit place of the last revision applied


class DuplicateSearch:
    def __init__(self, data_dir: Path, store, embedder, scorer, *, save_every: int = 500,
                 save_interval_s: float = 300.0, table=FilingTable) -> None:
        self.dir = Path(data_dir) / "index"
        self.store = store
        self.embedder = embedder
        self.scorer = scorer
        self.save_every = save_every
        self.save_interval_s = save_interval_s
        self._new_table = table  # what holds the filings' metadata (eval/ measures another beside it)
        self.photo_kind = None  # models.photo_kind.PhotoKindClassifier (IMAGE_NOT_PHOTO)
        self._lock = threading.RLock()
        self.revisions = RevisionReader(store)
        self._reset()

    # ---------------------------------------------------------------- life cycle
    @classmethod
    def open(cls, data_dir: Path, store, embedder, scorer=None, photo_kind=None, **kw) -> "DuplicateSearch":
        """Load the snapshot if it fits this embedder, else rebuild; then catch up with the database.

        ``scorer`` and ``photo_kind`` default to the committed models (models/weights/)."""
        if scorer is None:
            from models.pair_scorer import PairScorer

            scorer = PairScorer.load_default()
        if photo_kind is None:
            from models.photo_kind import PhotoKindClassifier

            photo_kind = PhotoKindClassifier.load_default()
        self = cls(data_dir, store, embedder, scorer, **kw)
        self.photo_kind = photo_kind
        if not self._load_snapshot():
            self.rebuild()
        else:
            self.catch_up()
        return self

    @property
    def version(self) -> str:
        return self.scorer.version

    @property
    def threshold(self) -> float:
        return self.scorer.threshold

    @property
    def last_seq(self) -> int:
        return self.state.last_seq

    def __len__(self) -> int:
        return len(self.table)

    def _reset(self) -> None:
        self.state = SearchState(current=Current(self))
        self.vectors = VectorIndex.empty(self.embedder.dim)
        self.table = self._new_table()
        self.recent = RecentSearches()
        self._unsaved = 0
        self._saved_at = time.monotonic()

    def rebuild(self) -> int:
        """Recreate the index from the database (all latest revisions); returns the filings held.

        Two passes over the revisions, so that no more than one batch of stored forms is held at
        a time: the first finds each submission's latest revision, the second reads those."""
        with self._lock:
            self._reset()
            latest: dict[str, int] = {}  # submission id -> its latest revision id
            last = 0
            for batch in batches(self.store, 0):
                for rev in batch:
                    latest[rev.submission_id] = rev.id
                    last = rev.seq
            revocations = []
            for batch in batches(self.store, 0, until=last):
                for rev in batch:
                    if latest.get(rev.submission_id) != rev.id:
                        continue  # an older revision
                    f = self.revisions.filing_of(rev)
                    if f is not None:
                        self.table.hold(f)
                    elif (rev.form or {}).get("stage") == "revocation":
                        revocations.append(rev)
            for rev in revocations:  # in revision order: each withdraws what was filed before it
                for revision_id in withdrawn(self.table, rev):
                    self.table.drop(revision_id)
            self.vectors = self._embed_all()
            self.state.last_seq = last
            self._save()
            log.info("duplicate index rebuilt", extra={"filings": len(self.table), "last_seq": last,
                                                        "index": self.vectors.spec.describe()})
            return len(self.table)

    def _embed_all(self) -> VectorIndex:
        """Every held filing embedded into a new index, a chunk at a time: at a million filings
        neither all their vectors (2 GB) nor all of them as objects are held at once. An
        inverted file's lists are trained first, on a random sample of them."""
        n = len(self.table)
        spec = spec_for(n)
        index = VectorIndex.empty(self.embedder.dim)
        sample: set[int] = set()
        if spec.kind != "flat":
            sample = set(np.random.default_rng(0).choice(n, min(n, TRAIN_SAMPLE), replace=False).tolist())
            vecs, ids = self._embed([f for i, f in enumerate(self.table) if i in sample])
            index = VectorIndex.trained(vecs, spec)
            index.add(vecs, ids)
            del vecs
        chunk: list[Filing] = []
        for i, f in enumerate(self.table):
            if i not in sample:
                chunk.append(f)
            if len(chunk) == EMBED_CHUNK or (i == n - 1 and chunk):
                index.add(*self._embed(chunk))
                chunk = []
        return index

    def _embed(self, filings: list[Filing]) -> tuple[np.ndarray, np.ndarray]:
        return self.embedder.encode([f.text for f in filings]), np.array([f.revision_id for f in filings], np.int64)

    def catch_up(self) -> int:
        """Apply the revisions recorded since the last catch-up (by any process); returns how many."""
        with self._lock:
            applied = 0
            while True:
                batch = self.store.revisions_since(self.state.last_seq)
                if batch:
                    self._apply(batch)
                    applied += len(batch)
                if len(batch) < 10_000:
                    break
            if applied:
                self._maybe_grow()
                self._unsaved += applied
                if self._unsaved >= self.save_every or time.monotonic() - self._saved_at > self.save_interval_s:
                    self._save()
            return applied

    def _apply(self, revisions) -> None:
        state = self.state
        new: dict[str, Filing] = {}  # submission id -> its filing in this batch, not yet held
        for rev in revisions:
            pending = new.get(rev.submission_id)
            old = pending.revision_id if pending is not None else self.table.current(rev.submission_id)
            if old is not None and old > rev.id:
                continue  # an older revision of one already held: the newer one stands
            if pending is not None:
                del new[rev.submission_id]
            elif old is not None:
                self._drop(old)
            f = self.revisions.filing_of(rev)
            if f is not None:
                new[rev.submission_id] = f
            elif (rev.form or {}).get("stage") == "revocation":
                # a withdrawn product leaves the index at once, with its annual updates
                gone = withdrawn(self.table, rev, pending=list(new.values()))
                for revision_id in gone:
                    self._drop(revision_id)
                new = {sid: f for sid, f in new.items() if f.revision_id not in gone}
        if new:
            filings = list(new.values())
            vecs = self.recent.vectors([f.text for f in filings], self.embedder.encode)
            self.vectors.add(vecs, np.array([f.revision_id for f in filings], dtype=np.int64))
            for f in filings:
                self.table.hold(f)
            self.recent.held([f.revision_id for f in filings])
        state.last_seq = max([state.last_seq] + [r.seq for r in revisions])

    def _drop(self, revision_id: int) -> None:
        if self.table.drop(revision_id):
            self.vectors.remove([revision_id])

    def _maybe_grow(self) -> None:
        """An exact index that has outgrown IVF_MIN is rebuilt as an inverted file (once)."""
        if self.vectors.spec.kind == "flat" and self.vectors.ntotal >= IVF_MIN:
            vecs, ids = self.vectors.vectors()
            self.vectors = VectorIndex.build(vecs, ids, spec_for(len(ids)))

    # ---------------------------------------------------------------- persistence
    def _save(self) -> None:
        meta = {"embedder": self.embedder.version, "dim": self.embedder.dim, "spec": self.vectors.spec.__dict__,
                "last_seq": self.state.last_seq}
        snapshot.write(self.dir / SNAPSHOT, meta, self.vectors, self.table)
        release_free_memory()  # what the index's grown lists left behind since the last save
        self._unsaved = 0
        self._saved_at = time.monotonic()

    def save(self) -> None:
        with self._lock:
            self._save()

    def _load_snapshot(self) -> bool:
        path = self.dir / SNAPSHOT
        if not path.exists():
            return False
        try:
            with np.load(path, allow_pickle=False) as z:  # the header alone first: cheap to refuse
                meta = snapshot.read_meta(z)
        except Exception:
            log.exception("duplicate index snapshot unreadable: rebuilding")
            return False
        if meta.get("format") not in snapshot.READABLE or meta.get("embedder") != self.embedder.version \
                or meta.get("dim") != self.embedder.dim:
            log.info("duplicate index snapshot is for another embedder or format: rebuilding")
            return False
        # snapshots before commit places named the last revision id: the same number (migration 0009)
        last_seq = int(meta.get("last_seq", meta.get("last_id", 0)))
        if last_seq > self.store.last_commit_seq():
            log.info("duplicate index snapshot is ahead of this database: rebuilding")
            return False
        try:
            with np.load(path, allow_pickle=False) as z:
                loaded = snapshot.read(z, meta, self.embedder.dim)
        except Exception:
            log.exception("duplicate index snapshot unreadable: rebuilding")
            return False
        self._reset()
        self.vectors = loaded.vectors
        self.table = loaded.table
        self.state.last_seq = last_seq
        return True

    # ---------------------------------------------------------------- searching
    def find(self, filing: Filing, *, k: int = 10, catch_up: bool = True) -> list[Candidate]:
        """Scored candidates for ``filing`` (not yet recorded), likeliest first; the caller keeps
        those at or above ``self.scorer.threshold``."""
        if catch_up:
            self.catch_up()
        with self._lock:
            if not len(self.table):
                return []
            key = filing_key(filing)
            before = self.recent.answer(key, self.scorer)
            new = self.recent.held_since(before.seq) if before is not None else None
            if new is not None:  # searched a moment ago: only what was held since can change the answer
                query = before.query
                out = self._extend(filing, before, new)
            else:
                query = self.recent.vectors([filing.text], self.embedder.encode)[0]
                out = self._search(filing, query, k)
            self.recent.remember(key, Answer(self.recent.seq, query, out, self.scorer))
            return out

    def _search(self, filing: Filing, q: np.ndarray, k: int) -> list[Candidate]:
        scores, ids = self.vectors.search(q, k + 5)
        cos = {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
        # every filing sharing an exact signal, the newest MAX_EXACT_CANDIDATES of them
        exact = self.table.sharing(filing, exclude=cos, limit=MAX_EXACT_CANDIDATES)
        near = [self.table.get(i) for i in cos]
        others = [o for o in near if o is not None] + sorted(exact, key=lambda o: o.revision_id)
        others = [o for o in others if o.submission_id != filing.submission_id and not is_own_annual_update(filing, o)]
        if not others:
            return []
        missing = [o for o in others if o.revision_id not in cos]
        if missing:  # exact-signal candidates: their cosine from their stored vectors
            for o, v in zip(missing, self.vectors.reconstruct([o.revision_id for o in missing])):
                cos[o.revision_id] = float(np.dot(q, v))
        feats = [pair_features(filing, o, cos[o.revision_id]) for o in others]
        probs = self.scorer.probabilities(feats)
        out = [Candidate(o, float(p), f, cos[o.revision_id]) for o, p, f in zip(others, probs, feats)]
        return sorted(out, key=lambda c: (-c.probability, c.other.revision_id))

    def _extend(self, filing: Filing, before: Answer, new: list[int]) -> list[Candidate]:
        """A search's earlier answer brought up to date: the candidates still held, and every
        filing held since scored as a candidate too (however far its embedding is: a few)."""
        kept = [c for c in before.candidates if self.table.holds(c.other.revision_id)]
        known = {c.other.revision_id for c in kept}
        fresh = [o for o in (self.table.get(rid) for rid in new if rid not in known) if o is not None
                 and o.submission_id != filing.submission_id and not is_own_annual_update(filing, o)]
        if fresh:
            cos = [float(np.dot(before.query, v)) for v in self.vectors.reconstruct([o.revision_id for o in fresh])]
            feats = [pair_features(filing, o, c) for o, c in zip(fresh, cos)]
            probs = self.scorer.probabilities(feats)
            kept += [Candidate(o, float(p), f, c) for o, p, f, c in zip(fresh, probs, feats, cos)]
        return sorted(kept, key=lambda c: (-c.probability, c.other.revision_id))

    def find_images(self, hashes: list[PhotoHash], *, exclude_submission: str | None = None) -> list[list[ImageMatch]]:
        """For each photo hash, the indexed photos that are copies of it (closest first)."""
        with self._lock:
            out = []
            for h in hashes:
                matches = []
                for owner, dp, dd in self.table.photo_copies(h):
                    other = self.table.get(owner)
                    if other is not None and other.submission_id != exclude_submission:
                        matches.append(ImageMatch(other, dp, dd))
                out.append(matches)
            return out

