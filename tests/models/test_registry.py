"""The model registry: register, promote (gated), refuse a worse candidate, force, roll back, hot swap."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from api.cli import main as cli
from models.base import Manifest
from models.priority import PriorityModel
from models.registry import PromotionRefused, Registry, ServedModel, compare
from screening.errors import Conflict, NotFound
from screening.learned_priority import FEATURES
from screening.settings import get_settings
from training.priority_eval import matrix
from training.simulator import feature_rows

GATE = {"roc_auc": "max", "brier": "min"}


@pytest.fixture(scope="module")
def base_model() -> PriorityModel:
    X, y = matrix(feature_rows(300, seed=31))
    return PriorityModel.fit(X, y, feature_names=FEATURES)


def saved(model: PriorityModel, folder, version: str, auc: float, brier: float = 0.1, set_hash: str = "h1"):
    model.manifest = Manifest(name="priority", version=version, kind="priority", data_hash="d" + version,
                              metrics={"gate": GATE, "fixed": {"sim": {"hash": set_hash, "roc_auc": auc, "brier": brier}}})
    return model.save(folder / version)


@pytest.fixture(scope="module")
def bad_model() -> PriorityModel:
    """Trained on shuffled decisions: genuinely worse, also when measured afresh."""
    X, y = matrix(feature_rows(300, seed=31))
    return PriorityModel.fit(X, np.random.default_rng(0).permutation(y), feature_names=FEATURES)


@pytest.fixture
def registry(tmp_path, base_model, bad_model) -> Registry:
    """The registry's own mechanics, without the shipped first versions (tested below)."""
    reg = Registry(tmp_path / "registry", shipped=None)
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
    actions = [e["action"] for e in registry.events("priority")]
    assert actions[-3:] == ["promoted", "promoted", "rolled_back"]
    # nothing before v1 and nothing shipped (as for text-feedback): back to no model in service
    assert registry.rollback("priority").version is None and registry.in_service("priority") is None
    with pytest.raises(NotFound):
        registry.rollback("priority")


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


# ---------------------------------------------------------------------- the shipped first versions
SHIPPED = ("name-tagger", "pair-scorer", "photo-kind", "priority", "sentence-embedder", "text-heads")


def test_every_shipped_model_is_a_built_in_version_in_service(tmp_path):
    registry = Registry(tmp_path / "empty")
    assert set(SHIPPED) <= set(registry.names())
    for name in SHIPPED:
        [only] = registry.versions(name)
        assert only.builtin and only.serving and only.version == registry.in_service(name)
        assert registry.serving(name) is None  # nothing promoted
        assert registry.path(name, only.version) == only.path and only.path.parent == registry.shipped
    assert registry.in_service("priority") == "severity-prior-1"
    assert registry.info("priority", "severity-prior-1").manifest.kind == "severity-prior"


def test_the_first_promotion_is_gated_against_the_built_in_version_and_rolls_back_to_it(tmp_path, base_model):
    registry = Registry(tmp_path / "registry")
    with pytest.raises(Conflict, match="shipped"):  # the built-in version is in service: nothing earlier
        registry.rollback("priority")
    registry.register("priority", saved(base_model, tmp_path / "src", "v1", 0.90))
    # its manifest has no figure measured on a set the severity prior was measured on: not a gated promotion
    with pytest.raises(PromotionRefused, match="no gate metric"):
        registry.promote("priority", "v1")
    assert registry.serving("priority") is None and registry.events("priority")[-1]["action"] == "refused"
    figures = {"v1": 0.90, "severity-prior-1": 0.95}
    evaluate = lambda path: {"fresh": {"hash": "x", "roc_auc": figures[Manifest.read(path).version]}}  # noqa: E731
    with pytest.raises(PromotionRefused, match="worse than severity-prior-1"):
        registry.promote("priority", "v1", evaluate=evaluate)
    figures["v1"] = 0.953  # as good as the rule, within the tolerance: that does not beat it
    with pytest.raises(PromotionRefused, match="does not beat severity-prior-1"):
        registry.promote("priority", "v1", evaluate=evaluate)
    figures["v1"] = 0.97
    first = registry.promote("priority", "v1", evaluate=evaluate)
    assert first.previous == "severity-prior-1" and registry.in_service("priority") == "v1"
    back = registry.rollback("priority")
    assert (back.version, back.previous) == ("severity-prior-1", "v1")
    assert registry.serving("priority") == "severity-prior-1" == registry.in_service("priority")
    assert [v.serving for v in registry.versions("priority")] == [True, False]
    with pytest.raises(Conflict):
        registry.rollback("priority")
    forced = registry.promote("priority", "v1", force=True)  # forced past an unmeasured gate: said so
    assert forced.forced and forced.comparison == []
    # an old alias written before the built-in version existed in "previous" still rolls back to it
    registry._write_alias("priority", {"version": "v1", "since": "x", "previous": []})
    assert registry.rollback("priority").version == "severity-prior-1"


def test_a_version_cannot_take_the_built_in_version_name(tmp_path, base_model):
    registry = Registry(tmp_path / "registry")
    with pytest.raises(Conflict):
        registry.register("priority", saved(base_model, tmp_path / "src", "severity-prior-1", 0.9))


# ---------------------------------------------------------------------- file hashes
def test_a_flipped_byte_in_a_weight_file_is_refused_naming_the_file(tmp_path):
    import shutil

    from models.errors import CorruptModel
    from models.photo_kind import PhotoKindClassifier

    folder = shutil.copytree(Registry(tmp_path).builtin("photo-kind").path, tmp_path / "photo-kind")
    assert PhotoKindClassifier.load(folder).version.startswith("photo-kind@")
    weights = folder / "weights.json"
    body = bytearray(weights.read_bytes())
    body[100] ^= 0x01
    weights.write_bytes(bytes(body))
    with pytest.raises(CorruptModel, match=r"weights\.json: sha256 differs"):
        PhotoKindClassifier.load(folder)
    with pytest.raises(CorruptModel, match="weights.json"):  # nor can it be registered
        Registry(tmp_path / "registry").register("photo-kind", folder)
    weights.unlink()
    with pytest.raises(CorruptModel, match=r"weights\.json: listed in manifest\.json but missing"):
        PhotoKindClassifier.load(folder)


def test_every_shipped_manifest_matches_its_files():
    registry = Registry("unused")
    for name in SHIPPED:
        info = registry.builtin(name)
        assert info.manifest.files, name
        info.manifest.verify(info.path)


@pytest.fixture
def cli_registry(registry, monkeypatch):
    monkeypatch.setenv("PRESCREEN_MODELS_DIR", str(registry.root))
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(registry.root.parent / "data"))
    get_settings.cache_clear()
    yield registry
    get_settings.cache_clear()


def test_models_list_with_nothing_registered_shows_the_shipped_models(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PRESCREEN_MODELS_DIR", raising=False)
    get_settings.cache_clear()
    try:
        assert cli(["models", "list"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert cli(["models", "list", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
    finally:
        get_settings.cache_clear()
    assert lines[0].split()[:3] == ["NAME", "VERSION", "SOURCE"]
    body = lines[1:-1]
    assert sorted(line.split()[1] for line in body) == sorted(SHIPPED)
    assert all(line.startswith("* ") and line.split()[3] == "shipped" for line in body)
    by_name = {r["name"]: r for r in rows}
    assert by_name["pair-scorer"]["fixed"]["generated-test"]["precision"] == 1.0
    assert by_name["name-tagger"]["data_hash"] and by_name["name-tagger"]["version"].endswith(
        by_name["name-tagger"]["data_hash"][:8])
    assert "generated-test/precision=1.0" in next(line for line in body if " pair-scorer " in line)


def test_models_command(cli_registry, capsys):
    # the first promotion is measured afresh against the shipped severity prior (training.priority_eval)
    assert cli(["models", "promote", "priority", "v2"]) == 0
    assert "priority v2 in service (was severity-prior-1)" in capsys.readouterr().out
    assert cli(["models", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "SOURCE", "DATA", "HASH", "CREATED", "METRICS"]
    rows = {tuple(line[2:].split()[:2]): line for line in lines[1:-1]}
    assert rows[("priority", "v2")].startswith("* ") and rows[("priority", "v3")].startswith("  ")
    assert rows[("priority", "severity-prior-1")].split()[2] == "shipped"
    assert "sim/roc_auc=0.93" in rows[("priority", "v2")] and "dv2" in rows[("priority", "v2")]
    assert {"name-tagger", "text-heads", "pair-scorer", "photo-kind", "sentence-embedder"} <= {k[0] for k in rows}
    assert cli(["models", "promote", "priority", "v3"]) == 2
    assert "worse than v2" in capsys.readouterr().err
    assert cli(["models", "promote", "priority", "v3", "--force"]) == 0
    assert cli(["models", "rollback", "priority"]) == 0
    assert cli_registry.serving("priority") == "v2"
    assert cli(["models", "rollback", "priority"]) == 0
    assert "priority severity-prior-1 in service again (was v2)" in capsys.readouterr().out
    assert cli(["models", "rollback", "priority"]) == 2
    assert "no earlier version" in capsys.readouterr().err
    assert cli(["models", "promote", "priority", "nope"]) == 2
    assert cli(["models", "promote", "priority", "v2"]) == 0
    assert np.isfinite(PriorityModel.load(cli_registry.serving_path("priority")).coef).all()
