"""Build ``screening/data/gbt4754_2017.csv``: the codes and names of GB/T 4754-2017 (国民经济行业分类).

``prescreen train gbt4754-table [--realdata PATH] [--out FILE]``

The codes and names of a national classification standard are public facts (the National
Bureau of Statistics publishes the table), so the list ships with the service; the official
explanations (说明) do not. Source: ../shared/realdata/classification_standards/
gbt4754_2017_zmshe_capital.csv (1,380 classes). One row per code, written as the platform
writes it: section letter + 2 (division), 3 (group) or 4 (class) digits, and the 20 sections
as a bare letter. Groups that the source lists only through their single class (a class code
ending in 0) are derived from the class code.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

HELP = "write the GB/T 4754-2017 code table shipped in screening/data (from ../shared/realdata)"
SOURCE = "classification_standards/gbt4754_2017_zmshe_capital.csv"
OUT = Path(__file__).resolve().parent.parent / "screening" / "data" / "gbt4754_2017.csv"


def build_table(source: Path) -> list[dict]:
    rows = list(csv.DictReader(source.open(encoding="utf-8")))
    out: dict[str, dict] = {}
    for r in rows:
        level, section = int(r["level"]), r["section"]
        code = section + {1: "", 2: r["division"], 3: r["group"], 4: r["class"]}[level]
        out[code] = {"code": code, "level": level, "name": r["name"].strip()}
    for r in rows:  # a group listed only through its single class
        if r["level"] == "4":
            group = r["section"] + r["class"][:3]
            out.setdefault(group, {"code": group, "level": 3, "name": r["name"].strip()})
    return sorted(out.values(), key=lambda x: (x["code"][0], x["code"][1:].ljust(4, "0"), x["level"]))


def write_table(rows: list[dict], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["code", "level", "name"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata"
    parser.add_argument("--realdata", type=Path, default=default, help="real-data folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the table")


def run(args: argparse.Namespace) -> int:
    source = Path(args.realdata) / SOURCE
    if not source.is_file():
        print(f"{source} not found")
        return 2
    rows = build_table(source)
    write_table(rows, args.out)
    counts = {lv: sum(1 for r in rows if r["level"] == lv) for lv in (1, 2, 3, 4)}
    print(f"wrote {len(rows)} codes to {args.out}: {counts[1]} sections, {counts[2]} divisions, "
          f"{counts[3]} groups, {counts[4]} classes")
    return 0
