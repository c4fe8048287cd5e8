"""Uploads for the transcription function's tests: objects, events, the handler.

`answer_upload` puts a candidate's answer into the moto audio bucket under a key
that follows the contract (a real session and question behind it); `s3_event`
turns any object into the event SAM's S3 source delivers, built from
tests/events/transcription-s3-put.json so the two cannot drift apart.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import os
import uuid
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus
from uuid import UUID

import boto3
import pytest

from talentsync import settings as settings_module
from talentsync.db import Connection
from talentsync.transcription import sources
from tests.support.aws import REGION
from tests.support.builders import make_question, make_session
from tests.support.handlers import FakeLambdaContext, load_handler_module

EVENT_PATH = (
    Path(__file__).resolve().parents[1] / "events" / "transcription-s3-put.json"
)


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    etag: str
    size_bytes: int
    user_id: UUID
    session_id: UUID
    question_id: UUID


def wav_bytes(seconds: float = 1.0, rate: int = 16_000) -> bytes:
    """A valid mono 16-bit WAV file of silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def answer_key(user_id: UUID, session_id: UUID, question_id: UUID, ext: str) -> str:
    return f"audio/{user_id}/{session_id}/{question_id}/{uuid.uuid4()}.{ext}"


def put_object(bucket: str, key: str, body: bytes) -> str:
    """Store the object; return its ETag without quotes."""
    reply = boto3.client("s3", region_name=REGION).put_object(
        Bucket=bucket, Key=key, Body=body
    )
    return str(reply["ETag"]).strip('"')


def s3_event(bucket: str, key: str, etag: str, size_bytes: int) -> dict[str, Any]:
    """The ObjectCreated event for the object, key URL-encoded as S3 sends it."""
    event = copy.deepcopy(json.loads(EVENT_PATH.read_text()))
    record = event["Records"][0]["s3"]
    record["bucket"]["name"] = bucket
    record["bucket"]["arn"] = f"arn:aws:s3:::{bucket}"
    record["object"].update(key=quote_plus(key, safe="/"), eTag=etag, size=size_bytes)
    return dict(event)


def upload_event(upload: Upload) -> dict[str, Any]:
    return s3_event(upload.bucket, upload.key, upload.etag, upload.size_bytes)


def transcription_row(conn: Connection, key: str) -> dict[str, Any]:
    """The one row for the key, as a dict (with the retryable flag)."""
    with conn.cursor() as cur:
        rows = cur.execute(
            "SELECT * FROM transcriptions WHERE s3_key = %s", (key,)
        ).fetchall()
        names = [column.name for column in cur.description or []]
    assert len(rows) == 1, f"{len(rows)} rows for {key}"
    return dict(zip(names, rows[0], strict=True))


def executions(state_machine_arn: str) -> list[dict[str, Any]]:
    """Every execution of the state machine, with its parsed input."""
    sfn = boto3.client("stepfunctions", region_name=REGION)
    listed = sfn.list_executions(stateMachineArn=state_machine_arn)["executions"]
    described = [sfn.describe_execution(executionArn=e["executionArn"]) for e in listed]
    return [{"name": d["name"], "input": json.loads(d["input"])} for d in described]


# -- fixtures -------------------------------------------------------------------


@pytest.fixture
def state_machine(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """A stand-in interview state machine in moto; STATE_MACHINE_ARN names it.

    A single Pass state: these tests check that the transcription function
    starts it with the right name and input. tests/e2e runs the real definition
    from template.yaml.
    """
    definition = {
        "StartAt": "Received",
        "States": {"Received": {"Type": "Pass", "End": True}},
    }
    reply = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="interview-stand-in",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/interview-stand-in",
    )
    arn = str(reply["stateMachineArn"])
    monkeypatch.setenv("STATE_MACHINE_ARN", arn)
    settings_module.get_settings.cache_clear()
    return arn


@pytest.fixture
def transcription_app(
    database: Any, audio_bucket: str, state_machine: str, fake_vendors: Any
) -> Iterator[Any]:
    """The handler module, as a fresh container would run it."""
    module = load_handler_module("transcription")
    forget_container_state(module)
    yield module
    forget_container_state(module)


@pytest.fixture
def answer_upload(conn: Connection, audio_bucket: str) -> Upload:
    """A WAV answer to a real question of the user's own session, in the bucket."""
    return make_upload(conn, audio_bucket, wav_bytes(), "wav")


def make_upload(conn: Connection, bucket: str, body: bytes, ext: str) -> Upload:
    session = make_session(conn)
    question = make_question(conn)
    key = answer_key(session.user_id, session.id, question.id, ext)
    etag = put_object(bucket, key, body)
    return Upload(
        bucket, key, etag, len(body), session.user_id, session.id, question.id
    )


def invoke(app: Any, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = app.lambda_handler(event, FakeLambdaContext())
    return result


@pytest.fixture
def log_lines(transcription_app: Any) -> Iterator[list[dict[str, Any]]]:
    """Every JSON log line the function writes during the test, parsed."""
    lines: list[dict[str, Any]] = []
    service_logger = logging.getLogger(os.environ["POWERTOOLS_SERVICE_NAME"])
    handler = _JsonCollector(lines, transcription_app.logger.registered_formatter)
    service_logger.addHandler(handler)
    yield lines
    service_logger.removeHandler(handler)


class _JsonCollector(logging.Handler):
    def __init__(
        self, lines: list[dict[str, Any]], formatter: logging.Formatter
    ) -> None:
        super().__init__()
        self.lines = lines
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def forget_container_state(module: Any) -> None:
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    module.aws_clients.cache_clear()
    sources.fallback_source.cache_clear()
    settings_module.get_settings.cache_clear()
