"""Generated images for the image checks: photos, renderings and patent line drawings, and
transformed copies for DUPLICATE_IMAGE.

Nothing here is a real product photo (none is public in a usable licence here): "photos" are
crops of the real photographs shipped inside scikit-learn and matplotlib (china.jpg for
training; flower.jpg and grace_hopper.jpg are kept for evaluation) and procedural scenes with
what makes a photo a photo — textured, unevenly lit backgrounds, shading, blur, sensor noise,
JPEG. Renderings are clean shapes with flat or smooth shading on a plain background;
line drawings are black strokes, hatching and reference numerals on white (sometimes scanned:
grey noise and JPEG).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SPLIT_PHOTOS = {"train": ("china.jpg",), "test": ("flower.jpg", "grace_hopper.jpg")}


def _sample_photo(name: str) -> Image.Image | None:
    try:
        if name == "grace_hopper.jpg":
            import matplotlib

            path = Path(matplotlib.get_data_path()) / "sample_data" / name
            return Image.open(path).convert("RGB")
        from sklearn.datasets import load_sample_image

        return Image.fromarray(load_sample_image(name))
    except Exception:
        return None


def _jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def _colour(rng: random.Random, light: bool = False) -> tuple[int, int, int]:
    lo = 120 if light else 10
    return tuple(rng.randint(lo, 250) for _ in range(3))


def _shape(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, fill, outline=None, width: int = 1):
    x0, y0 = rng.randint(0, w * 2 // 3), rng.randint(0, h * 2 // 3)
    x1, y1 = x0 + rng.randint(w // 6, w // 2), y0 + rng.randint(h // 6, h // 2)
    kind = rng.choice(["rect", "ellipse", "poly", "rounded"])
    if kind == "rect":
        draw.rectangle([x0, y0, x1, y1], fill=fill, outline=outline, width=width)
    elif kind == "ellipse":
        draw.ellipse([x0, y0, x1, y1], fill=fill, outline=outline, width=width)
    elif kind == "rounded":
        draw.rounded_rectangle([x0, y0, x1, y1], radius=rng.randint(4, 30), fill=fill, outline=outline, width=width)
    else:
        pts = [(rng.randint(x0, x1), rng.randint(y0, y1)) for _ in range(rng.randint(3, 7))]
        draw.polygon(pts, fill=fill, outline=outline, width=width)


def _gradient(w: int, h: int, c0, c1, rng: random.Random) -> np.ndarray:
    t = np.linspace(0, 1, w if rng.random() < 0.5 else h, dtype=np.float32)
    t = t[None, :, None] if len(t) == w else t[:, None, None]
    return np.broadcast_to(np.array(c0, np.float32) * (1 - t) + np.array(c1, np.float32) * t, (h, w, 3)).copy()


def procedural_photo(rng: random.Random, size: tuple[int, int] | None = None) -> Image.Image:
    w, h = size or (rng.randint(320, 640), rng.randint(240, 480))
    nprng = np.random.default_rng(rng.getrandbits(32))
    base = _gradient(w, h, _colour(rng), _colour(rng), rng)
    # texture: low-frequency blotches (a table, a wall, a floor)
    tex = nprng.normal(0, 1, (h // 8 + 1, w // 8 + 1)).astype(np.float32)
    tex = np.asarray(Image.fromarray(tex).resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32)
    base += tex[..., None] * rng.uniform(5, 25)
    im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for _ in range(rng.randint(1, 4)):
        _shape(draw, rng, w, h, _colour(rng))
    im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 2.0)))
    arr = np.asarray(im, dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    light = 1.0 - rng.uniform(0.1, 0.45) * (((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
    arr = arr * light[..., None] + nprng.normal(0, rng.uniform(2.0, 7.0), arr.shape)
    return _jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), rng.randint(70, 95))


def real_crop(photo: Image.Image, rng: random.Random) -> Image.Image:
    w, h = photo.size
    cw, ch = int(w * rng.uniform(0.35, 0.8)), int(h * rng.uniform(0.35, 0.8))
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    out = photo.crop((x, y, x + cw, y + ch))
    return _jpeg(out.resize((int(cw * rng.uniform(0.6, 1.2)), int(ch * rng.uniform(0.6, 1.2)))), rng.randint(70, 95))


def rendering(rng: random.Random) -> Image.Image:
    w, h = rng.randint(320, 640), rng.randint(240, 480)
    scale = 2  # drawn large and reduced: anti-aliased edges, as a renderer makes them
    bg = rng.choice([(255, 255, 255), (255, 255, 255), (248, 248, 248), _colour(rng, light=True)])
    im = Image.new("RGB", (w * scale, h * scale), bg)
    if rng.random() < 0.5:  # smooth studio gradient backdrop
        im = Image.fromarray(_gradient(w * scale, h * scale, bg, _colour(rng, light=True), rng).astype(np.uint8))
    draw = ImageDraw.Draw(im)
    for _ in range(rng.randint(1, 5)):
        _shape(draw, rng, w * scale, h * scale, _colour(rng), outline=_colour(rng) if rng.random() < 0.3 else None)
    if rng.random() < 0.5:  # smooth shading over the object, no noise
        shade = _gradient(w * scale, h * scale, (1.0, 1.0, 1.0), (rng.uniform(0.6, 0.9),) * 3, rng)
        im = Image.fromarray(np.clip(np.asarray(im, np.float32) * shade, 0, 255).astype(np.uint8))
    im = im.resize((w, h), Image.Resampling.LANCZOS)
    return _jpeg(im, rng.randint(88, 98)) if rng.random() < 0.5 else im


def line_drawing(rng: random.Random) -> Image.Image:
    w, h = rng.randint(320, 640), rng.randint(320, 640)
    im = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(im)
    lw = rng.randint(1, 3)
    for _ in range(rng.randint(2, 6)):
        _shape(draw, rng, w, h, None, outline=0, width=lw)
    for _ in range(rng.randint(0, 3)):  # hatching
        x0, y0 = rng.randint(0, w // 2), rng.randint(0, h // 2)
        step = rng.randint(5, 12)
        for k in range(rng.randint(4, 12)):
            draw.line([(x0 + k * step, y0), (x0 + k * step + 30, y0 + 40)], fill=0, width=1)
    for k in range(rng.randint(2, 8)):  # leader lines and reference numerals
        x, y = rng.randint(20, w - 40), rng.randint(20, h - 20)
        draw.line([(x, y), (x + rng.randint(15, 40), y - rng.randint(5, 25))], fill=0, width=1)
        draw.text((x + 42, y - 35), str(rng.randint(1, 30)), fill=0)
    if rng.random() < 0.3:
        draw.text((w // 2 - 10, h - 20), f"图{rng.randint(1, 9)}", fill=0)
    im = im.convert("RGB")
    if rng.random() < 0.4:  # a scan: paper tint, grey noise, JPEG
        arr = np.asarray(im, np.float32) * rng.uniform(0.9, 1.0) + np.random.default_rng(rng.getrandbits(32)).normal(
            0, rng.uniform(2, 6), (h, w, 1))
        im = _jpeg(Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), rng.randint(60, 90))
    return im


def generated_images(n_per_class: int, *, seed: int = 0, split: str = "train") -> tuple[list[Image.Image], list[str]]:
    rng = random.Random(f"{seed}:{split}")
    reals = [p for p in (_sample_photo(n) for n in SPLIT_PHOTOS[split]) if p is not None]
    images, labels = [], []
    for _ in range(n_per_class):
        if reals and rng.random() < 0.3:
            images.append(real_crop(rng.choice(reals), rng))
        else:
            images.append(procedural_photo(rng))
        labels.append("photo")
        images.append(rendering(rng))
        labels.append("rendering")
        images.append(line_drawing(rng))
        labels.append("line_drawing")
    return images, labels


def real_photo_crops(n: int, *, seed: int = 0, split: str = "test") -> list[Image.Image]:
    rng = random.Random(f"real:{seed}")
    reals = [p for p in (_sample_photo(name) for name in SPLIT_PHOTOS[split]) if p is not None]
    return [real_crop(rng.choice(reals), rng) for _ in range(n)] if reals else []


# ---------------------------------------------------------------- DUPLICATE_IMAGE
def distinct_photos(n: int, *, seed: int = 0) -> list[Image.Image]:
    """n different photos: procedural scenes and crops of distinct parts of the real photos."""
    rng = random.Random(f"distinct:{seed}")
    reals = [p for p in (_sample_photo(name) for name in ("china.jpg", "flower.jpg", "grace_hopper.jpg")) if p is not None]
    out = []
    for i in range(n):
        if reals and i % 3 == 0:
            out.append(real_crop(rng.choice(reals), rng))
        else:
            out.append(procedural_photo(rng))
    return out


def transformed_copy(im: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    """A resized, recompressed and/or lightly cropped (up to 4% a side) copy, and what was done."""
    how = rng.choice(["resize", "jpeg", "crop", "resize+jpeg", "crop+resize+jpeg", "crop+jpeg"])
    out = im
    if "crop" in how:
        w, h = out.size
        f = [rng.uniform(0.0, 0.04) for _ in range(4)]
        out = out.crop((int(w * f[0]), int(h * f[1]), w - int(w * f[2]), h - int(h * f[3])))
    if "resize" in how:
        s = rng.uniform(0.4, 1.6)
        out = out.resize((max(16, int(out.width * s)), max(16, int(out.height * s))), Image.Resampling.BILINEAR)
    if "jpeg" in how:
        out = _jpeg(out, rng.randint(30, 85))
    return out, how


def train_default_photo_kind(*, n_per_class: int = 1200, seed: int = 0, version: str | None = None):
    """Fit on generated train images; score on generated test images. Returns (model, metrics)."""
    import hashlib
    from datetime import datetime, timezone

    from models.photo_kind import image_features, train_photo_kind

    images, labels = generated_images(n_per_class, seed=seed, split="train")
    X = np.stack([image_features(im) for im in images])
    h = hashlib.sha256(X.tobytes()).hexdigest()
    model = train_photo_kind(X, labels, version=version or datetime.now(timezone.utc).strftime("%Y.%m.%d"), data_hash=h)
    test_images, test_labels = generated_images(max(100, n_per_class // 4), seed=seed + 1000, split="test")
    p = model.probabilities(test_images)
    y = np.array(test_labels) != "photo"
    pred = p >= model.threshold
    tp = int((pred & y).sum())
    metrics = {"accuracy": round(float((pred == y).mean()), 4), "precision": round(tp / max(int(pred.sum()), 1), 4),
               "recall": round(tp / max(int(y.sum()), 1), 4), "n_test": len(y)}
    real = real_photo_crops(60, seed=seed)
    if real:
        metrics["real_photos_kept"] = round(float((model.probabilities(real) < model.threshold).mean()), 4)
    model.manifest.recipe.update({"generator": "training.photos", "n_per_class": n_per_class, "seed": seed})
    model.manifest.metrics = metrics
    return model, metrics
