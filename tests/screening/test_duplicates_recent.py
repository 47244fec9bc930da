"""The duplicate search's short memory (screening/duplicates/recent.py): a filing searched for
again is answered from its earlier answer plus the filings held since, with the same result a
fresh search gives, and without embedding its text again."""

from datetime import date

from screening.duplicates import DuplicateSearch, Filing
from screening.duplicates.recent import HELD_LOG, MAX_NEW, RecentSearches
from screening.parsing import parse_submission

from .test_duplicates_search import DRILL, FRIDGE, _service, _sub, embedder  # noqa: F401  (fixture)


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.texts = inner, []

    def encode(self, texts):
        self.texts += list(texts)
        return self.inner.encode(texts)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _record(service, form):
    service.screen(parse_submission(form), {}, actor="test", today=date(2026, 11, 20))


def _found(search, form):
    return [(c.other.submission_id, round(c.probability, 6)) for c in search.find(Filing.from_form(form))]


COPY = _sub(FRIDGE, submission_id="2026-P-000009",
            **{"entity.uscc": "91110113344302387N", "entity.name": "北京格润美顺环境科技有限公司",
               "product.name": "电冰箱（家用）", "product.models": ["BCD520W 银色"]})
QUERY = _sub(FRIDGE, submission_id="2026-P-000050", **{"product.name": "风冷无霜家用冰箱"})


def test_a_second_search_sees_what_was_held_since_without_embedding_again(store, tmp_path, embedder):
    counting = CountingEmbedder(embedder)
    search = DuplicateSearch.open(tmp_path / "data", store, counting)
    service = _service(store, search)
    _record(service, FRIDGE)
    _record(service, DRILL)
    first = _found(search, QUERY)
    assert first[0][0] == "2026-P-000001" and "2026-P-000009" not in dict(first)
    _record(service, COPY)  # recorded while QUERY was being screened
    counting.texts.clear()
    again = _found(search, QUERY)
    assert QUERY["product"]["name"] not in " ".join(counting.texts)  # its embedding was at hand
    # the answer a search with no memory gives
    fresh = DuplicateSearch.open(tmp_path / "other", store, embedder)
    assert sorted(again) == sorted(_found(fresh, QUERY))
    assert {sid for sid, _ in again[:2]} == {"2026-P-000001", "2026-P-000009"}


def test_a_candidate_replaced_since_leaves_the_answer(store, tmp_path, embedder):
    search = DuplicateSearch.open(tmp_path / "data", store, embedder)
    service = _service(store, search)
    _record(service, FRIDGE)
    _record(service, COPY)
    assert "2026-P-000009" in {sid for sid, _ in _found(search, QUERY)}
    # the copy's filer corrects it into another product: its old revision is no candidate any more
    _record(service, _sub(DRILL, submission_id="2026-P-000009"))
    again = _found(search, QUERY)
    fresh = DuplicateSearch.open(tmp_path / "other", store, embedder)
    assert sorted(again) == sorted(_found(fresh, QUERY))
    ids = [c.other.revision_id for c in search.find(Filing.from_form(QUERY))]
    assert all(search.table.holds(rid) for rid in ids)


def test_a_promoted_scorer_answers_afresh(store, tmp_path, embedder):
    search = DuplicateSearch.open(tmp_path / "data", store, embedder)
    service = _service(store, search)
    _record(service, FRIDGE)
    _found(search, QUERY)

    class Halving:
        threshold = search.scorer.threshold

        def __init__(self, inner):
            self.inner = inner

        def probabilities(self, feats):
            return [p / 2 for p in self.inner.probabilities(feats)]

    before = dict(_found(search, QUERY))
    search.scorer = Halving(search.scorer)
    after = dict(_found(search, QUERY))
    assert after["2026-P-000001"] == round(before["2026-P-000001"] / 2, 6)


def test_the_held_log_says_when_it_no_longer_reaches_back():
    recent = RecentSearches()
    recent.held([1, 2, 3])
    assert recent.held_since(1) == [2, 3]
    assert recent.held_since(3) == []
    recent.held(list(range(10, 10 + MAX_NEW)))
    assert recent.held_since(3) == list(range(10, 10 + MAX_NEW))
    assert recent.held_since(2) is None  # too many since: a fresh search is as cheap
    recent.held(list(range(100_000, 100_000 + HELD_LOG)))
    assert recent.held_since(recent.seq - HELD_LOG - 1) is None  # the log was cut


def test_remembered_embeddings_are_the_encoders_own():
    import numpy as np

    calls = []

    def encode(texts):
        calls.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts])

    recent = RecentSearches()
    a = recent.vectors(["甲乙", "丙"], encode)
    b = recent.vectors(["丙", "甲乙", "丁丁丁"], encode)
    assert calls == [["甲乙", "丙"], ["丁丁丁"]]
    assert b.tolist() == [[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]] and a.tolist() == [[2.0, 1.0], [1.0, 1.0]]
