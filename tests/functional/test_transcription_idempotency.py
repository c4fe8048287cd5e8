"""Every delivery of one upload lands on one row and starts one execution."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest

from talentsync.db import Database
from talentsync.errors import AllProvidersFailedError
from talentsync.settings import get_settings
from talentsync.transcription.interview_start import InterviewStartError
from talentsync.transcription.service import (
    TranscriptionServices,
    UploadInProgressError,
    process_upload,
)
from talentsync.transcription.sources import build_chain
from talentsync.transcription.upload_event import UploadedAudio
from tests.support.aws import REGION
from tests.support.fake_vendors import FakeVendors, Fault
from tests.support.transcription_uploads import (
    Upload,
    executions,
    invoke,
    make_upload,
    transcription_row,
    upload_event,
    wav_bytes,
)


def rows_for(conn: Any, key: str) -> int:
    row = conn.execute("SELECT count(*) FROM transcriptions WHERE s3_key = %s", (key,))
    return int(row.fetchone()[0])


def test_same_event_three_times_gives_one_row_and_one_execution(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    state_machine: str,
    fake_vendors: FakeVendors,
) -> None:
    for _ in range(3):
        invoke(transcription_app, upload_event(answer_upload))

    assert rows_for(conn, answer_upload.key) == 1
    assert len(executions(state_machine)) == 1
    assert len(fake_vendors.calls_to("openai")) == 1
    assert transcription_row(conn, answer_upload.key)["attempt_count"] == 1


def test_same_event_from_concurrent_invocations_gives_one_row_and_one_execution(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    database_url: str,
    state_machine: str,
    fake_vendors: FakeVendors,
) -> None:
    # Long enough for the three deliveries to overlap at the vendor.
    fake_vendors.openai.delay_seconds = 0.3
    outcomes = deliver_concurrently(transcription_app, answer_upload, copies=3)

    assert rows_for(conn, answer_upload.key) == 1
    assert len(executions(state_machine)) == 1
    assert len(fake_vendors.calls_to("openai")) == 1
    assert outcomes.count("completed") >= 1
    assert set(outcomes) <= {"completed", "already completed", "in progress"}


def deliver_concurrently(app: Any, upload: Upload, copies: int) -> list[str]:
    """Each copy in its own thread with its own connection, like separate containers."""
    settings = get_settings()
    s3, stepfunctions = app.aws_clients()
    chain = build_chain(settings, lambda: 600.0)
    audio = UploadedAudio(
        bucket=upload.bucket,
        key=upload.key,
        etag=upload.etag,
        size_bytes=upload.size_bytes,
    )
    barrier = threading.Barrier(copies)
    outcomes: list[str] = []

    def deliver() -> None:
        database = Database(settings)
        services = TranscriptionServices(settings, database, s3, stepfunctions, chain)
        barrier.wait()
        try:
            outcomes.append(process_upload(audio, services).detail)
        except UploadInProgressError:
            outcomes.append("in progress")
        finally:
            database.close()

    threads = [threading.Thread(target=deliver) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == copies
    return outcomes


def test_delivery_while_another_holds_the_row_raises_for_a_retry(
    transcription_app: Any, answer_upload: Upload, conn: Any
) -> None:
    invoke(transcription_app, upload_event(answer_upload))
    conn.execute(
        "UPDATE transcriptions SET status = 'processing', updated_at = NOW()"
        " WHERE s3_key = %s",
        (answer_upload.key,),
    )

    with pytest.raises(UploadInProgressError):
        invoke(transcription_app, upload_event(answer_upload))


def test_row_left_processing_past_its_lease_is_taken_up_again(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    fake_vendors: FakeVendors,
) -> None:
    fake_vendors.openai.fault = fake_vendors.assemblyai.fault = Fault.HTTP_500
    with pytest.raises(AllProvidersFailedError):
        invoke(transcription_app, upload_event(answer_upload))
    # As if that invocation had been killed mid-work an hour ago.
    conn.execute(
        "UPDATE transcriptions SET status = 'processing', retryable = FALSE,"
        " updated_at = NOW() - interval '1 hour' WHERE s3_key = %s",
        (answer_upload.key,),
    )
    fake_vendors.openai.fault = fake_vendors.assemblyai.fault = None

    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert (row["status"], row["attempt_count"]) == ("completed", 2)


def test_failed_interview_start_is_retried_by_the_redelivery(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    state_machine: str,
    fake_vendors: FakeVendors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STATE_MACHINE_ARN", state_machine + "-missing")
    get_settings.cache_clear()
    with pytest.raises(InterviewStartError):
        invoke(transcription_app, upload_event(answer_upload))
    monkeypatch.setenv("STATE_MACHINE_ARN", state_machine)
    get_settings.cache_clear()

    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert row["status"] == "completed"
    assert [e["name"] for e in executions(state_machine)] == [str(row["id"])]
    assert len(fake_vendors.calls_to("openai")) == 1


def test_execution_that_already_finished_counts_as_started(
    transcription_app: Any, answer_upload: Upload, state_machine: str
) -> None:
    invoke(transcription_app, upload_event(answer_upload))
    sfn = boto3.client("stepfunctions", region_name=REGION)
    [execution] = sfn.list_executions(stateMachineArn=state_machine)["executions"]
    sfn.stop_execution(executionArn=execution["executionArn"])

    result = invoke(transcription_app, upload_event(answer_upload))

    assert result["transcriptions"][0]["detail"] == "already completed"
    assert len(executions(state_machine)) == 1


def test_event_with_a_failing_record_still_processes_the_others(
    transcription_app: Any,
    answer_upload: Upload,
    audio_bucket: str,
    conn: Any,
) -> None:
    busy = make_upload(conn, audio_bucket, wav_bytes(), "wav")
    invoke(transcription_app, upload_event(busy))
    conn.execute(
        "UPDATE transcriptions SET status = 'processing', updated_at = NOW()"
        " WHERE s3_key = %s",
        (busy.key,),
    )
    event = upload_event(busy)
    event["Records"] += upload_event(answer_upload)["Records"]

    with pytest.raises(UploadInProgressError):
        invoke(transcription_app, event)

    assert transcription_row(conn, answer_upload.key)["status"] == "completed"
