"""The sample events for `sam local invoke` of the migrate and offline functions."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.handlers import load_handler_module

EVENTS = Path(__file__).resolve().parents[1] / "events"


def test_the_offline_engine_event_is_a_valid_request() -> None:
    event = json.loads((EVENTS / "offline_engine-transcribe.json").read_text())
    request_model = load_handler_module("offline_engine").OfflineEngineRequest

    request = request_model.model_validate(event)

    assert request.key.startswith("audio/") and request.key.endswith(".wav")


def test_the_migrate_event_is_a_direct_invocation() -> None:
    event = json.loads((EVENTS / "migrate-direct.json").read_text())

    assert "RequestType" not in event
