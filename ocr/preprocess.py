"""Turning an upload into an upright page the engine can read, and boxes back into the
original image's pixels.

Real uploads are phone photos at an angle, scans of 5000 px, pages turned by 90° or 180°,
and licences with a red seal over black text. What is done here, and why:

- size: the page is kept at most ``WORK_SIDE`` px (crops for recognition come from it) and
  detection runs on a copy of at most ``DET_SIDE`` px: text boxes need far fewer pixels than
  reading does, and detection cost grows with the pixel count;
- orientation: when most detected lines are taller than wide the page is turned by 90°, and
  the line classifier on the widest lines decides whether it is upside down;
- small skew and perspective: lines are cropped along their detected quads;
- red seals: reading the red channel as greyscale makes red ink vanish while black stays.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

WORK_SIDE = 2600  # longest side of the page crops are taken from
DET_SIDE = 1024  # longest side detection runs on
MIN_SIDE = 16  # smaller than this there is nothing to read
MAX_PIXELS = 120_000_000  # refuse to decode more than this (a 20000x20000 bomb is 400M)


class ImageUnusable(ValueError):
    """The upload cannot be read as a page (not an image, truncated, tiny, absurdly large)."""


def to_rgb_array(source: Any) -> np.ndarray:
    """RGB uint8 array from a PIL image, a path, bytes or an array; never more than WORK_SIDE."""
    from PIL import Image, ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    if isinstance(source, np.ndarray):
        arr = source
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=-1)
        if arr.ndim != 3 or arr.shape[2] < 3:
            raise ImageUnusable("array is not an image")
        img = Image.fromarray(np.ascontiguousarray(arr[:, :, :3]).astype(np.uint8))
    elif isinstance(source, Image.Image):
        img = source
    else:
        try:
            if isinstance(source, (bytes, bytearray)):
                img = Image.open(io.BytesIO(source))
            else:
                img = Image.open(Path(source))
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ImageUnusable(f"image of {w}x{h} pixels is too large to read")
            img.draft("RGB", (WORK_SIDE, WORK_SIDE))  # JPEG: decode at reduced scale
            img.load()
        except ImageUnusable:
            raise
        except Exception as exc:  # PIL raises many types for corrupt and non-image files
            raise ImageUnusable(f"cannot decode image: {type(exc).__name__}") from None
    w, h = img.size
    if min(w, h) < MIN_SIDE:
        raise ImageUnusable(f"image of {w}x{h} pixels is too small to read")
    if w * h > MAX_PIXELS:
        raise ImageUnusable(f"image of {w}x{h} pixels is too large to read")
    if img.mode != "RGB":
        img = img.convert("RGBA").convert("RGB") if img.mode in ("P", "LA", "PA") else img.convert("RGB")
    return np.asarray(img)


@dataclass
class Frame:
    """The upright working page and how to map its pixels back to the original upload."""

    image: np.ndarray  # RGB, upright, at ``scale`` times the original size
    orig_size: tuple[int, int]  # (width, height) of the upload
    scale: float  # work pixels per original pixel
    turns: int  # quarter turns counter-clockwise applied to the scaled upload

    def to_original(self, quad: np.ndarray) -> np.ndarray:
        pts = np.asarray(quad, dtype=np.float64).copy()
        h, w = self.image.shape[:2]
        # undo the quarter turns one at a time (each CCW turn maps (x, y) -> (y, W-1-x))
        for _ in range(self.turns % 4):
            # current size (w, h) came from a page of size (h, w)
            x, y = pts[:, 0].copy(), pts[:, 1].copy()
            pts[:, 0] = h - 1 - y
            pts[:, 1] = x
            w, h = h, w
        pts /= self.scale
        ow, oh = self.orig_size
        pts[:, 0] = np.clip(pts[:, 0], 0, ow - 1)
        pts[:, 1] = np.clip(pts[:, 1], 0, oh - 1)
        return pts

    def box_to_original(self, quad: np.ndarray) -> list[int]:
        pts = self.to_original(quad)
        return [int(round(pts[:, 0].min())), int(round(pts[:, 1].min())),
                int(round(pts[:, 0].max())), int(round(pts[:, 1].max()))]


def make_frame(rgb: np.ndarray) -> Frame:
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    work = rgb
    if scale < 1.0:
        work = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return Frame(image=np.ascontiguousarray(work), orig_size=(w, h), scale=scale, turns=0)


def turn(frame: Frame, quarter_turns: int) -> Frame:
    k = quarter_turns % 4
    if k == 0:
        return frame
    return Frame(image=np.ascontiguousarray(np.rot90(frame.image, k)), orig_size=frame.orig_size,
                 scale=frame.scale, turns=(frame.turns + k) % 4)


def turn_quads(quads: list[np.ndarray], size: tuple[int, int], quarter_turns: int) -> list[np.ndarray]:
    """Map quads on a page of ``size`` (w, h) onto the page turned CCW ``quarter_turns`` times."""
    out = []
    for q in quads:
        pts = np.asarray(q, dtype=np.float32).copy()
        w, h = size
        for _ in range(quarter_turns % 4):
            x, y = pts[:, 0].copy(), pts[:, 1].copy()
            pts[:, 0] = y
            pts[:, 1] = w - 1 - x
            w, h = h, w
        # keep the point order clockwise from the new top-left
        start = int(np.argmin(pts[:, 0] + pts[:, 1]))
        out.append(np.roll(pts, -start, axis=0))
    return out


def det_copy(image: np.ndarray, side: int = DET_SIDE) -> tuple[np.ndarray, float]:
    """A copy of at most ``side`` px for detection, and its scale relative to ``image``."""
    import cv2

    h, w = image.shape[:2]
    s = min(1.0, side / max(h, w))
    if s >= 1.0:
        return image, 1.0
    return cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA), s


def red_as_grey(image: np.ndarray) -> np.ndarray:
    """The red channel as a 3-channel grey page: red seals vanish, black text stays."""
    r = image[:, :, 0]
    return np.ascontiguousarray(np.stack([r, r, r], axis=-1))


def is_vertical(quads: list[np.ndarray]) -> bool:
    """Most of the text area lies in lines taller than wide: the page is turned by 90°."""
    tall = wide = 0.0
    for q in quads:
        w = float(np.linalg.norm(q[0] - q[1]))
        h = float(np.linalg.norm(q[0] - q[3]))
        if h > 1.5 * w:
            tall += w * h
        elif w > 1.5 * h:
            wide += w * h
    return tall > wide
