"""Property-based test of the HTTP API against its own OpenAPI document (schemathesis).

Every operation gets generated requests — valid and invalid — with a real API key and a
seeded submission, and must never answer with a server error nor with anything its
OpenAPI document does not describe (status code, content type, headers, body). Runs on SQLite (the whole
API's behaviour on PostgreSQL is covered by the other API tests).
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from screening.checks import default_checks
from screening.pipeline import Pipeline, Resources
from screening.settings import Settings
from screening.storage import open_store


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory):
    from tests.conftest import CONTRACT_EXAMPLE
    from screening.parsing import parse_submission

    tmp = tmp_path_factory.mktemp("fuzz")
    settings = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'fuzz.db'}", ocr_enabled=False)
    store = open_store(settings.sqlalchemy_url, settings.files_dir)
    pipeline = Pipeline(default_checks(), Resources(verified_codes=store.is_code_verified))
    app = create_app(settings, store=store, pipeline=pipeline)
    from screening.storage.keys import SCOPES

    key = store.create_api_key("fuzz", actor="tests", scopes=SCOPES)
    # a stored submission, so GET and decision operations also reach their success paths
    sub = parse_submission(json.loads(json.dumps(CONTRACT_EXAMPLE)))
    app.state.service.screen(sub, {}, actor="tests")
    return app, key


# no server error, every answer documented (status code, content type, headers, body), and
# invalid requests rejected. (positive_data_acceptance is left out: the submission part is
# documented as a JSON string, so any string is "schema-valid" and is rightly refused.)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]


# examples per operation and mode: 30 in every run; the release check runs 200
# (PRESCREEN_FUZZ_EXAMPLES=200, README "Measured")
EXAMPLES = int(os.environ.get("PRESCREEN_FUZZ_EXAMPLES", "30"))


# schemathesis' own pytest plugin does not run under pytest 9 ('Function' has no '_nodeid'),
# so operations are driven with Hypothesis directly: same strategies, same checks.
@pytest.mark.slow  # schemathesis drives every operation: the fuzz belongs to `make test`, not the quick loop
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(fuzz_env, mode):
    app, key = fuzz_env
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7  # every route is documented
    fuzzed = 0
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def call(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

        try:
            call()
            fuzzed += 1
        except Unsatisfiable:
            # an operation with no parameters or body has no invalid inputs to generate
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert fuzzed >= (len(operations) if mode is GenerationMode.POSITIVE else 4)
