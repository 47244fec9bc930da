"""The identifier validators and the eligibility name rules, measured on real public data.

``prescreen eval validators [--realdata PATH] [--json]`` prints the counts and whether each
meets its expectation (exit status 1 if one does not). Data: ../shared/realdata (see its
README): the 2002 enterprise registry (100,882 real name ↔ USCC pairs, 3 of them issued with
a non-conforming check character), python-stdnum's test vectors, bluesky335/IDCheck's pairs,
and real Chinese patent application numbers with malformed and foreign ones.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from screening.checks.entity import NON_LEGAL_PERSON_KINDS, ineligible_name_reasons
from screening.validators.patent_number import validate_patent_number
from screening.validators.uscc import ALPHABET, CONFUSABLE, correct_one_confusable, validate_uscc

HELP = "USCC and patent-number validators (and eligibility name rules) on real data"

REGISTRY = "uscc/enterprise_registration_2002_name_uscc.csv"
STDNUM_LIST = "uscc/python-stdnum_valid_uscc_list.txt"
STDNUM_DOCTEST = "uscc/python-stdnum_test_cn_uscc.doctest"
BLUESKY = "uscc/bluesky335_IDCheck_uscc_pairs.csv"
PATENTS = "patent_titles/cn_patent_application_numbers_real.csv"

# registry enterprise_type labels that say "not a legal person" (the others are legal persons or N/A)
_NON_LEGAL_TYPE = re.compile(r"非法人|分支|分公司|个人独资|个体|合伙|个人经营|私营独资|常驻代表|事业单位营业|经营单位")
_LEGAL_TYPES = frozenset({
    "有限责任公司", "股份有限公司", "集体所有制", "股份合作制", "国有企业", "集体企业", "股份制",
    "有限责任公司 国有企业", "有限责任公司 港、澳、台", "有限责任公司 外商投资企业", "集体经济", "港、澳、台",
})
CONFUSION_SAMPLE = 2000


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def doctest_vectors(text: str) -> tuple[list[str], list[str]]:
    """(valid, invalid) codes from python-stdnum's test_cn_uscc.doctest."""
    valid, invalid = [], []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r">>> uscc\.validate\('([^']*)'\)", line.strip())
        if m:
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            (invalid if following.startswith("Traceback") else valid).append(m.group(1))
        m = re.match(r"\.\.\. ([0-9A-Z]{18})$", line.strip())
        if m:
            valid.append(m.group(1))
    return valid, invalid


def evaluate_uscc(realdata: Path) -> dict:
    t0 = time.perf_counter()
    rows = _read_csv(realdata / REGISTRY)
    conforming = [r for r in rows if r["python_stdnum_is_valid"] == "True"]
    nonconforming = [r for r in rows if r["python_stdnum_is_valid"] != "True"]
    results = {r["uscc"]: validate_uscc(r["uscc"]) for r in rows}
    seconds = time.perf_counter() - t0
    accepted = sum(results[r["uscc"]].valid for r in conforming)
    org_fail = sorted(r["uscc"] for r in conforming if not results[r["uscc"]].org_check_ok)
    kinds = Counter(results[r["uscc"]].kind for r in conforming)

    stdnum_list = [x.strip() for x in (realdata / STDNUM_LIST).read_text(encoding="utf-8").splitlines() if x.strip()]
    doc_valid, doc_invalid = doctest_vectors((realdata / STDNUM_DOCTEST).read_text(encoding="utf-8"))
    bluesky = _read_csv(realdata / BLUESKY)
    blue_valid = [r["uscc"] for r in bluesky if r["label_in_source"] == "valid"]
    blue_bad = [r["uscc"] for r in bluesky if r["label_in_source"] != "valid"]
    return {
        "registry": {
            "codes": len(rows),
            "conforming": len(conforming),
            "conforming_accepted": accepted,
            "nonconforming": len(nonconforming),
            "nonconforming_rejected": sum(not results[r["uscc"]].valid for r in nonconforming),
            "org_check_fail": len(org_fail),
            "org_check_fail_codes": org_fail,
            "by_kind": dict(kinds.most_common()),
            "seconds": round(seconds, 2),
        },
        "stdnum_list": {"codes": len(stdnum_list), "accepted": sum(validate_uscc(c).valid for c in stdnum_list)},
        "stdnum_doctest": {
            "valid": len(doc_valid),
            "valid_accepted": sum(validate_uscc(c).valid for c in doc_valid),
            "invalid": len(doc_invalid),
            "invalid_rejected": sum(not validate_uscc(c).valid for c in doc_invalid),
            "invalid_vectors": doc_invalid,
        },
        "bluesky335": {
            "valid": len(blue_valid),
            "valid_accepted": sum(validate_uscc(c).valid for c in blue_valid),
            "nonconforming": len(blue_bad),
            "nonconforming_rejected": sum(not validate_uscc(c).valid for c in blue_bad),
        },
        "one_slip_correction": confusion_simulation([r["uscc"] for r in conforming]),
    }


def confusion_simulation(codes: list[str], n: int = CONFUSION_SAMPLE, seed: int = 0) -> dict:
    """One simulated OCR slip per code (a character replaced by one it is confused with):
    how often ``correct_one_confusable`` restores the code, refuses, or picks a wrong one."""
    rng = random.Random(seed)
    sample = rng.sample(codes, min(n, len(codes)))
    outcome = Counter()
    for code in sample:
        positions = [i for i, c in enumerate(code) if CONFUSABLE.get(c)]
        if not positions:
            outcome["no_confusable_character"] += 1
            continue
        i = rng.choice(positions)
        slipped = code[:i] + rng.choice(CONFUSABLE[code[i]]) + code[i + 1:]
        fixed = correct_one_confusable(slipped)
        key = "corrected" if fixed == code else "refused" if fixed is None else "wrong"
        outcome[key] += 1
        outcome["slip_outside_alphabet" if slipped[i] not in ALPHABET else "slip_inside_alphabet"] += 1
    return {"codes": len(sample), **dict(sorted(outcome.items()))}


def evaluate_patents(realdata: Path, max_year: int = 2026) -> dict:
    rows = _read_csv(realdata / PATENTS)
    well_formed = [r["application_number_raw"] for r in rows if r["check_digit_valid"] == "True"]
    malformed = [r["application_number_raw"] for r in rows if r["check_digit_valid"] != "True"]
    # the publication_number column: CN publication numbers (one row holds an application number)
    publications = sorted({
        r["publication_number"] for r in rows
        if r["publication_number"].replace(" ", "").upper().startswith("CN")
        and not validate_patent_number(r["publication_number"], max_year=max_year).valid
    })
    bad_results = {x: validate_patent_number(x, max_year=max_year) for x in malformed}
    pub_results = {x: validate_patent_number(x, max_year=max_year) for x in publications}
    return {
        "well_formed": len(well_formed),
        "well_formed_accepted": sum(validate_patent_number(x, max_year=max_year).valid for x in well_formed),
        "malformed_or_foreign": len(malformed),
        "malformed_or_foreign_rejected": sum(not r.valid for r in bad_results.values()),
        "rejection_reasons": {x: r.problems[0] for x, r in bad_results.items() if r.problems},
        "publication_numbers": len(publications),
        "publication_numbers_named": sum(r.problems == ("publication",) for r in pub_results.values()),
    }


def evaluate_eligibility(realdata: Path) -> dict:
    """The name and category rules against the registry's enterprise_type labels (noisy: a
    branch is sometimes labelled with its parent's type)."""
    counts = Counter()
    for r in _read_csv(realdata / REGISTRY):
        t = r["enterprise_type"]
        label = "non_legal" if _NON_LEGAL_TYPE.search(t) else "legal" if t in _LEGAL_TYPES else "unlabelled"
        reasons = ineligible_name_reasons(r["company_name"])
        certain = any(conf >= 1.0 for _, _, conf in reasons) or r["uscc"][:2] in NON_LEGAL_PERSON_KINDS
        counts[f"{label}"] += 1
        counts[f"{label}_flagged"] += bool(reasons) or certain
        counts[f"{label}_flagged_certain"] += certain
    return dict(sorted(counts.items()))


def evaluate_validators(realdata_dir: str | Path) -> dict:
    realdata = Path(realdata_dir)
    return {
        "uscc": evaluate_uscc(realdata),
        "patent_numbers": evaluate_patents(realdata),
        "eligibility": evaluate_eligibility(realdata),
    }


def expectations(report: dict) -> list[tuple[str, object, object]]:
    """(what, measured, expected) for every count the validators promise."""
    u, p = report["uscc"], report["patent_numbers"]
    reg = u["registry"]
    return [
        ("registry conforming codes accepted", reg["conforming_accepted"], reg["conforming"]),
        ("registry conforming codes", reg["conforming"], 100_879),
        ("registry non-conforming codes rejected", reg["nonconforming_rejected"], 3),
        ("registry codes failing the org check (pos. 17)", reg["org_check_fail"], 8),
        ("python-stdnum valid codes accepted", u["stdnum_list"]["accepted"], 200),
        ("python-stdnum doctest valid accepted", u["stdnum_doctest"]["valid_accepted"], u["stdnum_doctest"]["valid"]),
        ("python-stdnum doctest invalid rejected", u["stdnum_doctest"]["invalid_rejected"], u["stdnum_doctest"]["invalid"]),
        ("bluesky335 valid accepted", u["bluesky335"]["valid_accepted"], 12),
        ("bluesky335 non-conforming rejected", u["bluesky335"]["nonconforming_rejected"], 3),
        ("one-slip corrections that are wrong", u["one_slip_correction"].get("wrong", 0), 0),
        ("real patent numbers accepted", p["well_formed_accepted"], p["well_formed"]),
        ("malformed/foreign patent numbers rejected", p["malformed_or_foreign_rejected"], p["malformed_or_foreign"]),
        ("publication numbers named as such", p["publication_numbers_named"], p["publication_numbers"]),
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realdata", type=Path, default=None, help="real-data folder (default: PRESCREEN_REALDATA)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")


def run(args: argparse.Namespace) -> int:
    from screening.settings import realdata_dir

    args.realdata = args.realdata or realdata_dir()
    if not Path(args.realdata).is_dir():
        print(f"real-data folder {args.realdata} not found", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    report = evaluate_validators(args.realdata)
    report["seconds"] = round(time.perf_counter() - t0, 2)
    checks = expectations(report)
    if args.json:
        report["expectations"] = [{"what": w, "measured": m, "expected": e, "ok": m == e} for w, m, e in checks]
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for what, measured, expected in checks:
            print(f"{'ok  ' if measured == expected else 'FAIL'} {what}: {measured} (expected {expected})")
        print(f"one-slip OCR correction on {report['uscc']['one_slip_correction']}")
        print(f"eligibility rules vs registry labels: {report['eligibility']}")
        print(f"registry validation: {report['uscc']['registry']['seconds']} s; total {report['seconds']} s")
    return 0 if all(m == e for _, m, e in checks) else 1
