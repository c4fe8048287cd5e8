"""tests/events/api-*.json: events for `sam local invoke ApiFunction -e ...`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.api_events import call

EVENTS_DIR = Path(__file__).parents[1] / "events"
EVENT_FILES = sorted(EVENTS_DIR.glob("api-*.json"))


def load(path: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(path.read_text())
    return event


@pytest.mark.usefixtures("api_with_bucket")
@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda path: path.stem)
def test_event_is_answered_without_a_server_error(path: Path) -> None:
    result = call(load(path))

    assert result.status < 500, result.body


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda path: path.stem)
def test_event_carries_the_cognito_sub_except_for_health(path: Path) -> None:
    event = load(path)
    claims = (event["requestContext"].get("authorizer") or {}).get("claims", {})

    assert ("sub" in claims) == (event["path"] != "/health")


@pytest.mark.usefixtures("api")
def test_create_session_event_creates_a_session() -> None:
    result = call(load(EVENTS_DIR / "api-create-session.json"))

    assert result.status == 201
    assert result.body["session"]["job_position"] == "Software Engineer"
