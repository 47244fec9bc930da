"""Is the main product image a photo of the real product, or a rendering or a line drawing?

IMAGE_NOT_PHOTO: the rules want a photo of the real product, not a computer rendering
(flat or smoothly shaded colours on a clean background, no sensor noise) nor a patent line
drawing (black strokes on white). A multinomial logistic regression over a dozen image
statistics (white and dark fractions, saturation, distinct colours, the share of the most
common exact colour, sensor-noise level in flat areas, edge density, grey-level entropy,
mid-tone share, border uniformity), learned from generated images (training/photos.py) and
stored as JSON numbers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .base import Manifest, Model
from .errors import ModelError

DEFAULT_DIR = Path(__file__).resolve().parent / "weights" / "photo-kind"
WEIGHTS = "weights.json"
CLASSES = ("photo", "rendering", "line_drawing")
FEATURES = ("white_frac", "dark_frac", "sat_mean", "sat_std", "grey_frac", "log_colours", "top8_cover", "modal_frac",
            "noise_median", "noise_flat", "edge_density", "entropy", "midtone_frac", "border_std")
SIDE = 256


def image_features(image: Image.Image) -> np.ndarray:
    import cv2

    img = image.convert("RGB")
    scale = SIDE / max(img.size)
    if scale < 1:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))), Image.Resampling.BILINEAR)
    rgb = np.asarray(img, dtype=np.uint8)
    grey = np.asarray(img.convert("L"), dtype=np.uint8)
    hsv = np.asarray(img.convert("HSV"), dtype=np.float32)
    sat = hsv[..., 1] / 255.0
    n = grey.size
    white = float((rgb.min(axis=2) > 235).mean())
    dark = float((grey < 60).mean())
    q = (rgb >> 4).astype(np.int32)
    codes = (q[..., 0] << 8) | (q[..., 1] << 4) | q[..., 2]
    counts = np.bincount(codes.ravel(), minlength=4096)
    top8 = float(np.sort(counts)[-8:].sum() / n)
    exact = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]
    _, exact_counts = np.unique(exact, return_counts=True)
    modal = float(exact_counts.max() / n)
    lap = np.abs(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F, ksize=1))
    gx = cv2.Sobel(grey.astype(np.float32), cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey.astype(np.float32), cv2.CV_32F, 0, 1, ksize=3)
    grad = np.hypot(gx, gy)
    flat = grad < np.percentile(grad, 50) + 1e-6
    noise_flat = float(lap[flat].mean()) if flat.any() else 0.0
    edges = cv2.Canny(grey, 60, 150)
    hist = np.bincount(grey.ravel(), minlength=256) / n
    nz = hist[hist > 0]
    entropy = float(-(nz * np.log2(nz)).sum())
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]).astype(np.float32)
    return np.array([
        white, dark, float(sat.mean()), float(sat.std()), float((sat < 0.08).mean()),
        float(np.log1p((counts > 0).sum())), top8, modal,
        float(np.median(lap)), float(np.log1p(noise_flat)), float((edges > 0).mean()), entropy,
        float(((grey >= 60) & (grey <= 200)).mean()), float(border.std() / 64.0),
    ], dtype=np.float64)


class PhotoKindClassifier(Model):
    kind = "photo-kind"

    def __init__(self, mean, scale, coef, intercept, threshold: float = 0.5, manifest: Manifest | None = None) -> None:
        super().__init__(manifest)
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)  # (classes, features)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.threshold = float(threshold)  # on P(not a photo)

    def class_probabilities_from_features(self, X: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(X) - self.mean) / self.scale) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def probabilities(self, images: list[Image.Image]) -> np.ndarray:
        """P(not a photo) for each image."""
        if not images:
            return np.zeros(0)
        P = self.class_probabilities_from_features(np.stack([image_features(im) for im in images]))
        return 1.0 - P[:, CLASSES.index("photo")]

    def judge(self, image: Image.Image) -> dict[str, Any]:
        """{"not_photo": p, "kind": the likeliest class, "probabilities": {...}, "features": {...}}."""
        f = image_features(image)
        P = self.class_probabilities_from_features(f)[0]
        return {"not_photo": round(float(1.0 - P[0]), 4), "kind": CLASSES[int(np.argmax(P))],
                "probabilities": {c: round(float(p), 4) for c, p in zip(CLASSES, P)},
                "features": {n: round(float(v), 4) for n, v in zip(FEATURES, f)}}

    def config(self) -> dict[str, Any]:
        return {"classes": list(CLASSES), "features": list(FEATURES), "side": SIDE, "threshold": self.threshold,
                "model": "multinomial logistic regression"}

    def _save_weights(self, directory: Path) -> None:
        body = {"classes": list(CLASSES), "features": list(FEATURES), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(), "intercept": self.intercept.tolist(),
                "threshold": self.threshold}
        (directory / WEIGHTS).write_text(json.dumps(body, indent=1), encoding="utf-8")

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "PhotoKindClassifier":
        body = json.loads((directory / WEIGHTS).read_text(encoding="utf-8"))
        if body["features"] != list(FEATURES) or body["classes"] != list(CLASSES):
            raise ModelError(f"{directory}: weights were trained on other features; retrain photo-kind")
        return cls(body["mean"], body["scale"], body["coef"], body["intercept"], body["threshold"], manifest=manifest)

    @classmethod
    def load_default(cls) -> "PhotoKindClassifier":
        return cls.load(DEFAULT_DIR)


def train_photo_kind(X: np.ndarray, labels: list[str], *, C: float = 1.0, threshold: float = 0.5,
                     version: str = "untrained", data_hash: str | None = None) -> PhotoKindClassifier:
    from sklearn.linear_model import LogisticRegression

    y = np.array([CLASSES.index(label) for label in labels])
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    lr = LogisticRegression(C=C, max_iter=5000)
    lr.fit((X - mean) / scale, y)
    manifest = Manifest(name="photo-kind", version=version, kind=PhotoKindClassifier.kind, data_hash=data_hash,
                        recipe={"model": "sklearn LogisticRegression (multinomial)", "C": C, "n": len(y)})
    return PhotoKindClassifier(mean, scale, lr.coef_, lr.intercept_, threshold, manifest=manifest)
