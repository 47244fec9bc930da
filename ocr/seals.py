"""Red round and oval seals (印章) on a page, of any size, faded or not.

A seal is told from other red ink by its rim: a closed red ring. The page's reddish pixels
are found relative to the pixel's own grey level (a faded scan prints a seal pale pink, with
a saturation well below a fresh stamp's), the rim's arcs, broken where the seal crosses black
text, are joined by a closing scaled to the page, and each red blob of seal proportions is
accepted only when the ellipse inscribed in its box runs along red ink for most of its
length and the blob is hollow: its rim band is clearly denser in red than the band between the
centre and the rim (a seal's star sits inside 0.3 of the radius, its text along the rim). Red
text lines and table rules fail the proportions, a red frame fails the rim (the inscribed
ellipse touches a rectangle only at four points), and a block of red text or one large red
character fails the hollowness (its ink is spread evenly; measured: inner/rim ≥ 0.98 for
such blocks, ≤ 0.55 for generated and real seals).
"""

from __future__ import annotations

import numpy as np

ANALYSIS_SIDE = 1600  # the page is analysed at this longest side (a faded rim is 2-4 px there)
MIN_DIAMETER = 0.05  # of the page's longest side: 1.5 cm on A4, below the smallest seal in use (a 2 cm name seal)
MAX_HOLLOW = 0.75  # inner band's red density / rim band's, at most
MIN_RIM = 0.6  # share of the inscribed ellipse's length that must lie on red ink
LEAD = 20  # red above max(green, blue): a faded pink rim leads by 20-45, paper and black text by < 12
_ANGLES = 72


def red_mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels whose red clearly exceeds both green and blue (fresh or faded red ink)."""
    a = rgb.astype(np.int16)
    r, g, b = a[:, :, 0], a[:, :, 1], a[:, :, 2]
    lead = r - np.maximum(g, b)
    return (lead >= LEAD) & (r >= 110) & (np.abs(g - b) <= lead)


def rim_share(mask: np.ndarray, x: int, y: int, w: int, h: int) -> float:
    """Share of the angles at which the ellipse inscribed in the box lies on red ink (at any
    radius from 80% to 100% of the semi-axes: rims are drawn a little inside the blob's box)."""
    cx, cy, ax, ay = x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0
    t = np.linspace(0, 2 * np.pi, _ANGLES, endpoint=False)
    hit = np.zeros(_ANGLES, dtype=bool)
    for k in (0.8, 0.85, 0.9, 0.95, 0.99):
        xs = np.clip(np.round(cx + k * ax * np.cos(t)).astype(int), 0, mask.shape[1] - 1)
        ys = np.clip(np.round(cy + k * ay * np.sin(t)).astype(int), 0, mask.shape[0] - 1)
        hit |= mask[ys, xs]
    return float(hit.mean())


def hollowness(mask: np.ndarray, x: int, y: int, w: int, h: int) -> float:
    """Red density between 0.3 and 0.65 of the radius over that of the rim band (0.85–1)."""
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(mask.shape[1], x + w), min(mask.shape[0], y + h)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    rr = np.sqrt(((xx - (x + w / 2.0)) / (w / 2.0)) ** 2 + ((yy - (y + h / 2.0)) / (h / 2.0)) ** 2)
    sub = mask[y0:y1, x0:x1]
    rim = sub[(rr >= 0.85) & (rr < 1.0)]
    inner = sub[(rr >= 0.3) & (rr < 0.65)]
    if rim.size == 0 or inner.size == 0 or not rim.any():
        return 1.0
    return float(inner.mean() / rim.mean())


def find_red_seals(image: np.ndarray) -> list[tuple[list[int], float]]:
    """Boxes (in ``image`` pixels) of round or oval red seals, with a 0..1 confidence."""
    import cv2

    h0, w0 = image.shape[:2]
    s = min(1.0, ANALYSIS_SIDE / max(h0, w0))
    small = image if s >= 1.0 else cv2.resize(image, (max(1, round(w0 * s)), max(1, round(h0 * s))),
                                              interpolation=cv2.INTER_AREA)
    side = max(small.shape[:2])
    raw = red_mask(small)
    mask = raw.astype(np.uint8)
    if int(mask.sum()) < 20:
        return []
    k = max(3, int(round(0.006 * side)) | 1)
    # the rim test reads a slightly thickened mask: a rim crossed by black text has small gaps
    thick = cv2.dilate(mask, np.ones((k, k), np.uint8)).astype(bool)
    found: list[tuple[tuple[int, int, int, int], float]] = []
    # arcs of a rim broken by text, a mosaic or fading are joined at a coarser closing
    for join in (0.006, 0.02, 0.04):
        kj = max(3, int(round(join * side)) | 1)
        joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((kj, kj), np.uint8))
        n, _, stats, _ = cv2.connectedComponentsWithStats(joined, 8)
        for i in range(1, n):
            x, y, w, h, _area = (int(v) for v in stats[i])
            if min(w, h) < MIN_DIAMETER * side or not (0.55 <= w / max(h, 1) <= 1.8):
                continue
            rim = rim_share(thick, x, y, w, h)
            if rim >= MIN_RIM and hollowness(raw, x, y, w, h) <= MAX_HOLLOW:
                found.append(((x, y, x + w, y + h), rim))
    # a round seal touching other red ink (an overlay's characters across it) is one blob with
    # them: circles found by the Hough transform on the mask are tried as well
    circles = cv2.HoughCircles(cv2.GaussianBlur(mask * 255, (5, 5), 0), cv2.HOUGH_GRADIENT, dp=2,
                               minDist=0.05 * side, param1=100, param2=60,
                               minRadius=int(MIN_DIAMETER * side / 2), maxRadius=int(0.4 * side))
    # (a circle fitted to a large character's strokes is refused by its rim on the thin mask:
    # a drawn rim follows the circle, strokes only cross it)
    thin = cv2.dilate(mask, np.ones((3, 3), np.uint8)).astype(bool)
    for cx, cy, r in ([] if circles is None else circles[0][:20]):
        x, y, d = int(round(cx - r)), int(round(cy - r)), int(round(2 * r))
        rim = rim_share(thin, x, y, d, d)
        if rim >= MIN_RIM and hollowness(raw, x, y, d, d) <= MAX_HOLLOW:
            found.append(((max(0, x), max(0, y), min(small.shape[1], x + d), min(small.shape[0], y + d)), rim))
    out = []
    # largest first; a box inside an accepted one is the same seal (its star, an inner ring)
    for (x0, y0, x1, y1), rim in sorted(found, key=lambda f: -(f[0][2] - f[0][0]) * (f[0][3] - f[0][1])):
        if any(_inside((x0, y0, x1, y1), b) for b, _ in out):
            continue
        out.append(((x0, y0, x1, y1), rim))
    return [([int(x0 / s), int(y0 / s), int(x1 / s), int(y1 / s)],
             round(float(min(1.0, 0.6 + 0.4 * (rim - MIN_RIM) / (1 - MIN_RIM))), 4))
            for (x0, y0, x1, y1), rim in out]


def _inside(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Most of box ``a`` lies within box ``b``."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area = max(1, (a[2] - a[0]) * (a[3] - a[1]))
    return ix * iy >= 0.6 * area
