"""Uploaded files as the pages serve them: the content type judged from the bytes, never the name."""

from __future__ import annotations

from functools import lru_cache

from PIL import Image

from screening.storage import BlobStore

SIGNATURES = [  # (offset, magic, content type)
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"BM", "image/bmp"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (4, b"ftyp", "video/mp4"),
]
INLINE = {"image/png", "image/jpeg", "image/bmp", "image/gif", "application/pdf", "video/mp4"}


def content_type(head: bytes) -> str:
    for offset, magic, mime in SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


class FileInfo:
    """Content type and pixel size of stored blobs. Blobs never change (content-addressed), so
    what is judged once is cached for the life of the process."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self.sniff = lru_cache(maxsize=4096)(self._sniff)

    def _sniff(self, sha256: str) -> tuple[str, int | None, int | None]:
        path = self.blobs.path_for(sha256)
        try:
            with path.open("rb") as fh:
                head = fh.read(64)
        except FileNotFoundError:
            return "application/octet-stream", None, None
        mime = content_type(head)
        if not mime.startswith("image/"):
            return mime, None, None
        try:
            with Image.open(path) as img:  # reads the header only
                w, h = img.size
        except Exception:  # a corrupt upload: shown as a download, not drawn on
            return "application/octet-stream", None, None
        return mime, w, h
