"""What the API accepts and returns: the request bodies and the views of rows.

Views leave out what a candidate must not see (a question's ideal answer and
keywords) and what they do not need (their own user id). These models are the
source of the OpenAPI document.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from talentsync.models import (
    Difficulty,
    Provider,
    QuestionCategory,
    Segment,
    SessionStatus,
    TranscriptionStatus,
    UnitInterval,
)

# PostgreSQL text cannot hold NUL; a blank position names no job.
VISIBLE_TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"

JobPosition = Annotated[
    str,
    Field(
        min_length=1,
        max_length=255,
        pattern=VISIBLE_TEXT_PATTERN,
        description="The job the interview is for, stored exactly as sent.",
        examples=["Software Engineer"],
    ),
]
QuestionCount = Annotated[int, Field(strict=True, ge=1, le=20)]
ByteCount = Annotated[int, Field(strict=True, gt=0)]


class AudioContentType(StrEnum):
    """The media types an answer may be uploaded as."""

    WAV = "audio/wav"
    MP3 = "audio/mpeg"
    M4A = "audio/mp4"
    MP4 = "video/mp4"
    WEBM = "audio/webm"
    OGG = "audio/ogg"
    FLAC = "audio/flac"


class SessionStatusChange(StrEnum):
    """The statuses a candidate may ask for; `completed` comes from the pipeline."""

    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class NewSessionRequest(BaseModel):
    job_position: JobPosition
    difficulty_level: Difficulty
    total_questions: QuestionCount


class StatusChangeRequest(BaseModel):
    status: SessionStatusChange


class UploadRequest(BaseModel):
    question_id: UUID
    content_type: AudioContentType
    size_bytes: ByteCount = Field(
        description="The size of the file to upload; at most the MAX_AUDIO_BYTES limit."
    )


class QuestionView(BaseModel):
    id: UUID
    question_text: str
    category: QuestionCategory
    difficulty_level: Difficulty
    estimated_time: int | None


class SessionView(BaseModel):
    id: UUID
    job_position: str
    difficulty_level: Difficulty | None
    status: SessionStatus
    started_at: datetime
    completed_at: datetime | None
    total_questions: int | None
    answered_questions: int | None
    current_question_id: UUID | None


class SessionDetail(SessionView):
    current_question: QuestionView | None


class CreatedSession(BaseModel):
    session: SessionView
    first_question: QuestionView


class SessionPage(BaseModel):
    sessions: list[SessionView]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last."
    )


class UploadUrl(BaseModel):
    upload_id: UUID
    key: str
    url: str
    method: Literal["PUT"]
    headers: dict[str, str] = Field(
        description="Headers the PUT must carry exactly (the signature covers them)."
    )
    expires_in_seconds: int
    expires_at: datetime


class ScoreView(BaseModel):
    content_score: UnitInterval
    clarity_score: UnitInterval
    completeness_score: UnitInterval
    overall_score: UnitInterval
    feedback_text: str | None
    scoring_model: str | None
    created_at: datetime


class AnswerView(BaseModel):
    id: UUID
    question_id: UUID
    question_text: str | None
    transcription_id: UUID
    transcript_text: str
    confidence_score: UnitInterval
    provider: Provider
    fallback_used: bool
    processing_time: float
    segments: list[Segment]
    created_at: datetime
    score: ScoreView | None


class AnswerList(BaseModel):
    responses: list[AnswerView]


class AnswerFeedback(ScoreView):
    response_id: UUID
    question_id: UUID
    question_text: str | None


class SummaryView(BaseModel):
    responses_scored: int
    content_score: UnitInterval
    clarity_score: UnitInterval
    completeness_score: UnitInterval
    overall_score: UnitInterval
    category_scores: dict[str, UnitInterval]
    strengths: list[str]
    improvements: list[str]
    summary_text: str
    created_at: datetime


class SessionFeedback(BaseModel):
    session_id: UUID
    status: SessionStatus
    answers: list[AnswerFeedback]
    unscored_answers: int = Field(description="Answers still waiting for a score.")
    summary: SummaryView | None = Field(
        description="Written once the session is completed and every answer scored."
    )


class TranscriptionView(BaseModel):
    id: UUID
    session_id: UUID | None
    question_id: UUID | None
    status: TranscriptionStatus
    error_message: str | None
    provider: Provider
    fallback_used: bool | None
    confidence_score: float | None
    transcript_text: str | None
    processing_time: float | None
    created_at: datetime
    updated_at: datetime


class TranscriptionList(BaseModel):
    transcriptions: list[TranscriptionView]


class HealthReport(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]
    reason: str | None = None


class FieldError(BaseModel):
    loc: list[str | int]
    type: str
    msg: str


class ApiError(BaseModel):
    """The body of every error response."""

    message: str
    detail: list[FieldError] = Field(default_factory=list)
