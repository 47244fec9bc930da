"""Loading at start-up: the OCR's configuration handed down from the settings class; through the registry, one version key per model that follows promotions
(the report's and /healthz's ``models``), and a damaged model file that stops start-up."""

from __future__ import annotations

from functools import partial

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.errors import CorruptModel
from models.priority import PriorityModel
from models.registry import Registry
from screening import resources
from screening.resources import load_readers
from screening.learned_priority import FEATURES
from screening.parsing import parse_submission
from screening.pipeline import Pipeline
from screening.settings import Settings
from training.priority_eval import evaluate_fixed, matrix
from training.simulator import feature_rows


@pytest.fixture
def only_priority(monkeypatch):
    """The real loaders, the priority one alone (the text models take seconds to load)."""
    loaders = resources._loaders
    monkeypatch.setattr(resources, "_loaders", lambda *a: [(n, f) for n, f in loaders(*a) if n == "prioritizer"])


@pytest.fixture
def registered(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", ocr_enabled=False)
    X, y = matrix(feature_rows(400, seed=71))
    model = PriorityModel.fit(X, y, feature_names=FEATURES)
    model.manifest.version = "v1"
    registry = Registry(settings.registry_dir)
    registry.register("priority", model.save(tmp_path / "v1"))
    return settings, registry


def test_one_priority_key_that_follows_promotion_and_rollback(registered, only_priority, store, contract_example):
    settings, registry = registered
    res, status = resources.load_resources(settings, None)
    assert set(res.model_versions) == {"priority"} == set(status.loaded)  # no stale "prioritizer" beside it
    assert res.model_versions["priority"] == "severity-prior@1"
    app = create_app(settings, store=store, pipeline=Pipeline([], res), load_report=status)
    sub = parse_submission(contract_example)
    res.prioritizer._source.check_s = res.prioritizer._source._next = 0.0  # look at the alias on every call
    with TestClient(app) as client:
        assert client.get("/healthz").json()["models"] == {"priority": "severity-prior@1"}
        registry.promote("priority", "v1", evaluate=partial(evaluate_fixed, registry_root=registry.root))
        assert client.get("/healthz").json()["models"] == {"priority": "priority@v1"}
        report = app.state.service.pipeline.screen(sub, {})
        assert report.models == {"priority": "priority@v1"} and report.priority.model == "priority@v1"
        registry.rollback("priority")
        assert client.get("/healthz").json()["models"] == {"priority": "severity-prior@1"}
        assert app.state.service.pipeline.screen(sub, {}).models == {"priority": "severity-prior@1"}


def test_a_flipped_byte_in_the_model_in_service_stops_start_up(registered, only_priority):
    settings, registry = registered
    registry.promote("priority", "v1", force=True)
    weights = registry.path("priority", "v1") / "weights.npz"
    body = bytearray(weights.read_bytes())
    body[len(body) // 2] ^= 0x10
    weights.write_bytes(bytes(body))
    with pytest.raises(CorruptModel, match=r"v1/weights\.npz: sha256 differs"):
        resources.load_resources(settings, None)
    with pytest.raises(CorruptModel, match=r"weights\.npz"):
        create_app(settings)



def test_ocr_settings_reach_the_engine(monkeypatch):
    # set through the environment, as an operator would: the settings class reads it, ocr does not
    monkeypatch.setenv("PRESCREEN_OCR_THREADS", "1")
    monkeypatch.setenv("PRESCREEN_OCR_TIMEOUT_S", "7.5")
    readers = load_readers(Settings())
    assert readers.timeout_s == 7.5
    assert readers.engine.name == "rapidocr"
    # onnxruntime's own session options: the thread count got all the way down
    for session in (readers.engine._det, readers.engine._rec):
        assert session.session.session.get_session_options().intra_op_num_threads == 1


def test_unknown_ocr_engine_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown OCR engine 'tesseract'"):
        load_readers(Settings(ocr_engine="tesseract"))


def test_paddle_engine_without_model_folders_names_the_settings():
    with pytest.raises(ValueError, match="PRESCREEN_PADDLE_DET_DIR"):
        load_readers(Settings(ocr_engine="paddleocr", paddle_det_dir=None, paddle_rec_dir=None))


def test_realdata_dir_is_the_settings_one(monkeypatch, tmp_path):
    from screening import settings as settings_module

    monkeypatch.setenv("PRESCREEN_REALDATA", str(tmp_path))
    settings_module.get_settings.cache_clear()
    try:
        assert settings_module.realdata_dir() == tmp_path
    finally:
        settings_module.get_settings.cache_clear()


def test_a_promoted_pair_scorer_shows_in_the_report_and_healthz(tmp_path, monkeypatch, store, contract_example):
    """The pair scorer swaps without a restart; the report's and /healthz's ``models`` must name
    the scorer that answers now, not the one loaded at start-up."""
    from models.pair_scorer import DEFAULT_DIR, PairScorer
    from tests.models.test_served_pair_scorer import _scorer

    loaders = resources._loaders
    monkeypatch.setattr(resources, "_loaders", lambda *a: [(n, f) for n, f in loaders(*a) if n == "duplicates"])
    settings = Settings(data_dir=tmp_path / "data", ocr_enabled=False)
    res, status = resources.load_resources(settings, store)
    shipped = PairScorer.load(DEFAULT_DIR).version
    assert res.model_versions["duplicates"] == shipped
    res.duplicates.scorer._served.check_s = res.duplicates.scorer._served._next = 0.0  # look at the alias on every call
    registry = Registry(settings.registry_dir)
    _scorer(tmp_path, "v9", dup_when_partial_patents=False)
    registry.register("pair-scorer", tmp_path / "v9")
    registry.promote("pair-scorer", "v9", force=True)  # made-up figures: past the gate by force
    app = create_app(settings, store=store, pipeline=Pipeline([], res), load_report=status)
    with TestClient(app) as client:
        report = app.state.service.pipeline.screen(parse_submission(contract_example), {})
        assert report.models["duplicates"] == "pair-scorer@v9"
        assert client.get("/healthz").json()["models"]["duplicates"] == "pair-scorer@v9"
