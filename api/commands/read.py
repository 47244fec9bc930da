"""prescreen read licence|statement|seals IMAGE: the fields read from one document."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from screening.errors import InvalidInput


def register(sub) -> None:
    p = sub.add_parser("read", help="read one document: fields as JSON, with boxes and confidences")
    p.add_argument("kind", choices=["licence", "statement", "seals"],
                   help="which reader: business licence, profit statement, or the seals of any page (kind and words)")
    p.add_argument("image", type=Path, help="the scan or photo (JPEG, PNG or PDF)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ocr import read_document
    from screening.resources import load_readers
    from screening.settings import get_settings

    if not args.image.is_file():
        raise InvalidInput(f"no such file: {args.image}", field="image")
    readers = load_readers(get_settings())
    json.dump(read_document(args.kind, args.image, readers), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0
