"""Uploads that are not acceptable audio fail for good, before any vendor call."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from tests.support.aws import REGION
from tests.support.builders import make_question, make_session
from tests.support.fake_vendors import FakeVendors
from tests.support.transcription_uploads import (
    Upload,
    invoke,
    make_upload,
    put_object,
    s3_event,
    transcription_row,
    upload_event,
    wav_bytes,
)

NIL_UUID = uuid.UUID(int=0)


def assert_failed_for_good(
    conn: Any, key: str, fragment: str, vendors: FakeVendors
) -> dict[str, Any]:
    row = transcription_row(conn, key)
    assert row["status"] == "failed"
    assert fragment in row["error_message"]
    assert row["retryable"] is False
    assert vendors.calls == []
    return row


def stray_upload(bucket: str, key: str, body: bytes) -> dict[str, Any]:
    return s3_event(bucket, key, put_object(bucket, key, body), len(body))


def test_empty_object_fails_as_empty(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    upload = make_upload(conn, audio_bucket, b"", "wav")

    invoke(transcription_app, upload_event(upload))

    assert_failed_for_good(conn, upload.key, "is empty (0 bytes)", fake_vendors)


def test_object_above_the_size_limit_fails_with_its_size(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Any,
    fake_vendors: FakeVendors,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_AUDIO_BYTES", "1000")

    invoke(transcription_app, upload_event(answer_upload))

    fragment = f"is {answer_upload.size_bytes} bytes, above the limit of 1000 bytes"
    assert_failed_for_good(conn, answer_upload.key, fragment, fake_vendors)


def test_extension_outside_the_contract_fails_as_not_allowed(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    upload = make_upload(conn, audio_bucket, wav_bytes(), "txt")

    invoke(transcription_app, upload_event(upload))

    row = assert_failed_for_good(
        conn, upload.key, "extension 'txt' is not allowed", fake_vendors
    )
    assert row["user_id"] == upload.user_id


def test_bytes_that_are_not_the_claimed_format_fail_the_magic_check(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    upload = make_upload(conn, audio_bucket, b"%PDF-1.7 not audio at all", "wav")

    invoke(transcription_app, upload_event(upload))

    assert_failed_for_good(
        conn, upload.key, "not wav audio: expected a RIFF/WAVE header", fake_vendors
    )


def test_ogg_bytes_uploaded_as_mp3_fail_the_magic_check(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    upload = make_upload(conn, audio_bucket, b"OggS\x00\x02" + b"\x00" * 64, "mp3")

    invoke(transcription_app, upload_event(upload))

    assert_failed_for_good(conn, upload.key, "not mp3 audio", fake_vendors)


def test_key_with_a_bad_id_fails_naming_it(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    user = uuid.uuid4()
    key = f"audio/{user}/not-a-session/{uuid.uuid4()}/{uuid.uuid4()}.wav"

    invoke(transcription_app, stray_upload(audio_bucket, key, wav_bytes()))

    row = assert_failed_for_good(conn, key, "session_id 'not-a-session'", fake_vendors)
    assert row["user_id"] == user  # salvaged from the key


def test_key_without_a_user_is_recorded_under_the_nil_uuid(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    key = "audio/my answer.wav"

    invoke(transcription_app, stray_upload(audio_bucket, key, wav_bytes()))

    row = assert_failed_for_good(conn, key, "path segments", fake_vendors)
    assert row["user_id"] == NIL_UUID
    assert row["file_name"] == "my answer.wav"


def test_session_of_another_user_fails_the_ownership_check(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    session = make_session(conn)
    question = make_question(conn)
    intruder = uuid.uuid4()
    key = f"audio/{intruder}/{session.id}/{question.id}/{uuid.uuid4()}.wav"

    invoke(transcription_app, stray_upload(audio_bucket, key, wav_bytes()))

    fragment = f"session {session.id} does not exist for user {intruder}"
    assert_failed_for_good(conn, key, fragment, fake_vendors)


def test_unknown_question_fails_and_is_recorded_without_it(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    session = make_session(conn)
    question_id = uuid.uuid4()
    key = f"audio/{session.user_id}/{session.id}/{question_id}/{uuid.uuid4()}.wav"

    invoke(transcription_app, stray_upload(audio_bucket, key, wav_bytes()))

    fragment = f"question {question_id} does not exist"
    row = assert_failed_for_good(conn, key, fragment, fake_vendors)
    assert row["question_id"] is None
    assert row["session_id"] == session.id


def test_object_deleted_before_processing_fails_as_gone(
    transcription_app: Any, answer_upload: Upload, conn: Any, fake_vendors: FakeVendors
) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.delete_object(Bucket=answer_upload.bucket, Key=answer_upload.key)

    invoke(transcription_app, upload_event(answer_upload))

    assert_failed_for_good(conn, answer_upload.key, "no longer exists", fake_vendors)


def test_object_replaced_after_the_event_fails_its_stale_row(
    transcription_app: Any, answer_upload: Upload, conn: Any, fake_vendors: FakeVendors
) -> None:
    put_object(answer_upload.bucket, answer_upload.key, wav_bytes(seconds=2.0))

    invoke(transcription_app, upload_event(answer_upload))

    assert_failed_for_good(conn, answer_upload.key, "was replaced", fake_vendors)


def test_redelivery_of_a_rejected_upload_changes_nothing(
    transcription_app: Any, audio_bucket: str, conn: Any, fake_vendors: FakeVendors
) -> None:
    upload = make_upload(conn, audio_bucket, b"not audio", "webm")
    invoke(transcription_app, upload_event(upload))
    before = transcription_row(conn, upload.key)

    result = invoke(transcription_app, upload_event(upload))

    assert transcription_row(conn, upload.key) == before
    assert before["attempt_count"] == 1
    assert result["transcriptions"][0]["detail"] == "already failed"
