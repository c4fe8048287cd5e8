"""Vendor faults hand over to the next provider; when all fail, nothing is lost."""

from __future__ import annotations

from typing import Any

import pytest

from talentsync.errors import AllProvidersFailedError
from tests.support.fake_vendors import ASSEMBLYAI_TEXT, OPENAI_TEXT, FakeVendors, Fault
from tests.support.transcription_uploads import (
    Upload,
    executions,
    invoke,
    transcription_row,
    upload_event,
)

OPENAI_FAULT_REASONS = {
    Fault.HTTP_500: "HTTP 500",
    Fault.HTTP_429: "HTTP 429",
    Fault.HTTP_400: "HTTP 400",
    Fault.SLOW: "timed out after 0.5 s",
    Fault.MALFORMED: "malformed reply",
    Fault.LOW_CONFIDENCE: "below MIN_CONFIDENCE",
}
# Every fault the fake AssemblyAI can inject: HTTP ones answer the upload,
# the others the polls.
ASSEMBLYAI_FAULT_REASONS = {
    **OPENAI_FAULT_REASONS,
    Fault.STATUS_ERROR: "transcript status error: Transcoding failed",
    Fault.NEVER_COMPLETES: "no result within the 1 s deadline",
}


def attempts_logged(log_lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in log_lines if line["message"] == "provider attempt"]


@pytest.mark.parametrize("fault", list(OPENAI_FAULT_REASONS))
def test_openai_fault_hands_over_to_assemblyai(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
    log_lines: list[dict[str, Any]],
    fault: Fault,
) -> None:
    fake_vendors.openai.fault = fault

    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert (row["status"], row["provider"]) == ("completed", "assemblyai")
    assert row["transcript_text"] == ASSEMBLYAI_TEXT
    assert row["fallback_used"] is True
    first, second = attempts_logged(log_lines)
    assert first["provider"] == "openai"
    assert first["outcome"] in ("failed", "low_confidence")
    assert OPENAI_FAULT_REASONS[fault] in first["reason"]
    assert first["duration_ms"] >= 0
    assert (second["provider"], second["outcome"]) == ("assemblyai", "succeeded")


@pytest.mark.parametrize("fault", list(ASSEMBLYAI_FAULT_REASONS))
def test_assemblyai_fault_hands_over_to_openai(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
    log_lines: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    fault: Fault,
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_PROVIDERS", "assemblyai,openai")
    fake_vendors.assemblyai.fault = fault

    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert (row["status"], row["provider"]) == ("completed", "openai")
    assert row["transcript_text"] == OPENAI_TEXT
    assert row["fallback_used"] is True
    first, second = attempts_logged(log_lines)
    assert first["provider"] == "assemblyai"
    low = fault == Fault.LOW_CONFIDENCE
    assert first["outcome"] == ("low_confidence" if low else "failed")
    assert ASSEMBLYAI_FAULT_REASONS[fault] in first["reason"]
    assert first["duration_ms"] >= 0
    assert (second["provider"], second["outcome"]) == ("openai", "succeeded")


def test_provider_without_a_key_is_skipped_with_a_log_line(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
    log_lines: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")

    invoke(transcription_app, upload_event(answer_upload))

    skipped = attempts_logged(log_lines)[0]
    assert (skipped["provider"], skipped["outcome"]) == ("openai", "skipped")
    assert "no API key" in skipped["reason"]
    assert fake_vendors.calls_to("openai") == []
    assert transcription_row(conn, answer_upload.key)["provider"] == "assemblyai"


def test_every_provider_failing_fails_the_row_with_each_error(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
) -> None:
    fake_vendors.openai.fault = Fault.HTTP_500
    fake_vendors.assemblyai.fault = Fault.SLOW

    with pytest.raises(AllProvidersFailedError):
        invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert row["status"] == "failed"
    assert "openai: HTTP 500" in row["error_message"]
    assert "assemblyai: timed out" in row["error_message"]
    assert row["provider"] == "assemblyai"  # the last one tried
    assert row["retryable"] is True


def test_redelivery_after_a_transient_failure_processes_the_upload_again(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
    state_machine: str,
) -> None:
    fake_vendors.openai.fault = Fault.HTTP_429
    fake_vendors.assemblyai.fault = Fault.HTTP_500
    with pytest.raises(AllProvidersFailedError):
        invoke(transcription_app, upload_event(answer_upload))
    fake_vendors.openai.fault = fake_vendors.assemblyai.fault = None

    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert (row["status"], row["provider"]) == ("completed", "openai")
    assert row["attempt_count"] == 2
    assert row["retryable"] is False
    assert [e["name"] for e in executions(state_machine)] == [str(row["id"])]


def test_failed_transcription_starts_no_execution(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    state_machine: str,
) -> None:
    fake_vendors.openai.fault = fake_vendors.assemblyai.fault = Fault.HTTP_500

    with pytest.raises(AllProvidersFailedError):
        invoke(transcription_app, upload_event(answer_upload))

    assert executions(state_machine) == []


def test_every_provider_rejecting_the_audio_fails_the_row_for_good(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
) -> None:
    fake_vendors.openai.fault = Fault.HTTP_400
    fake_vendors.assemblyai.fault = Fault.STATUS_ERROR

    result = invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert result["transcriptions"][0]["status"] == "failed"
    assert row["status"] == "failed"
    assert row["retryable"] is False
    assert "openai: HTTP 400" in row["error_message"]
    assert "assemblyai: transcript status error" in row["error_message"]


def test_redelivery_after_a_permanent_provider_failure_calls_no_vendor(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
) -> None:
    fake_vendors.openai.fault = Fault.HTTP_400
    fake_vendors.assemblyai.fault = Fault.LOW_CONFIDENCE
    invoke(transcription_app, upload_event(answer_upload))
    before = transcription_row(conn, answer_upload.key)
    fake_vendors.reset()

    invoke(transcription_app, upload_event(answer_upload))

    assert fake_vendors.calls == []
    assert transcription_row(conn, answer_upload.key) == before


def test_api_keys_never_appear_in_the_logs(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    log_lines: list[dict[str, Any]],
) -> None:
    fake_vendors.openai.fault = Fault.HTTP_500

    invoke(transcription_app, upload_event(answer_upload))

    logged = repr(log_lines)
    assert "provider attempt" in logged
    assert "sk-test-openai-key" not in logged
    assert "test-assemblyai-key" not in logged
