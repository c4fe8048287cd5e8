"""The OpenAPI document: committed beside the handler, served by it, kept in sync."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.support.api_events import request
from tests.support.handlers import load_handler_module

DOCUMENT = Path(__file__).parents[2] / "functions" / "api" / "openapi.json"
REGENERATE = "python functions/api/app.py > functions/api/openapi.json"


def generated_document() -> dict[str, object]:
    return json.loads(load_handler_module("api").openapi_document())


def test_committed_document_matches_the_resolver() -> None:
    committed = json.loads(DOCUMENT.read_text())

    assert committed == generated_document(), f"out of date: run `{REGENERATE}`"


@pytest.mark.usefixtures("api")
def test_openapi_route_serves_the_document() -> None:
    result = request("GET", "/openapi.json", uuid.uuid4())

    assert result.status == 200
    assert result.body == generated_document()


def test_document_requires_sign_in_everywhere_but_health() -> None:
    paths = generated_document()["paths"]
    assert isinstance(paths, dict)

    for path, operations in paths.items():
        for method, operation in operations.items():
            expected = [] if path == "/health" else [{"CognitoUserPool": []}]
            assert operation.get("security", []) == expected, f"{method} {path}"


def test_document_lists_every_route_of_the_issue() -> None:
    paths = generated_document()["paths"]
    assert isinstance(paths, dict)

    listed = {(m.upper(), p) for p, operations in paths.items() for m in operations}
    assert {
        ("GET", "/health"),
        ("POST", "/sessions"),
        ("GET", "/sessions"),
        ("GET", "/sessions/{session_id}"),
        ("PATCH", "/sessions/{session_id}"),
        ("POST", "/sessions/{session_id}/uploads"),
        ("GET", "/sessions/{session_id}/responses"),
        ("GET", "/sessions/{session_id}/feedback"),
        ("GET", "/transcriptions/{transcription_id}"),
    } <= listed
