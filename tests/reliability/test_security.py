"""Secrets never reach the logs: API keys, auth tokens and audio bytes.

Claims-only identity on every route is covered route by route in
tests/functional/test_api_hostile_input.py (401 without claims) and
test_api_isolation.py (a user id in the query, headers or body is ignored); the
bad-input corpus keeps one case of each.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.api_events import api_event, call
from tests.support.fake_vendors import FakeVendors, Fault
from tests.support.transcription_uploads import (
    Upload,
    invoke,
    make_upload,
    upload_event,
    wav_bytes,
)

API_KEYS = ("sk-test-openai-key", "test-assemblyai-key")
BEARER_TOKEN = "eyJhbGciOiJSUzI1NiJ9.reliability-secret-token.c2lnbmF0dXJl"
# A body no log line could contain by chance.
AUDIO_MARKER = b"AUDIO-BYTES-MUST-NOT-BE-LOGGED"


def captured(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> str:
    out, err = capsys.readouterr()
    return out + err + caplog.text


@pytest.fixture
def marked_upload(conn: Any, audio_bucket: str) -> Upload:
    return make_upload(conn, audio_bucket, wav_bytes(0.5) + AUDIO_MARKER, "wav")


@pytest.mark.parametrize("openai_fault", [None, Fault.HTTP_500, Fault.HTTP_400])
def test_transcription_logs_hold_no_api_key_or_audio_bytes(
    openai_fault: Fault | None,
    transcription_app: Any,
    marked_upload: Upload,
    fake_vendors: FakeVendors,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_vendors.openai.fault = openai_fault
    caplog.set_level("DEBUG")

    invoke(transcription_app, upload_event(marked_upload))

    logs = captured(capsys, caplog)
    assert "upload recorded" in logs  # the logs were captured at all
    for secret in API_KEYS:
        assert secret not in logs
    assert AUDIO_MARKER.decode() not in logs


def test_api_logs_hold_no_auth_token(
    api: None, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    headers = {"Authorization": f"Bearer {BEARER_TOKEN}"}
    user = uuid.uuid4()

    for path in ("/sessions", f"/sessions/{uuid.uuid4()}", "/no-such-route"):
        call(api_event("GET", path, user_id=user, headers=headers))

    logs = captured(capsys, caplog)
    assert logs  # the API logged something
    assert BEARER_TOKEN not in logs
