"""Rows for tests, made through the repositories so they obey the same SQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

from talentsync.db import Connection
from talentsync.interview.recording import embedded_transcription
from talentsync.models import (
    Difficulty,
    Provider,
    Question,
    QuestionCategory,
    Response,
    Segment,
    Session,
    Transcription,
    TranscriptionData,
)
from talentsync.repositories import questions, responses, sessions, transcriptions
from talentsync.repositories.transcriptions import CompletedTranscript, UploadedObject


def make_session(
    conn: Connection,
    user_id: UUID | None = None,
    job_position: str = "Software Engineer",
    total_questions: int = 3,
) -> Session:
    return sessions.insert_session(
        conn, user_id or uuid.uuid4(), job_position, Difficulty.MEDIUM, total_questions
    )


def make_question(
    conn: Connection,
    text: str = "What is a race condition?",
    category: QuestionCategory = QuestionCategory.TECHNICAL,
    keywords: list[str] | None = None,
) -> Question:
    question = Question(
        id=uuid.uuid4(),
        question_text=text,
        category=category,
        difficulty_level=Difficulty.MEDIUM,
        job_position="Software Engineer",
        ideal_answer_summary="Two threads share state; ordering changes the result.",
        keywords=keywords if keywords is not None else ["threads", "lock"],
        estimated_time=90,
        created_at=datetime.now(UTC),
    )
    return questions.insert_question(conn, question)


def make_completed_transcription(
    conn: Connection,
    session: Session,
    question: Question,
    text: str = "I would use a lock around the shared counter.",
    provider: Provider = Provider.OPENAI,
    confidence: float = 0.9,
    fallback_used: bool = False,
    processing_time: float = 1.25,
) -> Transcription:
    upload_id = uuid.uuid4()
    key = f"audio/{session.user_id}/{session.id}/{question.id}/{upload_id}.wav"
    upload = UploadedObject(
        bucket="test-bucket",
        key=key,
        etag=uuid.uuid4().hex,
        size_bytes=32_000,
        file_name=f"{upload_id}.wav",
        user_id=session.user_id,
        session_id=session.id,
        question_id=question.id,
    )
    row, _ = transcriptions.insert_pending(conn, upload, provider)
    completed = CompletedTranscript(
        transcript_text=text,
        confidence_score=confidence,
        provider=provider,
        segments=[Segment(start=0.0, end=2.5, text=text, confidence=confidence)],
        processing_time=processing_time,
        fallback_used=fallback_used,
    )
    return transcriptions.mark_completed(conn, row.id, completed)


def embedded_data(transcription: Transcription) -> TranscriptionData:
    """The embedded shape RecordResponse stores, made by the product's own code."""
    return embedded_transcription(transcription)


def make_response(
    conn: Connection,
    session: Session,
    question: Question,
    created_at: datetime | None = None,
    **transcription_fields: object,
) -> Response:
    transcription = make_completed_transcription(
        conn,
        session,
        question,
        **transcription_fields,  # type: ignore[arg-type]
    )
    response, _ = responses.insert_response(
        conn, session.id, question.id, embedded_data(transcription), None
    )
    if created_at is None:
        return response
    conn.execute(
        "UPDATE responses SET created_at = %s WHERE id = %s", (created_at, response.id)
    )
    found = responses.get_response(conn, response.id)
    assert found is not None
    return found
