"""Each constraint of the schema rejects a bad row with its own error."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg
import pytest
from psycopg import errors, sql
from psycopg.types.json import Jsonb

from talentsync.db import Connection
from tests.support.builders import (
    make_completed_transcription,
    make_question,
    make_response,
    make_session,
)


def insert_row(conn: Connection, table: str, row: dict[str, object]) -> None:
    """INSERT one row as given, so the constraint under test sees it unchanged."""
    conn.execute(
        sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, row)),
            sql.SQL(", ").join(sql.Placeholder() * len(row)),
        ),
        tuple(row.values()),
    )


def insert_session_row(conn: Connection, **overrides: object) -> None:
    row = {"user_id": uuid.uuid4(), "job_position": "Software Engineer", **overrides}
    insert_row(conn, "sessions", row)


def insert_question_row(conn: Connection, **overrides: object) -> None:
    row = {
        "question_text": "Why?",
        "category": "technical",
        "difficulty_level": "easy",
        **overrides,
    }
    insert_row(conn, "questions", row)


def insert_transcription_row(conn: Connection, **overrides: object) -> None:
    row = {
        "user_id": uuid.uuid4(),
        "file_name": "a.wav",
        "file_size": 10,
        "provider": "openai",
        **overrides,
    }
    insert_row(conn, "transcriptions", row)


def insert_response_row(
    conn: Connection, session_id: uuid.UUID, question_id: uuid.UUID, **overrides: object
) -> None:
    row = {
        "session_id": session_id,
        "question_id": question_id,
        "transcription_data": Jsonb({}),
        **overrides,
    }
    insert_row(conn, "responses", row)


def insert_score_row(
    conn: Connection, response_id: uuid.UUID, session_id: uuid.UUID, **overrides: object
) -> None:
    row = {
        "response_id": response_id,
        "session_id": session_id,
        "content_score": 0.5,
        "clarity_score": 0.5,
        "completeness_score": 0.5,
        "overall_score": 0.5,
        **overrides,
    }
    insert_row(conn, "scores", row)


def insert_session_summary_row(
    conn: Connection, session_id: uuid.UUID, **overrides: object
) -> None:
    row = {
        "session_id": session_id,
        "responses_scored": 1,
        "content_score": 0.5,
        "clarity_score": 0.5,
        "completeness_score": 0.5,
        "overall_score": 0.5,
        "category_scores": Jsonb({"technical": 0.5}),
        "strengths": ["Clear structure"],
        "improvements": ["More examples"],
        "summary_text": "A solid interview.",
        **overrides,
    }
    insert_row(conn, "session_summaries", row)


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"status": "archived"}, "sessions_status_check"),
        ({"difficulty_level": "extreme"}, "sessions_difficulty_level_check"),
        ({"total_questions": -1}, "sessions_question_counts_check"),
        ({"answered_questions": -1}, "sessions_question_counts_check"),
    ],
)
def test_session_checks(conn: Connection, overrides: dict, constraint: str) -> None:
    with pytest.raises(errors.CheckViolation) as caught:
        insert_session_row(conn, **overrides)

    assert caught.value.diag.constraint_name == constraint


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"category": "trivia"}, "questions_category_check"),
        ({"difficulty_level": "medium-rare"}, "questions_difficulty_level_check"),
        ({"estimated_time": 0}, "questions_estimated_time_check"),
    ],
)
def test_question_checks(conn: Connection, overrides: dict, constraint: str) -> None:
    with pytest.raises(errors.CheckViolation) as caught:
        insert_question_row(conn, **overrides)

    assert caught.value.diag.constraint_name == constraint


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"provider": "whisper-api"}, "transcriptions_provider_check"),
        ({"status": "queued"}, "transcriptions_status_check"),
        ({"confidence_score": 1.5}, "transcriptions_confidence_score_check"),
        ({"file_size": -1}, "transcriptions_file_size_check"),
    ],
)
def test_transcription_checks(
    conn: Connection, overrides: dict, constraint: str
) -> None:
    with pytest.raises(errors.CheckViolation) as caught:
        insert_transcription_row(conn, **overrides)

    assert caught.value.diag.constraint_name == constraint


@pytest.mark.parametrize(
    "column", ["content_score", "clarity_score", "completeness_score", "overall_score"]
)
@pytest.mark.parametrize("value", [-0.01, 1.01])
def test_scores_outside_zero_to_one_are_rejected(
    conn: Connection, column: str, value: float
) -> None:
    session = make_session(conn)
    response = make_response(conn, session, make_question(conn))
    scores = {
        "content_score": 0.5,
        "clarity_score": 0.5,
        "completeness_score": 0.5,
        "overall_score": 0.5,
        column: value,
    }

    with pytest.raises(errors.CheckViolation) as caught:
        conn.execute(
            "INSERT INTO scores (response_id, session_id, content_score,"
            " clarity_score, completeness_score, overall_score)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (response.id, session.id, *scores.values()),
        )

    assert caught.value.diag.constraint_name == "scores_range_check"


def test_required_columns_are_not_null(conn: Connection) -> None:
    with pytest.raises(errors.NotNullViolation) as caught:
        insert_transcription_row(conn, provider=None)

    assert caught.value.diag.column_name == "provider"


def test_a_response_needs_an_existing_session(conn: Connection) -> None:
    question = make_question(conn)

    with pytest.raises(errors.ForeignKeyViolation) as caught:
        conn.execute(
            "INSERT INTO responses (session_id, question_id, transcription_data)"
            " VALUES (%s, %s, '{}')",
            (uuid.uuid4(), question.id),
        )

    assert caught.value.diag.constraint_name == "responses_session_id_fkey"


def test_a_response_needs_an_existing_question(conn: Connection) -> None:
    session = make_session(conn)

    with pytest.raises(errors.ForeignKeyViolation) as caught:
        conn.execute(
            "INSERT INTO responses (session_id, question_id, transcription_data)"
            " VALUES (%s, %s, '{}')",
            (session.id, uuid.uuid4()),
        )

    assert caught.value.diag.constraint_name == "responses_question_id_fkey"


def test_a_score_needs_an_existing_response(conn: Connection) -> None:
    session = make_session(conn)

    with pytest.raises(errors.ForeignKeyViolation) as caught:
        conn.execute(
            "INSERT INTO scores (response_id, session_id, content_score,"
            " clarity_score, completeness_score, overall_score)"
            " VALUES (%s, %s, 0.5, 0.5, 0.5, 0.5)",
            (uuid.uuid4(), session.id),
        )

    assert caught.value.diag.constraint_name == "scores_response_id_fkey"


def test_a_score_needs_an_existing_session(conn: Connection) -> None:
    session = make_session(conn)
    response = make_response(conn, session, make_question(conn))

    with pytest.raises(errors.ForeignKeyViolation) as caught:
        insert_score_row(conn, response.id, uuid.uuid4())

    assert caught.value.diag.constraint_name == "scores_session_id_fkey"


def test_a_transcription_needs_an_existing_question(conn: Connection) -> None:
    with pytest.raises(errors.ForeignKeyViolation) as caught:
        insert_transcription_row(conn, question_id=uuid.uuid4())

    assert caught.value.diag.constraint_name == "transcriptions_question_id_fkey"


def test_a_response_needs_an_existing_transcription(conn: Connection) -> None:
    session = make_session(conn)
    question = make_question(conn)

    with pytest.raises(errors.ForeignKeyViolation) as caught:
        insert_response_row(
            conn, session.id, question.id, transcription_id=uuid.uuid4()
        )

    assert caught.value.diag.constraint_name == "responses_transcription_id_fkey"


@pytest.mark.parametrize(
    ("insert_row", "constraint"),
    [
        (insert_session_row, "sessions_pkey"),
        (insert_question_row, "questions_pkey"),
        (insert_transcription_row, "transcriptions_pkey"),
    ],
    ids=["sessions", "questions", "transcriptions"],
)
def test_row_ids_are_unique(
    conn: Connection, insert_row: Callable[..., None], constraint: str
) -> None:
    row_id = uuid.uuid4()
    insert_row(conn, id=row_id)

    with pytest.raises(errors.UniqueViolation) as caught:
        insert_row(conn, id=row_id)

    assert caught.value.diag.constraint_name == constraint


def test_response_ids_are_unique(conn: Connection) -> None:
    session = make_session(conn)
    question = make_question(conn)
    response = make_response(conn, session, question)

    with pytest.raises(errors.UniqueViolation) as caught:
        insert_response_row(conn, session.id, question.id, id=response.id)

    assert caught.value.diag.constraint_name == "responses_pkey"


def test_score_ids_are_unique(conn: Connection) -> None:
    session = make_session(conn)
    first = make_response(conn, session, make_question(conn))
    second = make_response(conn, session, make_question(conn))
    score_id = uuid.uuid4()
    insert_score_row(conn, first.id, session.id, id=score_id)

    with pytest.raises(errors.UniqueViolation) as caught:
        insert_score_row(conn, second.id, session.id, id=score_id)

    assert caught.value.diag.constraint_name == "scores_pkey"


def test_deleting_a_session_cascades_to_its_responses_and_scores(
    conn: Connection,
) -> None:
    session = make_session(conn)
    response = make_response(conn, session, make_question(conn))
    conn.execute(
        "INSERT INTO scores (response_id, session_id, content_score, clarity_score,"
        " completeness_score, overall_score) VALUES (%s, %s, 0.5, 0.5, 0.5, 0.5)",
        (response.id, session.id),
    )

    conn.execute("DELETE FROM sessions WHERE id = %s", (session.id,))

    counts = conn.execute(
        "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM scores)"
    ).fetchone()
    assert counts == (0, 0)


def test_one_transcription_row_per_s3_object(conn: Connection) -> None:
    values = (uuid.uuid4(), "a.wav", 10, "openai", "bucket", "audio/k.wav", "etag1")
    statement = (
        "INSERT INTO transcriptions (user_id, file_name, file_size, provider,"
        " s3_bucket, s3_key, s3_etag) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    conn.execute(statement, values)

    with pytest.raises(errors.UniqueViolation) as caught:
        conn.execute(statement, values)

    assert caught.value.diag.constraint_name == "transcriptions_s3_object_key"


def test_one_response_per_transcription(conn: Connection) -> None:
    session = make_session(conn)
    question = make_question(conn)
    transcription = make_completed_transcription(conn, session, question)
    statement = (
        "INSERT INTO responses (session_id, question_id, transcription_data,"
        " transcription_id) VALUES (%s, %s, '{}', %s)"
    )
    conn.execute(statement, (session.id, question.id, transcription.id))

    with pytest.raises(errors.UniqueViolation) as caught:
        conn.execute(statement, (session.id, question.id, transcription.id))

    assert caught.value.diag.constraint_name == "responses_transcription_id_key"


def test_one_score_per_response(conn: Connection) -> None:
    session = make_session(conn)
    response = make_response(conn, session, make_question(conn))
    statement = (
        "INSERT INTO scores (response_id, session_id, content_score, clarity_score,"
        " completeness_score, overall_score) VALUES (%s, %s, 0.5, 0.5, 0.5, 0.5)"
    )
    conn.execute(statement, (response.id, session.id))

    with pytest.raises(errors.UniqueViolation) as caught:
        conn.execute(statement, (response.id, session.id))

    assert caught.value.diag.constraint_name == "scores_response_id_key"


def test_current_question_must_exist(conn: Connection) -> None:
    session = make_session(conn)

    with pytest.raises(psycopg.errors.ForeignKeyViolation) as caught:
        conn.execute(
            "UPDATE sessions SET current_question_id = %s WHERE id = %s",
            (uuid.uuid4(), session.id),
        )

    assert caught.value.diag.constraint_name == "sessions_current_question_id_fkey"


def test_one_summary_per_session(conn: Connection) -> None:
    session = make_session(conn)
    insert_session_summary_row(conn, session.id)

    with pytest.raises(errors.UniqueViolation) as caught:
        insert_session_summary_row(conn, session.id)

    assert caught.value.diag.constraint_name == "session_summaries_pkey"


def test_a_summary_needs_an_existing_session(conn: Connection) -> None:
    with pytest.raises(errors.ForeignKeyViolation) as caught:
        insert_session_summary_row(conn, uuid.uuid4())

    assert caught.value.diag.constraint_name == "session_summaries_session_id_fkey"


def test_a_summary_covers_at_least_one_scored_response(conn: Connection) -> None:
    session = make_session(conn)

    with pytest.raises(errors.CheckViolation) as caught:
        insert_session_summary_row(conn, session.id, responses_scored=0)

    assert (
        caught.value.diag.constraint_name == "session_summaries_responses_scored_check"
    )


@pytest.mark.parametrize(
    "column", ["content_score", "clarity_score", "completeness_score", "overall_score"]
)
@pytest.mark.parametrize("value", [-0.01, 1.01])
def test_summary_scores_outside_zero_to_one_are_rejected(
    conn: Connection, column: str, value: float
) -> None:
    session = make_session(conn)

    with pytest.raises(errors.CheckViolation) as caught:
        insert_session_summary_row(conn, session.id, **{column: value})

    assert caught.value.diag.constraint_name == "session_summaries_range_check"


@pytest.mark.parametrize(
    "transcription_data",
    [{"provider": "openai"}, {}],
    ids=["with-provider", "without-provider"],
)
def test_one_rollup_row_per_bucket_session_and_provider(
    conn: Connection, transcription_data: dict
) -> None:
    # The trigger on responses writes the rollup row; copying it collides on the
    # key, a NULL provider too (NULLS NOT DISTINCT). No row to copy, no error.
    session = make_session(conn)
    insert_response_row(
        conn,
        session.id,
        make_question(conn).id,
        transcription_data=Jsonb(transcription_data),
    )

    with pytest.raises(errors.UniqueViolation) as caught:
        conn.execute(
            "INSERT INTO response_rollups"
            " SELECT * FROM response_rollups WHERE session_id = %s",
            (session.id,),
        )

    assert caught.value.diag.constraint_name == "response_rollups_key"


def test_each_migration_is_recorded_once(conn: Connection) -> None:
    # The runner's own table; rolled back, so the shared history never changes.
    with (
        pytest.raises(errors.UniqueViolation) as caught,
        conn.transaction(force_rollback=True),
    ):
        conn.execute(
            "INSERT INTO schema_migrations (version, checksum)"
            " SELECT version, checksum FROM schema_migrations LIMIT 1"
        )

    assert caught.value.diag.constraint_name == "schema_migrations_pkey"
