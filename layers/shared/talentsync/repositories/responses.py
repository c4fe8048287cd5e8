"""SQL over `responses`: storing answers and the document's cross-service queries.

The statements of the data-model document's query patterns are kept as the
document writes them, with `%s` placeholders for its `$n` parameters.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from talentsync.db import Connection
from talentsync.models import Response, TranscriptionData

COLUMNS = sql.SQL(
    "id, session_id, question_id, transcription_data, user_audio_path,"
    " processing_status, created_at, updated_at, transcription_version,"
    " transcription_id"
)

TRANSCRIPTION_DATA_VERSION = "1.0"


class SessionContextRow(BaseModel):
    """One previous answer of a session, as the follow-up service reads it."""

    id: UUID
    transcript: str | None
    confidence: str | None
    question_text: str
    category: str
    difficulty_level: str
    created_at: datetime


class SessionAnalysisRow(BaseModel):
    """One answer with its question, as the feedback service scores it."""

    response_id: UUID
    session_id: UUID
    answer_text: str | None
    transcription_confidence: float | None
    transcription_provider: str | None
    question_text: str
    ideal_answer_summary: str | None
    category: str
    difficulty_level: str
    keywords: list[str] | None
    estimated_time: int | None
    answered_at: datetime


class DailySuccessRate(BaseModel):
    date: date
    total_responses: int
    avg_confidence: float | None
    fallback_count: int
    unique_sessions: int


class ProviderUsage(BaseModel):
    provider: str | None
    usage_count: int
    avg_processing_time: float | None
    avg_confidence: float | None


class RecentTranscriptions(BaseModel):
    recent_transcriptions: int


class ActiveSessionConsistency(BaseModel):
    active_sessions: int
    total_responses: int
    avg_confidence: float | None


def insert_response(
    conn: Connection,
    session_id: UUID,
    question_id: UUID,
    transcription_data: TranscriptionData,
    user_audio_path: str | None,
) -> tuple[Response, bool]:
    """Store the answer once per transcription; return it and whether it is new.

    The document's insert, plus the transcription id column that makes a retried
    step a no-op instead of a second response.
    """
    data = transcription_data.model_copy(update={"version": TRANSCRIPTION_DATA_VERSION})
    query = sql.SQL(
        """
        INSERT INTO responses (
            session_id, question_id, transcription_data, user_audio_path,
            transcription_id
        )
        VALUES (%s, %s, %s, %s, %s)
        ON CONFLICT (transcription_id) DO NOTHING
        RETURNING {}
        """
    ).format(COLUMNS)
    params = (
        session_id,
        question_id,
        Jsonb(data.model_dump(mode="json")),
        user_audio_path,
        transcription_data.transcription_id,
    )
    with conn.cursor(row_factory=class_row(Response)) as cur:
        created = cur.execute(query, params).fetchone()
    if created is not None:
        return created, True

    existing = get_response_by_transcription(conn, transcription_data.transcription_id)
    assert existing is not None  # the conflicting row exists in this snapshot
    return existing, False


def delete_response(conn: Connection, response_id: UUID) -> bool:
    """Remove an answer (its score goes with it); return whether it existed."""
    cur = conn.execute("DELETE FROM responses WHERE id = %s", (response_id,))
    return cur.rowcount > 0


def get_response(conn: Connection, response_id: UUID) -> Response | None:
    query = sql.SQL("SELECT {} FROM responses WHERE id = %s").format(COLUMNS)
    with conn.cursor(row_factory=class_row(Response)) as cur:
        return cur.execute(query, (response_id,)).fetchone()


def get_response_by_transcription(
    conn: Connection, transcription_id: UUID
) -> Response | None:
    query = sql.SQL("SELECT {} FROM responses WHERE transcription_id = %s").format(
        COLUMNS
    )
    with conn.cursor(row_factory=class_row(Response)) as cur:
        return cur.execute(query, (transcription_id,)).fetchone()


def list_session_responses(conn: Connection, session_id: UUID) -> list[Response]:
    query = sql.SQL(
        "SELECT {} FROM responses WHERE session_id = %s ORDER BY created_at, id"
    ).format(COLUMNS)
    with conn.cursor(row_factory=class_row(Response)) as cur:
        return cur.execute(query, (session_id,)).fetchall()


def get_session_context(conn: Connection, session_id: UUID) -> list[SessionContextRow]:
    """Follow-up service: all previous answers of the session, oldest first."""
    with conn.cursor(row_factory=class_row(SessionContextRow)) as cur:
        cur.execute(
            """
            SELECT
                r.id,
                r.transcription_data->>'transcript_text' as transcript,
                r.transcription_data->>'confidence_score' as confidence,
                q.question_text,
                q.category,
                q.difficulty_level,
                r.created_at
            FROM responses r
            JOIN questions q ON r.question_id = q.id
            WHERE r.session_id = %s
            ORDER BY r.created_at
            """,
            (session_id,),
        )
        return cur.fetchall()


def get_asked_question_ids(conn: Connection, session_id: UUID) -> list[UUID]:
    """Follow-up service: questions already answered in the session."""
    rows = conn.execute(
        """
        SELECT DISTINCT question_id
        FROM responses
        WHERE session_id = %s
        """,
        (session_id,),
    ).fetchall()
    return [row[0] for row in rows]


def get_session_analysis(
    conn: Connection, session_id: UUID
) -> list[SessionAnalysisRow]:
    """Feedback service: every answer of the session with its question."""
    with conn.cursor(row_factory=class_row(SessionAnalysisRow)) as cur:
        cur.execute(
            """
            SELECT
                r.id as response_id,
                r.session_id,
                r.transcription_data->>'transcript_text' as answer_text,
                CAST(r.transcription_data->>'confidence_score' AS FLOAT)
                    as transcription_confidence,
                r.transcription_data->>'provider' as transcription_provider,
                q.question_text,
                q.ideal_answer_summary,
                q.category,
                q.difficulty_level,
                q.keywords,
                q.estimated_time,
                r.created_at as answered_at
            FROM responses r
            JOIN questions q ON r.question_id = q.id
            WHERE r.session_id = %s
            ORDER BY r.created_at
            """,
            (session_id,),
        )
        return cur.fetchall()


def get_daily_success_rates(conn: Connection) -> list[DailySuccessRate]:
    """Analytics: per day of the last 30, answers, confidence and fallbacks."""
    with conn.cursor(row_factory=class_row(DailySuccessRate)) as cur:
        cur.execute(
            """
            SELECT
                DATE(r.created_at) as date,
                COUNT(*) as total_responses,
                AVG(CAST(r.transcription_data->>'confidence_score' AS FLOAT))
                    as avg_confidence,
                COUNT(CASE WHEN r.transcription_data->>'fallback_used' = 'true'
                           THEN 1 END) as fallback_count,
                COUNT(DISTINCT r.session_id) as unique_sessions
            FROM responses r
            WHERE r.created_at >= NOW() - INTERVAL '30 days'
            GROUP BY DATE(r.created_at)
            ORDER BY date
            """
        )
        return cur.fetchall()


def get_provider_usage(conn: Connection) -> list[ProviderUsage]:
    """Analytics: how much each provider was used over the last 7 days."""
    with conn.cursor(row_factory=class_row(ProviderUsage)) as cur:
        cur.execute(
            """
            SELECT
                r.transcription_data->>'provider' as provider,
                COUNT(*) as usage_count,
                AVG(CAST(r.transcription_data->>'processing_time' AS FLOAT))
                    as avg_processing_time,
                AVG(CAST(r.transcription_data->>'confidence_score' AS FLOAT))
                    as avg_confidence
            FROM responses r
            WHERE r.created_at >= NOW() - INTERVAL '7 days'
            GROUP BY r.transcription_data->>'provider'
            ORDER BY usage_count DESC
            """
        )
        return cur.fetchall()


def count_recent_transcriptions(conn: Connection) -> RecentTranscriptions:
    """Health check: answers stored in the last five minutes."""
    with conn.cursor(row_factory=class_row(RecentTranscriptions)) as cur:
        cur.execute(
            """
            SELECT COUNT(*) as recent_transcriptions
            FROM responses
            WHERE created_at > NOW() - INTERVAL '5 minutes'
            AND transcription_data ? 'transcript_text'
            """
        )
        row = cur.fetchone()
    assert row is not None  # an aggregate always returns one row
    return row


def check_active_session_consistency(conn: Connection) -> ActiveSessionConsistency:
    """Health check: answers and confidence across the active sessions."""
    with conn.cursor(row_factory=class_row(ActiveSessionConsistency)) as cur:
        cur.execute(
            """
            SELECT
                COUNT(DISTINCT session_id) as active_sessions,
                COUNT(*) as total_responses,
                AVG(CAST(transcription_data->>'confidence_score' AS FLOAT))
                    as avg_confidence
            FROM responses r
            JOIN sessions s ON r.session_id = s.id
            WHERE s.status = 'active'
            """
        )
        row = cur.fetchone()
    assert row is not None  # an aggregate always returns one row
    return row
