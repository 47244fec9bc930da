"""The duplicate search's metadata as it was held before the filing table: one ``Filing``
object per filing in dicts, sets of revision ids per patent and per model line, photo hashes
in Python lists. Kept as the peer the scale benchmark measures the table beside
(``eval/bench_duplicates_scale.py``) and as the oracle the table's tests compare with.

It answers every question ``screening.duplicates.filing_table.FilingTable`` answers, the same
way: ``DuplicateSearch(..., table=ObjectFilings)`` is the search as it was.
"""

from __future__ import annotations

from typing import Iterator

from screening.duplicates.filing import Filing
from screening.duplicates.filing_table import FilingTable
from screening.duplicates.image_hash import DHASH_MAX, PHASH_MAX, PhotoHash, PhotoHashIndex
from screening.duplicates.model_codes import _bare


class ObjectFilings:
    def __init__(self) -> None:
        self.filings: dict[int, Filing] = {}  # revision id -> filing
        self.by_submission: dict[str, int] = {}  # submission id -> its revision id
        self.by_patent: dict[str, set[int]] = {}
        self.by_line: dict[str, set[int]] = {}
        self.photos = PhotoHashIndex()

    def __len__(self) -> int:
        return len(self.filings)

    def __contains__(self, revision_id: int) -> bool:
        return revision_id in self.filings

    def __iter__(self) -> Iterator[Filing]:
        return iter(list(self.filings.values()))

    def hold(self, f: Filing) -> None:
        self.filings[f.revision_id] = f
        self.by_submission[f.submission_id] = f.revision_id
        for p in f.patents:
            self.by_patent.setdefault(p, set()).add(f.revision_id)
        for line in f.lines:
            self.by_line.setdefault(_bare(line), set()).add(f.revision_id)
        if f.photos:
            self.photos.add(f.revision_id, f.photos)

    def drop(self, revision_id: int) -> bool:
        f = self.filings.pop(revision_id, None)
        if f is None:
            return False
        if self.by_submission.get(f.submission_id) == revision_id:
            del self.by_submission[f.submission_id]
        for p in f.patents:
            self.by_patent.get(p, set()).discard(revision_id)
        for line in f.lines:
            self.by_line.get(_bare(line), set()).discard(revision_id)
        self.photos.remove([revision_id])
        return True

    def holds(self, revision_id: int) -> bool:
        return revision_id in self.filings

    def get(self, revision_id: int) -> Filing | None:
        return self.filings.get(revision_id)

    def current(self, submission_id: str) -> int | None:
        return self.by_submission.get(submission_id)

    def submission_ids(self) -> Iterator[str]:
        return iter(list(self.by_submission))

    def of_entity(self, uscc: str) -> list[Filing]:
        # the search scanned every filing for a revocation; so does this
        return [f for f in self.filings.values() if uscc and f.entity_uscc == uscc]

    def photo_copies(self, h: PhotoHash, *, phash_max: int = PHASH_MAX,
                     dhash_max: int = DHASH_MAX) -> list[tuple[int, int, int]]:
        return self.photos.search(h, phash_max=phash_max, dhash_max=dhash_max)

    def sharing(self, f: Filing, *, exclude, limit: int) -> list[Filing]:
        exact: set[int] = set()
        for p in f.patents:
            exact |= self.by_patent.get(p, set())
        for line in f.lines:
            exact |= self.by_line.get(_bare(line), set())
        for h in f.photos:
            exact |= {owner for owner, _, _ in self.photos.search(h)}
        exact = {i for i in exact if i not in exclude}
        return [self.filings[i] for i in sorted(exact, reverse=True)[:limit]]

    def arrays(self):
        """Saved as the table's arrays: the JSON-lines snapshot of this layout is only read now."""
        table = FilingTable()
        for f in self:
            table.hold(f)
        return table.arrays()
