"""Property-based run of the committed OpenAPI document against the API handler.

schemathesis generates valid and invalid requests for every operation of
functions/api/openapi.json (its coverage phase adds the boundary cases: missing
fields, wrong types, values just out of range) and sends them through a WSGI
face of the real handler, as one signed-in user who owns a session with an
answer. Any 500, undocumented status or response that breaks its schema fails.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks

from talentsync.db import Connection
from talentsync.models import Response
from tests.support.api_events import wsgi_app
from tests.support.builders import make_question, make_response, make_session

DOCUMENT = Path(__file__).parents[2] / "functions" / "api" / "openapi.json"
USER = UUID("3f6c1d2e-9b8a-4c7d-8e6f-5a4b3c2d1e0f")

# Small enough to keep the run near 30 s on 2 cores; the seed makes it repeatable.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20240115,
        # What a signed-in client sends; the WSGI face turns it into claims.
        "headers": {"Authorization": "test-id-token"},
        "generation": {"mode": "all", "max-examples": 12, "database": "none"},
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "404", "409", "413", "415", "422"]
            }
        },
    }
)
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]

schema = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG)
# Every request, the checks' own follow-up requests included, goes to the handler.
schema.app = wsgi_app(USER)


@pytest.fixture
def owned_answer(api_with_bucket: str, conn: Connection) -> Response:
    """A session of USER, its current question set, with one recorded answer."""
    session = make_session(conn, user_id=USER)
    question = make_question(conn)
    conn.execute(
        "UPDATE sessions SET current_question_id = %s WHERE id = %s",
        (question.id, session.id),
    )
    return make_response(conn, session, question)


@schema.parametrize()
# The owned rows are set up once per operation, on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_openapi_document(
    case: Any, owned_answer: Response
) -> None:
    aim_some_ids_at_owned_rows(case, owned_answer)

    case.call_and_validate(checks=CHECKS)


def aim_some_ids_at_owned_rows(case: Any, answer: Response) -> None:
    """Point half the valid ids at USER's own rows, so success paths run too.

    A random UUID only ever reaches "not found"; which half is decided by the
    generated id itself, so the run stays repeatable.
    """
    owned = {
        "session_id": answer.session_id,
        "transcription_id": answer.transcription_data.transcription_id,
    }
    for name, value in (case.path_parameters or {}).items():
        generated = as_uuid(value)
        if name in owned and generated is not None and generated.int % 2 == 0:
            case.path_parameters[name] = str(owned[name])


def as_uuid(value: object) -> UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
