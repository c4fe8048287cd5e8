"""SQL over `sessions`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row

from talentsync.db import Connection
from talentsync.errors import NotFoundError
from talentsync.models import Difficulty, Session, SessionStatus

COLUMNS = sql.SQL(
    "id, user_id, job_position, difficulty_level, status, started_at,"
    " completed_at, total_questions, answered_questions, current_question_id"
)


def insert_session(
    conn: Connection,
    user_id: UUID,
    job_position: str,
    difficulty_level: Difficulty,
    total_questions: int,
) -> Session:
    query = sql.SQL(
        """
        INSERT INTO sessions (user_id, job_position, difficulty_level, total_questions)
        VALUES (%s, %s, %s, %s)
        RETURNING {}
        """
    ).format(COLUMNS)
    params = (user_id, job_position, difficulty_level.value, total_questions)
    return _fetch_one(conn, query, params)


def get_session(conn: Connection, session_id: UUID) -> Session | None:
    query = sql.SQL("SELECT {} FROM sessions WHERE id = %s").format(COLUMNS)
    with conn.cursor(row_factory=class_row(Session)) as cur:
        return cur.execute(query, (session_id,)).fetchone()


def get_user_session(
    conn: Connection, user_id: UUID, session_id: UUID, *, for_update: bool = False
) -> Session | None:
    """The session if it belongs to the user; None for anyone else's."""
    lock = sql.SQL("FOR UPDATE") if for_update else sql.SQL("")
    query = sql.SQL("SELECT {} FROM sessions WHERE id = %s AND user_id = %s {}").format(
        COLUMNS, lock
    )
    with conn.cursor(row_factory=class_row(Session)) as cur:
        return cur.execute(query, (session_id, user_id)).fetchone()


def lock_session(conn: Connection, session_id: UUID) -> Session | None:
    """Read the session and hold its row lock until the transaction ends.

    The pipeline steps of one session serialise on this lock, so counters and the
    current question move one answer at a time.
    """
    query = sql.SQL("SELECT {} FROM sessions WHERE id = %s FOR UPDATE").format(COLUMNS)
    with conn.cursor(row_factory=class_row(Session)) as cur:
        return cur.execute(query, (session_id,)).fetchone()


def list_user_sessions(
    conn: Connection,
    user_id: UUID,
    limit: int,
    before: tuple[datetime, UUID] | None = None,
) -> list[Session]:
    """The user's sessions, newest first, after the (started_at, id) cursor."""
    if before is None:
        condition, params = sql.SQL(""), (user_id, limit)
    else:
        condition = sql.SQL("AND (started_at, id) < (%s, %s)")
        params = (user_id, *before, limit)  # type: ignore[assignment]
    query = sql.SQL(
        """
        SELECT {} FROM sessions
        WHERE user_id = %s {}
        ORDER BY started_at DESC, id DESC
        LIMIT %s
        """
    ).format(COLUMNS, condition)
    with conn.cursor(row_factory=class_row(Session)) as cur:
        return cur.execute(query, params).fetchall()


def increment_answered(conn: Connection, session_id: UUID) -> Session:
    query = sql.SQL(
        """
        UPDATE sessions SET answered_questions = answered_questions + 1
        WHERE id = %s
        RETURNING {}
        """
    ).format(COLUMNS)
    return _fetch_one(conn, query, (session_id,))


def set_current_question(
    conn: Connection, session_id: UUID, question_id: UUID | None
) -> Session:
    query = sql.SQL(
        "UPDATE sessions SET current_question_id = %s WHERE id = %s RETURNING {}"
    ).format(COLUMNS)
    return _fetch_one(conn, query, (question_id, session_id))


def set_status(conn: Connection, session_id: UUID, status: SessionStatus) -> Session:
    """Change the status; completing also stamps completed_at (once)."""
    query = sql.SQL(
        """
        UPDATE sessions
        SET status = %s,
            completed_at = CASE WHEN %s = 'completed'
                                THEN COALESCE(completed_at, NOW())
                                ELSE completed_at END
        WHERE id = %s
        RETURNING {}
        """
    ).format(COLUMNS)
    return _fetch_one(conn, query, (status.value, status.value, session_id))


def undo_answer(conn: Connection, session_id: UUID, question_id: UUID) -> Session:
    """Take back one recorded answer: the count drops, the question is current again.

    A session completed by that answer is reopened; any other status is kept.
    """
    query = sql.SQL(
        """
        UPDATE sessions
        SET answered_questions = GREATEST(answered_questions - 1, 0),
            current_question_id = %s,
            completed_at = CASE WHEN status = 'completed' THEN NULL
                                ELSE completed_at END,
            status = CASE WHEN status = 'completed' THEN 'active' ELSE status END
        WHERE id = %s
        RETURNING {}
        """
    ).format(COLUMNS)
    return _fetch_one(conn, query, (question_id, session_id))


def _fetch_one(
    conn: Connection, query: sql.Composed, params: tuple[object, ...]
) -> Session:
    with conn.cursor(row_factory=class_row(Session)) as cur:
        row = cur.execute(query, params).fetchone()
    if row is None:
        raise NotFoundError("session not found")
    return row
