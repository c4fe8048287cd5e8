"""FeedbackFunction (ScoreAnswer) with the built-in `custom` scorer (no OpenAI key)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from talentsync.db import Connection, Database
from talentsync.errors import NotFoundError
from talentsync.interview.feedback import score_response
from talentsync.interview.followup import advance_session
from talentsync.interview.recording import record_response
from talentsync.interview.steps import SessionStep
from talentsync.repositories import scores, session_summaries, sessions
from tests.support.handlers import FakeLambdaContext, load_handler_module
from tests.support.interview_sessions import (
    STRONG_ANSWER,
    answer_current_question,
    answer_step,
    count_rows,
    start_session,
)

# Without a chat model, follow-up and feedback use the built-in logic.
pytestmark = pytest.mark.usefixtures("no_openai_key")


def answer_and_advance(
    conn: Connection,
    database: Database,
    session_id: uuid.UUID,
    text: str = STRONG_ANSWER,
) -> SessionStep:
    """RecordResponse and NextQuestion for one answer; ScoreAnswer's step."""
    session = sessions.get_session(conn, session_id)
    assert session is not None
    transcription = answer_current_question(conn, session, text=text)
    recorded = record_response(database, answer_step(transcription))
    step = SessionStep(session_id=session_id, response_id=recorded.response_id)
    advance_session(database, None, step)
    return step


def invoke(step: SessionStep) -> dict[str, Any]:
    result: dict[str, Any] = load_handler_module("feedback").lambda_handler(
        step.model_dump(mode="json"),
        FakeLambdaContext(function_name="FeedbackFunction"),
    )
    return result


def test_the_answer_gets_a_custom_score(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    step = answer_and_advance(conn, database, session.id)

    result = invoke(step)

    score = scores.get_response_score(conn, step.response_id)
    assert score is not None
    assert result["score_id"] == str(score.id)
    assert score.scoring_model == "custom"
    assert 0.0 <= score.overall_score <= 1.0
    assert score.feedback_text and score.feedback_text.startswith("Covered: ")


def test_a_strong_answer_scores_above_a_weak_one_in_the_database(
    conn: Connection, database: Database, question_bank: int
) -> None:
    strong_session, weak_session = start_session(conn), start_session(conn)
    strong = answer_and_advance(conn, database, strong_session.id)
    weak = answer_and_advance(
        conn, database, weak_session.id, text="Um, one is, like, bigger, you know."
    )

    strong_score = score_response(database, None, strong)
    weak_score = score_response(database, None, weak)

    assert strong_score.overall_score > weak_score.overall_score


def test_scoring_the_same_response_again_keeps_one_score(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    step = answer_and_advance(conn, database, session.id)

    first = score_response(database, None, step)
    again = score_response(database, None, step)

    assert again.score_id == first.score_id
    assert again.is_new is False
    assert count_rows(conn, "scores", session.id) == 1


def test_an_unknown_response_is_a_permanent_error(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)

    with pytest.raises(NotFoundError):
        score_response(
            database, None, SessionStep(session_id=session.id, response_id=uuid.uuid4())
        )


def test_no_summary_while_the_session_is_active(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=2)

    result = score_response(
        database, None, answer_and_advance(conn, database, session.id)
    )

    assert result.summary_written is False
    assert session_summaries.get_summary(conn, session.id) is None


def test_scoring_the_last_answer_writes_the_session_summary(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=2)
    score_response(database, None, answer_and_advance(conn, database, session.id))

    result = score_response(
        database, None, answer_and_advance(conn, database, session.id)
    )

    summary = session_summaries.get_summary(conn, session.id)
    assert result.summary_written is True
    assert summary is not None and summary.responses_scored == 2
    assert summary.summary_text.startswith("2 answers scored")


def test_no_summary_until_every_answer_of_a_completed_session_is_scored(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=2)
    first = answer_and_advance(conn, database, session.id)
    last = answer_and_advance(conn, database, session.id)

    last_scored = score_response(database, None, last)
    first_scored = score_response(database, None, first)

    assert last_scored.summary_written is False
    assert first_scored.summary_written is True
    assert session_summaries.get_summary(conn, session.id) is not None
