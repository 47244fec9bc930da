"""Model-code relations, filings from forms, pair features, perceptual hashes."""

import io
import random

import pytest
from PIL import Image

from screening.duplicates.filing import (
    Filing,
    generation_of,
    is_own_annual_update,
    normalise_patent,
    pair_features,
)
from screening.duplicates.image_hash import PhotoHash, PhotoHashIndex, hamming, is_copy
from screening.duplicates.model_codes import line_of, relation


@pytest.mark.parametrize("a, b, expected", [
    (["P40"], ["P40 8+128G 黑色"], "variant"),
    (["P40"], ["P40Pro"], "different"),
    (["P40"], ["P40 Plus"], "different"),
    (["P40"], ["P40Plus", "P40 白色"], "variant"),
    (["BCD-520W"], ["bcd 520w"], "same"),
    (["BCD-520W"], ["BCD-520W 银色 标准版"], "variant"),
    (["BCD-520W"], ["BCD-560W"], "different"),
    (["奥迪A4"], ["奥迪A4L"], "different"),
    (["奥迪A4"], ["A4 豪华版"], "variant"),
    (["XC-384G 1TB"], ["XC-384G"], "variant"),
    (["X9 (曜石黑)"], ["X9 白色 XL"], "variant"),
    (["P40"], [], "unknown"),
    (None, ["P40"], "unknown"),
])
def test_model_relation(a, b, expected):
    assert relation(a, b) == expected
    assert relation(b, a) == expected


def test_a_hyphenated_code_keeps_its_parts():
    # '520W' on its own would read as a wattage (a variant token); inside a code it is the line
    assert line_of("BCD-520W") == "BCD520W"
    assert line_of("65英寸 TV-65A 黑色") == "TV65A"


def test_patent_numbers_normalise():
    assert normalise_patent("CN201710601862.3") == normalise_patent("ZL 2017 1 0601862.3") == "2017106018623"


def _form(sid="S-1", stage="product", uscc="91440300MA5H3E0T3W", name="家用电冰箱", models=("BCD-520W",), patents=("CN201710601862.3",)):
    return {"submission_id": sid, "stage": stage, "entity": {"uscc": uscc, "name": "甲公司"},
            "product": {"name": name, "models": list(models), "intro": "双门风冷无霜冰箱",
                        "patents": [{"number": p} for p in patents]}}


def test_filing_from_form_and_entity_stage():
    f = Filing.from_form(_form())
    assert f.product_name == "家用电冰箱" and f.patents == ["2017106018623"] and f.lines == {"BCD520W"}
    assert "BCD-520W" in f.text and "双门" in f.text
    assert Filing.from_form({"submission_id": "E-1", "stage": "entity", "entity": {"uscc": "x"}}) is None
    assert Filing.from_json(f.to_json()) == f


def test_pair_features_name_the_exact_signals():
    a = Filing.from_form(_form())
    b = Filing.from_form(_form(sid="S-2", uscc="91110000802115985Y", models=("BCD-520W 银色",)))
    f = pair_features(a, b, 0.93)
    assert f["model_variant"] == 1 and f["model_same"] == 0 and f["patent_shared"] == 1
    assert f["same_entity"] == 0 and f["name_equal"] == 1 and f["cosine"] == pytest.approx(0.93)
    assert f["photo_missing"] == 1


@pytest.mark.parametrize("name, marker", [
    ("第二代空气净化器", "gen:2"), ("空气净化器（二代）", "gen:2"), ("空气净化器二代", "gen:2"),
    ("第3代智能门锁", "gen:3"), ("第十二代处理器", "gen:12"), ("智能门锁2.0", "gen:2"),
    ("空气净化器Ⅱ", "gen:2"), ("空气净化器III型", "gen:3"), ("新一代空气净化器", "new"),
    ("电冰箱（2025款）", "year:2025"), ("25年款电冰箱", "year:2025"),
    ("空气净化器", ""), ("代理记账软件", ""), ("LED灯", ""), ("iPhone手机壳", ""), ("超高压清洗机", ""),
])
def test_generation_markers(name, marker):
    assert generation_of(name) == marker


def test_a_differing_generation_is_a_pair_feature():
    def filing(name):
        return Filing(1, "S", "product", entity_uscc="91350100M000100Y43", product_name=name)

    assert pair_features(filing("空气净化器"), filing("第二代空气净化器"), 0.9)["generation_differs"] == 1.0
    assert pair_features(filing("第二代空气净化器"), filing("空气净化器（二代）"), 0.9)["generation_differs"] == 0.0
    assert pair_features(filing("空气净化器（2025款）"), filing("空气净化器（2026款）"), 0.9)["generation_differs"] == 1.0
    assert pair_features(filing("家用空气净化器"), filing("空气净化器"), 0.9)["generation_differs"] == 0.0


def test_annual_update_of_the_same_product_is_not_its_duplicate():
    original = Filing.from_form(_form())
    update = Filing.from_form(_form(sid="S-9", stage="annual_update", models=("BCD-520W 白色",)))
    other_line = Filing.from_form(_form(sid="S-10", stage="annual_update", models=("BCD-660W",)))
    other_entity = Filing.from_form(_form(sid="S-11", stage="annual_update", uscc="91110000802115985Y"))
    assert is_own_annual_update(update, original) and is_own_annual_update(original, update)
    assert not is_own_annual_update(other_line, original)
    assert not is_own_annual_update(other_entity, original)
    assert not is_own_annual_update(Filing.from_form(_form(sid="S-12")), original)  # a re-filing IS a duplicate


# ---------------------------------------------------------------- perceptual hashes
@pytest.fixture(scope="module")
def photo():
    from sklearn.datasets import load_sample_image

    return Image.fromarray(load_sample_image("china.jpg"))


def _jpeg(im, q):
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=q)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def test_copies_match_and_other_images_do_not(photo):
    h = PhotoHash.of(photo)
    w, hh = photo.size
    copies = [
        photo.resize((w // 3, hh // 3)),
        _jpeg(photo, 35),
        photo.crop((int(w * 0.03), int(hh * 0.03), int(w * 0.97), int(hh * 0.97))),
        _jpeg(photo.crop((10, 10, w - 10, hh - 10)).resize((800, 560)), 60),
    ]
    for c in copies:
        assert is_copy(h, PhotoHash.of(c))
    other = photo.crop((0, 0, w // 2, hh // 2))  # another part of the same scene is another picture
    assert not is_copy(h, PhotoHash.of(other))
    flipped = photo.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    assert not is_copy(h, PhotoHash.of(flipped))


def test_photo_hash_index_finds_and_forgets():
    rng = random.Random(0)
    idx = PhotoHashIndex()
    hashes = [PhotoHash(rng.getrandbits(64), rng.getrandbits(64)) for _ in range(500)]
    for i, h in enumerate(hashes):
        idx.add(i, [h])
    probe = PhotoHash(hashes[42].phash ^ 0b101, hashes[42].dhash ^ 0b1)
    assert [o for o, _, _ in idx.search(probe)] == [42]
    assert hamming(probe.phash, hashes[42].phash) == 2
    idx.remove([42])
    assert idx.search(probe) == []
    assert len(idx) == 499


def test_pair_features_are_the_scorer_features_in_its_order():
    """One feature list (models.pair_scorer.SIGNALS, from BASE_FEATURES and INTERACTIONS): what the
    search computes is exactly what the scorer reads, so a signal added on one side only fails
    here, not silently."""
    from models.pair_scorer import BASE_FEATURES, DERIVED, INTERACTIONS, SIGNALS, feature_names, likeness, vectorise
    from screening.duplicates.filing import _signals

    a = Filing(1, "A", "product", "91440300MA5H3E0T3W", "甲", "家用电冰箱", ["BCD-520W"], "双门风冷", ["2017106018623"])
    b = Filing(2, "B", "product", "91440300MA5H3E0T3W", "甲", "家用电冰箱", ["BCD-560W"], "", [])
    assert set(_signals(a, b, 0.9)) == set(SIGNALS)
    features = pair_features(a, b, 0.9)
    assert list(features) == list(SIGNALS)
    # every scorer input is either a signal or derived from them; nothing the scorer reads is missing
    used = set(BASE_FEATURES) | {x for pair in INTERACTIONS for x in pair}
    assert used == set(SIGNALS) | set(DERIVED)
    assert feature_names()[: len(BASE_FEATURES)] == list(BASE_FEATURES)
    # every base feature reaches the scorer's matrix at its own column
    row = vectorise([features])[0]
    full = {**features, "likeness": likeness(features)}
    assert [row[i] for i in range(len(BASE_FEATURES))] == [full[n] for n in BASE_FEATURES]
    assert features["model_different"] == 1.0 and features["intro_missing"] == 1.0
