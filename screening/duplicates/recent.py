"""What the duplicate search remembers for a short while: the filings it held last, in order,
the answers of its last searches, and the embeddings of the texts it saw last.

A filing is searched for a second time when others were recorded while it was being screened
(the service's re-check before it records: ``ScreeningService._record``); under a burst that
happens to most filings. A whole new search — the query embedded again, the index searched,
up to sixty pairs scored — costs as much as the first, while only the filings held since the
first can change its answer: the rest of it stands, less any filing replaced or withdrawn since
(``DuplicateSearch.find`` drops those). And a filing just searched for is held a moment later,
by this process's catch-up: its text's embedding is at hand, not computed twice.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .filing import Filing

HELD_LOG = 4096  # filings held, remembered in order; a search older than that is done afresh
ANSWERS = 256  # searches remembered (a few seconds of a burst)
TEXTS = 1024  # embeddings remembered
MAX_NEW = 256  # more new filings than this since a search: searching afresh is as cheap


def filing_key(f: Filing) -> tuple:
    """Everything of a filing that its search's answer depends on."""
    return (f.submission_id, f.stage, f.entity_uscc, f.entity_name, f.product_name, tuple(f.models), f.intro,
            tuple(f.patents), tuple((h.phash, h.dhash) for h in f.photos))


@dataclass
class Answer:
    """A search's answer and where in the held log it was given."""

    seq: int
    query: np.ndarray
    candidates: list[Any] = field(default_factory=list)  # search.Candidate
    scorer: Any = None  # the pair scorer that scored them: a promoted one answers afresh


class _Lru(OrderedDict):
    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def take(self, key):
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def keep(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)


class RecentSearches:
    """Not thread-safe: the search calls it under its own lock."""

    def __init__(self) -> None:
        self.seq = 0  # filings held so far
        self._held: deque[tuple[int, int]] = deque(maxlen=HELD_LOG)  # (seq, revision id)
        self._answers = _Lru(ANSWERS)
        self._vectors = _Lru(TEXTS)

    def held(self, revision_ids: list[int]) -> None:
        for rid in revision_ids:
            self.seq += 1
            self._held.append((self.seq, rid))

    def held_since(self, seq: int) -> list[int] | None:
        """Revision ids held after ``seq``; None when the log no longer reaches back that far or
        they are too many to be worth it."""
        if self.seq - seq > MAX_NEW or (self._held and self._held[0][0] > seq + 1):
            return None
        return [rid for s, rid in self._held if s > seq]

    def answer(self, key: tuple, scorer: Any) -> Answer | None:
        found = self._answers.take(key)
        return found if found is not None and found.scorer is scorer else None

    def remember(self, key: tuple, answer: Answer) -> None:
        self._answers.keep(key, answer)

    def vectors(self, texts: list[str], encode) -> np.ndarray:
        """The embeddings of ``texts``: the remembered ones as they were, the rest by ``encode``."""
        if len(texts) > TEXTS // 4:  # a catch-up after a pause: these are not the texts just seen
            return encode(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for t, v in zip(missing, encode(missing)):
                self._vectors.keep(t, np.asarray(v))
        return np.stack([self._vectors.take(t) for t in texts])
