"""Chinese patent application numbers (申请号 / 专利号), as the platform's related-patent field holds them.

Accepted forms (``CN`` or ``ZL`` prefix optional, spaces and the dot before the check
character optional, full-width characters folded)::

    CN200410009081.8   ZL 2004 1 0009081.8   200410009081.8   98123456.7   CN202311020199.X

- 12 digits (from October 2003): year (1985..this year), type, 7-digit serial;
- 8 digits (before 2004): two-digit year 85..03, type, 5-digit serial;
- type 1 invention, 2 utility model, 3 design, 8 PCT invention and 9 PCT utility model
  entering the national phase;
- check character: Σ digitᵢ·wᵢ mod 11 with weights 2,3,4,5,6,7,8,9 repeating; 10 is written X.

Rejected with a precise reason: publication numbers (``CN1234567A``, ``CN201234567U``,
``CN107966475B``: the number of the published document, not of the application), foreign
and international numbers (US…, EP…, WO…, JP…, KR…, PCT/CN…), and anything else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TYPES = {
    "1": ("invention", "发明"),
    "2": ("utility_model", "实用新型"),
    "3": ("design", "外观设计"),
    "8": ("pct_invention", "进入中国国家阶段的PCT发明"),
    "9": ("pct_utility_model", "进入中国国家阶段的PCT实用新型"),
}
FIRST_YEAR = 1985  # the Chinese Patent Law took effect on 1 April 1985

_SPACES = re.compile(r"\s+")
_APPLICATION = re.compile(r"^(\d{12}|\d{8})\.?([0-9X])$")
_NO_CHECK = re.compile(r"^(\d{12}|\d{8})$")
# CN publication numbers: 7 digits (before 2007/2010) or 9 digits, then the kind code
# (A/B/C invention, U/Y utility model, S/D design), optionally a digit (A1, B2).
_PUBLICATION = re.compile(r"^(\d{7}|\d{9})([ABCDSUY])(\d?)$")
_PCT_APPLICATION = re.compile(r"^PCT/?[A-Z]{2}\d{2,4}/?\d+$")
_FOREIGN = re.compile(r"^([A-Z]{2})[\d/]")
_FOREIGN_NAMES = {
    "US": "美国", "EP": "欧洲专利局", "WO": "PCT国际公布（WIPO）", "JP": "日本", "KR": "韩国", "DE": "德国",
    "GB": "英国", "FR": "法国", "IN": "印度", "TW": "中国台湾地区", "HK": "中国香港特区", "MO": "中国澳门特区",
    "CA": "加拿大", "AU": "澳大利亚", "RU": "俄罗斯", "CO": "哥伦比亚", "BR": "巴西",
}


@dataclass(frozen=True, slots=True)
class PatentNumberResult:
    raw: str
    valid: bool
    reasons: tuple[str, ...] = ()  # Chinese, empty when valid
    problems: tuple[str, ...] = ()  # empty, format, foreign, pct_application, publication, missing_check, year, type, check
    normalized: str | None = None  # "200410009081.8" when the digits could be read
    kind: str | None = None  # invention, utility_model, design, pct_invention, pct_utility_model
    year: int | None = None
    expected_check: str | None = None

    def to_dict(self) -> dict:
        return {
            "raw": self.raw, "valid": self.valid, "reasons": list(self.reasons), "problems": list(self.problems),
            "normalized": self.normalized, "kind": self.kind, "year": self.year, "expected_check": self.expected_check,
        }


def check_char(digits: str) -> str:
    total = sum(int(d) * (2 + i % 8) for i, d in enumerate(digits))
    r = total % 11
    return "X" if r == 10 else str(r)


def _compact(raw: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw)).upper()


def validate_patent_number(raw: str, *, max_year: int | None = None) -> PatentNumberResult:
    """Validate one related-patent number; ``max_year`` is the latest plausible filing year (today's)."""
    text = _compact(raw)

    def fail(problem: str, reason: str, **kw) -> PatentNumberResult:
        return PatentNumberResult(raw, False, (reason,), (problem,), **kw)

    if not text:
        return fail("empty", "专利号为空")
    if _PCT_APPLICATION.match(text):
        return fail("pct_application", f"“{raw}”是PCT国际申请号，不是中国专利申请号；应填写进入中国国家阶段后的申请号")
    body = text
    prefix = ""
    if text[:2] in ("CN", "ZL"):
        prefix, body = text[:2], text[2:]
    elif (m := _FOREIGN.match(text)) is not None:
        country = m.group(1)
        where = _FOREIGN_NAMES.get(country, f"国家/地区代码{country}")
        return fail("foreign", f"“{raw}”是{where}专利文献号，不是中国专利；只能关联中国发明、实用新型或外观设计专利")

    if (m := _PUBLICATION.match(body)) is not None and prefix != "ZL":
        return fail(
            "publication",
            f"“{raw}”是公开（公告）号，不是专利申请号（专利号）；请填写形如CN200410009081.8的申请号",
        )
    if (m := _NO_CHECK.match(body.rstrip("."))) is not None:
        return fail("missing_check", f"“{raw}”缺少最后一位校验位（应为{len(m.group(1))}位数字加“.”和校验位）",
                    expected_check=check_char(m.group(1)))
    m = _APPLICATION.match(body)
    if m is not None and len(m.group(1)) == 8 and "." not in body and 4 <= int(body[:2]) <= 84:
        # nine bare digits that cannot be a pre-2004 number: a publication number missing its kind code
        return fail("publication", f"“{raw}”似为缺少类型代码的公开（公告）号，不是专利申请号（专利号）；请填写形如CN200410009081.8的申请号")
    if m is None:
        return fail("format", f"“{raw}”不是中国专利申请号的格式（12位或8位数字加校验位，如CN200410009081.8）")

    digits, given = m.group(1), m.group(2)
    normalized = f"{digits}.{given}"
    reasons: list[str] = []
    problems: list[str] = []
    if len(digits) == 12:
        year, type_digit = int(digits[:4]), digits[4]
        latest = max_year if max_year is not None else 9999
        if not FIRST_YEAR <= year <= latest:
            reasons.append(f"申请年份{year}不在{FIRST_YEAR}–{latest if max_year else '今年'}之间")
            problems.append("year")
    else:
        yy, type_digit = int(digits[:2]), digits[2]
        year = 1900 + yy if yy >= 85 else 2000 + yy
        if not (85 <= yy <= 99 or 0 <= yy <= 3):
            reasons.append(f"8位申请号的年份“{digits[:2]}”不在85–03之间（2004年起为12位申请号）")
            problems.append("year")
    kind = TYPES.get(type_digit, (None, None))[0]
    if kind is None:
        reasons.append(f"专利类型位“{type_digit}”无效（1发明、2实用新型、3外观设计、8/9 PCT进入国家阶段）")
        problems.append("type")
    expected = check_char(digits)
    if given != expected:
        reasons.append(f"校验位应为“{expected}”，实为“{given}”")
        problems.append("check")
    return PatentNumberResult(
        raw=raw,
        valid=not problems,
        reasons=tuple(reasons),
        problems=tuple(problems),
        normalized=normalized,
        kind=kind,
        year=year,
        expected_check=expected,
    )
