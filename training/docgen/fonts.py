"""Fonts for rendering Chinese documents: Debian's fonts-noto-cjk, simplified-Chinese face.

Noto CJK's default face in the .ttc is the Japanese one (厦门 would render as 厦內), so the
SC face — index 2 of NotoSansCJK-Regular.ttc — is used. ``apt-get install -y fonts-noto-cjk``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from screening.settings import get_settings

SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SANS_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SC_INDEX = 2


class FontMissing(RuntimeError):
    pass


@lru_cache(maxsize=64)
def font(size: int, style: str = "sans"):
    from PIL import ImageFont

    path = {"sans": SANS, "bold": SANS_BOLD, "serif": SERIF}[style]
    override = get_settings().cjk_font  # PRESCREEN_CJK_FONT
    if override:
        return ImageFont.truetype(str(override), size)
    if not path.is_file():
        path = SANS
    if not path.is_file():
        raise FontMissing("Chinese fonts missing: apt-get install -y fonts-noto-cjk")
    return ImageFont.truetype(str(path), size, index=SC_INDEX)


def available() -> bool:
    return SANS.is_file() or get_settings().cjk_font is not None
