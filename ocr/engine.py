"""OCR engines behind one small interface: detect text boxes, recognise crops, tell 0° from 180°.

The readers never call a full-page "OCR everything" routine: they detect once, decide which
boxes a field needs, and recognise only those. So an engine exposes the three steps
separately. The default engine runs PaddleOCR's PP-OCR models through ``rapidocr`` 3.10 and
onnxruntime (the models ship inside the wheel, so it works offline). ``PaddleOcrEngine``
admits ``paddleocr`` when an operator installs it with local model folders (docs/ocr.md).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np


@dataclass
class TextLine:
    """One recognised text line: quad in the engine's input coordinates, text, score."""

    quad: np.ndarray  # (4, 2) float32, clockwise from top-left
    text: str
    score: float


class OcrEngine(Protocol):
    name: str
    version: str

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Quads (4x2, clockwise from top-left) of text lines in an RGB uint8 image."""

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence of each upright line crop."""

    def upside_down(self, crops: list[np.ndarray]) -> list[float]:
        """Probability that each crop is rotated by 180°."""


def crop_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-correct crop of one text line (handles small skew)."""
    from rapidocr.utils.process_img import get_rotate_crop_image

    return get_rotate_crop_image(image, copy.deepcopy(np.asarray(quad, dtype=np.float32)))


class RapidOcrEngine:
    """PP-OCRv6 det/rec small + PP-OCR mobile cls, via rapidocr 3.10 on onnxruntime."""

    name = "rapidocr"

    def __init__(self, threads: int = 0) -> None:
        """``threads``: onnxruntime's intra-op threads per session; 0 keeps its default."""
        from rapidocr import RapidOCR

        self.threads = threads
        params = {
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads or -1,
        }
        self._ocr = RapidOCR(params=params)
        # load the three sessions now: models load once, at start-up, never per request
        self._det = self._ocr._load_det_model()
        self._cls = self._ocr._load_cls_model()
        self._rec = self._ocr._load_rec_model()
        self.version = f"rapidocr-ppocrv6@{_dist_version('rapidocr')}"

    @property
    def full_page(self):
        """The plain rapidocr pipeline (full-page det + cls + rec): the speed baseline."""
        return self._ocr

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        # rapidocr's models take BGR like OpenCV
        out = self._det(np.ascontiguousarray(image[:, :, ::-1]))
        if out.boxes is None:
            return []
        return [np.asarray(b, dtype=np.float32) for b in out.boxes]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        from rapidocr.ch_ppocr_rec import TextRecInput

        if not crops:
            return []
        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
        out = self._rec(TextRecInput(img=bgr))
        return [(str(t), float(s)) for t, s in zip(out.txts, out.scores)]

    def upside_down(self, crops: list[np.ndarray]) -> list[float]:
        if not crops:
            return []
        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in crops]
        out = self._cls(bgr)
        return [score if "180" in label else 1.0 - score for label, score in out.cls_res]


class PaddleOcrEngine:
    """Optional: ``paddleocr`` 3.x with LOCAL model folders (it cannot download here).

    Needs ``pip install paddleocr==3.7.0 paddlepaddle==3.3.1`` and PaddleX-format model
    folders (settings ``PRESCREEN_PADDLE_DET_DIR`` and ``PRESCREEN_PADDLE_REC_DIR``, handed in
    by ``screening.resources``; docs/ocr.md says how to make them, and the caller sets
    ``PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK`` before this import, as paddlex reads it from the
    environment). Orientation is handled by our pre-processing.
    """

    name = "paddleocr"

    def __init__(self, det_dir: str | Path | None, rec_dir: str | Path | None, threads: int = 0) -> None:
        if not det_dir or not rec_dir:
            raise ValueError("paddleocr needs local model folders: set PRESCREEN_PADDLE_DET_DIR and PRESCREEN_PADDLE_REC_DIR")
        from paddleocr import TextDetection, TextRecognition  # optional extra

        self.threads = threads
        det_dir, rec_dir = str(det_dir), str(rec_dir)
        self._det = TextDetection(model_dir=det_dir, enable_mkldnn=False)
        self._rec = TextRecognition(model_dir=rec_dir, enable_mkldnn=False)
        self._fallback_cls = None
        self.version = f"paddleocr@{_dist_version('paddleocr')}"

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        res = list(self._det.predict(np.ascontiguousarray(image[:, :, ::-1])))
        if not res:
            return []
        return [np.asarray(q, dtype=np.float32) for q in res[0]["dt_polys"]]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        out = []
        for res in self._rec.predict([np.ascontiguousarray(c[:, :, ::-1]) for c in crops]):
            out.append((str(res["rec_text"]), float(res["rec_score"])))
        return out

    def upside_down(self, crops: list[np.ndarray]) -> list[float]:
        # paddle's own line classifier needs another model folder; rapidocr's cls is in the wheel
        if self._fallback_cls is None:
            self._fallback_cls = RapidOcrEngine(self.threads)
        return self._fallback_cls.upside_down(crops)


def _dist_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def load_engine(name: str = "rapidocr", *, threads: int = 0, det_dir: str | Path | None = None,
                rec_dir: str | Path | None = None) -> OcrEngine:
    """The engine named by ``name``; the caller hands in the settings (``screening.settings``)."""
    name = name.lower()
    if name == "rapidocr":
        return RapidOcrEngine(threads)
    if name == "paddleocr":
        return PaddleOcrEngine(det_dir, rec_dir, threads)
    raise ValueError(f"unknown OCR engine {name!r} (rapidocr or paddleocr)")
