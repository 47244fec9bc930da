"""Reading the uploaded documents: the business licence and the profit statement.

``ocr.readers.DocumentReaders`` is loaded once at start-up, with the credit code's rules
handed in (``DocumentReaders.load(rules)``); ``read_document`` serves ``prescreen read
licence|statement|seals IMAGE``. See docs/ocr.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

KINDS = {"licence": "licence", "business_licence": "licence", "statement": "statement", "profit_statement": "statement",
         "seals": "seals"}

def read_document(kind: str, path: str | Path, readers: Any) -> dict[str, Any]:
    """The fields one ``DocumentReaders`` reads from one document image, JSON-ready (boxes,
    confidences, raw text)."""
    which = KINDS.get(kind)
    if which is None:
        raise ValueError(f"unknown document kind {kind!r}: licence, statement or seals")
    if which == "seals":  # any page's seals and what their rims say (a pledge, a proof)
        return {**readers.read_seals(path).to_dict(), "kind": "seals", "file": str(path)}
    reading = readers.read_licence(path) if which == "licence" else readers.read_statement(path)
    out = reading.to_dict()
    out["kind"] = "business_licence" if which == "licence" else "profit_statement"
    out["file"] = str(path)
    return out
