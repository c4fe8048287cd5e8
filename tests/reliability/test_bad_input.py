"""Every case of the bad-input corpus ends in its specific error and a recorded state.

Never a 500, never a silently dropped upload, never a retry that cannot help.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from talentsync.db import Connection
from talentsync.errors import TransientError
from talentsync.settings import get_settings
from tests.reliability.corpus import Case, of_kind
from tests.support.api_events import api_event, call
from tests.support.fake_vendors import FakeVendors
from tests.support.handlers import FakeLambdaContext, load_handler_module
from tests.support.interview_sessions import (
    PROCESS_VS_THREAD,
    answer_current_question,
    bank_question,
    start_session,
)
from tests.support.transcription_uploads import (
    executions,
    invoke,
    put_object,
    s3_event,
    transcription_row,
    wav_bytes,
)


@dataclass(frozen=True)
class World:
    """Real rows the corpus' placeholders stand for."""

    names: dict[str, str]

    def fill(self, value: Any) -> Any:
        if isinstance(value, str):
            for name, real in self.names.items():
                value = value.replace("{" + name + "}", real)
            return value
        if isinstance(value, dict):
            return {key: self.fill(item) for key, item in value.items()}
        if isinstance(value, tuple | list):
            return type(value)(self.fill(item) for item in value)
        return value


@pytest.fixture
def world(
    conn: Connection, question_bank: int, monkeypatch: pytest.MonkeyPatch
) -> World:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    session = start_session(conn, total_questions=1)
    other = start_session(conn, total_questions=1)
    transcription = answer_current_question(conn, session)
    question = bank_question(conn, PROCESS_VS_THREAD)
    return World(
        {
            "user": str(session.user_id),
            "session": str(session.id),
            "question": str(question.id),
            "other_session": str(other.id),
            "transcription": str(transcription.id),
        }
    )


def ids(cases: list[Case]) -> list[str]:
    return [case.name for case in cases]


# -- uploads: a bad object or a bad key is a failed row with its reason -----------


def assert_failed_for_good(
    conn: Connection, key: str, reason: str, machine: str
) -> None:
    row = transcription_row(conn, key)
    assert row["status"] == "failed"
    assert row["error_message"] and reason in row["error_message"]
    assert row["retryable"] is False
    assert executions(machine) == []


@pytest.mark.parametrize("case", of_kind("audio"), ids=ids(of_kind("audio")))
def test_bad_audio_is_recorded_as_a_final_failure(
    case: Case,
    world: World,
    transcription_app: Any,
    audio_bucket: str,
    conn: Connection,
    state_machine: str,
    fake_vendors: FakeVendors,
) -> None:
    ext = case.extra.get("ext", "wav")
    key = world.fill(f"audio/{{user}}/{{session}}/{{question}}/{uuid.uuid4()}.{ext}")
    etag = put_object(audio_bucket, key, case.payload)
    size = case.extra.get("declared_size", len(case.payload))

    result = invoke(transcription_app, s3_event(audio_bucket, key, etag, size))

    assert [row["status"] for row in result["transcriptions"]] == ["failed"]
    assert_failed_for_good(conn, key, case.expect, state_machine)


@pytest.mark.parametrize("case", of_kind("key"), ids=ids(of_kind("key")))
def test_bad_key_is_recorded_as_a_final_failure(
    case: Case,
    world: World,
    transcription_app: Any,
    audio_bucket: str,
    conn: Connection,
    state_machine: str,
) -> None:
    key = world.fill(case.payload)
    body = wav_bytes(0.5)
    etag = put_object(audio_bucket, key, body)

    result = invoke(transcription_app, s3_event(audio_bucket, key, etag, len(body)))

    assert [row["status"] for row in result["transcriptions"]] == ["failed"]
    assert_failed_for_good(conn, key, case.expect, state_machine)


# -- whole S3 events ------------------------------------------------------------------


def bad_event(case: Case, bucket: str, world: World) -> dict[str, Any]:
    key = world.fill(f"audio/{{user}}/{{session}}/{{question}}/{uuid.uuid4()}.wav")
    event = s3_event(bucket, key, put_object(bucket, key, wav_bytes(0.5)), 16_000)
    record = event["Records"][0]
    if "Records" in case.payload or not case.payload:
        return copy.deepcopy(case.payload)
    if "eventName" in case.payload:
        record["eventName"] = case.payload["eventName"]
    else:
        record["s3"]["object"].update(case.payload)
    return event


@pytest.mark.parametrize("case", of_kind("event"), ids=ids(of_kind("event")))
def test_malformed_event_is_refused_by_name_or_does_nothing(
    case: Case,
    world: World,
    transcription_app: Any,
    audio_bucket: str,
    conn: Connection,
) -> None:
    event = bad_event(case, audio_bucket, world)
    before = conn.execute("SELECT count(*) FROM transcriptions").fetchone()

    if case.expect == "nothing":
        assert invoke(transcription_app, event) == {"transcriptions": []}
    else:
        with pytest.raises(Exception) as raised:
            invoke(transcription_app, event)
        assert type(raised.value).__name__ == case.expect
        assert str(raised.value).startswith("not an S3 ObjectCreated event: ")
    assert conn.execute("SELECT count(*) FROM transcriptions").fetchone() == before


# -- state machine inputs --


@pytest.mark.parametrize("case", of_kind("step"), ids=ids(of_kind("step")))
def test_bad_step_input_fails_with_its_permanent_error(
    case: Case, world: World
) -> None:
    module = load_handler_module(case.extra["function"])

    with pytest.raises(Exception) as raised:
        module.lambda_handler(world.fill(case.payload), FakeLambdaContext())

    assert type(raised.value).__name__ == case.expect
    assert not isinstance(raised.value, TransientError)


# -- API requests --


@pytest.mark.parametrize("case", of_kind("api"), ids=ids(of_kind("api")))
def test_bad_api_request_gets_its_4xx(
    case: Case, world: World, api_with_bucket: str
) -> None:
    method, path, body = world.fill(case.payload)
    user = (
        None if case.extra.get("signed_in") is False else uuid.UUID(world.names["user"])
    )

    result = call(api_event(method, path, user_id=user, body=body))

    assert result.status == case.expect, result.body
