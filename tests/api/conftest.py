"""An app on a fresh database (SQLite and PostgreSQL), with an API key and the real text models
and duplicate search (OCR is off here: tests/ocr and the document checks' tests cover it)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from screening.checks import default_checks
from screening.pipeline import Pipeline, Resources
from screening.settings import Settings


@pytest.fixture(scope="session")
def text_screener():
    from models.embedder import SentenceEmbedder
    from models.text_screener import TextScreener

    return TextScreener.load_default(SentenceEmbedder.load_default())


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, ocr_enabled=False)


@pytest.fixture
def app(settings, store, text_screener):
    from screening.duplicates import DuplicateSearch

    duplicates = DuplicateSearch.open(settings.data_dir, store, text_screener.embedder)
    from screening.storage.filed import FiledRecords

    resources = Resources(verified_codes=store.is_code_verified, text=text_screener, duplicates=duplicates,
                          filed_records=FiledRecords(store))
    pipeline = Pipeline(default_checks(), resources)
    return create_app(settings, store=store, pipeline=pipeline)


@pytest.fixture
def api_key(store) -> str:
    """A key allowed everything, reviewers' actions included (tests/api/test_key_scopes.py
    covers what a pipeline key may not do)."""
    from screening.storage.keys import SCOPES

    return store.create_api_key("tests", actor="tests", scopes=SCOPES)


@pytest.fixture
def client(app, api_key):
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {api_key}"
        yield c


@pytest.fixture
def make_ocr_client(tmp_path, database_url, store, text_screener):
    """A client of an app that reads documents (real OCR) with settings of the test's choosing;
    its job workers run while the client is open."""
    from contextlib import contextmanager

    from ocr.readers import DocumentReaders
    from screening.duplicates import DuplicateSearch
    from screening.validators.uscc import CODE_RULES
    from training.docgen.fonts import available

    if not available():
        pytest.skip("fonts-noto-cjk not installed")

    @contextmanager
    def make(**overrides):
        settings = Settings(data_dir=tmp_path, database_url=database_url, ocr_enabled=True, **overrides)
        resources = Resources(verified_codes=store.is_code_verified, text=text_screener,
                              duplicates=DuplicateSearch.open(tmp_path, store, text_screener.embedder),
                              ocr=DocumentReaders.load(CODE_RULES))
        app = create_app(settings, store=store, pipeline=Pipeline(default_checks(), resources))
        with TestClient(app, raise_server_exceptions=False) as c:
            c.headers["Authorization"] = f"Bearer {store.create_api_key('tests', actor='tests')}"
            yield c

    return make
