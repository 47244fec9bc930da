"""Reading a USCC (统一社会信用代码) off a page without ever reporting a wrong one as sure.

What OCR returns near the code label is cleaned to the code's characters and judged with the
code's rules (``CodeRules``), which the caller hands in: ``screening.validators.uscc.CODE_RULES``,
the project's one checksum implementation (OCR does not import ``screening``):

- the string validates as it is: ``ok``;
- it does not, and exactly one code that differs by ONE confusable character (0/O/D/Q, 1/I/L,
  2/Z, 5/S, 8/B, 3/8) validates — on the final check character and, when several do, on the
  organisation-code check at position 17 as well: ``corrected``, with lower confidence;
- otherwise: ``unreadable``, with what was seen, so a reviewer looks at the image.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_TO_ASCII = str.maketrans("０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
                          "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_RUN = re.compile(r"[0-9A-Z]{6,}")


@dataclass
class CodeRead:
    value: str | None  # the code, only when ok or corrected
    seen: str  # what OCR returned (cleaned)
    status: str  # ok | corrected | unreadable
    confidence: float


@dataclass(frozen=True)
class CodeRules:
    """What judging a read code needs from the credit-code rules (GB 32100 / GB 11714)."""

    is_valid: Callable[[str], bool]  # structure and the final check character
    org_check_ok: Callable[[str], bool]  # the organisation-code check at position 17
    one_confusable_away: Callable[[str], list[str]]  # valid codes one OCR confusion away


def clean(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text.translate(_TO_ASCII).upper())


def runs(text: str) -> list[tuple[int, int, str]]:
    """Code-like runs (start, end, run) in a line's text, positions in the original text."""
    up = text.translate(_TO_ASCII).upper()
    return [(m.start(), m.end(), m.group()) for m in _RUN.finditer(up)]


def judge(seen: str, score: float, rules: CodeRules) -> CodeRead:
    """Verdict on one cleaned code-like run."""
    if len(seen) == 18 and all(c in ALPHABET for c in seen) and rules.is_valid(seen):
        return CodeRead(seen, seen, "ok", score)
    if len(seen) != 18:
        return CodeRead(None, seen, "unreadable", 0.0)
    candidates = {c for c in rules.one_confusable_away(seen) if c != seen and rules.is_valid(c)}
    if len(candidates) > 1:
        # the second check character (GB 11714 at position 17) may single one out
        candidates = {c for c in candidates if rules.org_check_ok(c)}
    if len(candidates) == 1:
        return CodeRead(candidates.pop(), seen, "corrected", round(0.6 * score, 4))
    return CodeRead(None, seen, "unreadable", 0.0)
