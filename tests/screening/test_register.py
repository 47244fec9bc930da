"""The patent register snapshot: every line validated first, stored atomically, replaced whole."""

from __future__ import annotations

from datetime import date

import pytest

from screening.errors import InvalidInput
from screening.register import parse_register_csv, patent_key, type_digit
from screening.storage.register import PatentRegisterStore

TODAY = date(2026, 11, 20)
GOOD = (
    "number,status,holder,title,type\n"
    "CN201710601862.3,有效,深圳市雄楚速通国际物流有限公司,一种风冷电冰箱的送风结构,发明\n"
    "ZL200410009081.8,专利权终止,另一家公司,一种利用高铝粉煤灰烧结的方法,\n"
    "CN 2017 2 0601862 . 7 ,无效,某某公司；深圳市雄楚速通国际物流有限公司,,utility_model\n"
)


def _check_char(digits: str) -> str:
    r = sum(int(d) * (2 + i % 8) for i, d in enumerate(digits)) % 11
    return "X" if r == 10 else str(r)


def test_reads_statuses_types_and_normalises_numbers():
    third = "201720601862"
    text = GOOD.replace("2017 2 0601862 . 7", f"2017 2 0601862 . {_check_char(third)}")
    rows = parse_register_csv(text, today=TODAY)
    assert [r.number for r in rows] == ["201710601862.3", "200410009081.8", f"{third}.{_check_char(third)}"]
    assert [r.status for r in rows] == ["in_force", "lapsed", "invalid"]
    assert [r.type for r in rows] == ["invention", "invention", "utility_model"]  # type from the digit when blank
    assert rows[0].in_force and not rows[1].in_force
    assert rows[1].title == "一种利用高铝粉煤灰烧结的方法" and rows[2].title is None
    assert patent_key("ZL 2017 1060 1862.3") == "201710601862.3" and patent_key("CN201710601862.4") is None
    assert type_digit("201730601862.1") == "3" and type_digit("99300123.4") == "3"


@pytest.mark.parametrize("line, field, words", [
    ("CN201710601862.4,有效,甲公司,,", "line 3.number", "校验位"),  # ZC0006 check character
    ("CN107966475B,有效,甲公司,,", "line 3.number", "公开"),
    ("CN200410009081.8,在审,甲公司,,", "line 3.status", "unknown status"),
    ("CN200410009081.8,有效,甲公司,,外观设计", "line 3.type", "contradicts"),
    ("CN201710601862.3,有效,甲公司,,", "line 3.number", "already on line 2"),
    ("CN200410009081.8,有效", "line 3", "fields"),
])
def test_a_bad_line_is_named(line, field, words):
    text = "number,status,holder,title,type\nCN201710601862.3,有效,甲公司,,\n" + line + "\n"
    with pytest.raises(InvalidInput) as exc:
        parse_register_csv(text, today=TODAY)
    assert exc.value.field == field and words in exc.value.message


def test_header_is_required_and_checked():
    with pytest.raises(InvalidInput) as exc:
        parse_register_csv("number,holder\nCN201710601862.3,甲公司\n", today=TODAY)
    assert exc.value.field == "line 1" and "status" in exc.value.message
    with pytest.raises(InvalidInput):
        parse_register_csv("", today=TODAY)
    # a BOM and another column order are fine
    rows = parse_register_csv("\ufeffholder,number,status\n甲公司,CN201710601862.3,lapsed\n", today=TODAY)
    assert rows[0].holder == "甲公司" and rows[0].status == "lapsed"


def test_store_replaces_the_snapshot_whole(store):
    reg = PatentRegisterStore(store.engine)
    assert reg.snapshot() is None and reg.lookup(["201710601862.3"]) == {}
    first = parse_register_csv("number,status,holder\nCN201710601862.3,有效,甲公司\nCN200410009081.8,失效,乙公司\n",
                               today=TODAY)
    reg.replace(first, source="a.csv", actor="test")
    assert reg.snapshot()["rows"] == 2 and reg.snapshot()["source"] == "a.csv"
    found = reg.lookup(["201710601862.3", "200410009081.8", "201730601862.1"])
    assert set(found) == {"201710601862.3", "200410009081.8"} and found["200410009081.8"].status == "lapsed"
    second = parse_register_csv("number,status,holder\nCN200410009081.8,有效,丙公司\n", today=TODAY)
    reg.replace(second, source="b.csv", actor="test")
    found = reg.lookup(["201710601862.3", "200410009081.8"])
    assert list(found) == ["200410009081.8"] and found["200410009081.8"].holder == "丙公司"
    assert reg.snapshot()["rows"] == 1 and store.audit_log()[0]["action"] == "register.patents.imported"


def test_a_failed_replace_keeps_the_old_snapshot(store):
    reg = PatentRegisterStore(store.engine)
    reg.replace(parse_register_csv("number,status,holder\nCN201710601862.3,有效,甲公司\n", today=TODAY),
                source="a.csv", actor="test")
    broken = parse_register_csv("number,status,holder\nCN200410009081.8,有效,乙公司\n", today=TODAY)
    duplicate = broken + broken  # the same number twice: a primary-key clash halfway through, on every database
    with pytest.raises(Exception):
        reg.replace(duplicate, source="bad.csv", actor="test")
    assert reg.snapshot()["source"] == "a.csv" and list(reg.lookup(["201710601862.3"])) == ["201710601862.3"]
