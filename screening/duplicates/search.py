"""DuplicateSearch: every filed and pending product, searchable by meaning and by exact signals.

The database is the source of truth. The index is a cache of it:

- it persists to ``data_dir/index/duplicates.npz`` (the faiss index, the filings' metadata,
  and the last revision row id applied), written atomically (one file, ``os.replace``), so
  several processes sharing a data directory never read half a snapshot;
- before each search it catches up with ``store.revisions_since(last_id)`` — one indexed
  query, cheap — so a product filed through another server process sharing the PostgreSQL
  database is found within one search. Revision ids come from a sequence; a transaction that
  took an id but committed after a higher one would be missed by a plain "> last_id", so the
  catch-up looks back ``LOOKBACK`` ids (every few seconds; every search reads only the ids
  above the last one) and skips the ones it already applied;
- only the latest revision of each submission is held (an older one is removed when a newer
  one arrives); ``rebuild()`` recreates everything from the database.

Candidates for a query come from three places, merged: the faiss neighbours of its embedding,
filings sharing a patent number, and filings of the same model line (so an exact signal is
never lost to an approximate search). The pair scorer decides which are duplicates.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .filing import PHOTO_KINDS, Filing, is_own_annual_update, pair_features, revoked_by, same_product
from .image_hash import PhotoHash, PhotoHashIndex
from .model_codes import _bare
from .vector_index import IVF_MIN, IndexSpec, VectorIndex, spec_for

log = logging.getLogger(__name__)

SNAPSHOT = "duplicates.npz"
FORMAT = 1
LOOKBACK = 200  # revision ids re-read now and then, for late commits of lower ids
LOOKBACK_EVERY_S = 5.0  # the plain catch-up (ids above the last one) runs before every search
MAX_EXACT_CANDIDATES = 50


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


@dataclass
class SearchState:
    filings: dict[int, Filing] = field(default_factory=dict)  # revision id -> filing (latest revisions only)
    current: dict[str, int] = field(default_factory=dict)  # submission id -> its indexed revision id
    last_id: int = 0
    applied: set[int] = field(default_factory=set)  # revision ids within LOOKBACK of last_id already seen


class DuplicateSearch:
    def __init__(self, data_dir: Path, store, embedder, scorer, *, save_every: int = 500,
                 save_interval_s: float = 300.0) -> None:
        self.dir = Path(data_dir) / "index"
        self.store = store
        self.embedder = embedder
        self.scorer = scorer
        self.save_every = save_every
        self.save_interval_s = save_interval_s
        self.photo_kind = None  # models.photo_kind.PhotoKindClassifier (IMAGE_NOT_PHOTO)
        self._lock = threading.RLock()
        self._photo_cache: dict[str, list[PhotoHash]] = {}
        self._looked_back_at = 0.0
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
    def last_id(self) -> int:
        return self.state.last_id

    def __len__(self) -> int:
        return len(self.state.filings)

    def _reset(self) -> None:
        self.state = SearchState()
        self.vectors = VectorIndex.empty(self.embedder.dim)
        self.photos = PhotoHashIndex()
        self.by_patent: dict[str, set[int]] = {}
        self.by_line: dict[str, set[int]] = {}
        self._unsaved = 0
        self._saved_at = time.monotonic()

    def rebuild(self) -> int:
        """Recreate the index from the database (all latest revisions); returns the filings held."""
        with self._lock:
            self._reset()
            latest: dict[str, tuple[int, Any]] = {}
            last = 0
            seen: list[int] = []
            while True:
                batch = self.store.revisions_since(last)
                if not batch:
                    break
                for rev in batch:
                    latest[rev.submission_id] = (rev.id, rev)
                    last = rev.id
                    seen.append(rev.id)
            filings = [f for f in (self._filing_of(rev) for _, rev in latest.values()) if f is not None]
            for _, rev in sorted(latest.values(), key=lambda x: x[0]):
                if (rev.form or {}).get("stage") == "revocation":
                    gone = _withdrawn(filings, rev)
                    filings = [f for f in filings if f.revision_id not in gone]
            if filings:
                vecs = self.embedder.encode([f.text for f in filings])
                ids = np.array([f.revision_id for f in filings], dtype=np.int64)
                self.vectors = VectorIndex.build(vecs, ids, spec_for(len(filings)))
            for f in filings:
                self._hold(f)
            self.state.last_id = last
            self.state.applied = {i for i in seen if i > last - LOOKBACK}
            self._save()
            log.info("duplicate index rebuilt", extra={"filings": len(filings), "last_id": last,
                                                        "index": self.vectors.spec.describe()})
            return len(filings)

    def catch_up(self) -> int:
        """Apply the revisions recorded since the last catch-up (by any process); returns how many."""
        with self._lock:
            applied = 0
            look_back = time.monotonic() - self._looked_back_at > LOOKBACK_EVERY_S
            if look_back:
                self._looked_back_at = time.monotonic()
            while True:
                since = max(0, self.state.last_id - (LOOKBACK if look_back else 0))
                rows = self.store.revisions_since(since)
                batch = [r for r in rows if r.id not in self.state.applied]
                if batch:
                    self._apply(batch)
                    applied += len(batch)
                if not rows or rows[-1].id <= self.state.last_id and len(rows) < 10_000:
                    break
            if applied:
                self._maybe_grow()
                self._unsaved += applied
                if self._unsaved >= self.save_every or time.monotonic() - self._saved_at > self.save_interval_s:
                    self._save()
            return applied

    def _apply(self, revisions) -> None:
        state = self.state
        new: list[Filing] = []
        for rev in revisions:
            state.applied.add(rev.id)
            old = state.current.get(rev.submission_id)
            if old is not None and old > rev.id:
                continue  # a late commit of an older revision: the newer one stands
            if old is not None:
                self._drop(old)
            f = self._filing_of(rev)
            if f is not None:
                new.append(f)
                state.current[rev.submission_id] = rev.id
            elif (rev.form or {}).get("stage") == "revocation":
                # a withdrawn product leaves the index at once, with its annual updates
                gone = _withdrawn([*state.filings.values(), *new], rev)
                for revision_id in gone:
                    self._drop(revision_id)
                new = [n for n in new if n.revision_id not in gone]
        # two revisions of one submission in the same batch: keep the later one only
        keep: dict[str, Filing] = {}
        for f in new:
            keep[f.submission_id] = f
        new = list(keep.values())
        if new:
            vecs = self.embedder.encode([f.text for f in new])
            self.vectors.add(vecs, np.array([f.revision_id for f in new], dtype=np.int64))
            for f in new:
                self._hold(f)
        state.last_id = max([state.last_id] + [r.id for r in revisions])
        state.applied = {i for i in state.applied if i > state.last_id - LOOKBACK}

    def _filing_of(self, rev) -> Filing | None:
        """The revision as a filing; None for a form naming no product and for a revocation."""
        form = dict(rev.form)
        form.setdefault("submission_id", rev.submission_id)
        return Filing.from_form(form, revision_id=rev.id, photos=self._photos_of(rev.files))

    def _photos_of(self, files: list[dict]) -> list[PhotoHash]:
        from PIL import Image, ImageOps

        out: list[PhotoHash] = []
        for f in files:
            if f.get("kind") not in PHOTO_KINDS:
                continue
            sha = f["sha256"]
            if sha not in self._photo_cache:
                try:
                    with Image.open(io.BytesIO(self.store.blobs.get(sha))) as im:
                        im.draft("RGB", (512, 512))  # JPEG: decode at reduced size, enough for the hashes
                        # upright, as the file check hands the image to the screening side
                        self._photo_cache[sha] = [PhotoHash.of(ImageOps.exif_transpose(im).convert("RGB"))]
                except Exception:  # blob absent here or not an image (the file check reported it)
                    self._photo_cache[sha] = []
            out += self._photo_cache[sha]
        return out

    def _hold(self, f: Filing) -> None:
        self.state.filings[f.revision_id] = f
        self.state.current[f.submission_id] = f.revision_id
        for p in f.patents:
            self.by_patent.setdefault(p, set()).add(f.revision_id)
        for line in f.lines:
            self.by_line.setdefault(_bare(line), set()).add(f.revision_id)
        if f.photos:
            self.photos.add(f.revision_id, f.photos)

    def _drop(self, revision_id: int) -> None:
        f = self.state.filings.pop(revision_id, None)
        if f is None:
            return
        if self.state.current.get(f.submission_id) == revision_id:
            del self.state.current[f.submission_id]
        for p in f.patents:
            self.by_patent.get(p, set()).discard(revision_id)
        for line in f.lines:
            self.by_line.get(_bare(line), set()).discard(revision_id)
        self.photos.remove([revision_id])
        self.vectors.remove([revision_id])

    def _maybe_grow(self) -> None:
        """An exact index that has outgrown IVF_MIN is rebuilt as an inverted file (once)."""
        if self.vectors.spec.kind == "flat" and self.vectors.ntotal >= IVF_MIN:
            vecs, ids = self.vectors.vectors()
            self.vectors = VectorIndex.build(vecs, ids, spec_for(len(ids)))

    # ---------------------------------------------------------------- persistence
    def _save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "embedder": self.embedder.version, "dim": self.embedder.dim,
                "spec": self.vectors.spec.__dict__, "last_id": self.state.last_id,
                "applied": sorted(self.state.applied)}
        filings = "\n".join(json.dumps(f.to_json(), ensure_ascii=False) for f in self.state.filings.values())
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".snapshot-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, index=self.vectors.to_bytes(),
                         meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
                         filings=np.frombuffer(filings.encode("utf-8"), dtype=np.uint8))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.dir / SNAPSHOT)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
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
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(z["meta"].tobytes().decode("utf-8"))
                if meta.get("format") != FORMAT or meta.get("embedder") != self.embedder.version \
                        or meta.get("dim") != self.embedder.dim:
                    log.info("duplicate index snapshot is for another embedder or format: rebuilding")
                    return False
                vectors = VectorIndex.from_bytes(z["index"], self.embedder.dim, IndexSpec(**meta["spec"]))
                lines = z["filings"].tobytes().decode("utf-8")
        except Exception:
            log.exception("duplicate index snapshot unreadable: rebuilding")
            return False
        if meta["last_id"] > self.store.last_revision_id():
            log.info("duplicate index snapshot is ahead of this database: rebuilding")
            return False
        self._reset()
        self.vectors = vectors
        for line in lines.splitlines():
            if line:
                self._hold(Filing.from_json(json.loads(line)))
        self.state.last_id = int(meta["last_id"])
        self.state.applied = set(meta.get("applied", []))
        return True

    # ---------------------------------------------------------------- searching
    def find(self, filing: Filing, *, k: int = 10, catch_up: bool = True) -> list[Candidate]:
        """Scored candidates for ``filing`` (not yet recorded), likeliest first; the caller keeps
        those at or above ``self.scorer.threshold``."""
        if catch_up:
            self.catch_up()
        with self._lock:
            if not self.state.filings:
                return []
            q = self.embedder.encode([filing.text])[0]
            scores, ids = self.vectors.search(q, k + 5)
            cos = {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
            exact: set[int] = set()
            for p in filing.patents:
                exact |= self.by_patent.get(p, set())
            for line in filing.lines:
                exact |= self.by_line.get(_bare(line), set())
            for h in filing.photos:
                exact |= {owner for owner, _, _ in self.photos.search(h)}
            exact = {i for i in exact if i not in cos}
            if len(exact) > MAX_EXACT_CANDIDATES:
                exact = set(sorted(exact, reverse=True)[:MAX_EXACT_CANDIDATES])
            others = [self.state.filings[i] for i in list(cos) + sorted(exact) if i in self.state.filings]
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

    def find_images(self, hashes: list[PhotoHash], *, exclude_submission: str | None = None) -> list[list[ImageMatch]]:
        """For each photo hash, the indexed photos that are copies of it (closest first)."""
        with self._lock:
            out = []
            for h in hashes:
                matches = []
                for owner, dp, dd in self.photos.search(h):
                    other = self.state.filings.get(owner)
                    if other is not None and other.submission_id != exclude_submission:
                        matches.append(ImageMatch(other, dp, dd))
                out.append(matches)
            return out


def _withdrawn(filings, rev) -> set[int]:
    """The revision ids among ``filings`` that revision ``rev`` (a revocation) withdraws: the filing
    it names by submission_id, and every record of the same product of the entity (its annual
    updates) recorded before it. A re-filing after the revocation is not touched."""
    target, product = revoked_by({**(rev.form or {}), "submission_id": rev.submission_id})
    if target is None and product is None:
        return set()
    earlier = [f for f in filings if f.revision_id < rev.id]
    named = [f for f in earlier if f.submission_id in (target, rev.submission_id)]
    anchors = named + ([product] if product is not None else [])
    return {f.revision_id for f in earlier if f in named or any(same_product(a, f) for a in anchors)}
