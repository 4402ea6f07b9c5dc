"""Schemathesis against the write endpoints of the live service (gunicorn on loopback): whatever
it generates for insert, update, batch and delete of each editable table, the answer is never a
5xx and conforms to the OpenAPI document (status, content type, body), good and bad data alike.

A store of its own (writes change it).  Acceptance and rejection checks are left out: the API
takes more than the document can say (a reference as an id string as well as the served object),
and a generated row is usually refused by what only the store knows (no such account).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from schemas import SYNC_TABLES
from tests.helpers import seeded_service

TOKEN = "fuzz-writer"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = max(5, int(os.environ.get("CSM_FUZZ_EXAMPLES", "60")) // 6)
CASES = [
    pytest.param(path, method, mode, id=f"{method}-{path}-{mode.value}")
    for t in SYNC_TABLES
    if t.editable
    for path, method in [
        (f"/v1/tables/{t.name}/rows", "POST"),
        (f"/v1/tables/{t.name}/rows/{{id}}", "PATCH"),
        (f"/v1/tables/{t.name}/rows/{{id}}", "DELETE"),
        (f"/v1/tables/{t.name}/rows/batch", "POST"),
    ]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
]


@pytest.fixture(scope="session")
def write_base(tmp_path_factory):
    with seeded_service(tmp_path_factory.mktemp("fuzz-writes"), TOKEN) as base:
        yield base


@pytest.fixture(scope="session")
def write_schema(write_base):
    return schemathesis.openapi.from_url(f"{write_base}/v1/openapi.json", headers=AUTH)


@pytest.mark.parametrize("path,method,mode", CASES)
def test_writes_never_fail_and_answer_as_documented(write_schema, write_base, path, method, mode):
    operation = write_schema[path][method]
    seen = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        derandomize=True,
    )
    def run(case):
        response = case.call(base_url=write_base, headers=AUTH)
        assert response.status_code < 500, (case.as_curl_command(headers=AUTH), response.text[:500])
        case.validate_response(
            response, excluded_checks=[positive_data_acceptance, negative_data_rejection], headers=AUTH
        )
        seen.append(response.status_code)

    run()
    assert seen, f"no request was made for {method} {path}"
