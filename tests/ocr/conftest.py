from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def readers():
    from ocr.readers import DocumentReaders

    return DocumentReaders.load()
