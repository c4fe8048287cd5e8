"""TranscriptionFunction: each uploaded answer becomes one transcription.

Invoked asynchronously by the audio bucket's ObjectCreated events (prefix
`audio/`). Each record is processed by `talentsync.transcription.service`; when
any record failed for a reason that may pass, the handler raises after the
others are done, so Lambda retries the event (records already done are no-ops
on a retry) and, once retries run out, sends it to the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

from talentsync.db import get_database
from talentsync.settings import get_settings
from talentsync.transcription.service import (
    TranscriptionServices,
    UploadOutcome,
    process_upload,
    require_state_machine,
)
from talentsync.transcription.sources import build_chain
from talentsync.transcription.upload_event import (
    UploadedAudio,
    parse_event,
    uploads,
)

logger = Logger()
# Only the AWS SDK is patched: patching everything X-Ray supports would import
# httpx and requests at cold start. Vendor calls get their own subsegments in
# the provider chain instead.
tracer = Tracer(auto_patch=True, patch_modules=["botocore"])
metrics = Metrics()

# Kept back from the function's remaining time to record the result and start
# the interview after the last provider attempt.
FINISH_RESERVE_SECONDS = 10.0
AWS_CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 3}
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    services = make_services(context)
    outcomes: list[UploadOutcome] = []
    errors: list[Exception] = []
    for upload in uploads(parse_event(event)):
        try:
            outcomes.append(process_one(upload, services))
        except Exception as exc:
            logger.exception("upload not finished; the event will be retried")
            errors.append(exc)
    if errors:
        raise errors[0]
    return {"transcriptions": [outcome_view(outcome) for outcome in outcomes]}


def process_one(
    upload: UploadedAudio, services: TranscriptionServices
) -> UploadOutcome:
    logger.append_keys(s3_key=upload.key, s3_etag=upload.etag)
    try:
        return process_upload(upload, services)
    finally:
        logger.remove_keys(["s3_key", "s3_etag", "transcription_id"])


def make_services(context: LambdaContext) -> TranscriptionServices:
    settings = get_settings()
    require_state_machine(settings)
    s3, stepfunctions = aws_clients()
    return TranscriptionServices(
        settings=settings,
        database=get_database(),
        s3=s3,
        stepfunctions=stepfunctions,
        chain=build_chain(settings, seconds_left(context)),
    )


def seconds_left(context: LambdaContext) -> Callable[[], float]:
    def remaining() -> float:
        left = context.get_remaining_time_in_millis() / 1000
        return left - FINISH_RESERVE_SECONDS

    return remaining


@cache
def aws_clients() -> tuple[Any, Any]:
    """The container's S3 and Step Functions clients, made on first use."""
    return (
        boto3.client("s3", config=AWS_CLIENT_CONFIG),
        boto3.client("stepfunctions", config=AWS_CLIENT_CONFIG),
    )


def outcome_view(outcome: UploadOutcome) -> dict[str, str]:
    return {
        "transcription_id": str(outcome.transcription_id),
        "status": outcome.status.value,
        "detail": outcome.detail,
    }
