"""Uploads as the pipeline and the store both see them: the raw file, its hash, and the
decoded image the file check hands to the readers.

One module so the pipeline (which screens) and the store (which records and de-duplicates by
``content_hash``) agree on what a file's identity is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .contract import Submission, to_jsonable

if TYPE_CHECKING:  # Pillow is imported where images are decoded (screening.files), not here
    from PIL import Image


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class UploadedFile:
    """One uploaded file, named by its multipart part (HTTP) or path (CLI)."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return file_sha256(self.data)

    @property
    def size(self) -> int:
        return len(self.data)


def content_hash(submission: Submission, files: dict[str, UploadedFile]) -> str:
    """The identity of one screening's input: the form and every file's hash (the store keeps a
    revision once per content_hash)."""
    body = json.dumps(
        {"form": to_jsonable(submission), "files": sorted((n, f.sha256) for n, f in files.items())},
        ensure_ascii=False,
        sort_keys=True,
    )
    return file_sha256(body.encode("utf-8"))


@dataclass(frozen=True)
class DecodedUpload:
    """An image upload the file check accepted and decoded, for the checks that look at pixels.

    ``scale`` is decoded width / width in the file: boxes found on ``image`` are divided by it
    to name pixels of the file the reviewer sees.
    """

    file: str  # the upload's name (the document's ``file``)
    kind: str  # the document kind it was uploaded as (business_licence, product_photo, …)
    image: "Image.Image"  # RGB, long side <= screening.files.MAX_SIDE
    scale: float = 1.0
    original_size: tuple[int, int] | None = None  # (width, height) as stored in the file
