"""DuplicateSearch and DuplicateChecks on a real store (SQLite and PostgreSQL), real embedder,
the committed pair scorer: found, not found, latest revision only, persistence, rebuild."""

import copy
import io
from datetime import date

import pytest
from PIL import Image

from screening.checks.duplicates import DuplicateChecks
from screening.checks.files import FileCheck
from screening.duplicates import DuplicateSearch, Filing
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources, UploadedFile
from screening.service import ScreeningService

FRIDGE = {
    "submission_id": "2026-P-000001",
    "stage": "product",
    "submitted_at": "2026-11-20T10:00:00+08:00",
    "entity": {"uscc": "91440300MA5H3E0T3W", "name": "深圳市雄楚速通国际物流有限公司", "kind": "enterprise"},
    "product": {
        "name": "家用电冰箱", "models": ["BCD-520W"],
        "intro": "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构，适用于家庭日常使用。",
        "patents": [{"number": "CN201710601862.3", "core": True}],
    },
    "documents": [],
}
DRILL = {
    "submission_id": "2026-P-000002",
    "stage": "product",
    "entity": {"uscc": "91110000802115985Y", "name": "北京碧水源科技股份有限公司", "kind": "enterprise"},
    "product": {"name": "锂电池冲击钻", "models": ["ZD-18V"],
                "intro": "手持式锂电池冲击钻，无刷电机驱动，最大扭矩60牛米，用于装修与五金作业。",
                "patents": [{"number": "CN201920012345.1"}]},
    "documents": [],
}


AIRCON_INTRO = "壁挂式变频空调器，制冷量3500W，采用直流变频压缩机和静音风道，适用于家庭和办公室。"


def _sub(base, **changes):
    d = copy.deepcopy(base)
    for path, value in changes.items():
        node = d
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return d


@pytest.fixture(scope="module")
def embedder():
    from models.embedder import SentenceEmbedder

    return SentenceEmbedder.load_default()


def _service(store, search):
    return ScreeningService(Pipeline([FileCheck(), DuplicateChecks()], Resources(duplicates=search)), store)


def _screen(service, form, files=None):
    sub = parse_submission(form)
    report, _ = service.screen(sub, files or {}, actor="test", today=date(2026, 11, 20))
    return report


def _codes(report):
    return [f["code"] for f in report["findings"]]


def test_a_refiling_by_another_entity_is_found_with_both_sides(store, tmp_path, embedder):
    search = DuplicateSearch.open(tmp_path / "data", store, embedder)
    service = _service(store, search)
    assert "DUPLICATE_FILING" not in _codes(_screen(service, FRIDGE))
    _screen(service, DRILL)
    again = _sub(FRIDGE, submission_id="2026-P-000003",
                 **{"entity.uscc": "91110113344302387N", "entity.name": "北京格润美顺环境科技有限公司",
                    "product.name": "电冰箱（家用）", "product.models": ["BCD520W 银色"],
                    "product.intro": "本产品为风冷无霜双门冰箱，采用变频压缩机和多风道送风，容积520升，家用。"})
    report = _screen(service, again)
    dups = [f for f in report["findings"] if f["code"] == "DUPLICATE_FILING"]
    assert len(dups) == 1, report["findings"]
    ev = dups[0]["evidence"]
    assert ev["other"]["submission_id"] == "2026-P-000001"
    assert ev["this"]["submission_id"] == "2026-P-000003"
    assert ev["signals"]["model_variant"] == 1 and ev["signals"]["same_entity"] == 0
    # what drove the score, largest first, for the comparison page
    from models.pair_scorer import feature_names

    assert ev["drivers"] and all(name in feature_names() for name, _ in ev["drivers"])
    assert [abs(v) for _, v in ev["drivers"]] == sorted((abs(v) for _, v in ev["drivers"]), reverse=True)
    assert dups[0]["source"] == search.version
    assert report["duplicates"][0]["submission_id"] == "2026-P-000001"


def test_another_model_line_is_not_a_duplicate(store, tmp_path, embedder):
    search = DuplicateSearch.open(tmp_path / "data", store, embedder)
    service = _service(store, search)
    _screen(service, FRIDGE)
    pro = _sub(FRIDGE, submission_id="2026-P-000004", **{"product.models": ["BCD-660WPro"]})
    assert "DUPLICATE_FILING" not in _codes(_screen(service, pro))


def test_another_makers_product_listing_the_same_patent_is_not_a_duplicate(store, tmp_path, embedder):
    search = DuplicateSearch.open(tmp_path / "data", store, embedder)
    service = _service(store, search)
    _screen(service, FRIDGE)
    aircon = _sub(FRIDGE, submission_id="2026-P-000005",
                  **{"entity.uscc": "91110113344302387N", "entity.name": "北京格润美顺环境科技有限公司",
                     "product.name": "变频空调器", "product.models": ["KFR-35GW"], "product.intro": AIRCON_INTRO})
    assert aircon["product"]["patents"] == FRIDGE["product"]["patents"]
    report = _screen(service, aircon)
    assert "DUPLICATE_FILING" not in _codes(report), report["findings"]
    (cand,) = [c for c in search.find(Filing.from_form(aircon)) if c.other.submission_id == FRIDGE["submission_id"]]
    assert cand.features["patent_shared"] == 1.0 and cand.probability < 0.1


def test_itself_its_old_revisions_and_its_annual_update_are_not_duplicates(store, tmp_path, embedder):
    search = DuplicateSearch.open(tmp_path / "data", store, embedder)
    service = _service(store, search)
    _screen(service, FRIDGE)
    # a new revision of the same submission does not match its own earlier revision
    revised = _sub(FRIDGE, **{"product.intro": FRIDGE["product"]["intro"] + "能效等级一级。"})
    assert "DUPLICATE_FILING" not in _codes(_screen(service, revised))
    update = _sub(FRIDGE, submission_id="2027-U-000001", stage="annual_update")
    assert "DUPLICATE_FILING" not in _codes(_screen(service, update))
    # only the latest revision counts: the fridge filing now describes a drill
    _screen(service, _sub(DRILL, submission_id=FRIDGE["submission_id"], **{"entity": FRIDGE["entity"]}))
    search.catch_up()
    assert len(search) == 2  # the drill (ex-fridge) and the annual update
    cands = search.find(Filing.from_form(_sub(FRIDGE, submission_id="2026-P-000099",
                                              **{"entity.uscc": "91110113344302387N"})))
    hits = [c.other.submission_id for c in cands if c.probability >= search.threshold]
    assert hits == ["2027-U-000001"]  # the annual update stands for the filed fridge; the old revision is gone


def test_snapshot_persists_and_catches_up_and_rebuild_agrees(store, tmp_path, embedder):
    data = tmp_path / "data"
    first = DuplicateSearch.open(data, store, embedder)
    service = _service(store, first)
    _screen(service, FRIDGE)
    _screen(service, DRILL)
    first.catch_up()
    first.save()
    assert (data / "index" / "duplicates.npz").exists()
    # filed after the snapshot: the next process loads the snapshot and catches up
    _screen(service, _sub(DRILL, submission_id="2026-P-000010", **{"product.models": ["ZD-18V 红色"]}))
    second = DuplicateSearch.open(data, store, embedder)
    assert len(second) == 3 and second.last_seq == store.last_commit_seq()
    probe = Filing.from_form(_sub(FRIDGE, submission_id="X-1"))
    assert [c.other.submission_id for c in second.find(probe)][:1] == ["2026-P-000001"]
    n = second.rebuild()
    assert n == 3 and second.last_seq == store.last_commit_seq()
    assert [c.other.submission_id for c in second.find(probe)][:1] == ["2026-P-000001"]


def _png(image):
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _jpeg(image, quality=60):
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def test_photo_copies_and_drawings_are_reported(store, tmp_path, embedder):
    from sklearn.datasets import load_sample_image

    from training.photos import line_drawing

    search = DuplicateSearch.open(tmp_path / "data", store, embedder)
    service = _service(store, search)
    photo = Image.fromarray(load_sample_image("flower.jpg"))
    first = _sub(FRIDGE, documents=[{"kind": "product_photo", "file": "photo.jpg"}])
    report = _screen(service, first, {"photo.jpg": UploadedFile("photo.jpg", _jpeg(photo, 90))})
    assert not {"DUPLICATE_IMAGE", "IMAGE_NOT_PHOTO"} & set(_codes(report))
    # another product (a drill) whose photo is a recompressed, resized, cropped copy of the fridge's
    w, h = photo.size
    copy_ = photo.crop((8, 6, w - 8, h - 6)).resize((w // 2, h // 2))
    second = _sub(DRILL, documents=[{"kind": "product_photo", "file": "p.jpg"}])
    report = _screen(service, second, {"p.jpg": UploadedFile("p.jpg", _jpeg(copy_, 50))})
    img = [f for f in report["findings"] if f["code"] == "DUPLICATE_IMAGE"]
    assert len(img) == 1 and img[0]["evidence"]["other"]["submission_id"] == FRIDGE["submission_id"]
    assert "DUPLICATE_FILING" not in _codes(report)
    # a patent drawing as the main product image
    import random

    third = _sub(DRILL, submission_id="2026-P-000020", documents=[{"kind": "product_photo", "file": "d.png"}])
    report = _screen(service, third, {"d.png": UploadedFile("d.png", _png(line_drawing(random.Random(3))))})
    nf = [f for f in report["findings"] if f["code"] == "IMAGE_NOT_PHOTO"]
    assert len(nf) == 1 and nf[0]["evidence"]["kind"] == "line_drawing"


def test_a_missing_index_degrades_the_report(store):
    service = ScreeningService(Pipeline([DuplicateChecks()], Resources()), store)
    report = _screen(service, FRIDGE)
    assert report["status"] == "degraded" and "CHECK_FAILED" in _codes(report)


def _f(sid, uscc, name, models, intro, patents):
    return Filing(0, sid, "product", uscc, "", name, models, intro, patents)


HAND_WRITTEN = [  # (a, b, is the same product)
    (_f("a", "U1", "家用电冰箱", ["BCD-520W"], "双门风冷无霜冰箱，容积520升，变频压缩机。", ["1"]),
     _f("b", "U1", "电冰箱（家用）", [], "双门风冷无霜冰箱，变频压缩机，容积520升。", ["1"]), True),
    (_f("a", "U1", "智能手机", ["P40"], "6.1英寸OLED屏幕智能手机，麒麟990芯片。", ["1"]),
     _f("b", "U2", "5G智能手机", ["P40 8+128G 黑色"], "麒麟990芯片，6.1英寸OLED屏的智能手机。", []), True),
    (_f("a", "U1", "智能手机", ["P40"], "6.1英寸OLED屏幕智能手机，麒麟990芯片。", ["1"]),
     _f("b", "U1", "智能手机", ["P40Pro"], "6.58英寸OLED屏幕智能手机，麒麟990芯片，四摄。", ["1"]), False),
    (_f("a", "U1", "家用电冰箱", [], "双门风冷无霜冰箱，容积520升，变频压缩机。", ["1"]),
     _f("b", "U2", "家用电冰箱", [], "三门直冷冰箱，容积210升，定频压缩机，机械温控。", ["2"]), False),
    (_f("a", "U1", "锂电池冲击钻", ["ZD-18V"], "无刷电机冲击钻", ["1"]),
     _f("b", "U1", "锂电池角磨机", ["JM-100"], "无刷电机角磨机", ["1"]), False),
    # one patent serves several products: another maker's air conditioner that lists the
    # refrigerator's patent is not the refrigerator (was 0.87 on a shared patent alone)
    (_f("a", "U1", "家用电冰箱", ["BCD-520W"], FRIDGE["product"]["intro"], ["2017106018623"]),
     _f("b", "U2", "变频空调器", ["KFR-35GW"], AIRCON_INTRO, ["2017106018623"]), False),
    (_f("a", "U1", "家用电冰箱", ["BCD-520W"], FRIDGE["product"]["intro"], ["2017106018623"]),
     _f("b", "U2", "变频空调器", [], AIRCON_INTRO, ["2017106018623"]), False),
    # …while a reseller's filing of the maker's refrigerator under its own code is still caught
    (_f("a", "U1", "家用电冰箱", ["BCD-520W"], FRIDGE["product"]["intro"], ["2017106018623"]),
     _f("b", "U2", "电冰箱（家用）", ["HX-88"], "风冷无霜双门冰箱，容积520升，变频压缩机，多风道送风，家用。",
        ["2017106018623"]), True),
]


@pytest.mark.parametrize("a, b, same", HAND_WRITTEN)
def test_committed_scorer_on_hand_written_pairs(a, b, same, embedder):
    from models.pair_scorer import PairScorer
    from screening.duplicates import pair_features

    scorer = PairScorer.load_default()
    va, vb = embedder.encode([a.text, b.text])
    assert (scorer.probability(pair_features(a, b, float(va @ vb))) >= scorer.threshold) == same


def test_a_lower_revision_id_committed_after_a_higher_one_is_caught_up(database_url, tmp_path, embedder):
    """Writers take their row ids when they insert and their commit places as they commit: a
    screening that inserted first but commits second is still read by the next catch-up."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from screening.storage import open_store

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's single writer takes its lock before the first insert: ids follow commits")
    store = open_store(database_url, tmp_path / "files")
    try:
        search = DuplicateSearch.open(tmp_path / "data", store, embedder)
        service = _service(store, search)
        inserted, go_on = threading.Event(), threading.Event()
        locking = store._write_lock

        def held_back(s):  # the first writer: its rows are in, its commit waits
            if threading.current_thread().name.startswith("slow"):
                inserted.set()
                assert go_on.wait(10)
            return locking(s)

        store._write_lock = held_back
        def record(form):  # no duplicate watch: nothing makes the slow writer start again
            sub = parse_submission(form)
            return store.record_screening(sub, {}, service.screen_only(sub, {}), actor="test")

        with ThreadPoolExecutor(1, thread_name_prefix="slow") as pool:
            slow = pool.submit(record, FRIDGE)
            assert inserted.wait(10)
            record(DRILL)  # a higher id, committed first
            assert search.catch_up() == 1 and len(search) == 1
            go_on.set()
            slow.result(timeout=10)
        revs = store.revisions_since(0)
        assert [r.submission_id for r in revs] == [DRILL["submission_id"], FRIDGE["submission_id"]]
        assert revs[0].id > revs[1].id and [r.seq for r in revs] == [1, 2]
        assert search.catch_up() == 1 and len(search) == 2
        assert search.state.current[FRIDGE["submission_id"]] == revs[1].id
    finally:
        store.engine.dispose()

