"""What a round seal says: its rim text unrolled into a line and read, and the seal's kind.

A Chinese seal's text runs clockwise along the rim from lower left to lower right, each
character's top pointing outwards. Unrolling the seal in polar coordinates around its centre
turns that arc into one straight line the ordinary line recogniser reads. Only the red ink is
kept (black print under the seal would otherwise cross every character), the box is scaled to a
circle first (oval finance seals and seals under perspective unroll the same way), and the
bottom quarter is left out: a seal's serial number (13 digits) runs along the bottom, upside
down once unrolled.

The kind follows from the words a seal must carry (《印章治安管理办法》 practice: a special-purpose
seal names its purpose, an official seal is the bare organisation name):

- ``audit``: an accounting firm's seal (会计师事务所, 审计);
- ``finance``: 财务专用章 / 财务章;
- ``purpose``: another special-purpose seal — 合同, 发票, 业务… 专用章 (``purpose`` names it);
- ``authority``: a government body's seal (…管理局, …人民政府);
- ``official``: the organisation's name alone, read whole (公章);
- ``unknown``: nothing above can be told from what was read.
Only a kind stated by its own words is returned: a half-read rim is ``unknown``, never a guess.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import asdict, dataclass

import numpy as np

from .preprocess import ImageUnusable, make_frame, to_rgb_array
from .seals import find_red_seals, red_mask

RIM_RADIUS_PX = 120  # the seal is scaled to this radius before unrolling (a 2.5 cm seal at ~240 dpi)
TEXT_RADIUS = 0.75  # the rim text's centre line, as a share of the radius: sets the strip's length
BANDS = ((0.5, 0.94), (0.56, 0.98))  # radial bands tried (shares of the radius); the best read wins
ARC_START_DEG = 125  # the strip runs clockwise from here (image angles: 90° points down) …
ARC_DEG = 290  # … over this many degrees, leaving out the bottom where the serial number runs
MIN_OFFICIAL_SCORE = 0.85  # a bare name is called an official seal only when read this surely

_AUDIT = re.compile(r"会计师|计师事|事务所|师事.所|审计")
_AUTHORITY = re.compile(r"管理局|监督管理|人民政府|委员会|工商行政|税务局")
_ORGANISATION_END = re.compile(r"(有限公司|股份公司|公司|厂|研究院|研究所|学院|大学|中心|集团|合作社)$")
# the recogniser answers some characters in traditional form (財務專用章): the kind words' own
_SIMPLIFIED = str.maketrans("財務專審計師發業稅銷結證員項", "财务专审计师发业税销结证员项")
# the purposes a special-purpose seal names before 专用章 (财务 is the finance seal)
PURPOSES = ("财务", "合同", "发票", "业务", "人事", "报关", "质检", "技术", "销售", "项目", "工程", "投标", "招标",
            "法人", "行政", "证明", "结算", "收款")
# "专用章" as read: a rim's last characters are often half-read (专用康, 专电产, 垂用章)
_SPECIAL_END = re.compile(r"(.{2})(专用.|专.章|.用章)$")


def _purpose_word(t: str) -> str | None:
    """The purpose a rim ending in 专用章 names: its two characters before the ending, exact, or
    with one character matching exactly one purpose (合局 → 合同, 司财 → 财务 with 务 lost; 能务
    could be 财务 or 业务: none)."""
    if "财务章" in t:
        return "财务"
    m = _SPECIAL_END.search(t)
    if not m:
        return None
    two = m.group(1)
    if two in PURPOSES:
        return two
    near = [p for p in PURPOSES if p[0] == two[0] or p[1] == two[1] or p[0] == two[1]]
    return near[0] if len(near) == 1 else None


# which seal on a 利润表 speaks for it: the kinds the seed accepts first, then an unread rim (it
# may be one of them: never judged), then the official seal (accepted only with an explanation)
KIND_RANK = {"audit": 0, "finance": 1, "unknown": 2, "official": 3, "purpose": 4, "authority": 5}


@dataclass
class SealText:
    text: str  # the rim as read, NFKC
    score: float  # the recogniser's confidence for the whole line
    kind: str  # audit | finance | purpose | authority | official | unknown
    purpose: str | None = None  # for kind "purpose": the word naming it (合同, 发票, …)
    owner: str | None = None  # the organisation the rim names (finance, purpose, official seals)


def seal_kind(text: str, score: float) -> tuple[str, str | None]:
    """The kind a rim's words state, and for a special-purpose seal its purpose word."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "").translate(_SIMPLIFIED)
    if _AUDIT.search(t):
        return "audit", None
    purpose = _purpose_word(t)
    if purpose == "财务":
        return "finance", None
    if purpose:
        return "purpose", purpose
    if _AUTHORITY.search(t):
        return "authority", None
    # a bare organisation name: the whole rim read surely, ending where a name ends and
    # carrying no 章 (a special-purpose seal whose purpose word was misread ends in …章)
    if score >= MIN_OFFICIAL_SCORE and "章" not in t and len(t) >= 6 and _ORGANISATION_END.search(t):
        return "official", None
    return "unknown", None


def unroll_rim(rgb: np.ndarray, box: list[int] | tuple[int, int, int, int],
               band: tuple[float, float] = BANDS[0]) -> np.ndarray:
    """The seal in ``box`` unrolled into a grey line image: red ink dark on white, outer edge up."""
    import cv2

    x0, y0, x1, y1 = (int(v) for v in box)
    crop = rgb[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    if crop.size == 0:
        return np.full((8, 8), 255, np.uint8)
    side = 2 * RIM_RADIUS_PX
    # scaled to a circle of the working radius: ovals and foreshortened seals unroll alike
    crop = cv2.resize(crop, (side, side), interpolation=cv2.INTER_CUBIC)
    ink = np.where(red_mask(crop), 0, 255).astype(np.uint8)
    length = int(2 * math.pi * RIM_RADIUS_PX * TEXT_RADIUS)
    polar = cv2.warpPolar(ink, (RIM_RADIUS_PX, length), (RIM_RADIUS_PX, RIM_RADIUS_PX), RIM_RADIUS_PX,
                          cv2.WARP_POLAR_LINEAR + cv2.INTER_LINEAR)  # rows: angle (clockwise from +x), cols: radius
    start = int(length * ARC_START_DEG / 360)
    rows = np.roll(polar, -start, axis=0)[: int(length * ARC_DEG / 360)]
    strip = rows[:, int(band[0] * RIM_RADIUS_PX):int(band[1] * RIM_RADIUS_PX)]
    return np.ascontiguousarray(strip.T[::-1])  # characters upright: the outer edge on top


def read_seal(engine, rgb: np.ndarray, box: list[int] | tuple[int, int, int, int]) -> SealText:
    """Read the rim of the seal in ``box`` (an ``ocr.engine.OcrEngine``); the surest band wins."""
    strips = [unroll_rim(rgb, box, band) for band in BANDS]
    reads = engine.recognize([np.stack([s] * 3, axis=-1) for s in strips])
    text, score = max(reads, key=lambda r: r[1]) if reads else ("", 0.0)
    text = unicodedata.normalize("NFKC", text).replace(" ", "")
    kind, purpose = seal_kind(text, score)
    return SealText(text, round(float(score), 4), kind, purpose, owner_of(text, kind))


def owner_of(text: str, kind: str) -> str | None:
    """The organisation's name on an entity's seal: the rim before its purpose (…财务专用章), or the
    whole rim of an official seal; None for other kinds or when nothing stands before the purpose."""
    if kind == "official":
        return text or None
    if kind not in ("finance", "purpose"):
        return None
    t = text.translate(_SIMPLIFIED)
    cut = t.find("财务章")
    if cut < 0:
        m = _SPECIAL_END.search(t)
        cut = m.start() if m else -1
    return t[:cut] or None if cut > 0 else None


@dataclass
class PageSeals:
    """The seals on a page that is not otherwise read (the 诚信承诺书): boxes in the upload's pixels."""

    seals: list[tuple[list[int], float, SealText]]  # box, the detector's confidence, the rim read
    error: str | None = None  # the page could not be decoded

    def to_dict(self) -> dict:
        return {"seals": [{"box": box, "confidence": round(conf, 4), **asdict(rim)} for box, conf, rim in self.seals],
                "error": self.error}


def read_page_seals(engine, image, limit: int = 3) -> PageSeals:
    """Find the page's seals (at most ``limit``, surest first) and read each rim. The page is not
    turned upright first (no text detection is run): a rim that states no kind as it lies is read
    at the three other quarter turns too."""
    try:
        rgb = to_rgb_array(image)
    except ImageUnusable as exc:
        return PageSeals([], str(exc))
    frame = make_frame(rgb)
    found = sorted(find_red_seals(frame.image), key=lambda s: -s[1])[:limit]
    return PageSeals([([round(v / frame.scale) for v in box], conf, _read_any_turn(engine, frame.image, box))
                      for box, conf in found])


def _read_any_turn(engine, rgb: np.ndarray, box) -> SealText:
    """A seal on a page nobody turned upright (a photographed pledge): read as it lies, and when
    that states no kind, as turned by a quarter, a half and three quarters; the surest read that
    states a kind wins (a turned rim read upright is gibberish: it states none)."""
    first = read_seal(engine, rgb, box)
    if first.kind != "unknown":
        return first
    x0, y0, x1, y1 = (max(0, int(v)) for v in box)
    crop = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    if crop.size == 0:
        return first
    turned = []
    for k in (1, 2, 3):
        turn = np.ascontiguousarray(np.rot90(crop, k))
        turned.append(read_seal(engine, turn, [0, 0, turn.shape[1], turn.shape[0]]))
    stated = [t for t in turned if t.kind != "unknown"]
    return max(stated, key=lambda t: t.score) if stated else first
