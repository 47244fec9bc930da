"""`prescreen eval rules` on a small generated set: it records the context, imports the register
and scores every code; the consistency checks meet their targets on it."""

from __future__ import annotations

import pytest

from eval.rules import evaluate_rules
from screening.checks.consistency import consistency_checks
from training.rules_data import SCORED, generate


def test_generator_plants_every_code_with_its_context(realdata):
    data = generate(120, seed=3, realdata=realdata)
    scored = data.scored
    assert len(scored) == 120
    planted = {code for item in scored for code in (item.expect or ())}
    assert planted == set(SCORED)
    updates = [i for i in data.items if i.submission["stage"] == "annual_update"]
    filed = {i.submission["submission_id"] for i in data.items if i.expect is None}
    order = [i.submission["submission_id"] for i in data.items]
    for u in updates:  # every update refers to a filed record screened before it
        ref = u.submission["filed_submission_id"]
        assert ref in filed and order.index(ref) < order.index(u.submission["submission_id"])
    numbers = {p["number"] for i in data.items for p in (i.submission.get("product") or {}).get("patents", [])}
    assert numbers <= {r["number"] for r in data.register_rows}


@pytest.mark.slow  # an evaluation run: 2–3 s
def test_eval_scores_the_consistency_checks(realdata):
    result = evaluate_rules(n=96, seed=5, realdata=realdata)
    assert result["n"] == 96 and result["context_records"] > 0
    ours = {c for check in consistency_checks() for c in check.codes} & set(SCORED)
    assert len(ours) == 9
    for code in ours:
        m = result["per_code"][code]
        assert m["support"] > 0, code
        assert m["precision"] >= 0.98 and m["recall"] >= 0.98, (code, m, result["errors"].get(code))
    assert result["clean_flagged_share"] <= 0.01


def test_generated_register_imports_at_full_size(realdata):
    from datetime import date

    from screening.register import parse_register_csv

    data = generate(2000, seed=0, realdata=realdata)
    assert len(parse_register_csv(data.register_csv(), today=date(2026, 12, 31))) == len(data.register_rows)
