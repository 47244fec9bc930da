"""GB 32100-2015 validation, the GB 11714 warning, and one-slip OCR correction."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from screening.validators.uscc import (
    ALPHABET,
    AUTHORITIES,
    CONFUSABLE,
    candidates_for_one_confusable,
    check_char,
    correct_one_confusable,
    normalize_uscc,
    org_check_char,
    validate_uscc,
)

HUAWEI = "914403001922038216"


@pytest.mark.parametrize(
    "code",
    [HUAWEI, "91440300MA5H3E0T3W", "91110108795101314G", "121200004013590816", "92340602MA2PBQAH7E",
     "91110000600037341L", "31110000E00017891P"],
)
def test_real_codes_validate(code):
    r = validate_uscc(code)
    assert r.valid, r.reasons
    assert r.reasons == () and r.problems == ()


def test_result_names_the_parts():
    r = validate_uscc(HUAWEI)
    assert (r.authority, r.authority_name, r.category, r.category_name) == ("9", "工商", "1", "企业")
    assert r.division == "440300" and r.org_code == "192203821" and r.kind == "91"
    assert r.org_check_ok is True and r.expected_check == "6"
    assert validate_uscc("92340602MA2PBQAH7E").category_name == "个体工商户"


@pytest.mark.parametrize(
    "code, problem",
    [
        ("12345", "length"),
        ("9144030019220382161", "length"),
        ("9111000060003IOZSV", "charset"),
        ("91110000600037341N", "check"),
        ("A1110000600037341L", "check"),  # A1 is a real category (军队事业单位): only the check fails
        ("B1110000600037341L", "authority"),
        ("94110000600037341L", "category"),
        ("Y2110000600037341L", "category"),
        ("91AB0000600037341L", "division"),
        ("91990000600037341L", "division"),
    ],
)
def test_invalid_codes_say_why(code, problem):
    r = validate_uscc(code)
    assert not r.valid
    assert problem in r.problems
    assert len(r.reasons) == len(r.problems) and all(r.reasons)


def test_every_problem_is_reported_not_only_the_first():
    r = validate_uscc("94110000600037341N")
    assert set(r.problems) == {"category", "check"}


def test_normalisation_of_spacing_case_and_full_width():
    assert normalize_uscc(" 91 440300-1922038216 ") == HUAWEI
    assert validate_uscc("９１４４０３００１９２２０３８２１６").valid
    assert validate_uscc("91440300ma5h3e0t3w").valid


def test_org_check_is_a_warning_not_a_rejection():
    # a real registry code (太原市美航商务信息咨询有限公司) whose position 17 fails GB 11714
    r = validate_uscc("91140107239309284J")
    assert r.valid and r.org_check_ok is False


def test_org_check_char_maps_ten_and_eleven():
    # Σ = 0 → c = 11 → '0'; find a body with Σ mod 11 == 1 → c = 10 → 'X'
    assert org_check_char("00000000") == "0"
    body = next(f"0000000{d}" for d in "0123456789" if (int(d) * 2) % 11 == 1)
    assert org_check_char(body) == "X"


def test_real_non_conforming_codes_fail_the_final_check():
    for code in ("91350211M0000XUF46", "91220102732581015H", "91340100MA2MQ0323N"):
        r = validate_uscc(code)
        assert r.problems == ("check",)


# ------------------------------------------------------------------------- properties

_BODY_CHARS = st.sampled_from(ALPHABET)


@st.composite
def structured_first17(draw):
    authority = draw(st.sampled_from(sorted(AUTHORITIES)))
    category = draw(st.sampled_from(sorted(AUTHORITIES[authority][1])))
    province = draw(st.sampled_from(["11", "31", "44", "51", "65", "10"]))
    division = province + draw(st.text("0123456789", min_size=4, max_size=4))
    org = draw(st.text(ALPHABET, min_size=9, max_size=9))
    return authority + category + division + org


@settings(max_examples=300, deadline=None)
@given(structured_first17())
def test_any_structured_code_with_its_check_char_validates(first17):
    assert validate_uscc(first17 + check_char(first17)).valid


@settings(max_examples=300, deadline=None)
@given(structured_first17(), st.integers(0, 17), _BODY_CHARS)
def test_any_single_character_change_breaks_the_final_check(first17, pos, new):
    code = first17 + check_char(first17)
    assume(code[pos] != new)
    changed = code[:pos] + new + code[pos + 1:]
    assert "check" in validate_uscc(changed).problems


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_validation_never_raises(text):
    r = validate_uscc(text)
    assert isinstance(r.valid, bool) and r.valid == (not r.problems)
    assert candidates_for_one_confusable(text) is not None


@settings(max_examples=200, deadline=None)
@given(structured_first17(), st.data())
def test_one_confusable_slip_is_among_the_candidates(first17, data):
    code = first17 + check_char(first17)
    positions = [i for i, c in enumerate(code) if CONFUSABLE.get(c)]
    assume(positions)
    i = data.draw(st.sampled_from(positions))
    slipped = code[:i] + data.draw(st.sampled_from(CONFUSABLE[code[i]])) + code[i + 1:]
    candidates = candidates_for_one_confusable(slipped)
    assert code in candidates
    # the rule: the only candidate, else the only one whose organisation check holds, else refuse
    org_ok = [c for c in candidates if validate_uscc(c).org_check_ok]
    if len(candidates) == 1:
        expected = candidates[0]
    else:
        expected = org_ok[0] if len(org_ok) == 1 else None
    corrected = correct_one_confusable(slipped)
    assert corrected == expected
    # and the truth: a real code's organisation check holds (all but 8 of the 100,882 registry codes),
    # so for such a code the correction is the code itself or a refusal, never another company's code.
    # Hypothesis draws organisation parts at random, so the rare real case where it fails is drawn here
    # too; there a wrong guess is possible and docs/rules.md says so.
    if validate_uscc(code).org_check_ok:
        assert corrected in (code, None)
    for c in candidates_for_one_confusable(slipped):
        assert validate_uscc(c).valid


# ------------------------------------------------------------------------- OCR helper

def test_letter_o_read_for_zero_is_corrected():
    slipped = "9144O3001922038216"  # 'O' is outside the alphabet: only that position can change
    assert candidates_for_one_confusable(slipped)[0] == HUAWEI
    assert correct_one_confusable(slipped) == HUAWEI


def test_valid_code_has_no_candidates_and_corrects_to_itself():
    assert candidates_for_one_confusable(HUAWEI) == []
    assert correct_one_confusable(HUAWEI) == HUAWEI


def test_two_characters_outside_the_alphabet_cannot_be_fixed_by_one_substitution():
    assert candidates_for_one_confusable("9144O3OO1922038216") == []
    assert correct_one_confusable("9144O3OO1922038216") is None


def test_ambiguous_slip_is_refused():
    # a real code (9131023074422105X0) with its last character misread: changing the check
    # character back, or the division digit 3 → 8 with check D, both fit, both pass the org check
    slipped = "9131023074422105XD"
    assert set(candidates_for_one_confusable(slipped)) == {"9131023074422105X0", "9131028074422105XD"}
    assert correct_one_confusable(slipped) is None


def test_org_check_breaks_a_tie_between_two_candidates():
    # real code 91310120734580606X read with 8 → B: a second candidate fits the final check only
    slipped = "913101207345B0606X"
    assert candidates_for_one_confusable(slipped) == ["91310120734580606X", "913101207345B06Q6X"]
    assert correct_one_confusable(slipped) == "91310120734580606X"


def test_a_non_confusable_error_has_no_correction():
    assert candidates_for_one_confusable("91440300192203821C") == []
    assert correct_one_confusable("91440300192203821C") is None


def test_candidates_put_org_check_passing_codes_first():
    for i, c in enumerate(HUAWEI):
        for alt in CONFUSABLE.get(c, ""):
            cands = candidates_for_one_confusable(HUAWEI[:i] + alt + HUAWEI[i + 1:])
            flags = [validate_uscc(x).org_check_ok for x in cands]
            assert flags == sorted(flags, reverse=True)
