"""The Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

Eighteen characters from a 31-character alphabet (no I, O, Z, S, V)::

    9 1 440300 MA5H3E0T3 W
    │ │ │      │         └ 18: check character over 1–17 (weights 3^i mod 31), the one that decides
    │ │ │      └ 9–17: organisation code (GB 11714), whose own check character is position 17
    │ │ └ 3–8: administrative division of the registering office (six digits)
    │ └ 2: entity category, legal values depend on the authority (9 → 1 企业, 2 个体工商户, 3 农民专业合作社)
    └ 1: registering authority (1 机构编制, 5 民政, 9 工商/市场监管, Y 其他 …)

``validate_uscc`` returns every reason a code fails, not only the first, so a reviewer sees
"check character wrong" and "category illegal for authority 9" together. The organisation-code
check at position 17 is reported (``org_check_ok``) but never makes a code invalid: eight of
the 100,882 real 2002 registry codes fail it (measured by ``prescreen eval validators``).

Real codes issued with a non-conforming final check character exist (three in the 2002
registry, three Xiamen codes in bluesky335/IDCheck); they fail here by design, and the entity
check lets a reviewer mark such a code verified (docs/rules.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ocr.codes import CodeRules

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^i mod 31
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registering authority → (name, {category → name}). The 2015 table plus the categories
# assigned since (商事调解组织 36, 村/居民委员会 54/55, 非法人工会 82, 市场监管其他 99, and the
# authorities G 公安, J 住建, Q 侨联): rejecting a real category would block a legal filer,
# while accepting an unused one costs nothing (the check character still has to fit).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                   "5": "仲裁委员会", "6": "商事调解组织", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "4": "村民委员会", "5": "居民委员会", "9": "其他"}),
    "6": ("旅游", {"1": "外国政府旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "2": "非法人工会组织", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社", "9": "其他"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "G": ("公安", {"1": "境外非政府组织代表机构", "9": "其他"}),
    "J": ("住房城乡建设", {"1": "业主大会", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Q": ("侨联", {"1": "区县级侨联组织", "2": "乡镇级侨联组织", "3": "村级侨联组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# First two digits of a GB/T 2260 division code: provinces, plus 10 for central registrations
# (国家市场监督管理总局 issues 91100000…). 71 (台湾), 81/82 (香港/澳门) exist in the standard.
PROVINCES = frozenset(
    "10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

# OCR confusions (DOMAIN.md): each character → the characters it is misread for.
_CONFUSABLE_GROUPS = ("0ODQ", "1IL", "2Z", "5S", "8B", "38")
CONFUSABLE: dict[str, str] = {}
for _group in _CONFUSABLE_GROUPS:
    for _c in _group:
        CONFUSABLE[_c] = "".join(sorted(set(CONFUSABLE.get(_c, "")) | (set(_group) - {_c})))
del _group, _c

_SEPARATORS = re.compile(r"[\s\-‐‑–—_·.]+")


@dataclass(frozen=True, slots=True)
class UsccResult:
    code: str  # normalised (see normalize_uscc)
    valid: bool
    reasons: tuple[str, ...] = ()  # Chinese, one per problem; empty when valid
    problems: tuple[str, ...] = ()  # machine keys: length, charset, authority, category, division, check
    authority: str | None = None  # position 1, e.g. "9"
    authority_name: str | None = None  # e.g. "工商"
    category: str | None = None  # position 2, e.g. "1"
    category_name: str | None = None  # e.g. "企业"
    division: str | None = None  # positions 3–8
    org_code: str | None = None  # positions 9–17
    org_check_ok: bool | None = None  # GB 11714 check at position 17: a warning, never decisive
    expected_check: str | None = None  # the check character positions 1–17 call for

    @property
    def kind(self) -> str | None:
        """Authority and category as one key ("92" = 个体工商户)."""
        return self.authority + self.category if self.authority and self.category else None

    def to_dict(self) -> dict:
        return {
            "code": self.code, "valid": self.valid, "reasons": list(self.reasons), "problems": list(self.problems),
            "authority": self.authority, "authority_name": self.authority_name, "category": self.category,
            "category_name": self.category_name, "division": self.division, "org_code": self.org_code,
            "org_check_ok": self.org_check_ok, "expected_check": self.expected_check,
        }


def normalize_uscc(raw: str) -> str:
    """Full-width to half-width, upper case, without spaces or hyphens ("91 4403…" → "914403…")."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def check_char(first17: str) -> str:
    """The GB 32100 check character for 17 characters of the alphabet."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str | None:
    """The GB 11714 check character for the 8-character organisation-code body (None if not computable)."""
    total = 0
    for c, w in zip(body8, ORG_WEIGHTS):
        if c.isdigit():
            v = ord(c) - 48
        elif "A" <= c <= "Z":
            v = ord(c) - 55
        else:
            return None
        total += v * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def validate_uscc(raw: str) -> UsccResult:
    code = normalize_uscc(raw)
    if len(code) != 18:
        return UsccResult(code, False, (f"长度应为18位，实为{len(code)}位",), ("length",))
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        shown = "、".join(bad)
        return UsccResult(code, False, (f"含有标准不允许的字符：{shown}（不使用I、O、Z、S、V）",), ("charset",))

    reasons: list[str] = []
    problems: list[str] = []
    authority, category = code[0], code[1]
    authority_name = category_name = None
    if authority not in AUTHORITIES:
        reasons.append(f"第1位登记管理部门代码“{authority}”不存在")
        problems.append("authority")
    else:
        authority_name, categories = AUTHORITIES[authority]
        category_name = categories.get(category)
        if category_name is None:
            reasons.append(f"第2位机构类别代码“{category}”不属于登记管理部门“{authority_name}”（{authority}）")
            problems.append("category")
    division = code[2:8]
    if not division.isdigit():
        reasons.append(f"第3–8位登记管理机关行政区划码“{division}”应为6位数字")
        problems.append("division")
    elif division[:2] not in PROVINCES:
        reasons.append(f"第3–8位行政区划码“{division}”的省级代码“{division[:2]}”不存在")
        problems.append("division")
    expected = check_char(code[:17])
    if code[17] != expected:
        reasons.append(f"第18位校验码应为“{expected}”，实为“{code[17]}”")
        problems.append("check")
    org_expected = org_check_char(code[8:16])
    return UsccResult(
        code=code,
        valid=not problems,
        reasons=tuple(reasons),
        problems=tuple(problems),
        authority=authority,
        authority_name=authority_name,
        category=category,
        category_name=category_name,
        division=division,
        org_code=code[8:17],
        org_check_ok=org_expected == code[16],
        expected_check=expected,
    )


def is_valid_uscc(raw: str) -> bool:
    return validate_uscc(raw).valid


def candidates_for_one_confusable(raw: str) -> list[str]:
    """Every valid code one OCR confusion away from ``raw`` (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 3/8).

    Substitutes exactly one character by a character it is confused with and keeps the
    results that pass the full validation (structure and final check). Candidates whose
    organisation check (position 17) also holds come first, then by position. ``raw`` itself
    is never a candidate: when it is already valid, no single substitution can be (every
    weight is non-zero mod 31, so one changed character always changes the check sum).
    """
    code = normalize_uscc(raw)
    if len(code) != 18:
        return []
    invalid_positions = [i for i, c in enumerate(code) if c not in _VALUE]
    if len(invalid_positions) > 1:
        return []  # two characters outside the alphabet: one substitution cannot fix both
    found: list[tuple[int, int, str]] = []
    positions = invalid_positions or range(18)
    for i in positions:
        for alt in CONFUSABLE.get(code[i], ""):
            if alt not in _VALUE:
                continue
            candidate = code[:i] + alt + code[i + 1:]
            result = validate_uscc(candidate)
            if result.valid:
                found.append((0 if result.org_check_ok else 1, i, candidate))
    return [c for _, _, c in sorted(found)]


def _org_check_ok(code: str) -> bool:
    return bool(validate_uscc(code).org_check_ok)


# what the OCR needs to judge a code it read (ocr.codes.judge), handed to DocumentReaders.load
CODE_RULES = CodeRules(is_valid=is_valid_uscc, org_check_ok=_org_check_ok,
                       one_confusable_away=candidates_for_one_confusable)


def correct_one_confusable(raw: str) -> str | None:
    """The one correction of a single OCR slip, or None when there is none or it is ambiguous.

    A code that already validates is returned as it is. With several candidates, the one
    whose organisation check also holds wins if it is the only such; otherwise we refuse to
    guess (DOMAIN.md).
    """
    code = normalize_uscc(raw)
    if validate_uscc(code).valid:
        return code
    candidates = candidates_for_one_confusable(code)
    if len(candidates) == 1:
        return candidates[0]
    org_ok = [c for c in candidates if validate_uscc(c).org_check_ok]
    return org_ok[0] if len(org_ok) == 1 else None
