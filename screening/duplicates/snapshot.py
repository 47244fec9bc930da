"""The duplicate search's snapshot: one ``.npz`` (a zip of ``.npy`` arrays) with a JSON header,
the filing table's arrays and the faiss index, written to a temp file, fsynced and
``os.replace``d — processes sharing a data directory never read half of one. Arrays are
read with ``allow_pickle=False``.

Format 2 keeps the table's columns as arrays (loaded as they are, no per-filing work) and
streams the faiss index in and out of its own member (``index.faiss``, faiss's own format)
a chunk at a time: at a million filings the index is about 1 GB, and a whole serialised
copy of it beside the live one, on every save and at start-up, would set the process's peak.
Format 1 kept the filings as JSON lines and the index as one byte array; it is still read,
so an upgrade does not re-embed every filing.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..storage.atomic import atomic_file
from .filing import Filing
from .columns import Column, spare
from .filing_table import COLUMNS, FilingTable
from .vector_index import IndexSpec, VectorIndex

FORMAT = 2
READABLE = (1, 2)
_TABLE = "table_"
_INDEX = "index.faiss"


@dataclass
class Snapshot:
    meta: dict  # format, embedder, dim, spec, last_id, applied
    vectors: VectorIndex
    table: FilingTable


def write(path: Path, meta: dict, vectors: VectorIndex, table: FilingTable) -> None:
    with atomic_file(path, prefix=".snapshot-", suffix=".npz") as fh:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            _array(zf, "meta", np.frombuffer(json.dumps({**meta, "format": FORMAT}).encode("utf-8"), np.uint8))
            for name, values in table.arrays().items():
                _array(zf, f"{_TABLE}{name}", values)
            with zf.open(_INDEX, "w", force_zip64=True) as out:
                vectors.write(out.write)


def _array(zf: zipfile.ZipFile, name: str, values: np.ndarray) -> None:
    with zf.open(f"{name}.npy", "w", force_zip64=True) as out:
        np.lib.format.write_array(out, np.ascontiguousarray(values), allow_pickle=False)


def _column(z, name: str) -> Column:
    """A table column read straight into an array with room to grow: the first filing held
    after start-up would otherwise copy every column (the 0.4 GB byte heap at 1M) at once."""
    with z.zip.open(f"{name}.npy") as fh:
        version = np.lib.format.read_magic(fh)
        header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if header is None:  # not what write_array makes for a plain column: read it the plain way
            values = z[name]
            return Column(values.dtype, values)
        shape, _, dtype = header(fh)
        if dtype.hasobject or len(shape) != 1:
            raise ValueError(f"{name}: not a column")
        data = np.empty(spare(shape[0]), dtype)
        view = memoryview(data[: shape[0]]).cast("B")
        got = 0
        while got < len(view):
            n = fh.readinto(view[got:])
            if not n:
                raise ValueError(f"{name}: truncated")
            got += n
        return Column(dtype, data, shape[0])


def read_meta(z) -> dict:
    return json.loads(z["meta"].tobytes().decode("utf-8"))


def read(z, meta: dict, dim: int) -> Snapshot:
    """The snapshot in the open ``np.load`` archive ``z`` (its header already read and accepted)."""
    spec = IndexSpec(**meta["spec"])
    if meta["format"] == 1:
        table = FilingTable()
        for line in z["filings"].tobytes().decode("utf-8").splitlines():
            if line:
                table.hold(Filing.from_json(json.loads(line)))
        return Snapshot(meta, VectorIndex.from_bytes(z["index"], dim, spec), table)
    arrays = {name[len(_TABLE):]: z[name] for name in z.files
              if name.startswith(_TABLE) and name[len(_TABLE):] not in COLUMNS}
    arrays.update((name, _column(z, f"{_TABLE}{name}")) for name in COLUMNS)
    table = FilingTable.from_arrays(arrays)
    with z.zip.open(_INDEX) as fh:
        vectors = VectorIndex.read(fh.read, dim, spec)
    return Snapshot(meta, vectors, table)
