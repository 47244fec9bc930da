"""Which seal is on a statement: the rim reader's kinds on generated pages and on real seals.

``prescreen eval seal-kinds [--n 100] [--seed 20000]``

Page i is ``render_statement(random.Random(seed + i), sealed=True, seal_kind=K)`` with K
cycling through the generator's seals (finance, official, contract, invoice, audit), damaged
as the generator damages pages, and read by the statement reader. Printed: the confusion
matrix of the generator's kind against the kind read, the share of each kind the check can
judge, and the false flags: finance and audit seals read as a kind that makes a finding.
Development figure: the kind words (财务, 合同, 会计师事务所) are the seals' own words, which the
generator must write and the reader must look for.

Owners: page i of ``--owners`` carries a finance seal of the preparer itself (even i) or of
another organisation (odd i); the statement check runs on each, and the pages where it says the
seal is another organisation's are counted (false flags on the preparer's own seal, found on the
others').

The real licence scans in ../shared/realdata/doc_images/business_licenses/ carry the
registration authority's seal (…市场监督管理局): each seal found there is read, and counted
right when read as ``authority`` (the real statement scans' seals are pixelated: not read).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter

HELP = "seal kinds read off the rim: generated statements per kind, real licence seals"

# the generator's kinds → the kind the reader should answer (invoice and contract are both "purpose")
EXPECTED = {"finance": "finance", "official": "official", "contract": "purpose", "invoice": "purpose", "audit": "audit"}
FLAGGED = ("purpose", "authority", "official")  # kinds the statement check reports (official: without an explanation)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=100, help="generated pages, kinds in turn (default 100)")
    parser.add_argument("--seed", type=int, default=20000, help="page i uses random.Random(seed + i) (default 20000)")
    parser.add_argument("--owners", type=int, default=100, help="pages for the seal-owner check, half foreign (default 100)")


def evaluate_seal_kinds(n: int, seed: int, readers, progress: bool = False) -> dict:
    from tqdm import tqdm

    from training.docgen.statement import SEAL_KINDS, render_statement

    confusion: Counter = Counter()
    took = []
    for i in tqdm(range(n), desc="seal-kinds", unit="page", disable=not progress):
        kind = list(SEAL_KINDS)[i % len(SEAL_KINDS)]
        img, _truth = render_statement(random.Random(seed + i), sealed=True, seal_kind=kind)
        t0 = time.perf_counter()
        reading = readers.read_statement(img)
        took.append(time.perf_counter() - t0)
        confusion[(kind, reading.seal_rim.kind if reading.seal_rim else "no seal")] += 1
    per_kind = {}
    for kind, want in EXPECTED.items():
        total = sum(v for (k, _), v in confusion.items() if k == kind)
        right = confusion[(kind, want)]
        wrong = sum(v for (k, got), v in confusion.items() if k == kind and got not in (want, "unknown", "no seal"))
        per_kind[kind] = {"pages": total, "read_right": right, "read_wrong_kind": wrong,
                          "unknown": confusion[(kind, "unknown")], "no_seal": confusion[(kind, "no seal")],
                          "share_right": round(right / total, 3) if total else None}
    accepted = [k for k in EXPECTED if EXPECTED[k] in ("finance", "audit")]
    pages = sum(per_kind[k]["pages"] for k in accepted)
    false_flags = sum(v for (k, got), v in confusion.items() if k in accepted and got in FLAGGED)
    return {
        "pages": n, "seed": seed, "per_kind": per_kind,
        "confusion": {f"{k} → {got}": v for (k, got), v in sorted(confusion.items())},
        "false_flags": f"{false_flags}/{pages} finance and audit seals read as a flagged kind",
        "median_statement_ms": round(1000 * sorted(took)[len(took) // 2], 1) if took else None,
        "side": "development (generated pages; the kind words are the seals' own)",
    }


def evaluate_seal_owners(n: int, seed: int, readers, progress: bool = False) -> dict:
    """The statement check on finance seals of the preparer (even pages) and of another
    organisation (odd pages): how often it says the seal is not the entity's own."""
    from datetime import date, datetime

    from tqdm import tqdm

    from screening.checks.documents import DocumentChecks
    from screening.contract import DocumentRef, Entity, Submission
    from screening.pipeline import DecodedUpload, Resources, ScreeningContext
    from training.docgen.entities import pick_entity
    from training.docgen.statement import render_statement

    counts: Counter = Counter()
    for i in tqdm(range(n), desc="seal-owners", unit="page", disable=not progress):
        foreign = i % 2 == 1
        who = pick_entity(random.Random(seed + i + 10**6))
        other = pick_entity(random.Random(seed + i + 2 * 10**6)).name if foreign else None
        img, _ = render_statement(random.Random(seed + i), sealed=True, seal_kind="finance", seal_name=other, entity=who)
        sub = Submission(submission_id="eval", stage="entity", submitted_at=datetime(2026, 3, 1, 10),
                         entity=Entity(uscc=who.uscc, name=who.name, kind="enterprise"),
                         documents=[DocumentRef(kind="profit_statement", file="s.png")])
        ctx = ScreeningContext(submission=sub, files={}, resources=Resources(ocr=readers), today=date(2026, 3, 1),
                               decoded={"s.png": DecodedUpload(file="s.png", kind="profit_statement", image=img)})
        DocumentChecks().run(ctx)
        said = any(f.code == "STATEMENT_UNSEALED" and "seal_owner" in f.evidence for f in ctx.findings)
        counts[(foreign, said)] += 1
    own, foreign = n - n // 2, n // 2
    return {"pages": n, "seed": seed,
            "own_seal_said_foreign": f"{counts[(False, True)]}/{own}",
            "foreign_seal_found": f"{counts[(True, True)]}/{foreign}",
            "side": "development (generated pages)"}


def real_licence_seals(engine) -> dict:
    """Every seal found on the real licence scans, read; right when read as the authority's."""
    from ocr.preprocess import to_rgb_array
    from ocr.seal_text import read_seal
    from ocr.seals import find_red_seals
    from training.docgen.entities import realdata_dir

    folder = realdata_dir() / "doc_images" / "business_licenses"
    if not folder.is_dir():
        return {"absent": str(folder)}
    kinds: Counter = Counter()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        rgb = to_rgb_array(path)
        for box, _ in find_red_seals(rgb):
            kinds[read_seal(engine, rgb, box).kind] += 1
    total = sum(kinds.values())
    return {"seals": total, "kinds": dict(kinds),
            "read_as_authority": f"{kinds['authority']}/{total}",
            "read_as_another_kind": total - kinds["authority"] - kinds["unknown"]}


def run(args: argparse.Namespace) -> int:
    from ocr.readers import DocumentReaders
    from screening.validators.uscc import CODE_RULES

    readers = DocumentReaders.load(CODE_RULES)
    out = {"generated": evaluate_seal_kinds(args.n, args.seed, readers, progress=True),
           "owners": evaluate_seal_owners(args.owners, args.seed + 50_000, readers, progress=True),
           "real": real_licence_seals(readers.engine)}
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0
