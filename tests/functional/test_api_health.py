"""GET /health: a database round trip, reachable without signing in."""

from __future__ import annotations

import pytest

from talentsync import db as db_module
from talentsync.db import Database
from talentsync.settings import Settings
from tests.support.api_events import request

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/talentsync"


@pytest.mark.usefixtures("api")
def test_health_is_200_when_the_database_answers() -> None:
    result = request("GET", "/health", None)

    assert result.status == 200
    assert result.body == {"status": "ok", "database": "ok", "reason": None}


def test_health_is_503_with_a_reason_when_the_database_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(database_url=UNREACHABLE, connect_timeout_seconds=1)
    monkeypatch.setattr(db_module, "_database", Database(settings))

    result = request("GET", "/health", None)

    assert result.status == 503
    assert result.body["status"] == "unavailable"
    assert result.body["reason"] == "the database did not answer"


def test_health_reason_names_no_host(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(database_url=UNREACHABLE, connect_timeout_seconds=1)
    monkeypatch.setattr(db_module, "_database", Database(settings))

    result = request("GET", "/health", None)

    assert "127.0.0.1" not in result.raw_body
    assert "postgres" not in result.raw_body


def test_health_is_503_when_no_database_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db_module, "_database", Database(Settings()))

    result = request("GET", "/health", None)

    assert result.status == 503
    assert result.body["reason"] == "the database is not configured"
