"""JSON → contract dataclasses: precise errors naming the field at fault."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.errors import InvalidInput
from screening.parsing import parse_decision, parse_submission, parse_submission_json


def test_contract_example_parses(contract_example):
    sub = parse_submission(contract_example)
    assert sub.entity.figures_wan.operating_revenue == 6890.5
    assert sub.product.patents[0].number == "CN201710601862.3"
    assert sub.submitted_at.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda s: s.pop("stage"), "stage"),
        (lambda s: s.update(stage="products"), "stage"),
        (lambda s: s.update(submission_id=""), "submission_id"),
        (lambda s: s.update(submission_id="../../etc"), "submission_id"),
        (lambda s: s["entity"].update(kind="individual"), "entity.kind"),
        (lambda s: s["entity"]["figures_wan"].update(net_profit="820"), "entity.figures_wan.net_profit"),
        (lambda s: s["entity"]["figures_wan"].update(net_profit=True), "entity.figures_wan.net_profit"),
        (lambda s: s["entity"].update(employees=2.5), "entity.employees"),
        (lambda s: s["product"].update(models="BCD-520W"), "product.models"),
        (lambda s: s["product"]["patents"][0].update(number=12345), "product.patents[0].number"),
        (lambda s: s["product"]["patents"][0].update(litigated="no"), "product.patents[0].litigated"),
        (lambda s: s.update(submitted_at="yesterday"), "submitted_at"),
        (lambda s: s.update(documents=[{"kind": "selfie", "file": "a.jpg"}]), "documents[0].kind"),
        (lambda s: s.update(documents=[{"kind": "product_photo"}]), "documents[0].file"),
        (lambda s: s.update(documents=[{"kind": "product_photo", "file": "a.jpg"},
                                       {"kind": "product_image", "file": "a.jpg"}]), "documents[1].file"),
        (lambda s: s.update(entity=[]), "entity"),
        (lambda s: s["product"].update(intro="x" * 30_000), "product.intro"),
    ],
)
def test_errors_name_the_field(contract_example, mutate, field):
    mutate(contract_example)
    with pytest.raises(InvalidInput) as err:
        parse_submission(contract_example)
    assert err.value.field == field


def test_nan_and_huge_numbers_are_refused(contract_example):
    text = json.dumps(contract_example).replace('"net_profit": 820.0', '"net_profit": NaN')
    with pytest.raises(InvalidInput) as err:
        parse_submission_json(text)
    assert err.value.field == "entity.figures_wan.net_profit"


def test_empty_parts_are_allowed(contract_example):
    sub = parse_submission({"submission_id": "E-1", "stage": "entity", "entity": None, "product": None})
    assert sub.entity is None and sub.documents == []


def test_not_json_and_not_an_object():
    for text in ("{", "[1,2]", "null", b"\xff\xfe"):
        with pytest.raises(InvalidInput) as err:
            parse_submission_json(text)
        assert err.value.field == "submission"


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                    max_leaves=20))
def test_any_json_parses_or_fails_cleanly(value):
    try:
        parse_submission(value)
    except InvalidInput as exc:
        assert exc.field  # never an anonymous error
    try:
        parse_decision(value)
    except InvalidInput as exc:
        assert exc.field


def test_decision_rules():
    assert parse_decision({"decision": "approved"}).reason_codes == []
    with pytest.raises(InvalidInput) as err:
        parse_decision({"decision": "rejected"})
    assert err.value.field == "reason_codes"
    with pytest.raises(InvalidInput) as err:
        parse_decision({"decision": "approved", "feedback": [{"verdict": "confirmed"}]})
    assert err.value.field == "feedback[0]"
