"""RecordFailure: an answer the state machine could not finish leaves no half state.

The Catch target of every step. In one transaction, under the session's lock, it
takes the answer back if it was recorded (its response and score removed, the
count lowered, its question current again, a session completed by it reopened
and its summary removed), so the candidate can answer that question again; and
it marks the transcription failed with the step's error, which is where the
client and the analytics see what went wrong.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from talentsync.db import Connection, Database
from talentsync.interview.steps import FailedAnswer, RecordedFailure
from talentsync.models import Session, TranscriptionStatus
from talentsync.repositories import (
    responses,
    session_summaries,
    sessions,
    transcriptions,
)

logger = Logger(child=True)

ERROR_MESSAGE_CHARACTERS = 2000
MESSAGE_PREFIX = "interview pipeline failed: "


def record_failure(database: Database, failed: FailedAnswer) -> RecordedFailure:
    """Take the half-processed answer back and mark its transcription failed."""
    message = (MESSAGE_PREFIX + failed.error.describe())[:ERROR_MESSAGE_CHARACTERS]
    with database.transaction() as conn:
        session = sessions.lock_session(conn, failed.session_id)
        taken_back = session is not None and take_back_answer(conn, session, failed)
        marked = mark_transcription_failed(conn, failed, message)
    logger.info(
        "answer failure recorded",
        extra={"answer_taken_back": taken_back, "transcription_marked_failed": marked},
    )
    return RecordedFailure(
        transcription_marked_failed=marked,
        answer_taken_back=taken_back,
        error_message=message,
    )


def take_back_answer(conn: Connection, session: Session, failed: FailedAnswer) -> bool:
    """Undo what the steps wrote for this answer; False when nothing was written."""
    response = responses.get_response_by_transcription(conn, failed.transcription_id)
    if response is None:
        return False

    # NOTE: only the session's latest answer is taken back. When a later answer was
    # recorded in between, rewinding the count and the current question would undo
    # that answer's progress too, so the response stays, unscored, and only the
    # transcription records the failure.
    latest = responses.list_session_responses(conn, session.id)[-1]
    if latest.id != response.id:
        logger.warning("a later answer exists; the failed answer is kept")
        return False

    session_summaries.delete_summary(conn, session.id)
    responses.delete_response(conn, response.id)
    sessions.undo_answer(conn, session.id, response.question_id)
    return True


def mark_transcription_failed(
    conn: Connection, failed: FailedAnswer, message: str
) -> bool:
    """Mark a completed (or already failed) transcription failed, for good."""
    transcription = transcriptions.get_transcription(conn, failed.transcription_id)
    if transcription is None:
        return False
    # A transcription being worked on again belongs to the transcription function.
    if transcription.status not in (
        TranscriptionStatus.COMPLETED,
        TranscriptionStatus.FAILED,
    ):
        return False
    transcriptions.mark_failed(conn, transcription.id, message)
    return True
