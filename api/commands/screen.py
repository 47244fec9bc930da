"""prescreen screen: one submission, or a batch from JSONL, recorded like an HTTP screening."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from screening.errors import InvalidInput, PrescreenError
from screening.parsing import parse_submission, parse_submission_json
from screening.pipeline import UploadedFile
from screening.resources import build_pipeline
from screening.service import MAX_FILE_BYTES, ScreeningService

from ._common import setup, store_for


def register(sub) -> None:
    p = sub.add_parser("screen", help="screen a submission (files relative to it); report JSON on stdout")
    p.add_argument("submission", nargs="?", type=Path, help="SUBMISSION.json")
    p.add_argument("--batch", type=Path, metavar="SUBMISSIONS.jsonl", help="one submission a line")
    p.add_argument("--out", type=Path, metavar="REPORTS.jsonl", help="where batch reports go (one a line)")
    p.add_argument("--dry-run", action="store_true", help="screen without recording")
    p.add_argument("--no-ocr", action="store_true", help="skip reading the documents (faster; the report says so)")
    p.add_argument("--workers", type=int, default=0, metavar="N",
                   help="with --batch: queue every line as a job and run N worker processes (each loads the "
                        "models once); `prescreen worker` on other hosts on the same database helps too")
    p.set_defaults(func=run)


def load_files(submission, base: Path) -> dict[str, UploadedFile]:
    files = {}
    for i, doc in enumerate(submission.documents):
        path = (base / doc.file).resolve()
        if not path.is_file():
            raise InvalidInput(f"file {doc.file!r} not found next to the submission", field=f"documents[{i}].file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InvalidInput(f"file {doc.file!r} is over {MAX_FILE_BYTES} bytes", field=f"documents[{i}].file")
        files[doc.file] = UploadedFile(name=doc.file, data=path.read_bytes())
    return files


def run(args: argparse.Namespace) -> int:
    if (args.submission is None) == (args.batch is None):
        raise InvalidInput("give either SUBMISSION.json or --batch SUBMISSIONS.jsonl", field="submission")
    if args.batch is not None and args.out is None:
        raise InvalidInput("--batch needs --out REPORTS.jsonl", field="--out")
    settings = setup(quiet=True)
    store = store_for(settings)
    pipeline, status = build_pipeline(settings, store, ocr=False if args.no_ocr else None)
    for name, error in status.failed.items():
        print(f"prescreen: warning: {name} did not load ({error}); its checks will report CHECK_FAILED",
              file=sys.stderr)
    service = ScreeningService(pipeline, store)
    if args.submission is not None:
        path: Path = args.submission
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="submission") from None
        submission = parse_submission_json(text)
        files = load_files(submission, path.parent)
        if args.dry_run:
            report = service.screen_only(submission, files).to_dict()
        else:
            report, _ = service.screen(submission, files, actor="cli")
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if args.workers:
        if args.dry_run:
            raise InvalidInput("--dry-run screens in this process only; leave out --workers", field="--workers")
        from .screen_batch import batch_over_workers

        return batch_over_workers(service, args)
    return _batch(service, args)


def read_lines(src: Path) -> list[str]:
    try:
        return src.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {src}: {exc}", field="--batch") from None


def parse_line(line: str, base: Path):
    """One batch line's submission and files, or the InvalidInput that names what is wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg}", field="submission") from None
    submission = parse_submission(data)
    return submission, load_files(submission, base)


def line_error(lineno: int, exc: PrescreenError) -> dict:
    print(f"prescreen: line {lineno}: {exc.message} (field: {exc.field})", file=sys.stderr)
    return {"line": lineno, **exc.to_dict()}


def _batch(service: ScreeningService, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    src: Path = args.batch
    lines = read_lines(src)
    bad = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for lineno, line in enumerate(tqdm(lines, desc="screening", unit="sub", file=sys.stderr), start=1):
            if not line.strip():
                continue
            try:
                submission, files = parse_line(line, src.parent)
                if args.dry_run:
                    report = service.screen_only(submission, files).to_dict()
                else:
                    report, _ = service.screen(submission, files, actor="cli:batch")
            except PrescreenError as exc:
                bad += 1
                report = line_error(lineno, exc)
            out.write(json.dumps(report, ensure_ascii=False) + "\n")
    if bad:
        print(f"prescreen: {bad} of {len(lines)} lines were not screened (see above)", file=sys.stderr)
        return 2
    return 0
