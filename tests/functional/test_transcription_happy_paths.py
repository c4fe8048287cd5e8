"""An uploaded answer becomes a completed transcription and starts the interview.

The handler runs in-process against real PostgreSQL, moto (S3, Step Functions)
and the fake vendors, reached through the real OpenAI and AssemblyAI SDKs.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fake_vendors import ASSEMBLYAI_TEXT, OPENAI_TEXT, FakeVendors
from tests.support.transcription_uploads import (
    Upload,
    executions,
    invoke,
    transcription_row,
    upload_event,
)


def assert_completed_row(row: dict[str, Any], text: str, provider: str) -> None:
    assert row["status"] == "completed"
    assert row["transcript_text"] == text
    assert row["provider"] == provider
    assert 0.0 <= row["confidence_score"] <= 1.0
    assert row["processing_time"] > 0
    assert row["error_message"] is None


def assert_timed_segments(row: dict[str, Any]) -> None:
    assert row["segments"], "no segments"
    for segment in row["segments"]:
        assert set(segment) == {"start", "end", "text", "confidence"}
        assert 0.0 <= segment["start"] <= segment["end"]
        assert segment["text"]
        assert 0.0 <= segment["confidence"] <= 1.0


def test_openai_transcript_completes_the_row(
    transcription_app: Any, answer_upload: Upload, conn: Any
) -> None:
    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert_completed_row(row, OPENAI_TEXT, "openai")
    assert_timed_segments(row)
    assert row["fallback_used"] is False
    assert row["attempt_count"] == 1


def test_openai_confidence_follows_the_segments_log_probabilities(
    transcription_app: Any, answer_upload: Upload, conn: Any
) -> None:
    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    # The fake's segments have avg_logprob -0.18 and -0.20: exp() is 0.82-0.84.
    assert 0.81 < row["confidence_score"] < 0.84


def test_openai_is_asked_for_verbose_json_with_segment_and_word_timestamps(
    transcription_app: Any, answer_upload: Upload, fake_vendors: FakeVendors
) -> None:
    invoke(transcription_app, upload_event(answer_upload))

    [call] = fake_vendors.calls_to("openai")
    assert call.fields["response_format"] == "verbose_json"
    assert call.fields["timestamp_granularities[]"] == "segment,word"
    assert call.fields["file_bytes"] == str(answer_upload.size_bytes)
    assert call.fields["file_name"].endswith(".wav")
    assert call.api_key == "sk-test-openai-key"


def test_assemblyai_transcript_completes_the_row(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_PROVIDERS", "assemblyai,openai")

    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert_completed_row(row, ASSEMBLYAI_TEXT, "assemblyai")
    assert_timed_segments(row)
    assert row["confidence_score"] == pytest.approx(0.93)
    assert row["fallback_used"] is False


def test_assemblyai_segments_split_at_sentence_ends(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_PROVIDERS", "assemblyai")

    invoke(transcription_app, upload_event(answer_upload))

    segments = transcription_row(conn, answer_upload.key)["segments"]
    assert [segment["text"] for segment in segments] == [
        "First I reproduce the bug with a failing test.",
        "Then I fix it and keep the test so it cannot come back.",
    ]


def test_assemblyai_is_called_upload_then_create_then_poll(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_PROVIDERS", "assemblyai")

    invoke(transcription_app, upload_event(answer_upload))

    calls = [
        (c.method, c.path.rsplit("/", 1)[0])
        for c in fake_vendors.calls_to("assemblyai")
    ]
    assert calls[:2] == [("POST", "/v2"), ("POST", "/v2")]
    assert calls[2:] == [("GET", "/v2/transcript")] * len(calls[2:])
    assert len(calls) >= 4  # queued -> processing -> completed
    assert fake_vendors.calls_to("assemblyai")[0].body_bytes == answer_upload.size_bytes


@pytest.mark.parametrize("providers", ["openai,assemblyai", "assemblyai,openai"])
def test_completed_transcription_starts_an_execution_named_by_its_id(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    state_machine: str,
    providers: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRANSCRIPTION_PROVIDERS", providers)

    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert executions(state_machine) == [
        {
            "name": str(row["id"]),
            "input": {
                "transcription_id": str(row["id"]),
                "session_id": str(answer_upload.session_id),
                "question_id": str(answer_upload.question_id),
                "user_id": str(answer_upload.user_id),
            },
        }
    ]


def test_handler_returns_the_transcription_it_completed(
    transcription_app: Any, answer_upload: Upload, conn: Any
) -> None:
    result = invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    [outcome] = result["transcriptions"]
    assert outcome["transcription_id"] == str(row["id"])
    assert outcome["status"] == "completed"


def test_row_records_the_upload_it_came_from(
    transcription_app: Any, answer_upload: Upload, conn: Any
) -> None:
    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert row["user_id"] == answer_upload.user_id
    assert row["session_id"] == answer_upload.session_id
    assert row["question_id"] == answer_upload.question_id
    assert row["file_size"] == answer_upload.size_bytes
    assert row["file_name"] == answer_upload.key.rsplit("/", 1)[-1]
    assert row["s3_etag"] == answer_upload.etag
    assert (
        row["original_audio_path"] == f"s3://{answer_upload.bucket}/{answer_upload.key}"
    )
