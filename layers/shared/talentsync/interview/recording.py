"""RecordResponse: a completed transcription becomes the session's answer, once.

The session row is locked first, so two answers of one session are recorded one
after the other and `answered_questions` moves by exactly one per new response.
A retried or repeated step finds the response of its transcription and returns
it without counting it again.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from talentsync.db import Connection, Database
from talentsync.errors import ConflictError, NotFoundError, PermanentError
from talentsync.interview.steps import AnswerStep, RecordedResponse
from talentsync.models import (
    Response,
    Session,
    SessionStatus,
    Transcription,
    TranscriptionData,
    TranscriptionStatus,
)
from talentsync.repositories import responses, sessions, transcriptions

logger = Logger(child=True)


def record_response(database: Database, step: AnswerStep) -> RecordedResponse:
    """Store the answer of `step` (or find it stored) and report the progress."""
    with database.transaction() as conn:
        session = lock_user_session(conn, step)
        transcription = read_transcription(conn, step)

        existing = responses.get_response_by_transcription(conn, step.transcription_id)
        if existing is not None:
            logger.info("response already recorded", extra={"is_new": False})
            return recorded(existing, session, is_new=False)

        check_answer_fits_session(conn, session, step)
        response, is_new = responses.insert_response(
            conn,
            session.id,
            step.question_id,
            embedded_transcription(transcription),
            transcription.original_audio_path,
        )
        # Only a new response counts; the lock makes the check-and-count atomic.
        if is_new:
            session = sessions.increment_answered(conn, session.id)
        return recorded(response, session, is_new)


def lock_user_session(conn: Connection, step: AnswerStep) -> Session:
    session = sessions.lock_session(conn, step.session_id)
    if session is None or session.user_id != step.user_id:
        raise NotFoundError(f"session {step.session_id} not found for the user")
    return session


def read_transcription(conn: Connection, step: AnswerStep) -> Transcription:
    """The step's transcription, which must be completed and of this answer."""
    transcription = transcriptions.get_transcription(conn, step.transcription_id)
    if transcription is None:
        raise NotFoundError(f"transcription {step.transcription_id} not found")
    if transcription.status is not TranscriptionStatus.COMPLETED:
        raise ConflictError(
            f"transcription {transcription.id} is {transcription.status.value},"
            " not completed"
        )
    if not belongs_to_step(transcription, step):
        raise ConflictError(
            f"transcription {transcription.id} is not the answer of this session,"
            " question and user"
        )
    return transcription


def belongs_to_step(transcription: Transcription, step: AnswerStep) -> bool:
    return (
        transcription.user_id == step.user_id
        and transcription.session_id == step.session_id
        and transcription.question_id in (None, step.question_id)
    )


def check_answer_fits_session(
    conn: Connection, session: Session, step: AnswerStep
) -> None:
    """A new answer needs an active session asking this question, unanswered."""
    if session.status is not SessionStatus.ACTIVE:
        raise ConflictError(
            f"session {session.id} is {session.status.value}; it takes no answers"
        )
    if step.question_id in responses.get_asked_question_ids(conn, session.id):
        raise ConflictError(
            f"question {step.question_id} is already answered in session {session.id}"
        )
    if session.current_question_id not in (None, step.question_id):
        raise ConflictError(
            f"question {step.question_id} is not the current question of session"
            f" {session.id}"
        )


def embedded_transcription(transcription: Transcription) -> TranscriptionData:
    """The transcription in the data model's embedded `transcription_data` shape."""
    if (
        transcription.transcript_text is None
        or transcription.confidence_score is None
        or transcription.processing_time is None
    ):
        raise PermanentError(
            f"completed transcription {transcription.id} lacks its transcript,"
            " confidence or processing time"
        )
    return TranscriptionData(
        transcript_text=transcription.transcript_text,
        confidence_score=transcription.confidence_score,
        provider=transcription.provider,
        segments=transcription.segments or [],
        processing_time=transcription.processing_time,
        fallback_used=bool(transcription.fallback_used),
        transcription_id=transcription.id,
    )


def recorded(response: Response, session: Session, is_new: bool) -> RecordedResponse:
    return RecordedResponse(
        response_id=response.id,
        question_id=response.question_id,
        is_new=is_new,
        answered_questions=session.answered_questions or 0,
        total_questions=session.total_questions or 0,
    )
