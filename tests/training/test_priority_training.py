"""prescreen train priority: the snapshot from decisions, training, the model card, registration."""

from __future__ import annotations

import json

import pytest

from api.cli import main as cli
from models.base import Manifest, sha256_rows
from models.registry import Registry
from screening.contract import Decision
from screening.errors import InvalidInput
from screening.parsing import parse_submission
from screening.pipeline import Pipeline
from screening.service import ScreeningService
from screening.settings import get_settings
from training.priority import MIN_DECISIONS, build_snapshot, read_rows, train_priority, write_rows
from training.simulator import feature_rows


def _screen(service, example, sid, uscc=None):
    form = dict(example, submission_id=sid)
    if uscc:
        form["entity"] = dict(example["entity"], uscc=uscc)
    service.screen(parse_submission(form), {}, actor="t")


def test_snapshot_uses_the_standing_decision_and_the_history_before_it(store, contract_example):
    service = ScreeningService(Pipeline([]), store)
    for sid in ("A", "B", "C", "D"):
        _screen(service, contract_example, sid)
    _screen(service, contract_example, "E", uscc="91110000000000000X")
    service.decide("A", Decision("returned", ["NAME_BRAND"]), actor="t")
    service.decide("B", Decision("approved"), actor="t")
    service.decide("A", Decision("approved"), actor="t")  # supersedes A's return
    service.decide("C", Decision("rejected", ["SALES_ZERO"]), actor="t")
    service.decide("E", Decision("approved"), actor="t")
    rows = build_snapshot(store)
    by_id = {r["submission_id"]: r for r in rows}
    assert [r["submission_id"] for r in rows] == ["A", "B", "C", "E"]  # D undecided; order of first decision
    assert by_id["A"]["decision"] == "approved" and by_id["A"]["label"] == 0
    assert by_id["A"]["history"] == [0, 0]
    assert by_id["B"]["history"] == [1, 0]  # A, as it stands when the snapshot is built in order
    assert by_id["C"]["history"] == [2, 0] and by_id["C"]["label"] == 1
    assert by_id["E"]["history"] == [0, 0]  # another entity
    assert by_id["C"]["stage"] == "product" and by_id["C"]["kind"] == "enterprise"
    assert sha256_rows(build_snapshot(store)) == sha256_rows(rows)


@pytest.fixture(scope="module")
def rows():
    return feature_rows(500, seed=61)


@pytest.mark.slow
def test_train_registers_a_candidate_with_its_card(tmp_path, rows):
    registry = Registry(tmp_path / "models")
    summary = train_priority(rows, registry, source="test")
    assert summary["promoted"] is False and registry.serving("priority") is None
    folder = registry.path("priority", summary["version"])
    names = {p.name for p in folder.iterdir()}
    assert {"card.md", "precision_recall.png", "calibration.png", "errors_by_code.png", "weights.npz",
            "config.json", "manifest.json"} <= names
    for png in ("precision_recall.png", "calibration.png", "errors_by_code.png"):
        assert (folder / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = Manifest.read(folder)
    assert manifest.data_hash == sha256_rows(rows) == summary["data_hash"]
    assert manifest.recipe["train_rows"] == 400 and manifest.recipe["holdout_rows"] == 100
    assert manifest.metrics["fixed"]["sim-v1"]["roc_auc"] > 0.85
    assert set(manifest.metrics["holdout"]) == {"candidate", "severity_prior"}
    card = (folder / "card.md").read_text()
    assert summary["data_hash"] in card and "roc_auc" in card and "lift_top20" in card and "\"C\": 1.0" in card

    second = train_priority(rows[:450], registry, promote=True)
    assert second["promoted"] and registry.serving("priority") == second["version"]
    third = train_priority(rows[25:], registry, promote=True)  # other data: a version of its own within the second
    assert "serving" in third["holdout"] and third["serving"] == second["version"]
    assert third["fixed_serving"]["sim-v1"]["hash"] == third["fixed"]["sim-v1"]["hash"]


def test_too_few_decisions_to_train(tmp_path, rows):
    with pytest.raises(InvalidInput, match=f"77 decided submissions; .* at least {MIN_DECISIONS}"):
        train_priority(rows[:77], Registry(tmp_path / "models"))
    assert not (tmp_path / "models").exists()  # nothing registered


def test_the_first_candidate_is_gated_against_the_severity_prior(tmp_path, rows):
    """A candidate from decisions that carry nothing to learn (labels shuffled) is worse than the
    shipped severity prior on the fixed sets: refused, and the prior stays in service."""
    import random

    registry = Registry(tmp_path / "models")
    labels = [r["label"] for r in rows]
    random.Random(3).shuffle(labels)
    noise = [dict(r, label=y) for r, y in zip(rows, labels)]
    summary = train_priority(noise, registry, promote=True)
    assert summary["serving"] == "severity-prior-1" and not summary["promoted"]
    assert "worse than severity-prior-1" in summary["refused"]
    assert registry.in_service("priority") == "severity-prior-1"
    assert summary["fixed_serving"]["sim-v1"]["roc_auc"] > summary["fixed"]["sim-v1"]["roc_auc"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESCREEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PRESCREEN_MODELS_DIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


@pytest.mark.slow
def test_train_command_on_a_snapshot_with_a_frozen_holdout(data_dir, tmp_path, rows, capsys):
    snap = write_rows(tmp_path / "snap.jsonl.gz", rows)
    assert read_rows(snap) == rows
    assert cli(["train", "priority", "--rows", str(snap), "--freeze-holdout", "real-2026q4", "--promote"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["promoted"] and set(first["fixed"]) == {"sim-v1", "real-2026q4"}
    assert first["fixed"]["real-2026q4"]["n"] == 100
    assert cli(["train", "priority", "--rows", str(snap), "--freeze-holdout", "real-2026q4"]) == 1  # never overwritten
    capsys.readouterr()
    assert cli(["models", "list"]) == 0
    assert first["version"] in capsys.readouterr().out


@pytest.mark.slow
def test_train_command_on_the_store(data_dir, tmp_path, capsys):
    from screening.service import ScreeningService
    from screening.settings import get_settings
    from screening.storage import open_store
    from training.simulator import World, run_loop, simulated_pipeline

    store = open_store(get_settings().sqlalchemy_url, get_settings().files_dir)
    world = World(seed=62)
    cases = world.cases(210)
    service = ScreeningService(simulated_pipeline(world), store)
    run_loop(world, cases[:120], service)
    # below the documented minimum: exit 2 naming the minimum and the count, and no model
    assert cli(["train", "priority", "--freeze-holdout", "too-early"]) == 2
    captured = capsys.readouterr()
    assert "120 decided submissions" in captured.err and f"at least {MIN_DECISIONS}" in captured.err
    assert captured.out == "" and Registry(get_settings().registry_dir).serving("priority") is None
    assert [v.version for v in Registry(get_settings().registry_dir).versions("priority")] == ["severity-prior-1"]
    assert not (get_settings().registry_dir / "evalsets").exists()  # no fixed set frozen by a refused run
    run_loop(world, cases[120:], service)
    store.engine.dispose()
    snap = tmp_path / "snap.jsonl.gz"
    assert cli(["train", "priority", "--snapshot-out", str(snap)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 210 and summary["data_hash"] == sha256_rows(read_rows(snap))
    assert summary["holdout"]["candidate"]["n"] == 42 and not summary["promoted"]


def test_train_command_exits_2_when_the_gate_refuses(data_dir, tmp_path, rows, capsys):
    import random

    labels = [r["label"] for r in rows]
    random.Random(4).shuffle(labels)
    snap = write_rows(tmp_path / "noise.jsonl.gz", [dict(r, label=y) for r, y in zip(rows, labels)])
    assert cli(["train", "priority", "--rows", str(snap), "--promote"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["promoted"] is False and "severity-prior-1" in captured.err
    assert Registry(get_settings().registry_dir).in_service("priority") == "severity-prior-1"
