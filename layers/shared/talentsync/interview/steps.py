"""What each state of the interview state machine receives and returns.

The execution input is an `AnswerStep` (DESIGN.md's contract). Each task's
Parameters in template.yaml build the next request from it and from the
previous results, so these models and the definition change together.
"""

from __future__ import annotations

import json
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from talentsync.models import SessionStatus


class AnswerStep(BaseModel):
    """The execution input: one completed transcription of one answer."""

    transcription_id: UUID
    session_id: UUID
    question_id: UUID
    user_id: UUID


class RecordedResponse(BaseModel):
    """RecordResponse's result."""

    response_id: UUID
    question_id: UUID
    is_new: bool
    answered_questions: int
    total_questions: int


class SessionStep(BaseModel):
    """NextQuestion's and ScoreAnswer's request: the session and the new answer."""

    session_id: UUID
    response_id: UUID


class QuestionSource(StrEnum):
    BANK = "bank"
    GENERATED = "generated"
    KEPT = "kept"
    NONE = "none"


class NextQuestion(BaseModel):
    """NextQuestion's result: where the session stands now."""

    session_status: SessionStatus
    next_question_id: UUID | None
    source: QuestionSource
    answered_questions: int
    total_questions: int
    llm_fallback: bool = False


class ScoredAnswer(BaseModel):
    """ScoreAnswer's result."""

    score_id: UUID
    response_id: UUID
    overall_score: float
    scoring_model: str
    is_new: bool
    summary_written: bool
    llm_fallback: bool = False


class StepError(BaseModel):
    """What a Catch puts at `$.error`: the error name and its cause."""

    model_config = ConfigDict(populate_by_name=True)

    error: str = Field(alias="Error")
    cause: str | None = Field(default=None, alias="Cause")

    def describe(self) -> str:
        """`ErrorType: message`, from a Lambda error's JSON cause when it is one."""
        try:
            details = json.loads(self.cause or "")
        except ValueError:
            details = None
        if isinstance(details, dict) and details.get("errorMessage"):
            return f"{details.get('errorType', self.error)}: {details['errorMessage']}"
        return f"{self.error}: {self.cause}" if self.cause else self.error


class FailedAnswer(AnswerStep):
    """RecordFailure's request: the execution input and the error caught."""

    error: StepError


class RecordedFailure(BaseModel):
    """RecordFailure's result."""

    transcription_marked_failed: bool
    answer_taken_back: bool
    error_message: str
