"""SQL over `session_summaries` (schema/008): one summary per completed session."""

from __future__ import annotations

from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from talentsync.db import Connection
from talentsync.models import SessionSummary, UnitInterval

COLUMNS = sql.SQL(
    "session_id, responses_scored, content_score, clarity_score,"
    " completeness_score, overall_score, category_scores, strengths,"
    " improvements, summary_text, created_at"
)


class NewSessionSummary(BaseModel):
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


def insert_summary(
    conn: Connection, summary: NewSessionSummary
) -> tuple[SessionSummary, bool]:
    """Store the session's summary once; return it and whether it is new."""
    query = sql.SQL(
        """
        INSERT INTO session_summaries (
            session_id, responses_scored, content_score, clarity_score,
            completeness_score, overall_score, category_scores, strengths,
            improvements, summary_text
        )
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (session_id) DO NOTHING
        RETURNING {}
        """
    ).format(COLUMNS)
    params = (
        summary.session_id,
        summary.responses_scored,
        summary.content_score,
        summary.clarity_score,
        summary.completeness_score,
        summary.overall_score,
        Jsonb(summary.category_scores),
        summary.strengths,
        summary.improvements,
        summary.summary_text,
    )
    with conn.cursor(row_factory=class_row(SessionSummary)) as cur:
        created = cur.execute(query, params).fetchone()
    if created is not None:
        return created, True

    existing = get_summary(conn, summary.session_id)
    assert existing is not None  # the conflicting row is visible to this statement
    return existing, False


def get_summary(conn: Connection, session_id: UUID) -> SessionSummary | None:
    query = sql.SQL("SELECT {} FROM session_summaries WHERE session_id = %s").format(
        COLUMNS
    )
    with conn.cursor(row_factory=class_row(SessionSummary)) as cur:
        return cur.execute(query, (session_id,)).fetchone()


def delete_summary(conn: Connection, session_id: UUID) -> bool:
    """Remove the summary (a reopened session has none); return whether one was."""
    cur = conn.execute(
        "DELETE FROM session_summaries WHERE session_id = %s", (session_id,)
    )
    return cur.rowcount > 0
