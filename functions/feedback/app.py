"""FeedbackFunction (ScoreAnswer): one score per response; a summary when done.

Input: `{"session_id", "response_id"}`. With an OpenAI key a chat model grades
the answer; without one, or when it fails, the built-in `custom` scorer does.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from talentsync.db import get_database
from talentsync.interview.feedback import score_response
from talentsync.interview.llm import chat_model_from_settings
from talentsync.interview.steps import SessionStep
from talentsync.settings import get_settings

logger = Logger()
# Only the AWS SDK is patched: patching every library X-Ray knows imports httpx
# at cold start. NOTE: the chat-model call (httpx, inside the openai SDK) is
# then not traced as its own subsegment; its time shows in the handler's.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = SessionStep.model_validate(event)
    logger.append_keys(
        session_id=str(step.session_id), response_id=str(step.response_id)
    )

    chat = chat_model_from_settings(get_settings())
    scored = score_response(get_database(), chat, step)

    metrics.add_metric(
        name="AnswersScored", unit=MetricUnit.Count, value=int(scored.is_new)
    )
    metrics.add_metric(
        name="ChatModelFallbacks", unit=MetricUnit.Count, value=int(scored.llm_fallback)
    )
    metrics.add_metric(
        name="SessionSummaries",
        unit=MetricUnit.Count,
        value=int(scored.summary_written),
    )
    return scored.model_dump(mode="json")
