"""SQL over `scores`: one score per response."""

from __future__ import annotations

from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row
from pydantic import BaseModel

from talentsync.db import Connection
from talentsync.models import Score, UnitInterval

COLUMNS = sql.SQL(
    "id, response_id, session_id, content_score, clarity_score,"
    " completeness_score, overall_score, feedback_text, scoring_model, created_at"
)


class NewScore(BaseModel):
    response_id: UUID
    session_id: UUID
    content_score: UnitInterval
    clarity_score: UnitInterval
    completeness_score: UnitInterval
    overall_score: UnitInterval
    feedback_text: str
    scoring_model: str


def insert_score(conn: Connection, score: NewScore) -> tuple[Score, bool]:
    """Store the response's score once; return it and whether it is new."""
    query = sql.SQL(
        """
        INSERT INTO scores (
            response_id, session_id, content_score, clarity_score,
            completeness_score, overall_score, feedback_text, scoring_model
        )
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (response_id) DO NOTHING
        RETURNING {}
        """
    ).format(COLUMNS)
    params = (
        score.response_id,
        score.session_id,
        score.content_score,
        score.clarity_score,
        score.completeness_score,
        score.overall_score,
        score.feedback_text,
        score.scoring_model,
    )
    with conn.cursor(row_factory=class_row(Score)) as cur:
        created = cur.execute(query, params).fetchone()
    if created is not None:
        return created, True

    existing = get_response_score(conn, score.response_id)
    assert existing is not None  # the conflicting row is visible to this statement
    return existing, False


def get_response_score(conn: Connection, response_id: UUID) -> Score | None:
    query = sql.SQL("SELECT {} FROM scores WHERE response_id = %s").format(COLUMNS)
    with conn.cursor(row_factory=class_row(Score)) as cur:
        return cur.execute(query, (response_id,)).fetchone()


def list_session_scores(conn: Connection, session_id: UUID) -> list[Score]:
    query = sql.SQL(
        "SELECT {} FROM scores WHERE session_id = %s ORDER BY created_at, id"
    ).format(COLUMNS)
    with conn.cursor(row_factory=class_row(Score)) as cur:
        return cur.execute(query, (session_id,)).fetchall()
