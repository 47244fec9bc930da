"""The damage real uploads have: blur, JPEG, rotation (small skew, 90°, 180°), perspective,
low resolution, watermarks and overlay stamps ("仅供存档", "仅用于…")."""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .fonts import font

OVERLAYS = ("仅供存档", "仅用于专利产品备案", "仅供备案使用", "复印无效", "仅用于资质审核")
KINDS = ("blur", "jpeg", "skew", "rot90", "rot180", "perspective", "lowres", "watermark", "overlay")


def watermark(img: Image.Image, text: str, rng: random.Random, colour=(120, 120, 200), alpha: int = 60) -> None:
    w, h = img.size
    layer = Image.new("RGBA", (w * 2, h * 2), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    size = max(18, w // 40)
    for y in range(0, h * 2, size * 6):
        for x in range(0, w * 2, int(size * (len(text) + 4))):
            d.text((x + (y // 3) % (size * 4), y), text, font=font(size), fill=(*colour, alpha))
    layer = layer.rotate(rng.choice([25, 30, 35, -30]), resample=Image.BICUBIC)
    layer = layer.crop((w // 2, h // 2, w // 2 + w, h // 2 + h))
    base = img.convert("RGBA")
    base.alpha_composite(layer)
    img.paste(base.convert("RGB"))


def overlay(img: Image.Image, text: str, rng: random.Random) -> None:
    """One big stamp of text across the page, like "仅供存档" written over a copy."""
    w, h = img.size
    size = max(40, w // 12)
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    colour = rng.choice([(230, 150, 60), (200, 60, 60), (90, 90, 200), (150, 150, 150)])
    x, y = rng.randint(w // 8, w // 3), rng.randint(h // 4, h // 2)
    d.text((x, y), text, font=font(size, "bold"), fill=(*colour, 90))
    layer = layer.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC, center=(x, y))
    base = img.convert("RGBA")
    base.alpha_composite(layer)
    img.paste(base.convert("RGB"))


def perspective(img: Image.Image, rng: random.Random, amount: float = 0.04) -> Image.Image:
    import cv2

    arr = np.asarray(img)
    h, w = arr.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = lambda: rng.uniform(0, amount)  # noqa: E731
    dst = np.float32([[w * jitter(), h * jitter()], [w * (1 - jitter()), h * jitter()],
                      [w * (1 - jitter()), h * (1 - jitter())], [w * jitter(), h * (1 - jitter())]])
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(arr, m, (w, h), borderValue=(235, 235, 232))
    return Image.fromarray(out)


def apply(img: Image.Image, kinds: list[str], rng: random.Random) -> Image.Image:
    """Apply the named kinds of damage in a realistic order (paper, then camera, then file)."""
    if "watermark" in kinds:
        watermark(img, rng.choice(("仅用于网站展示", "仅供投标使用", "仅用于备案")), rng)
    if "overlay" in kinds:
        overlay(img, rng.choice(OVERLAYS), rng)
    if "perspective" in kinds:
        img = perspective(img, rng)
    if "skew" in kinds:
        img = img.rotate(rng.uniform(-3, 3), resample=Image.BICUBIC, expand=True, fillcolor=(235, 235, 232))
    if "blur" in kinds:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.1)))
    if "lowres" in kinds:
        f = rng.uniform(0.55, 0.7)
        img = img.resize((int(img.width * f), int(img.height * f)), Image.BILINEAR)
    if "rot90" in kinds:
        img = img.transpose(rng.choice([Image.ROTATE_90, Image.ROTATE_270]))
    if "rot180" in kinds:
        img = img.transpose(Image.ROTATE_180)
    if "jpeg" in kinds:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.randint(45, 80))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return img


def random_kinds(rng: random.Random, p: float = 0.35) -> list[str]:
    kinds = [k for k in ("blur", "jpeg", "perspective", "lowres", "watermark", "overlay") if rng.random() < p]
    r = rng.random()
    if r < 0.1:
        kinds.append("rot90")
    elif r < 0.18:
        kinds.append("rot180")
    elif r < 0.4:
        kinds.append("skew")
    return kinds
