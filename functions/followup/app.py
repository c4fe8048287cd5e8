"""FollowUpFunction (NextQuestion): the session's next question, or its completion.

Input: `{"session_id", "response_id"}`. With an OpenAI key a chat model writes a
follow-up grounded in the answers so far; without one, or when it fails, the
built-in selector picks from the question bank.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from talentsync.db import get_database
from talentsync.interview.followup import advance_session
from talentsync.interview.llm import chat_model_from_settings
from talentsync.interview.steps import SessionStep
from talentsync.models import SessionStatus
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
    next_question = advance_session(get_database(), chat, step)

    metrics.add_dimension(name="source", value=next_question.source.value)
    metrics.add_metric(name="NextQuestionSettled", unit=MetricUnit.Count, value=1)
    completed = next_question.session_status is SessionStatus.COMPLETED
    metrics.add_metric(
        name="SessionsCompleted", unit=MetricUnit.Count, value=int(completed)
    )
    metrics.add_metric(
        name="ChatModelFallbacks",
        unit=MetricUnit.Count,
        value=int(next_question.llm_fallback),
    )
    return next_question.model_dump(mode="json")
