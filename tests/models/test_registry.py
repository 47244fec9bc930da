"""The model registry: register, promote (gated), refuse a worse candidate, force, roll back, hot swap."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from api.cli import main as cli
from models.base import Manifest
from models.priority import PriorityModel
from models.registry import PromotionRefused, Registry, ServedModel, compare
from screening.errors import Conflict, NotFound
from screening.settings import get_settings
from training.priority_eval import matrix
from training.simulator import feature_rows

GATE = {"roc_auc": "max", "brier": "min"}


@pytest.fixture(scope="module")
def base_model() -> PriorityModel:
    X, y = matrix(feature_rows(300, seed=31))
    return PriorityModel.fit(X, y)


def saved(model: PriorityModel, folder, version: str, auc: float, brier: float = 0.1, set_hash: str = "h1"):
    model.manifest = Manifest(name="priority", version=version, kind="priority", data_hash="d" + version,
                              metrics={"gate": GATE, "fixed": {"sim": {"hash": set_hash, "roc_auc": auc, "brier": brier}}})
    return model.save(folder / version)


@pytest.fixture(scope="module")
def bad_model() -> PriorityModel:
    """Trained on shuffled decisions: genuinely worse, also when measured afresh."""
    X, y = matrix(feature_rows(300, seed=31))
    return PriorityModel.fit(X, np.random.default_rng(0).permutation(y))


@pytest.fixture
def registry(tmp_path, base_model, bad_model) -> Registry:
    reg = Registry(tmp_path / "registry")
    for version, auc, model in (("v1", 0.90, base_model), ("v2", 0.93, base_model), ("v3", 0.85, bad_model)):
        reg.register("priority", saved(model, tmp_path / "src", version, auc))
    return reg


def test_register_lists_versions_and_refuses_a_second_copy(registry, tmp_path, base_model):
    assert registry.names() == ["priority"]
    assert [v.version for v in registry.versions("priority")] == ["v1", "v2", "v3"]
    assert registry.serving("priority") is None
    info = registry.info("priority", "v2")
    assert (info.path / "weights.npz").is_file() and info.manifest.data_hash == "dv2"
    with pytest.raises(Conflict):
        registry.register("priority", tmp_path / "src" / "v2")
    with pytest.raises(NotFound):
        registry.info("priority", "v9")
    with pytest.raises(NotFound):
        registry.info("priority", "../etc")


def test_promotion_and_rollback(registry):
    first = registry.promote("priority", "v1")
    assert first.previous is None and first.comparison == [] and registry.serving("priority") == "v1"
    better = registry.promote("priority", "v2")
    assert better.previous == "v1" and not any(c["worse"] for c in better.comparison)
    assert {c["metric"] for c in better.comparison} == {"roc_auc", "brier"}
    back = registry.rollback("priority")
    assert (back.version, back.previous) == ("v1", "v2") and registry.serving("priority") == "v1"
    with pytest.raises(Conflict):  # nothing before v1
        registry.rollback("priority")
    actions = [e["action"] for e in registry.events("priority")]
    assert actions[-3:] == ["promoted", "promoted", "rolled_back"]


def test_a_worse_candidate_is_refused_unless_forced(registry):
    registry.promote("priority", "v2")
    with pytest.raises(PromotionRefused) as exc:
        registry.promote("priority", "v3")
    assert registry.serving("priority") == "v2"
    assert [c["metric"] for c in exc.value.comparison if c["worse"]] == ["roc_auc"]
    assert registry.events("priority")[-1]["action"] == "refused"
    forced = registry.promote("priority", "v3", force=True)
    assert forced.forced and registry.serving("priority") == "v3"
    assert registry.rollback("priority").version == "v2"


def test_sets_with_other_contents_are_not_compared_and_evaluate_measures_afresh(registry, tmp_path, base_model):
    registry.promote("priority", "v2")
    registry.register("priority", saved(base_model, tmp_path / "src", "v4", 0.50, set_hash="other"))
    assert compare(registry.path("priority", "v4"), registry.path("priority", "v2")) == []
    measured = {"v2": 0.9, "v4": 0.8}
    evaluate = lambda path: {"fresh": {"hash": "x", "roc_auc": measured[path.name]}}  # noqa: E731
    with pytest.raises(PromotionRefused):
        registry.promote("priority", "v4", evaluate=evaluate)
    measured["v4"] = 0.95
    assert registry.promote("priority", "v4", evaluate=evaluate).comparison[0]["candidate"] == 0.95


def test_served_model_swaps_on_promotion_while_requests_keep_theirs(registry):
    registry.promote("priority", "v1")
    served = ServedModel(registry, "priority", PriorityModel.load, check_s=0.0)
    in_flight = served.current()
    assert in_flight.version == "priority@v1"
    seen: set[str] = set()
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            model = served.current()
            assert model is not None
            seen.add(model.version)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    registry.promote("priority", "v2")
    for _ in range(200):
        if served.current().version == "priority@v2":
            break
    stop.set()
    for t in threads:
        t.join()
    assert served.current().version == "priority@v2"
    assert in_flight.version == "priority@v1"  # the object a request took is never changed under it
    assert seen <= {"priority@v1", "priority@v2"}
    registry.rollback("priority")
    assert served.current().version == "priority@v1"


def test_served_model_keeps_the_old_model_when_the_new_one_is_broken(registry):
    registry.promote("priority", "v1")
    served = ServedModel(registry, "priority", PriorityModel.load, check_s=0.0)
    (registry.path("priority", "v2") / "weights.npz").unlink()
    registry.promote("priority", "v2")
    assert served.current().version == "priority@v1"


def test_served_model_checks_the_alias_at_most_once_per_interval(registry):
    registry.promote("priority", "v1")
    served = ServedModel(registry, "priority", PriorityModel.load, check_s=3600)
    served.current()
    registry.promote("priority", "v2")
    assert served.current().version == "priority@v1"  # not looked at again within the hour


@pytest.fixture
def cli_registry(registry, monkeypatch):
    monkeypatch.setenv("PRESCREEN_MODELS_DIR", str(registry.root))
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(registry.root.parent / "data"))
    get_settings.cache_clear()
    yield registry
    get_settings.cache_clear()


def test_models_command(cli_registry, capsys):
    assert cli(["models", "promote", "priority", "v2"]) == 0
    assert cli(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "* priority       v2" in out and "  priority       v3" in out
    assert cli(["models", "promote", "priority", "v3"]) == 2
    assert "worse than v2" in capsys.readouterr().err
    assert cli(["models", "promote", "priority", "v3", "--force"]) == 0
    assert cli(["models", "rollback", "priority"]) == 0
    assert cli_registry.serving("priority") == "v2"
    assert cli(["models", "promote", "priority", "nope"]) == 2
    assert np.isfinite(PriorityModel.load(cli_registry.serving_path("priority")).coef).all()
