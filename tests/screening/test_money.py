"""The one money formatter: separators and two decimals, in messages and on pages."""

import pytest

from screening.money import format_money


@pytest.mark.parametrize("value, text", [
    (98085900, "98,085,900.00万元"),      # was "9.80859e+07万元"
    (98085900.0, "98,085,900.00万元"),
    (6890.5, "6,890.50万元"),
    (0.004, "0.00万元"),
    (-1234.567, "-1,234.57万元"),
    (-0.0, "0.00万元"),
    (12, "12.00万元"),
    (None, "—"),
])
def test_thousands_separators_and_two_decimals(value, text):
    assert format_money(value) == text


def test_other_units_and_non_numbers():
    assert format_money(68905000, "元") == "68,905,000.00元"
    assert format_money("n/a") == "n/a"
    assert format_money(float("nan")) == "nan"
