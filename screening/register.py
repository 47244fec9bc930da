"""The patent register snapshot the data team imports: reading and validating its CSV.

``prescreen register import patents FILE.csv`` (columns number, status, holder, title, type; the
order is free, a header line is required). Every line is checked before anything is stored:
a number that fails the Chinese application-number check (ZC0006: format, year, type, check
character), an unknown status or type, a type that contradicts the number's type digit, or a
number listed twice is an error naming the line. Storage (atomic, replacing the previous
snapshot) is ``screening.storage.register``.

Status words (Chinese as the register prints them, or English):
- in force: 有效, 维持, 专利权维持, in_force, valid;
- lapsed: 失效, 终止, 专利权终止, 届满, 期限届满, 未缴年费终止, 放弃, lapsed, expired, terminated;
- invalidated: 无效, 全部无效, 宣告无效, invalid, invalidated.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from .errors import InvalidInput
from .validators.patent_number import validate_patent_number

COLUMNS = ("number", "status", "holder", "title", "type")
REQUIRED = ("number", "status", "holder")
MAX_ROWS = 5_000_000

_STATUS = {
    "in_force": ("有效", "维持", "专利权维持", "in_force", "valid"),
    "lapsed": ("失效", "终止", "专利权终止", "届满", "期限届满", "未缴年费终止", "放弃", "lapsed", "expired", "terminated"),
    "invalid": ("无效", "全部无效", "宣告无效", "invalid", "invalidated"),
}
STATUS_OF = {word.lower(): status for status, words in _STATUS.items() for word in words}
STATUS_ZH = {"in_force": "有效", "lapsed": "已失效（终止）", "invalid": "已被宣告无效"}
_TYPES = {
    "invention": ("发明", "发明专利", "invention"),
    "utility_model": ("实用新型", "实用新型专利", "utility_model", "utility"),
    "design": ("外观设计", "外观设计专利", "design"),
}
TYPE_OF = {word.lower(): kind for kind, words in _TYPES.items() for word in words}
# the type digit of a Chinese application number (DOMAIN.md); 8/9 (PCT national phase) are inventions or utility models
_DIGIT_TYPES = {"1": ("invention",), "2": ("utility_model",), "3": ("design",), "8": ("invention",),
                "9": ("utility_model",)}


@dataclass(frozen=True)
class RegisterPatent:
    number: str  # normalised: "201710601862.3"
    status: str  # in_force, lapsed, invalid
    holder: str | None
    title: str | None
    type: str | None  # invention, utility_model, design

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"


def patent_key(raw: str | None) -> str | None:
    """The register's key for a number as a filer writes it (CN/ZL, dot, spaces optional), or None."""
    if not raw or not raw.strip():
        return None
    result = validate_patent_number(raw)
    return result.normalized if result.valid else None


def type_digit(key: str) -> str:
    """The type digit of a normalised number (12 digits: the fifth; 8 digits: the third)."""
    digits = key.split(".")[0]
    return digits[4] if len(digits) == 12 else digits[2]


def parse_register_csv(text: str, *, today: date | None = None) -> list[RegisterPatent]:
    """All lines, or ``InvalidInput`` naming the first line at fault (nothing is half-read)."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the register file is empty (a header line number,status,holder,title,type is required)",
                           field="line 1") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InvalidInput(f"line 1: the header lacks column(s) {', '.join(missing)} "
                           f"(expected {','.join(COLUMNS)})", field="line 1")
    col = {c: names.index(c) for c in COLUMNS if c in names}
    max_year = (today or date.today()).year
    out: list[RegisterPatent] = []
    seen: dict[str, int] = {}
    for lineno, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(out) >= MAX_ROWS:
            raise InvalidInput(f"at most {MAX_ROWS} lines", field=f"line {lineno}")
        if len(row) != len(names):
            raise InvalidInput(f"line {lineno}: {len(row)} fields, the header has {len(names)}", field=f"line {lineno}")
        cell = {c: row[i].strip() for c, i in col.items()}
        where = f"line {lineno}"
        result = validate_patent_number(cell["number"], max_year=max_year)
        if not result.valid:
            raise InvalidInput(f"{where}: patent number {cell['number']!r} is invalid: {'；'.join(result.reasons)}",
                               field=f"{where}.number")
        key = result.normalized
        if key in seen:
            raise InvalidInput(f"{where}: patent number {cell['number']!r} is already on line {seen[key]}",
                               field=f"{where}.number")
        seen[key] = lineno
        status = STATUS_OF.get(cell["status"].lower())
        if status is None:
            raise InvalidInput(f"{where}: unknown status {cell['status']!r} (有效, 失效/终止, 无效, or "
                               "in_force, lapsed, invalid)", field=f"{where}.status")
        kind = None
        if cell.get("type"):
            kind = TYPE_OF.get(cell["type"].lower())
            if kind is None:
                raise InvalidInput(f"{where}: unknown type {cell['type']!r} (发明, 实用新型, 外观设计)",
                                   field=f"{where}.type")
            if kind not in _DIGIT_TYPES.get(type_digit(key), (kind,)) and type_digit(key) in "123":
                raise InvalidInput(f"{where}: type {cell['type']!r} contradicts the number's type digit "
                                   f"{type_digit(key)}", field=f"{where}.type")
        else:
            kind = _DIGIT_TYPES.get(type_digit(key), (None,))[0]
        out.append(RegisterPatent(key, status, cell.get("holder") or None, cell.get("title") or None, kind))
    return out
