"""Upload URLs through the API handler: the key contract, the signature, the rules."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import pytest

from talentsync import settings as settings_module
from talentsync.db import Connection
from talentsync.transcription.object_key import parse_object_key
from tests.support.api_events import ApiResult, request

pytestmark = pytest.mark.usefixtures("api_with_bucket")


def start_session(user_id: UUID) -> tuple[str, str]:
    """A new session of the user: its id and its current question's id."""
    body = {
        "job_position": "Data Scientist",
        "difficulty_level": "easy",
        "total_questions": 2,
    }
    created = request("POST", "/sessions", user_id, body).body
    return created["session"]["id"], created["first_question"]["id"]


def ask_upload(
    user_id: UUID, session_id: str, question_id: str, **fields: Any
) -> ApiResult:
    body = {
        "question_id": question_id,
        "content_type": "audio/wav",
        "size_bytes": 48_000,
        **fields,
    }
    return request("POST", f"/sessions/{session_id}/uploads", user_id, body)


def signed_query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_upload_url_key_follows_the_contract() -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    result = ask_upload(user_id, session_id, question_id)

    assert result.status == 200
    upload_id = result.body["upload_id"]
    expected = f"audio/{user_id}/{session_id}/{question_id}/{upload_id}.wav"
    assert result.body["key"] == expected


def test_upload_url_key_is_read_back_by_the_transcription_function() -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    key = ask_upload(user_id, session_id, question_id).body["key"]

    parsed = parse_object_key(key)
    assert (parsed.user_id, str(parsed.session_id)) == (user_id, session_id)
    assert str(parsed.question_id) == question_id


def test_upload_url_puts_to_the_key_in_the_audio_bucket(api_with_bucket: str) -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    body = ask_upload(user_id, session_id, question_id).body

    url = urlsplit(body["url"])
    assert body["method"] == "PUT"
    assert url.hostname is not None and url.hostname.startswith(f"{api_with_bucket}.")
    assert unquote(url.path) == "/" + body["key"]


def test_upload_url_expires_after_900_seconds() -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    body = ask_upload(user_id, session_id, question_id).body

    query = signed_query(body["url"])
    assert query["X-Amz-Expires"] == "900"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert body["expires_in_seconds"] == 900


def test_upload_url_signature_binds_the_content_type() -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    body = ask_upload(user_id, session_id, question_id, content_type="audio/ogg").body

    signed_headers = signed_query(body["url"])["X-Amz-SignedHeaders"].split(";")
    assert "content-type" in signed_headers
    assert body["headers"] == {"Content-Type": "audio/ogg"}


@pytest.mark.parametrize(
    ("content_type", "extension"),
    [
        ("audio/wav", "wav"),
        ("audio/mpeg", "mp3"),
        ("audio/mp4", "m4a"),
        ("video/mp4", "mp4"),
        ("audio/webm", "webm"),
        ("audio/ogg", "ogg"),
        ("audio/flac", "flac"),
    ],
)
def test_upload_url_extension_comes_from_the_content_type(
    content_type: str, extension: str
) -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    result = ask_upload(user_id, session_id, question_id, content_type=content_type)

    assert result.body["key"].endswith(f".{extension}")


@pytest.mark.parametrize("content_type", ["audio/x-aiff", "AUDIO/WAV"])
def test_upload_url_other_content_type_is_422_naming_it(content_type: str) -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    result = ask_upload(user_id, session_id, question_id, content_type=content_type)

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["body", "content_type"]


def test_upload_url_over_the_size_limit_is_422_naming_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_AUDIO_BYTES", "1000")
    settings_module.get_settings.cache_clear()
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    result = ask_upload(user_id, session_id, question_id, size_bytes=1001)

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["body", "size_bytes"]
    assert "1000 bytes" in result.body["message"]


def test_upload_url_at_the_size_limit_is_issued(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAX_AUDIO_BYTES", "1000")
    settings_module.get_settings.cache_clear()
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    result = ask_upload(user_id, session_id, question_id, size_bytes=1000)

    assert result.status == 200


@pytest.mark.parametrize("size", [0, "10", 1.5])
def test_upload_url_size_that_is_not_a_positive_integer_is_422(size: object) -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    result = ask_upload(user_id, session_id, question_id, size_bytes=size)

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["body", "size_bytes"]


def test_upload_url_for_another_question_than_the_current_is_409() -> None:
    user_id = uuid.uuid4()
    session_id, _ = start_session(user_id)

    result = ask_upload(user_id, session_id, str(uuid.uuid4()))

    assert result.status == 409
    assert "current question" in result.body["message"]


@pytest.mark.parametrize("status", ["paused", "completed", "cancelled"])
def test_upload_url_for_a_session_that_is_not_active_is_409(
    conn: Connection, status: str
) -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)
    conn.execute("UPDATE sessions SET status = %s WHERE id = %s", (status, session_id))

    result = ask_upload(user_id, session_id, question_id)

    assert result.status == 409
    assert status in result.body["message"]


def test_upload_url_for_a_session_without_a_current_question_is_409(
    conn: Connection,
) -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)
    conn.execute(
        "UPDATE sessions SET current_question_id = NULL WHERE id = %s", (session_id,)
    )

    result = ask_upload(user_id, session_id, question_id)

    assert result.status == 409


def test_upload_url_for_an_unknown_session_is_404() -> None:
    result = ask_upload(uuid.uuid4(), str(uuid.uuid4()), str(uuid.uuid4()))

    assert result.status == 404


def test_upload_url_with_a_question_id_that_is_not_a_uuid_is_422() -> None:
    user_id = uuid.uuid4()
    session_id, _ = start_session(user_id)

    result = ask_upload(user_id, session_id, "question-1")

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["body", "question_id"]


def test_upload_urls_for_the_same_question_have_distinct_keys() -> None:
    user_id = uuid.uuid4()
    session_id, question_id = start_session(user_id)

    first = ask_upload(user_id, session_id, question_id).body["key"]
    second = ask_upload(user_id, session_id, question_id).body["key"]

    assert first != second
