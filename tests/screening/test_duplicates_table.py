"""The filing table (the duplicate search's metadata in columns) answers every question exactly
as the object layout it replaced (eval/object_filings.py): held alone, after compactions,
after a round trip through its arrays, and under DuplicateSearch's catch-up and rebuild."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pytest

from eval.object_filings import ObjectFilings
from screening.duplicates import DuplicateSearch, Filing
from screening.duplicates.columns import Column, KeyIndex
from screening.duplicates.filing_table import FilingTable
from screening.duplicates.image_hash import PhotoHash

USCCS = ["91440300MA5H3E0T3W", "91110000802115985Y", "91110113344302387N", ""]
LINES = ["BCD-520W", "BCD520W 银色", "BCD-520WPro", "奥迪A4", "A4 豪华版", "奥迪A4L", "KFR-35GW", "P40", "P40 8+128G 黑色"]
NAMES = ["家用电冰箱", "电冰箱（家用）", "变频空调器", "智能手机", "第二代智能手机", "锂电池冲击钻"]
PATENTS = [f"20171060186{i}{c}" for i in range(6) for c in "3X"]
PHOTOS = [PhotoHash(random.Random(i).getrandbits(64), random.Random(-i).getrandbits(64)) for i in range(8)]


def _near(h: PhotoHash, rng: random.Random) -> PhotoHash:
    flip = lambda x, n: x ^ sum(1 << b for b in rng.sample(range(64), n))  # noqa: E731
    return PhotoHash(flip(h.phash, rng.randint(0, 14)), flip(h.dhash, rng.randint(0, 18)))


def _filing(rng: random.Random, rid: int, sid: str) -> Filing:
    return Filing(rid, sid, rng.choice(["product", "product", "annual_update"]), rng.choice(USCCS),
                  rng.choice(["甲公司", "乙公司", ""]), rng.choice(NAMES), rng.sample(LINES, rng.randint(0, 2)),
                  rng.choice(["双门风冷无霜冰箱，容积520升。", "", "壁挂式变频空调器\ud800"]),
                  sorted(rng.sample(PATENTS, rng.randint(0, 2))),
                  [_near(rng.choice(PHOTOS), rng) for _ in range(rng.randint(0, 2))])


def _same_answers(table, objects, rng: random.Random, sids) -> None:
    assert len(table) == len(objects)
    assert sorted((f.to_json() for f in table), key=lambda d: d["revision_id"]) == \
        sorted((f.to_json() for f in objects), key=lambda d: d["revision_id"])
    for sid in sids:
        assert table.current(sid) == objects.current(sid)
    assert sorted(table.submission_ids()) == sorted(objects.submission_ids())
    for uscc in USCCS:
        assert sorted(f.revision_id for f in table.of_entity(uscc)) == sorted(f.revision_id for f in objects.of_entity(uscc))
    for _ in range(20):
        probe = _filing(rng, 0, "Q")
        held = [f.revision_id for f in objects]
        exclude = set(rng.sample(held, min(len(held), 3)))
        limit = rng.choice([1, 3, 50])
        assert [f.to_json() for f in table.sharing(probe, exclude=exclude, limit=limit)] == \
            [f.to_json() for f in objects.sharing(probe, exclude=exclude, limit=limit)]
        for h in probe.photos:
            assert table.photo_copies(h) == objects.photo_copies(h)
        rid = rng.choice(held + [10**9])
        assert (table.get(rid) and table.get(rid).to_json()) == (objects.get(rid) and objects.get(rid).to_json())
        assert (rid in table) == (rid in objects)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_table_answers_as_the_objects_did(seed):
    rng = random.Random(seed)
    table, objects = FilingTable(), ObjectFilings()
    table.min_dead = 7  # compact often
    sids = [f"S-{i}" for i in range(60)]
    rid = 0
    for step in range(12):
        for _ in range(rng.randint(5, 40)):
            sid = rng.choice(sids)
            old = objects.current(sid)
            if old is not None:  # as the search does: the newer revision replaces the older
                assert table.drop(old) and objects.drop(old)
            if rng.random() < 0.85:
                rid += 1
                f = _filing(rng, rid, sid)
                table.hold(f)
                objects.hold(f)
        assert not table.drop(10**9) and not objects.drop(10**9)
        _same_answers(table, objects, rng, sids)
        if step == 6:  # a snapshot's round trip, then more changes on the loaded arrays
            table = FilingTable.from_arrays({k: v.copy() for k, v in table.arrays().items()})
            table.min_dead = 7
            _same_answers(table, objects, rng, sids)


def test_columns_and_key_index():
    c = Column(np.int64)
    c.extend([1, 2])
    for i in range(1000):
        c.append(i)
    assert len(c) == 1002 and c.values[-1] == 999 and c.values[:3].tolist() == [1, 2, 0]
    index = KeyIndex()
    for i in range(10_000):
        index.add(i % 97, i)
    assert index.lookup(5) == list(range(5, 10_000, 97))  # folded into the sorted base and recent, in order
    index.remap(np.where(np.arange(10_000) % 2 == 0, np.arange(10_000) // 2, -1))
    assert index.lookup(5) == [i // 2 for i in range(5, 10_000, 97) if i % 2 == 0]
    assert index.lookup(2**64 - 1) == []


# ---------------------------------------------------------------- through DuplicateSearch
class HashEmbedder:
    """A stand-in: a fixed random unit vector per text (the layouts are compared, not the embedder)."""

    version, dim = "hash-1", 16

    def encode(self, texts):
        out = []
        for t in texts:
            v = np.random.default_rng(int.from_bytes(hashlib.sha1(t.encode()).digest()[:8], "little")).normal(size=self.dim)
            out.append(v / np.linalg.norm(v))
        return np.array(out, dtype=np.float32).reshape(len(texts), self.dim)


@dataclass
class Rev:
    id: int
    submission_id: str
    form: dict
    files: list = field(default_factory=list)
    revision: int = 1
    created_at: datetime = datetime(2026, 1, 1, tzinfo=timezone.utc)

    @property
    def seq(self) -> int:  # committed in id order here
        return self.id


class FakeStore:
    """Revisions in a list, as ``Store.revisions_since`` hands them out (no photos: no blobs)."""

    def __init__(self) -> None:
        self.revs: list[Rev] = []

    def revisions_since(self, last_seq: int, limit: int = 10_000):
        return [r for r in self.revs if r.seq > last_seq][:limit]

    def last_commit_seq(self) -> int:
        return self.revs[-1].id if self.revs else 0


def _form(rng: random.Random, sid: str, filed: list[str]) -> dict:
    if filed and rng.random() < 0.08:  # a withdrawal, by the filing's id or by entity and product
        return {"submission_id": sid, "stage": "revocation",
                "filed_submission_id": rng.choice(filed) if rng.random() < 0.6 else None,
                "entity": {"uscc": rng.choice(USCCS[:3])}, "product": {"name": rng.choice(NAMES), "models": [rng.choice(LINES)]}}
    if rng.random() < 0.05:
        return {"submission_id": sid, "stage": "entity", "entity": {"uscc": rng.choice(USCCS)}}
    return {"submission_id": sid, "stage": rng.choice(["product", "product", "annual_update"]),
            "entity": {"uscc": rng.choice(USCCS), "name": rng.choice(["甲公司", "乙公司"])},
            "product": {"name": rng.choice(NAMES), "models": rng.sample(LINES, rng.randint(0, 2)),
                        "intro": rng.choice(["双门风冷无霜冰箱，容积520升。", "壁挂式变频空调器。", ""]),
                        "patents": [{"number": f"CN{p}"} for p in rng.sample(PATENTS, rng.randint(0, 2))]}}


@pytest.mark.parametrize("seed", [0, 1])
def test_search_over_the_table_finds_what_it_found_over_objects(tmp_path, seed):
    from models.pair_scorer import PairScorer

    rng = random.Random(seed)
    store, scorer = FakeStore(), PairScorer.load_default()
    searches = [DuplicateSearch.open(tmp_path / name, store, HashEmbedder(), scorer, photo_kind=object(), table=table)
                for name, table in (("table", FilingTable), ("objects", ObjectFilings))]
    searches[0].table.min_dead = 5
    sids = [f"S-{i}" for i in range(40)]
    for _ in range(15):
        for _ in range(rng.randint(1, 12)):  # one catch-up batch: several revisions, some of one submission
            sid = rng.choice(sids + [f"R-{len(store.revs)}"])
            store.revs.append(Rev(len(store.revs) + 1, sid, _form(rng, sid, [s for s in sids if s in searches[1].state.current])))
        for s in searches:
            s.catch_up()
        assert dict(searches[0].state.current) == dict(searches[1].state.current)
        for _ in range(5):
            probe = Filing.from_form(_form(random.Random(rng.random()), "Q", [])) or Filing(0, "Q", "product")
            a, b = (s.find(probe, catch_up=False) for s in searches)
            assert [(c.other.to_json(), c.probability, c.features) for c in a] == \
                [(c.other.to_json(), c.probability, c.features) for c in b]
    # a rebuild from the same revisions holds what the rebuilt object search holds
    for s in searches:
        s.rebuild()
    assert dict(searches[0].state.current) == dict(searches[1].state.current)


def test_a_revision_naming_no_product_replaces_the_one_before_it_in_the_same_batch(tmp_path):
    """Two revisions of one submission in one catch-up: the later stands, as across two catch-ups."""
    from models.pair_scorer import PairScorer

    product = {"submission_id": "S-1", "stage": "product", "entity": {"uscc": USCCS[0]},
               "product": {"name": "家用电冰箱", "models": ["BCD-520W"]}}
    no_product = {"submission_id": "S-1", "stage": "entity", "entity": {"uscc": USCCS[0]}}
    results = []
    for together in (True, False):
        store = FakeStore()
        search = DuplicateSearch.open(tmp_path / str(together), store, HashEmbedder(), PairScorer.load_default(),
                                      photo_kind=object())
        store.revs.append(Rev(1, "S-1", product))
        if not together:
            search.catch_up()
        store.revs.append(Rev(2, "S-1", no_product))
        search.catch_up()
        results.append(dict(search.state.current))
    assert results == [{}, {}]


def test_a_format_1_snapshot_is_read_without_a_rebuild(tmp_path, monkeypatch):
    """Snapshots written before the table (filings as JSON lines) load as they are: no re-embedding."""
    import json

    from models.pair_scorer import PairScorer

    store = FakeStore()
    store.revs.append(Rev(1, "S-1", _form(random.Random(3), "S-1", [])))
    first = DuplicateSearch.open(tmp_path, store, HashEmbedder(), PairScorer.load_default(), photo_kind=object())
    held = [f.to_json() for f in first.table]
    path = tmp_path / "index" / "duplicates.npz"
    meta = {"format": 1, "embedder": "hash-1", "dim": 16, "spec": first.vectors.spec.__dict__, "last_id": 1, "applied": [1]}
    with open(path, "wb") as fh:
        np.savez(fh, index=first.vectors.to_bytes(), meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
                 filings=np.frombuffer("\n".join(json.dumps(f, ensure_ascii=False) for f in held).encode(), np.uint8))
    monkeypatch.setattr(DuplicateSearch, "rebuild", lambda self: pytest.fail("rebuilt"))
    second = DuplicateSearch.open(tmp_path, store, HashEmbedder(), PairScorer.load_default(), photo_kind=object())
    assert [f.to_json() for f in second.table] == held and second.vectors.ntotal == 1


def test_a_rebuild_into_an_inverted_file_embeds_every_filing_once(tmp_path, monkeypatch):
    """Above IVF_MIN a rebuild trains the lists on a sample, then adds the rest a chunk at a time."""
    from models.pair_scorer import PairScorer
    from screening.duplicates import search as search_module
    from screening.duplicates import vector_index

    monkeypatch.setattr(vector_index, "IVF_MIN", 300)
    monkeypatch.setattr(search_module, "TRAIN_SAMPLE", 200)
    monkeypatch.setattr(search_module, "EMBED_CHUNK", 64)
    store = FakeStore()
    rng = random.Random(5)
    for i in range(700):
        store.revs.append(Rev(i + 1, f"S-{i % 650}", _form(rng, f"S-{i % 650}", [])))
    embedder = HashEmbedder()
    search = DuplicateSearch.open(tmp_path, store, embedder, PairScorer.load_default(), photo_kind=object())
    assert search.vectors.spec.kind == "ivf" and search.vectors.ntotal == len(search) > 300
    held = list(search.table)
    assert sorted(search.vectors.vectors()[1].tolist()) == sorted(f.revision_id for f in held)
    got = search.vectors.reconstruct([f.revision_id for f in held])
    assert np.allclose(got, embedder.encode([f.text for f in held]), atol=1e-3)


def test_an_opened_snapshot_holds_new_filings_without_copying_its_columns(tmp_path):
    """Columns are read from the snapshot with room to grow: the first catch-up after start-up
    does not copy the byte heap (at 1M filings, 0.4 GB at once)."""
    from models.pair_scorer import PairScorer

    store = FakeStore()
    rng = random.Random(4)
    for i in range(30):
        store.revs.append(Rev(i + 1, f"S-{i}", _form(rng, f"S-{i}", [])))
    DuplicateSearch.open(tmp_path, store, HashEmbedder(), PairScorer.load_default(), photo_kind=object()).save()
    search = DuplicateSearch.open(tmp_path, store, HashEmbedder(), PairScorer.load_default(), photo_kind=object())
    heap, n = search.table.heap.buffer, len(search)
    assert len(heap) > len(search.table.heap)
    store.revs.append(Rev(31, "S-new", _form(rng, "S-new", [])))
    search.catch_up()
    assert search.table.heap.buffer is heap and len(search) == n + 1
