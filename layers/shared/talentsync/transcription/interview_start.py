"""Start the interview state machine for a completed transcription.

The execution is named by the transcription id, so a second start for the same
transcription cannot run the interview twice: Step Functions either returns the
running execution (same name, same input) or refuses with ExecutionAlreadyExists,
which here means "already started" and counts as success.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from talentsync.errors import TransientError
from talentsync.models import Transcription


class InterviewStartError(TransientError):
    """Step Functions did not take the start request; a redelivery starts it."""


class InterviewInput(BaseModel):
    """The state machine's input contract (DESIGN.md): four ids as strings."""

    transcription_id: str
    session_id: str
    question_id: str
    user_id: str


def interview_input(transcription: Transcription) -> InterviewInput:
    # Only a completed row, whose key and ownership were checked, gets here.
    assert transcription.session_id is not None
    assert transcription.question_id is not None
    return InterviewInput(
        transcription_id=str(transcription.id),
        session_id=str(transcription.session_id),
        question_id=str(transcription.question_id),
        user_id=str(transcription.user_id),
    )


def start_interview(
    stepfunctions: Any, state_machine_arn: str, transcription: Transcription
) -> bool:
    """Start the execution; False when Step Functions says it already exists."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        stepfunctions.start_execution(
            stateMachineArn=state_machine_arn,
            name=str(transcription.id),
            input=interview_input(transcription).model_dump_json(),
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return False
        raise InterviewStartError(f"cannot start the interview: {exc}") from exc
    except BotoCoreError as exc:
        raise InterviewStartError(f"cannot start the interview: {exc}") from exc
    return True
