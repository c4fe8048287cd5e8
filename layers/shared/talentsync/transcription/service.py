"""Process one uploaded answer: an S3 object becomes exactly one transcription.

1. Record and claim, in one transaction: the key is checked against the
   contract and the session against the user; the row is inserted `pending` with
   ON CONFLICT on (bucket, key, etag), so every delivery of the same upload lands
   on the same row; then it moves to `processing` if it is `pending`, a failure
   that may pass, or a `processing` row whose invocation died.
2. A delivery that could not claim the row: a completed row gets its interview
   started (idempotently), a final failure is left alone, a row in progress
   raises so that Lambda retries the event later.
3. Check: a bad key, someone else's session, a missing question, an empty, too
   large or non-audio object fails the row for good, before any vendor call.
4. Transcribe: the provider chain. A transcript completes the row and starts the
   interview state machine; failures that may pass fail the row as `retryable`
   and raise, so Lambda's retries and the dead-letter queue apply.

`processing_time` is the wall time from the claim to the result: the download
and every provider attempt, in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from talentsync.db import Connection, Database
from talentsync.errors import (
    AllProvidersFailedError,
    ConfigurationError,
    ConflictError,
    DatabaseUnavailableError,
    InvalidAudioError,
    InvalidObjectKeyError,
    NotFoundError,
    TransientError,
)
from talentsync.models import Provider, Transcription, TranscriptionStatus
from talentsync.repositories import transcriptions
from talentsync.repositories.transcriptions import (
    CompletedTranscript,
    UploadedObject,
    UploadReferences,
)
from talentsync.settings import Settings
from talentsync.transcription.chain import ChainOutcome, ProviderChain
from talentsync.transcription.interview_start import start_interview
from talentsync.transcription.object_key import (
    AudioObjectKey,
    KeyIds,
    file_name_of,
    ids_in_key,
    parse_object_key,
)
from talentsync.transcription.storage import fetched_audio
from talentsync.transcription.upload_event import UploadedAudio

logger = Logger(child=True)
metrics = Metrics()

# NOTE: `user_id` is NOT NULL in the data model, but a key that breaks the
# contract may carry no user id at all. Such a row is recorded under the nil UUID
# so that the upload is never silently dropped; no real user has that id.
UNKNOWN_USER_ID = UUID(int=0)

# Failures that repeat on every delivery of the same upload.
FINAL_ERRORS = (InvalidObjectKeyError, InvalidAudioError, NotFoundError, ConflictError)


# NOTE: a delivery that finds the row held by a live invocation raises, so that
# Lambda retries it (after about 1 and 3 minutes). If the holder is still
# working then, the duplicate event lands in the dead-letter queue; redriving it
# later is a no-op or finishes what the holder could not.
class UploadInProgressError(TransientError):
    """Another delivery of the same upload holds the row; retry after it is done."""


@dataclass(frozen=True)
class TranscriptionServices:
    """What processing an upload needs, built once per invocation."""

    settings: Settings
    database: Database
    s3: Any
    stepfunctions: Any
    chain: ProviderChain


@dataclass(frozen=True)
class RecordedUpload:
    row: Transcription
    claimed: Transcription | None
    key: AudioObjectKey | None
    problem: str | None


@dataclass(frozen=True)
class UploadOutcome:
    transcription_id: UUID
    status: TranscriptionStatus
    detail: str


def process_upload(
    upload: UploadedAudio, services: TranscriptionServices
) -> UploadOutcome:
    """Take one upload as far as it can go; raise when a retry may get further."""
    recorded = record_upload(upload, services)
    logger.append_keys(transcription_id=str(recorded.row.id))
    if recorded.claimed is None:
        return settle_unclaimed(recorded.row, services)
    return transcribe_claimed(recorded.claimed, upload, recorded, services)


def require_state_machine(settings: Settings) -> str:
    if not settings.state_machine_arn:
        raise ConfigurationError("STATE_MACHINE_ARN is not set")
    return settings.state_machine_arn


# -- 1. record and claim ------------------------------------------------------


def record_upload(
    upload: UploadedAudio, services: TranscriptionServices
) -> RecordedUpload:
    """Find or insert the upload's row and try to claim it, in one transaction."""
    key, problem, ids = _read_key(upload.key)
    lease_seconds = services.settings.processing_lease_seconds
    with services.database.transaction() as conn:
        references = transcriptions.find_upload_references(
            conn, ids.user_id, ids.session_id, ids.question_id
        )
        if key is not None:
            problem = _ownership_problem(key, references)
        # question_id references questions: an unknown id is recorded as NULL.
        question_id = ids.question_id if references.question_exists else None
        uploaded = _uploaded_object(upload, ids, question_id)
        first = _first_provider(services.settings)
        row, created = transcriptions.insert_pending(conn, uploaded, first)
        claimed = transcriptions.claim_for_processing(conn, row.id, lease_seconds)
    logger.info("upload recorded", extra={"new_row": created, "status": row.status})
    return RecordedUpload(row, claimed, key, problem)


def _read_key(raw_key: str) -> tuple[AudioObjectKey | None, str | None, KeyIds]:
    try:
        key = parse_object_key(raw_key)
    except (InvalidObjectKeyError, InvalidAudioError) as exc:
        return None, str(exc), ids_in_key(raw_key)
    ids = KeyIds(
        user_id=key.user_id, session_id=key.session_id, question_id=key.question_id
    )
    return key, None, ids


def _ownership_problem(key: AudioObjectKey, references: UploadReferences) -> str | None:
    if not references.session_is_users:
        return f"session {key.session_id} does not exist for user {key.user_id}"
    if not references.question_exists:
        return f"question {key.question_id} does not exist"
    return None


def _uploaded_object(
    upload: UploadedAudio, ids: KeyIds, question_id: UUID | None
) -> UploadedObject:
    return UploadedObject(
        bucket=upload.bucket,
        key=upload.key,
        etag=upload.etag,
        size_bytes=upload.size_bytes,
        file_name=file_name_of(upload.key),
        user_id=ids.user_id or UNKNOWN_USER_ID,
        session_id=ids.session_id,
        question_id=question_id,
    )


def _first_provider(settings: Settings) -> Provider:
    chain = settings.transcription_providers
    return chain[0] if chain else Provider.FALLBACK


# -- 2. a delivery that could not claim the row --------------------------------


def settle_unclaimed(
    row: Transcription, services: TranscriptionServices
) -> UploadOutcome:
    """Finish what is left (start the interview), accept a final failure, or wait."""
    metrics.add_metric(name="RepeatedDeliveries", unit=MetricUnit.Count, value=1)
    if row.status == TranscriptionStatus.COMPLETED:
        _start_interview(row, services)
        return UploadOutcome(row.id, row.status, "already completed")
    if row.status == TranscriptionStatus.FAILED:
        logger.info("upload already failed", extra={"error": row.error_message})
        return UploadOutcome(row.id, row.status, "already failed")
    raise UploadInProgressError(
        f"transcription {row.id} is {row.status} in another invocation"
    )


# -- 3 and 4. check and transcribe --------------------------------------------


def transcribe_claimed(
    row: Transcription,
    upload: UploadedAudio,
    recorded: RecordedUpload,
    services: TranscriptionServices,
) -> UploadOutcome:
    started = time.monotonic()
    if recorded.problem is not None or recorded.key is None:
        return _fail_for_good(row, recorded.problem or "invalid key", started, services)
    try:
        outcome = _run_chain(upload, recorded.key, services)
    except FINAL_ERRORS as exc:
        return _fail_for_good(row, str(exc), started, services)
    except Exception as exc:
        _fail_for_now(
            row, f"processing was interrupted: {exc}", None, started, services
        )
        raise
    return _settle_chain(row, outcome, started, services)


def _run_chain(
    upload: UploadedAudio, key: AudioObjectKey, services: TranscriptionServices
) -> ChainOutcome:
    max_bytes = services.settings.max_audio_bytes
    with fetched_audio(services.s3, upload, key, max_bytes) as audio:
        return services.chain.transcribe(audio)


def _settle_chain(
    row: Transcription,
    outcome: ChainOutcome,
    started: float,
    services: TranscriptionServices,
) -> UploadOutcome:
    if outcome.transcript is not None:
        return _complete(row, outcome, started, services)
    message = outcome.failure_message()
    if not outcome.retryable:
        return _fail_for_good(row, message, started, services, outcome.last_provider)
    _fail_for_now(row, message, outcome.last_provider, started, services)
    raise AllProvidersFailedError(message)


def _complete(
    row: Transcription,
    outcome: ChainOutcome,
    started: float,
    services: TranscriptionServices,
) -> UploadOutcome:
    assert outcome.transcript is not None and outcome.provider is not None
    elapsed = time.monotonic() - started
    completed = CompletedTranscript(
        transcript_text=outcome.transcript.text,
        confidence_score=outcome.transcript.confidence,
        provider=outcome.provider,
        segments=outcome.transcript.segments,
        processing_time=elapsed,
        fallback_used=outcome.fallback_used,
    )
    done = _record_result(
        row,
        lambda conn: transcriptions.mark_completed(conn, row.id, completed),
        outcome.provider,
        started,
        services,
    )
    _report_completed(completed)
    _start_interview(done, services)
    return UploadOutcome(done.id, done.status, "completed")


def _fail_for_good(
    row: Transcription,
    message: str,
    started: float,
    services: TranscriptionServices,
    provider: Provider | None = None,
) -> UploadOutcome:
    elapsed = time.monotonic() - started
    failed = _record_result(
        row,
        lambda conn: transcriptions.mark_failed(
            conn, row.id, message, provider, elapsed
        ),
        provider,
        started,
        services,
    )
    _report_failed(message, retryable=False)
    return UploadOutcome(failed.id, failed.status, message)


def _record_result(
    row: Transcription,
    write: Callable[[Connection], Transcription],
    provider: Provider | None,
    started: float,
    services: TranscriptionServices,
) -> Transcription:
    """Write the claimed row's result; if the connection dies, release the row.

    Left `processing`, the row could not be claimed again before its lease ends
    (longer than Lambda's retries wait), so every retry would find it "in
    progress" and the upload would end in the dead-letter queue. Marked a failure
    that may pass (on a fresh connection), the next retry takes it up again.
    """
    try:
        with services.database.transaction() as conn:
            return write(conn)
    except DatabaseUnavailableError as exc:
        message = f"recording the result was interrupted: {exc}"
        _fail_for_now(row, message, provider, started, services)
        raise


def _fail_for_now(
    row: Transcription,
    message: str,
    provider: Provider | None,
    started: float,
    services: TranscriptionServices,
) -> None:
    elapsed = time.monotonic() - started
    with services.database.transaction() as conn:
        transcriptions.mark_failed(
            conn, row.id, message, provider, elapsed, retryable=True
        )
    _report_failed(message, retryable=True)


def _start_interview(row: Transcription, services: TranscriptionServices) -> bool:
    arn = require_state_machine(services.settings)
    started = start_interview(services.stepfunctions, arn, row)
    logger.info("interview start requested", extra={"new_execution": started})
    return started


# -- observability ------------------------------------------------------------


def _report_completed(completed: CompletedTranscript) -> None:
    logger.info(
        "transcription completed",
        extra={
            "provider": completed.provider.value,
            "confidence": round(completed.confidence_score, 3),
            "processing_time": round(completed.processing_time, 3),
            "fallback_used": completed.fallback_used,
            "transcript_chars": len(completed.transcript_text),
        },
    )
    metrics.add_metric(name="TranscriptionsCompleted", unit=MetricUnit.Count, value=1)
    metrics.add_metric(
        name="ProcessingTime",
        unit=MetricUnit.Seconds,
        value=completed.processing_time,
    )
    if completed.fallback_used:
        metrics.add_metric(name="FallbackUsed", unit=MetricUnit.Count, value=1)


def _report_failed(message: str, retryable: bool) -> None:
    logger.warning(
        "transcription failed", extra={"error": message, "retryable": retryable}
    )
    metrics.add_metric(name="TranscriptionsFailed", unit=MetricUnit.Count, value=1)
