"""InterviewFunction (RecordResponse): a completed transcription becomes a response.

Input: the state machine's execution input, `{"transcription_id", "session_id",
"question_id", "user_id"}`. Output: the response id and the session's progress.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from talentsync.db import get_database
from talentsync.interview.recording import record_response
from talentsync.interview.steps import AnswerStep

logger = Logger()
# Only the AWS SDK is patched: patching every library X-Ray knows imports httpx
# (and its extras) at cold start for calls this function never makes.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = AnswerStep.model_validate(event)
    logger.append_keys(
        transcription_id=str(step.transcription_id), session_id=str(step.session_id)
    )

    recorded = record_response(get_database(), step)

    metrics.add_metric(
        name="ResponsesRecorded", unit=MetricUnit.Count, value=int(recorded.is_new)
    )
    return recorded.model_dump(mode="json")
