"""``prescreen eval validators``: the counts the validators promise, on the real data."""

from __future__ import annotations

import argparse

import pytest

from eval import validators


@pytest.fixture(scope="module")
def report(realdata):
    return validators.evaluate_validators(realdata)


def test_registry_codes(report):
    reg = report["uscc"]["registry"]
    assert reg["codes"] == 100_882
    assert reg["conforming"] == reg["conforming_accepted"] == 100_879
    assert reg["nonconforming"] == reg["nonconforming_rejected"] == 3
    assert reg["org_check_fail"] == 8
    assert reg["by_kind"]["91"] > 99_000 and reg["by_kind"]["92"] > 1_000


def test_stdnum_and_bluesky_vectors(report):
    u = report["uscc"]
    assert u["stdnum_list"] == {"codes": 200, "accepted": 200}
    d = u["stdnum_doctest"]
    assert d["valid"] == d["valid_accepted"] == 202
    assert set(d["invalid_vectors"]) == {"12345", "9111000060003IOZSV", "91110000600037341N", "A1110000600037341L"}
    assert d["invalid_rejected"] == 4
    assert u["bluesky335"] == {"valid": 12, "valid_accepted": 12, "nonconforming": 3, "nonconforming_rejected": 3}


def test_one_slip_correction_never_guesses_wrong(report):
    sim = report["uscc"]["one_slip_correction"]
    assert sim["codes"] == 2000 and sim.get("wrong", 0) == 0
    assert sim["corrected"] >= 1990


def test_patent_numbers(report):
    p = report["patent_numbers"]
    assert p["well_formed"] == p["well_formed_accepted"] == 20
    assert p["malformed_or_foreign"] == p["malformed_or_foreign_rejected"] == 5
    assert p["rejection_reasons"] == {
        "CN 200420095088": "missing_check", "发明公开": "format", "CO2023016037A": "foreign",
        "IN202438077622": "foreign", "DE102018128369": "foreign",
    }
    assert p["publication_numbers"] == p["publication_numbers_named"] == 15


def test_eligibility_rules_against_registry_labels(report):
    e = report["eligibility"]
    assert e["non_legal"] == 4842
    # names and category 92 catch 四成 of the non-legal-person registrations; the rest
    # (个人独资企业 named "…厂") can only be seen on the licence's 类型 line
    assert e["non_legal_flagged"] / e["non_legal"] > 0.40


@pytest.mark.slow  # the whole validators evaluation: 2–3 s
def test_cli_wrapper(realdata, capsys):
    parser = argparse.ArgumentParser()
    validators.add_arguments(parser)
    assert validators.run(parser.parse_args(["--realdata", str(realdata)])) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "registry conforming codes accepted: 100879" in out
    assert validators.run(parser.parse_args(["--realdata", "/nonexistent"])) == 2
