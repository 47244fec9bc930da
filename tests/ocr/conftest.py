from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def readers():
    from ocr.readers import DocumentReaders
    from screening.validators.uscc import CODE_RULES

    return DocumentReaders.load(CODE_RULES)
