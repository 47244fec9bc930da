"""prescreen eval priority-minimum: what training.priority.MIN_DECISIONS rests on (simulated decisions)."""

from __future__ import annotations

from eval.priority_minimum import learning_curve
from training.priority import MIN_DECISIONS


def test_few_decisions_do_not_beat_the_prior_and_many_do():
    curve = learning_curve([77, 500], [101, 102])
    assert curve["set"] == "sim-v1" and 0.85 < curve["prior"]["roc_auc"] < 0.99
    few, many = curve["sizes"][77], curve["sizes"][500]
    assert few["runs"] == many["runs"] == 2
    assert few["passes_gate"] == 0 and many["passes_gate"] == 2  # 77 decisions: the reported ECE 0.43 case
    assert few["brier_range"][0] > curve["prior"]["brier"] > many["brier_range"][1]
    assert 77 < MIN_DECISIONS < 500
