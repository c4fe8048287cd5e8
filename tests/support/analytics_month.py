"""A month of varied interview data with figures that can be asserted exactly.

Every confidence and processing time is a short binary fraction, so any order of
addition gives the same sum and every average below is exact. Responses sit at
noon (server time zone) of a day some days back, well inside or outside the 7-
and 30-day windows whatever the hour of the run, and their transcriptions carry
the same time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from talentsync.db import Connection
from talentsync.models import Provider, Question, Session, SessionStatus
from talentsync.repositories import sessions, transcriptions
from talentsync.repositories.transcriptions import UploadedObject
from tests.support.builders import make_question, make_response, make_session

OPENAI, ASSEMBLYAI, FALLBACK = Provider.OPENAI, Provider.ASSEMBLYAI, Provider.FALLBACK

# (days back or None for "now", session, provider, confidence, processing s)
# Sessions: 1 and 2 active, 3 completed, 4 cancelled, 5 completed long ago.
ANSWERS = [
    (None, 1, OPENAI, 0.75, 2.0),
    (1, 1, OPENAI, 0.75, 2.0),
    (1, 1, OPENAI, 0.5, 1.0),
    (1, 2, ASSEMBLYAI, 0.625, 4.0),
    (3, 3, FALLBACK, 0.25, 10.0),
    (3, 3, OPENAI, 1.0, 3.0),
    (6, 2, OPENAI, 0.875, 2.5),
    (10, 3, ASSEMBLYAI, 0.5, 6.0),
    (10, 4, OPENAI, 0.75, 1.5),
    (20, 4, OPENAI, 0.625, 2.0),
    (20, 4, FALLBACK, 0.375, 12.0),
    (29, 1, OPENAI, 0.5, 1.0),
    (40, 5, OPENAI, 0.75, 2.0),
]
SESSION_STATUS = {
    1: SessionStatus.ACTIVE,
    2: SessionStatus.ACTIVE,
    3: SessionStatus.COMPLETED,
    4: SessionStatus.CANCELLED,
    5: SessionStatus.COMPLETED,
}
STUCK_AFTER_SECONDS = 900


@dataclass
class Month:
    today: date  # the server's CURRENT_DATE
    sessions: dict[int, Session]
    stuck_ids: set[UUID] = field(default_factory=set)
    fresh_processing_id: UUID | None = None


def seed_month(conn: Connection) -> Month:
    today = server_today(conn)
    month = Month(today=today, sessions=_sessions(conn))
    question = make_question(conn)
    for days_back, number, provider, confidence, seconds in ANSWERS:
        moment = None if days_back is None else server_noon(conn, days_back)
        session = month.sessions[number]
        _answer(conn, session, question, moment, provider, confidence, seconds)
    _failures(conn, month, question)
    return month


def _sessions(conn: Connection) -> dict[int, Session]:
    made = {number: make_session(conn) for number in SESSION_STATUS}
    for number, status in SESSION_STATUS.items():
        if status is not SessionStatus.ACTIVE:
            sessions.set_status(conn, made[number].id, status)
    return made


def _answer(
    conn: Connection,
    session: Session,
    question: Question,
    moment: datetime | None,
    provider: Provider,
    confidence: float,
    processing_time: float,
) -> None:
    response = make_response(
        conn,
        session,
        question,
        moment,
        provider=provider,
        confidence=confidence,
        fallback_used=provider is not OPENAI,
        processing_time=processing_time,
    )
    if moment is not None:
        conn.execute(
            "UPDATE transcriptions SET created_at = %s WHERE id = %s",
            (moment, response.transcription_id),
        )


def _failures(conn: Connection, month: Month, question: Question) -> None:
    """Failed, pending, fresh and stuck transcriptions, in and out of the window."""
    session = month.sessions[1]
    _transcription(conn, session, question, OPENAI, "failed", server_noon(conn, 2))
    _transcription(conn, session, question, ASSEMBLYAI, "failed", server_noon(conn, 5))
    _transcription(conn, session, question, OPENAI, "failed", server_noon(conn, 10))
    _transcription(conn, session, question, OPENAI, "pending", None)
    month.fresh_processing_id = _transcription(
        conn, session, question, OPENAI, "processing", None
    )
    for provider in (OPENAI, ASSEMBLYAI):
        stuck = _transcription(conn, session, question, provider, "processing", None)
        conn.execute(
            "UPDATE transcriptions SET updated_at = NOW() - INTERVAL '20 minutes'"
            " WHERE id = %s",
            (stuck,),
        )
        month.stuck_ids.add(stuck)


def _transcription(
    conn: Connection,
    session: Session,
    question: Question,
    provider: Provider,
    status: str,
    created_at: datetime | None,
) -> UUID:
    row, _ = transcriptions.insert_pending(conn, upload(session, question), provider)
    conn.execute(
        "UPDATE transcriptions SET status = %s, created_at = COALESCE(%s, created_at)"
        " WHERE id = %s",
        (status, created_at, row.id),
    )
    return row.id


def upload(session: Session, question: Question) -> UploadedObject:
    upload_id = uuid.uuid4()
    return UploadedObject(
        bucket="test-bucket",
        key=f"audio/{session.user_id}/{session.id}/{question.id}/{upload_id}.wav",
        etag=upload_id.hex,
        size_bytes=16_000,
        file_name=f"{upload_id}.wav",
        user_id=session.user_id,
        session_id=session.id,
        question_id=question.id,
    )


def server_today(conn: Connection) -> date:
    row = conn.execute("SELECT CURRENT_DATE").fetchone()
    assert row is not None
    today: date = row[0]
    return today


def server_noon(conn: Connection, days_back: int) -> datetime:
    """Noon, in the server's time zone, `days_back` days before today."""
    row = conn.execute(
        "SELECT (CURRENT_DATE - %s + TIME '12:00') AT TIME ZONE"
        " current_setting('TimeZone')",
        (days_back,),
    ).fetchone()
    assert row is not None
    noon: datetime = row[0]
    return noon


def day(month: Month, days_back: int) -> date:
    return month.today - timedelta(days=days_back)
