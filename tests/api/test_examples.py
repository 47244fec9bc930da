"""README's curl example, as a TestClient request, with the files shipped under examples/."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def curl_parts() -> list[tuple[str, Path]]:
    """(part name, file) for each ``-F 'name=@path…'`` of README's curl example."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(curl [^`]*?/v1/screenings)\n```", text, re.S)
    assert block, "README.md has no curl example for /v1/screenings"
    return [(name, REPO / path) for name, path in re.findall(r"-F '([^=]+)=@([^;']+)", block.group(1))]


def test_readme_curl_example_files_exist_and_are_small():
    parts = curl_parts()
    assert [name for name, _ in parts] == ["submission", "licence.jpg", "statement.png", "pledge.png"]
    for _, path in parts:
        assert path.is_file() and path.stat().st_size < 400_000, path


@pytest.fixture
def ocr_client(make_ocr_client):
    with make_ocr_client() as c:
        yield c


@pytest.mark.slow  # real OCR of two documents: 2–5 s
def test_readme_curl_example_gives_a_complete_report(ocr_client):
    files = {}
    for name, path in curl_parts():
        mime = "application/json" if name == "submission" else "application/octet-stream"
        files[name] = (path.name, path.read_bytes(), mime)
    r = ocr_client.post("/v1/screenings", files=files)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["status"] == "complete"
    # the documents agree with the form: nothing is flagged on the sample
    assert [f["code"] for f in report["findings"]] == [], [(f["code"], f["message"]) for f in report["findings"]]
    assert json.loads((REPO / "examples" / "submission.json").read_text(encoding="utf-8"))["submission_id"] == report["submission_id"]
