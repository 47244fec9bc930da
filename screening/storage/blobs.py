"""Content-addressed file storage on local disk.

Files are written before the database transaction that references them, each by an atomic
rename, so a failed request leaves at most an unreferenced blob (harmless, identical content
for any later upload of the same bytes) and never a record pointing at a missing file.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import NotFound, Unavailable
from ..uploads import file_sha256
from .atomic import atomic_file


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound(f"no file {sha256!r}", field="sha256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        sha = file_sha256(data)  # the same identity as UploadedFile.sha256
        path = self.path_for(sha)
        if path.exists():
            return sha
        try:
            self._write(path, data)
        except OSError as exc:  # read-only, full, or not a directory: the caller's request is not at fault
            raise _unwritable(exc) from None
        return sha

    def _write(self, path: Path, data: bytes) -> None:
        with atomic_file(path) as fh:
            fh.write(data)

    def check_writable(self, min_free_bytes: int = 0) -> str:
        """'ok', or why an upload could not be stored now (readiness asks this)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".probe-")
            os.close(fd)
            os.unlink(tmp)
            free = shutil.disk_usage(self.root).free
        except OSError as exc:
            return f"error: {errno.errorcode.get(exc.errno or 0, type(exc).__name__)}"
        if free < min_free_bytes:
            return f"error: {free} bytes free, below {min_free_bytes}"
        return "ok"

    def get(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no file {sha256}", field="sha256") from None


def _unwritable(exc: OSError) -> Unavailable:
    # the errno's name, never the path: messages reach clients and logs
    reason = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return Unavailable(f"the upload storage cannot be written now ({reason}); nothing was stored, try again later")
