"""Small drawing helpers shared by the licence and statement renderers."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw

from .fonts import font


def text_width(text: str, size: int, style: str = "sans") -> int:
    return int(font(size, style).getlength(text))


def spaced_label(draw: ImageDraw.ImageDraw, xy, label: str, width: int, size: int, fill=(20, 20, 20), style="bold"):
    """A label spread over a fixed width ("名　　称"), as licences print them."""
    x, y = xy
    if len(label) == 1:
        draw.text((x, y), label, font=font(size, style), fill=fill)
        return
    step = (width - size) / (len(label) - 1)
    for i, ch in enumerate(label):
        draw.text((x + i * step, y), ch, font=font(size, style), fill=fill)


def wrap(text: str, size: int, width: int, style: str = "sans") -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if text_width(cur + ch, size, style) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def border(draw: ImageDraw.ImageDraw, w: int, h: int, margin: int, colour, rng: random.Random) -> None:
    """A guilloche-like frame: two rules and a band of small arcs."""
    for k, width in ((0, 4), (22, 2)):
        draw.rectangle([margin + k, margin + k, w - margin - k, h - margin - k], outline=colour, width=width)
    step = 14
    for x in range(margin + 6, w - margin - 6, step):
        for y in (margin + 6, h - margin - 20):
            draw.arc([x, y, x + step + 6, y + 14], 0, 180, fill=colour, width=1)
    for y in range(margin + 6, h - margin - 6, step):
        for x in (margin + 6, w - margin - 20):
            draw.arc([x, y, x + 14, y + step + 6], 90, 270, fill=colour, width=1)


def emblem(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(200, 30, 30))
    draw.ellipse([cx - r * 0.7, cy - r * 0.7, cx + r * 0.7, cy + r * 0.7], outline=(240, 200, 60), width=3)
    star(draw, cx, cy - r * 0.25, r * 0.3, (245, 210, 60))


def star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill) -> None:
    pts = []
    for i in range(10):
        ang = -math.pi / 2 + i * math.pi / 5
        rr = r if i % 2 == 0 else r * 0.4
        pts.append((cx + rr * math.cos(ang), cy + rr * math.sin(ang)))
    draw.polygon(pts, fill=fill)


def seal(img: Image.Image, cx: int, cy: int, r: int, text: str, rng: random.Random, alpha: int = 170) -> list[int]:
    """A round red seal with text around the rim and a star, blended over the page; its box."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (215, 25, 30, alpha)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=red, width=max(3, r // 18))
    star(d, cx, cy, r * 0.28, red)
    size = max(10, int(r * 0.26))
    n = len(text)
    span = math.radians(250)
    # a long name is cut in condensed characters, as seal makers do: each keeps its height and
    # narrows to its share of the arc instead of overlapping its neighbours
    squeeze = min(1.0, span * (r - size * 0.95) / max(n, 1) / (size * 1.05))
    for i, ch in enumerate(text):
        ang = -math.pi / 2 - span / 2 + span * (i + 0.5) / max(n, 1)
        x = cx + (r - size * 0.95) * math.cos(ang)
        y = cy + (r - size * 0.95) * math.sin(ang)
        glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size // 2, size // 2), ch, font=font(size, "bold"), fill=red)
        if squeeze < 0.98:
            narrow = glyph.resize((max(1, round(size * 2 * squeeze)), size * 2), Image.BICUBIC)
            glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
            glyph.alpha_composite(narrow, ((size * 2 - narrow.width) // 2, 0))
        glyph = glyph.rotate(-math.degrees(ang) - 90, resample=Image.BICUBIC)
        layer.alpha_composite(glyph, (int(x - size), int(y - size)))
    base = img.convert("RGBA")
    base.alpha_composite(layer)
    img.paste(base.convert("RGB"))
    return [cx - r, cy - r, cx + r, cy + r]


def qr(draw: ImageDraw.ImageDraw, x: int, y: int, size: int, rng: random.Random) -> None:
    cell = max(3, size // 25)
    for i in range(size // cell):
        for j in range(size // cell):
            if rng.random() < 0.5:
                draw.rectangle([x + i * cell, y + j * cell, x + (i + 1) * cell - 1, y + (j + 1) * cell - 1], fill=(10, 10, 10))
    for ox, oy in ((0, 0), (size - 7 * cell, 0), (0, size - 7 * cell)):
        draw.rectangle([x + ox, y + oy, x + ox + 7 * cell, y + oy + 7 * cell], outline=(10, 10, 10), width=cell)
