"""RecordFailureFunction: the Catch target of the interview state machine.

Input: the execution input plus `error` (`{"Error", "Cause"}`, as the Catch puts
it). Takes a half-processed answer back and marks the transcription failed, so
nothing is left half-done; the state machine then fails with the cause.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from talentsync.db import get_database
from talentsync.interview.failure import record_failure
from talentsync.interview.steps import FailedAnswer

logger = Logger()
# Only the AWS SDK is patched: patching every library X-Ray knows imports httpx
# (and its extras) at cold start for calls this function never makes.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failed = FailedAnswer.model_validate(event)
    logger.append_keys(
        transcription_id=str(failed.transcription_id),
        session_id=str(failed.session_id),
        error=failed.error.error,
    )

    recorded = record_failure(get_database(), failed)

    metrics.add_metric(name="AnswersFailed", unit=MetricUnit.Count, value=1)
    return recorded.model_dump(mode="json")
