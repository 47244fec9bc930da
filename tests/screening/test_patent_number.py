"""Chinese patent application numbers: forms accepted, and rejections that say what the number is."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from screening.validators.patent_number import check_char, validate_patent_number


@pytest.mark.parametrize(
    "raw, normalized, kind",
    [
        ("CN200410009081.8", "200410009081.8", "invention"),  # the manual's own example
        ("ZL200410009081.8", "200410009081.8", "invention"),
        ("ZL 2004 1 0009081.8", "200410009081.8", "invention"),
        ("200410009081.8", "200410009081.8", "invention"),
        ("2004100090818", "200410009081.8", "invention"),
        ("ＣＮ２００４１０００９０８１．８", "200410009081.8", "invention"),
        ("CN201220158825.2", "201220158825.2", "utility_model"),
        ("CN202230481835.9", "202230481835.9", "design"),
        ("CN201780033978.X", "201780033978.X", "pct_invention"),
        ("cn202311020199.x", "202311020199.X", "invention"),
    ],
)
def test_accepted_forms(raw, normalized, kind):
    r = validate_patent_number(raw, max_year=2026)
    assert r.valid, r.reasons
    assert (r.normalized, r.kind) == (normalized, kind)


def test_pre_2004_eight_digit_numbers():
    digits = "98123456"
    r = validate_patent_number(f"{digits}.{check_char(digits)}", max_year=2026)
    assert r.valid and r.year == 1998 and r.kind == "invention"
    digits = "03212345"
    assert validate_patent_number(f"ZL{digits}.{check_char(digits)}").year == 2003
    digits = "05112345"  # 2005 used 12 digits
    r = validate_patent_number(f"{digits}.{check_char(digits)}")
    assert "year" in r.problems


@pytest.mark.parametrize(
    "raw, problem, says",
    [
        ("CN200410009081.9", "check", "校验位应为“8”"),
        # the manual's screenshot also shows CN200410009048.6, whose check character is wrong
        ("CN200410009048.6", "check", "校验位应为“5”"),
        ("CN 200420095088", "missing_check", "缺少"),
        ("CN107966475B", "publication", "公开（公告）号"),
        ("CN1234567A", "publication", "公开（公告）号"),
        ("CN201234567U", "publication", "公开（公告）号"),
        ("CN 2777030 Y", "publication", "公开（公告）号"),
        ("CN304218960S", "publication", "公开（公告）号"),
        ("CN101091984", "publication", "公开（公告）号"),
        ("US10123456B2", "foreign", "美国"),
        ("EP3456789A1", "foreign", "欧洲"),
        ("WO2020123456A1", "foreign", "PCT"),
        ("JP2019123456A", "foreign", "日本"),
        ("KR1020190012345", "foreign", "韩国"),
        ("DE102018128369", "foreign", "德国"),
        ("PCT/CN2020/123456", "pct_application", "PCT国际申请号"),
        ("发明公开", "format", "格式"),
        ("", "empty", "为空"),
        ("200440009081.8", "type", "类型"),
        ("203010009081.8", "year", "年份"),
        ("198010009081.8", "year", "年份"),
    ],
)
def test_rejections_name_the_reason(raw, problem, says):
    r = validate_patent_number(raw, max_year=2026)
    assert not r.valid
    assert problem in r.problems
    assert any(says in reason for reason in r.reasons)


def test_this_year_is_the_latest():
    digits = "202710001234"
    number = f"{digits}.{check_char(digits)}"
    assert not validate_patent_number(number, max_year=2026).valid
    assert validate_patent_number(number, max_year=2027).valid


def test_ten_is_written_x():
    digits = next(f"2023101{n:05d}" for n in range(100000) if check_char(f"2023101{n:05d}") == "X")
    assert validate_patent_number(f"CN{digits}.X").valid
    assert not validate_patent_number(f"CN{digits}.0").valid


@st.composite
def application_digits(draw):
    if draw(st.booleans()):
        year = draw(st.integers(1985, 2026))
        return f"{year}{draw(st.sampled_from('12389'))}{draw(st.text('0123456789', min_size=7, max_size=7))}"
    yy = draw(st.sampled_from([f"{y:02d}" for y in [*range(85, 100), 0, 1, 2, 3]]))
    return f"{yy}{draw(st.sampled_from('12389'))}{draw(st.text('0123456789', min_size=5, max_size=5))}"


@settings(max_examples=300, deadline=None)
@given(application_digits(), st.sampled_from(["", "CN", "ZL", "CN "]), st.booleans())
def test_any_number_with_its_check_char_validates(digits, prefix, dot):
    number = f"{prefix}{digits}{'.' if dot else ''}{check_char(digits)}"
    assert validate_patent_number(number, max_year=2026).valid


@settings(max_examples=300, deadline=None)
@given(application_digits(), st.data())
def test_any_single_digit_change_is_caught(digits, data):
    pos = data.draw(st.integers(0, len(digits) - 1))
    new = data.draw(st.sampled_from("0123456789"))
    assume(digits[pos] != new)
    changed = digits[:pos] + new + digits[pos + 1:]
    assert not validate_patent_number(f"{changed}.{check_char(digits)}", max_year=2026).valid


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_validation_never_raises(text):
    r = validate_patent_number(text)
    assert isinstance(r.valid, bool) and r.valid == (not r.problems)
