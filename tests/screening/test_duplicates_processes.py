"""Two server processes on one database: a filing screened through one is reported as a
duplicate by the other (each has its own DuplicateSearch and its own index directory)."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from screening.checks.duplicates import DuplicateChecks
from screening.duplicates import DuplicateSearch
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources
from screening.service import ScreeningService

REPO = Path(__file__).resolve().parents[2]

# the other process: opens the store and its own duplicate index, screens and records one filing
OTHER_PROCESS = r"""
import json, sys
from datetime import date
from pathlib import Path
from models.embedder import SentenceEmbedder
from screening.checks.duplicates import DuplicateChecks
from screening.duplicates import DuplicateSearch
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, Resources
from screening.service import ScreeningService
from screening.storage import open_store

url, files, data, form = sys.argv[1:]
store = open_store(url, Path(files))
search = DuplicateSearch.open(Path(data), store, SentenceEmbedder.load_default())
service = ScreeningService(Pipeline([DuplicateChecks()], Resources(duplicates=search)), store)
report, _ = service.screen(parse_submission(json.loads(form)), {}, actor="process-a", today=date(2026, 11, 20))
print(json.dumps({"revision": report["revision"], "codes": [f["code"] for f in report["findings"]]}))
"""

FILED = {
    "submission_id": "2026-P-100001", "stage": "product",
    "entity": {"uscc": "91440300MA5H3E0T3W", "name": "深圳市雄楚速通国际物流有限公司"},
    "product": {"name": "智能扫地机器人", "models": ["RV-X20"],
                "intro": "激光导航扫地机器人，带自动集尘座，吸力4000帕，适用于家庭地面清洁。",
                "patents": [{"number": "CN201710601862.3"}]},
    "documents": [],
}
REFILED = {
    "submission_id": "2026-P-100002", "stage": "product",
    "entity": {"uscc": "91110113344302387N", "name": "北京格润美顺环境科技有限公司"},
    "product": {"name": "扫地机器人（智能）", "models": ["RV-X20 白色"],
                "intro": "本产品是带集尘座的激光导航扫地机器人，吸力4000帕，用于家里地面的清洁。",
                "patents": [{"number": "CN201710601862.3"}]},
    "documents": [],
}


@pytest.mark.slow
def test_a_filing_through_one_process_is_a_duplicate_in_the_other(store, database_url, tmp_path):
    from models.embedder import SentenceEmbedder

    # this process starts first, on the empty database, with its own index directory
    search = DuplicateSearch.open(tmp_path / "b", store, SentenceEmbedder.load_default())
    service = ScreeningService(Pipeline([DuplicateChecks()], Resources(duplicates=search)), store)
    assert len(search) == 0

    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, database_url, str(tmp_path / "files"), str(tmp_path / "a"),
         json.dumps(FILED, ensure_ascii=False)],
        cwd=REPO, capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["revision"] == 1

    report, _ = service.screen(parse_submission(REFILED), {}, actor="process-b", today=date(2026, 11, 20))
    dups = [f for f in report["findings"] if f["code"] == "DUPLICATE_FILING"]
    assert [d["evidence"]["other"]["submission_id"] for d in dups] == ["2026-P-100001"]
    assert report["duplicates"][0]["entity_name"] == "深圳市雄楚速通国际物流有限公司"
