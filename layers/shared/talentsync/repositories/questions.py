"""SQL over `questions`."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row

from talentsync.db import Connection
from talentsync.models import Difficulty, Question

COLUMNS = sql.SQL(
    "id, question_text, category, difficulty_level, job_position,"
    " ideal_answer_summary, keywords, estimated_time, created_at"
)


def get_question(conn: Connection, question_id: UUID) -> Question | None:
    with conn.cursor(row_factory=class_row(Question)) as cur:
        cur.execute(
            sql.SQL("SELECT {} FROM questions WHERE id = %s").format(COLUMNS),
            (question_id,),
        )
        return cur.fetchone()


def upsert_questions(conn: Connection, questions: Iterable[Question]) -> int:
    """Insert or refresh questions by id; return how many rows were written."""
    rows = [
        (
            q.id,
            q.question_text,
            q.category.value,
            q.difficulty_level.value,
            q.job_position,
            q.ideal_answer_summary,
            q.keywords,
            q.estimated_time,
        )
        for q in questions
    ]
    with conn.cursor() as cur:
        cur.executemany(
            """
            INSERT INTO questions (
                id, question_text, category, difficulty_level, job_position,
                ideal_answer_summary, keywords, estimated_time
            )
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (id) DO UPDATE SET
                question_text = EXCLUDED.question_text,
                category = EXCLUDED.category,
                difficulty_level = EXCLUDED.difficulty_level,
                job_position = EXCLUDED.job_position,
                ideal_answer_summary = EXCLUDED.ideal_answer_summary,
                keywords = EXCLUDED.keywords,
                estimated_time = EXCLUDED.estimated_time
            """,
            rows,
        )
    return len(rows)


def insert_question(conn: Connection, question: Question) -> Question:
    """Store one new question (a generated follow-up, say) and return the row."""
    with conn.cursor(row_factory=class_row(Question)) as cur:
        cur.execute(
            sql.SQL(
                """
                INSERT INTO questions (
                    id, question_text, category, difficulty_level, job_position,
                    ideal_answer_summary, keywords, estimated_time
                )
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                RETURNING {}
                """
            ).format(COLUMNS),
            (
                question.id,
                question.question_text,
                question.category.value,
                question.difficulty_level.value,
                question.job_position,
                question.ideal_answer_summary,
                question.keywords,
                question.estimated_time,
            ),
        )
        row = cur.fetchone()
    assert row is not None  # INSERT ... RETURNING always yields the row
    return row


def list_candidate_questions(
    conn: Connection, job_position: str, exclude_ids: list[UUID]
) -> list[Question]:
    """Questions for the position (or general ones) not asked in the session yet."""
    with conn.cursor(row_factory=class_row(Question)) as cur:
        cur.execute(
            sql.SQL(
                """
                SELECT {}
                FROM questions
                WHERE (job_position = %s OR job_position IS NULL)
                  AND NOT (id = ANY(%s))
                ORDER BY id
                """
            ).format(COLUMNS),
            (job_position, exclude_ids),
        )
        return cur.fetchall()


def get_questions(conn: Connection, question_ids: list[UUID]) -> list[Question]:
    """The questions with these ids, in no particular order."""
    query = sql.SQL("SELECT {} FROM questions WHERE id = ANY(%s)").format(COLUMNS)
    with conn.cursor(row_factory=class_row(Question)) as cur:
        return cur.execute(query, (question_ids,)).fetchall()


def choose_first_question(
    conn: Connection, job_position: str, difficulty: Difficulty, among_ids: list[UUID]
) -> Question | None:
    """The opening question of a new session, the same for the same inputs.

    Among `among_ids` (the bank), for the position (any letter case) or general:
    the difficulty asked for before any other, the position's own question before
    a general one, then by id.
    """
    query = sql.SQL(
        """
        SELECT {}
        FROM questions
        WHERE id = ANY(%s)
          AND (lower(job_position) = lower(%s) OR job_position IS NULL)
        ORDER BY difficulty_level <> %s, job_position IS NULL, id
        LIMIT 1
        """
    ).format(COLUMNS)
    params = (among_ids, job_position, difficulty.value)
    with conn.cursor(row_factory=class_row(Question)) as cur:
        return cur.execute(query, params).fetchone()
