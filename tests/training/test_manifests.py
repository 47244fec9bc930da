"""training.manifests: the shipped manifests are what `refresh` computes (file hashes, fixed
figures, version names), and `check` finds a changed file."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

from models.base import new_version
from models.registry import SHIPPED
from training import manifests


def _manifest(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_the_shipped_manifests_are_current(tmp_path, realdata):
    """Weights replaced without `python -m training.manifests refresh models/weights` fail here."""
    copy = shutil.copytree(SHIPPED, tmp_path / "weights")
    result = manifests.refresh([copy], realdata=realdata)
    assert result["renamed"] == {}
    for folder in sorted(p for p in copy.iterdir() if p.is_dir()):
        assert _manifest(folder) == _manifest(SHIPPED / folder.name), folder.name


def test_versions_are_named_by_training_time_and_data_and_references_follow(tmp_path):
    copy = tmp_path / "weights"
    for name in ("pair-scorer", "sentence-embedder", "priority"):
        shutil.copytree(SHIPPED / name, copy / name)
    for name in ("pair-scorer", "sentence-embedder"):
        body = _manifest(copy / name)
        (copy / name / "manifest.json").write_text(json.dumps({**body, "version": "2026.12.1"}), encoding="utf-8")
    result = manifests.refresh([copy], rename=True)
    scorer, embedder = _manifest(copy / "pair-scorer"), _manifest(copy / "sentence-embedder")
    trained = datetime.fromisoformat(scorer["created_at"])
    assert scorer["version"] == new_version(scorer["data_hash"], trained)  # training time + data hash
    assert result["renamed"]["sentence-embedder@2026.12.1"] == f"sentence-embedder@{embedder['version']}"
    assert scorer["recipe"]["embedder"] == f"sentence-embedder@{embedder['version']}"
    assert _manifest(copy / "priority")["version"] == "severity-prior-1"  # the rule is not trained: its name stays
    assert scorer["metrics"]["fixed"]["generated-test"]["hash"] == scorer["recipe"]["test_pairs_hash"]


def test_check_names_a_changed_file_and_refresh_records_it(tmp_path):
    folder = shutil.copytree(SHIPPED / "photo-kind", tmp_path / "photo-kind")
    assert manifests.main(["check", str(folder)]) == 0
    weights = folder / "weights.json"
    weights.write_bytes(weights.read_bytes().replace(b"0", b"1", 1))
    assert manifests.check([folder]) == [f"{weights}: sha256 differs from manifest.json; the file is damaged or "
                                         "was changed after training (retrain, or restore it)"]
    manifests.refresh([folder], rename=False)  # new weights put there on purpose: recorded
    assert manifests.check([folder]) == []
