"""One answer's trip through the pipeline, as in AWS but in this process.

upload URL from the API → PUT to the presigned URL → the bucket's ObjectCreated
event → TranscriptionFunction → the InterviewStateMachine execution named by the
transcription id. Runs inside `local_state_machine()`, whose `mock_aws` also
answers the S3 calls and (through moto's `responses` patch of `requests`) the
presigned PUT.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus
from uuid import UUID

import boto3
import requests

from local.api_client import ApiClient
from local.demo_answers import Answer
from local.stepfunctions import (
    REGION,
    ExecutionResult,
    LocalStateMachine,
    load_handler,
    load_template,
)

TRANSCRIPTION_FUNCTION = "TranscriptionFunction"
# TranscriptionFunction's Timeout in template.yaml: the chain's time budget.
TRANSCRIPTION_TIMEOUT_MS = 900_000
PUT_TIMEOUT_SECONDS = 60


class PipelineError(RuntimeError):
    """An answer did not make it through; the message says where."""


@dataclass(frozen=True)
class UploadedObject:
    bucket: str
    key: str
    etag: str
    size_bytes: int


@dataclass(frozen=True)
class TranscriptionContext:
    """The Lambda context for TranscriptionFunction, with its full timeout."""

    function_name: str = TRANSCRIPTION_FUNCTION
    aws_request_id: str = ""
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return TRANSCRIPTION_TIMEOUT_MS


def current_question(api: ApiClient, session_id: UUID) -> dict[str, Any] | None:
    """The question the session waits on; None once it is completed."""
    detail = api.get("/sessions/{session_id}", session_id=str(session_id))
    question: dict[str, Any] | None = detail.get("current_question")
    return question if detail["status"] == "active" else None


def upload_answer(
    api: ApiClient, bucket: str, session_id: UUID, question_id: str, answer: Answer
) -> UploadedObject:
    """Ask the API for an upload URL and PUT the recording there."""
    body = answer.path.read_bytes()
    request = {
        "question_id": question_id,
        "content_type": answer.content_type.value,
        "size_bytes": len(body),
    }
    upload = api.post(
        "/sessions/{session_id}/uploads", request, session_id=str(session_id)
    )
    put = requests.put(
        upload["url"], data=body, headers=upload["headers"], timeout=PUT_TIMEOUT_SECONDS
    )
    if put.status_code != 200:
        raise PipelineError(f"the presigned PUT answered {put.status_code}")
    return stored_object(bucket, upload["key"])


def stored_object(bucket: str, key: str) -> UploadedObject:
    """The object as S3 describes it, for the event."""
    head = boto3.client("s3", region_name=REGION).head_object(Bucket=bucket, Key=key)
    etag = str(head["ETag"]).strip('"')
    return UploadedObject(bucket, key, etag, int(head["ContentLength"]))


def object_created_event(uploaded: UploadedObject) -> dict[str, Any]:
    """The event the bucket's notification hands TranscriptionFunction."""
    s3_record = {
        "s3SchemaVersion": "1.0",
        "configurationId": "TranscriptionFunctionAudioUploaded",
        "bucket": {
            "name": uploaded.bucket,
            "arn": f"arn:aws:s3:::{uploaded.bucket}",
            "ownerIdentity": {"principalId": "LOCALDEMO"},
        },
        "object": {
            # S3 sends the key URL-encoded.
            "key": quote_plus(uploaded.key, safe="/"),
            "size": uploaded.size_bytes,
            "eTag": uploaded.etag,
            "sequencer": uuid.uuid4().hex[:16].upper(),
        },
    }
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": "1970-01-01T00:00:00.000Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:LOCALDEMO"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "LOCALDEMO", "x-amz-id-2": "demo"},
        "s3": s3_record,
    }
    return {"Records": [record]}


def transcribe(uploaded: UploadedObject) -> UUID:
    """Run TranscriptionFunction on the upload's event; the transcription id."""
    handler = load_handler(load_template(), TRANSCRIPTION_FUNCTION)
    context = TranscriptionContext(aws_request_id=str(uuid.uuid4()))
    result = handler(object_created_event(uploaded), context)
    outcome = result["transcriptions"][0]
    if outcome["status"] != "completed":
        raise PipelineError(
            f"transcription {outcome['status']}: {outcome['detail'] or 'no detail'}"
        )
    return UUID(outcome["transcription_id"])


def run_interview_steps(
    machine: LocalStateMachine, transcription_id: UUID
) -> ExecutionResult:
    """Wait for the execution the transcription started (its name is the id)."""
    arn = machine.arn.replace(":stateMachine:", ":execution:")
    result = machine.wait(f"{arn}:{transcription_id}")
    if result.status != "SUCCEEDED":
        raise PipelineError(
            f"the interview state machine ended {result.status}: "
            f"{result.error or ''} {result.cause or ''}".strip()
        )
    return result
