"""Stored revisions as the duplicate search reads them: a batch at a time, each as a Filing
with its product photos' hashes (computed from the blob store)."""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Iterator

from .filing import PHOTO_KINDS, Filing
from .image_hash import PhotoHash

PHOTO_CACHE = 4096  # photos' hashes remembered by content hash (a new revision often re-sends its photos)


def batches(store, since: int, *, until: int | None = None) -> Iterator[list]:
    """The revisions committed after place ``since`` (up to place ``until``), in commit order, a
    batch at a time."""
    while True:
        batch = store.revisions_since(since)
        if until is not None:
            batch = [r for r in batch if r.seq <= until]
        if not batch:
            return
        yield batch
        since = batch[-1].seq


class RevisionReader:
    def __init__(self, store) -> None:
        self.store = store
        self._photo_cache: OrderedDict[str, list[PhotoHash]] = OrderedDict()

    def filing_of(self, rev) -> Filing | None:
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
                if len(self._photo_cache) > PHOTO_CACHE:  # bounded: a rebuild reads every photo once
                    self._photo_cache.popitem(last=False)
            self._photo_cache.move_to_end(sha)
            out += self._photo_cache[sha]
        return out
