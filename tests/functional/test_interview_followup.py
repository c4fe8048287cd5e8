"""FollowUpFunction (NextQuestion) with the built-in selector (no OpenAI key)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest

from talentsync.db import Connection, Database
from talentsync.interview.followup import NoQuestionLeftError, advance_session
from talentsync.interview.recording import record_response
from talentsync.interview.steps import SessionStep
from talentsync.models import Difficulty, QuestionCategory, SessionStatus
from talentsync.repositories import questions, responses, sessions
from tests.support import builders
from tests.support.handlers import FakeLambdaContext, load_handler_module
from tests.support.interview_sessions import (
    answer_current_question,
    answer_step,
    start_session,
)

# Without a chat model, follow-up and feedback use the built-in logic.
pytestmark = pytest.mark.usefixtures("no_openai_key")


def answer(conn: Connection, database: Database, session_id: uuid.UUID) -> SessionStep:
    """Record an answer to the current question; the step NextQuestion gets."""
    session = sessions.get_session(conn, session_id)
    assert session is not None
    recorded = record_response(
        database, answer_step(answer_current_question(conn, session))
    )
    return SessionStep(session_id=session_id, response_id=recorded.response_id)


def invoke(step: SessionStep) -> dict[str, Any]:
    result: dict[str, Any] = load_handler_module("followup").lambda_handler(
        step.model_dump(mode="json"),
        FakeLambdaContext(function_name="FollowUpFunction"),
    )
    return result


def test_the_next_question_becomes_the_sessions_current_question(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    step = answer(conn, database, session.id)

    result = invoke(step)

    after = sessions.get_session(conn, session.id)
    assert after is not None
    assert result["source"] == "bank"
    assert result["next_question_id"] == str(after.current_question_id)
    assert after.current_question_id != session.current_question_id


def test_the_next_question_rotates_to_another_category(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)

    result = advance_session(database, None, answer(conn, database, session.id))

    chosen = questions.get_question(conn, result.next_question_id)  # type: ignore[arg-type]
    assert chosen is not None and chosen.category is QuestionCategory.BEHAVIORAL


def test_no_question_is_asked_twice_in_a_session(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=12)
    asked = [session.current_question_id]

    for _ in range(10):
        result = advance_session(database, None, answer(conn, database, session.id))
        asked.append(result.next_question_id)

    assert len(set(asked)) == len(asked)


def test_a_retried_step_keeps_the_question_it_chose(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    step = answer(conn, database, session.id)

    first = advance_session(database, None, step)
    again = advance_session(database, None, step)

    assert again.next_question_id == first.next_question_id
    assert again.source.value == "kept"


def test_the_last_answer_completes_the_session(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=2)
    advance_session(database, None, answer(conn, database, session.id))

    result = advance_session(database, None, answer(conn, database, session.id))

    after = sessions.get_session(conn, session.id)
    assert after is not None
    assert result.session_status is SessionStatus.COMPLETED
    assert after.status is SessionStatus.COMPLETED
    assert after.completed_at is not None
    assert after.current_question_id is None


def test_a_completed_session_stays_completed_on_a_retry(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=1)
    step = answer(conn, database, session.id)
    advance_session(database, None, step)

    again = advance_session(database, None, step)

    assert again.session_status is SessionStatus.COMPLETED
    assert again.next_question_id is None


def test_strong_scores_bring_a_harder_question(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=5)
    first = answer(conn, database, session.id)
    conn.execute(
        "INSERT INTO scores (response_id, session_id, content_score, clarity_score,"
        " completeness_score, overall_score, scoring_model)"
        " VALUES (%s, %s, 0.9, 0.9, 0.9, 0.9, 'custom')",
        (first.response_id, session.id),
    )

    result = advance_session(database, None, first)

    chosen = questions.get_question(conn, result.next_question_id)  # type: ignore[arg-type]
    assert chosen is not None and chosen.difficulty_level is Difficulty.HARD


def test_an_exhausted_question_bank_is_a_permanent_error(
    conn: Connection, database: Database
) -> None:
    only = builders.make_question(conn, text="The only question there is?")
    session = builders.make_session(conn, job_position="Astronaut", total_questions=3)
    conn.execute(
        "UPDATE questions SET job_position = 'Astronaut' WHERE id = %s", (only.id,)
    )
    sessions.set_current_question(conn, session.id, only.id)
    transcription = builders.make_completed_transcription(conn, session, only)
    recorded = record_response(database, answer_step(transcription))

    with pytest.raises(NoQuestionLeftError):
        advance_session(
            database,
            None,
            SessionStep(session_id=session.id, response_id=recorded.response_id),
        )


def test_the_follow_up_reads_the_session_context_in_answer_order(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=5)
    for _ in range(2):
        advance_session(database, None, answer(conn, database, session.id))

    context = responses.get_session_context(conn, session.id)

    assert [row.category for row in context] == ["technical", "behavioral"]


def test_without_a_key_the_chat_model_is_skipped_with_a_log_line(
    conn: Connection,
    database: Database,
    question_bank: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    session = start_session(conn)
    step = answer(conn, database, session.id)

    with caplog.at_level(logging.INFO):
        invoke(step)

    assert "no OpenAI API key: the built-in logic answers" in caplog.messages
