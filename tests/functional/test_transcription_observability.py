"""What an upload leaves in the logs and metrics."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.fake_vendors import FakeVendors, Fault
from tests.support.transcription_uploads import (
    Upload,
    invoke,
    transcription_row,
    upload_event,
)


def emitted_metrics(stdout: str) -> list[dict[str, Any]]:
    """The EMF documents printed to stdout, one per line."""
    documents = [json.loads(line) for line in stdout.splitlines() if '"_aws"' in line]
    return [document for document in documents if "_aws" in document]


def metric_names(documents: list[dict[str, Any]]) -> set[str]:
    return {
        metric["Name"]
        for document in documents
        for directive in document["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    }


def test_log_lines_carry_the_transcription_id_and_the_key(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    log_lines: list[dict[str, Any]],
) -> None:
    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    [completed] = [
        line for line in log_lines if line["message"] == "transcription completed"
    ]
    assert completed["transcription_id"] == str(row["id"])
    assert completed["s3_key"] == answer_upload.key
    assert completed["provider"] == "openai"


def test_transcript_text_is_not_logged(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    log_lines: list[dict[str, Any]],
) -> None:
    invoke(transcription_app, upload_event(answer_upload))

    text = transcription_row(conn, answer_upload.key)["transcript_text"]
    assert log_lines
    assert text not in repr(log_lines)


def test_completed_upload_emits_its_metrics(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_vendors.openai.fault = Fault.HTTP_500

    invoke(transcription_app, upload_event(answer_upload))

    documents = emitted_metrics(capsys.readouterr().out)
    assert {
        "TranscriptionsCompleted",
        "ProcessingTime",
        "FallbackUsed",
        "ProviderAttempts",
    } <= metric_names(documents)
    attempts = {
        (d["provider"], d["outcome"]) for d in documents if "ProviderAttempts" in d
    }
    assert attempts == {("openai", "failed"), ("assemblyai", "succeeded")}


def test_failed_upload_emits_the_failure_metric(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_vendors.openai.fault = Fault.HTTP_400
    fake_vendors.assemblyai.fault = Fault.STATUS_ERROR

    invoke(transcription_app, upload_event(answer_upload))

    names = metric_names(emitted_metrics(capsys.readouterr().out))
    assert "TranscriptionsFailed" in names
    assert "TranscriptionsCompleted" not in names
