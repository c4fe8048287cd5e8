"""Rows of the data model and the values that travel between the functions.

Field names, types and nullability follow the product's data-model document
(`shared/seeds/000_b9ab134cc30297a2.txt`); additions the pipeline needs are
marked where they are declared.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

UnitInterval = Annotated[float, Field(ge=0.0, le=1.0)]


class Provider(StrEnum):
    OPENAI = "openai"
    ASSEMBLYAI = "assemblyai"
    FALLBACK = "fallback"


class TranscriptionStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class SessionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    PAUSED = "paused"
    CANCELLED = "cancelled"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class QuestionCategory(StrEnum):
    TECHNICAL = "technical"
    BEHAVIORAL = "behavioral"
    SITUATIONAL = "situational"


class Segment(BaseModel):
    """One timed stretch of a transcript, as the document's sample shows it."""

    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    text: str
    confidence: UnitInterval


class Word(BaseModel):
    """One timed word, when the provider gives word timings."""

    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    text: str
    confidence: UnitInterval


class Transcription(BaseModel):
    """A row of `transcriptions`."""

    id: UUID
    user_id: UUID
    session_id: UUID | None
    file_name: str
    file_size: int
    original_audio_path: str | None
    transcript_text: str | None
    confidence_score: float | None
    provider: Provider
    status: TranscriptionStatus
    segments: list[Segment] | None
    processing_time: float | None
    error_message: str | None
    fallback_used: bool | None
    created_at: datetime
    updated_at: datetime
    # Pipeline additions (schema/004): the S3 object and the question answered.
    question_id: UUID | None = None
    s3_bucket: str | None = None
    s3_key: str | None = None
    s3_etag: str | None = None
    attempt_count: int = 0


class TranscriptionData(BaseModel):
    """The transcription result embedded in `responses.transcription_data`."""

    transcript_text: str
    confidence_score: UnitInterval
    provider: Provider
    segments: list[Segment]
    processing_time: float
    fallback_used: bool
    transcription_id: UUID
    # Added by the document's "adding new transcription fields" migration.
    version: str | None = None


class Response(BaseModel):
    """A row of `responses`."""

    id: UUID
    session_id: UUID
    question_id: UUID
    transcription_data: TranscriptionData
    user_audio_path: str | None
    processing_status: str | None
    created_at: datetime
    updated_at: datetime
    transcription_version: str | None = None
    # Pipeline addition (schema/005): one response per transcription.
    transcription_id: UUID | None = None


class Session(BaseModel):
    """A row of `sessions`."""

    id: UUID
    user_id: UUID
    job_position: str
    difficulty_level: Difficulty | None
    status: SessionStatus
    started_at: datetime
    completed_at: datetime | None
    total_questions: int | None
    answered_questions: int | None
    # Pipeline addition (schema/007): the question the candidate answers next.
    current_question_id: UUID | None = None


class Question(BaseModel):
    """A row of `questions`."""

    id: UUID
    question_text: str
    category: QuestionCategory
    difficulty_level: Difficulty
    job_position: str | None
    ideal_answer_summary: str | None
    keywords: list[str] | None
    estimated_time: int | None
    created_at: datetime


class Score(BaseModel):
    """A row of `scores`."""

    id: UUID
    response_id: UUID
    session_id: UUID
    content_score: UnitInterval
    clarity_score: UnitInterval
    completeness_score: UnitInterval
    overall_score: UnitInterval
    feedback_text: str | None
    scoring_model: str | None
    created_at: datetime


class SessionSummary(BaseModel):
    """A row of `session_summaries` (schema/008): a completed session in brief."""

    session_id: UUID
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
