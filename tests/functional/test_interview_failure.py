"""RecordFailureFunction: a failed answer leaves the session as it was before it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from talentsync.db import Connection, Database
from talentsync.interview.failure import record_failure
from talentsync.interview.feedback import score_response
from talentsync.interview.followup import advance_session
from talentsync.interview.recording import record_response
from talentsync.interview.steps import FailedAnswer, SessionStep, StepError
from talentsync.models import SessionStatus, Transcription, TranscriptionStatus
from talentsync.repositories import (
    responses,
    scores,
    session_summaries,
    sessions,
    transcriptions,
)
from tests.support.handlers import FakeLambdaContext
from tests.support.interview_sessions import (
    answer_current_question,
    answer_step,
    count_rows,
    start_session,
)

LAMBDA_CAUSE = json.dumps(
    {
        "errorMessage": "score of response vanished",
        "errorType": "NotFoundError",
        "requestId": "r-1",
        "stackTrace": [],
    }
)


# Without a chat model, follow-up and feedback use the built-in logic.
pytestmark = pytest.mark.usefixtures("no_openai_key")


def failed(transcription: Transcription, cause: str = LAMBDA_CAUSE) -> FailedAnswer:
    return FailedAnswer(
        **answer_step(transcription).model_dump(),
        error=StepError(error="NotFoundError", cause=cause),
    )


def run_steps(
    database: Database, transcription: Transcription, through: str
) -> SessionStep:
    """Run RecordResponse, then NextQuestion and ScoreAnswer up to `through`."""
    recorded = record_response(database, answer_step(transcription))
    step = SessionStep(
        session_id=transcription.session_id, response_id=recorded.response_id
    )
    if through in ("next", "score"):
        advance_session(database, None, step)
    if through == "score":
        score_response(database, None, step)
    return step


def test_a_lambda_cause_is_described_by_its_error_type_and_message() -> None:
    error = StepError(error="NotFoundError", cause=LAMBDA_CAUSE)

    assert error.describe() == "NotFoundError: score of response vanished"


def test_a_plain_cause_is_described_with_the_error_name() -> None:
    error = StepError(error="States.Timeout", cause="Task timed out after 60 s")

    assert error.describe() == "States.Timeout: Task timed out after 60 s"


def test_the_catch_output_parses_with_its_capitalised_keys() -> None:
    event = {
        "transcription_id": str(uuid.uuid4()),
        "session_id": str(uuid.uuid4()),
        "question_id": str(uuid.uuid4()),
        "user_id": str(uuid.uuid4()),
        "error": {"Error": "ConflictError", "Cause": "nope"},
    }

    assert FailedAnswer.model_validate(event).error.error == "ConflictError"


def test_the_transcription_is_marked_failed_with_the_cause(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    record_failure(database, failed(transcription))

    after = transcriptions.get_transcription(conn, transcription.id)
    assert after is not None and after.status is TranscriptionStatus.FAILED
    assert after.error_message == (
        "interview pipeline failed: NotFoundError: score of response vanished"
    )


def test_a_recorded_answer_is_taken_back(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)
    run_steps(database, transcription, through="next")

    result = record_failure(database, failed(transcription))

    after = sessions.get_session(conn, session.id)
    assert result.answer_taken_back is True
    assert count_rows(conn, "responses", session.id) == 0
    assert after is not None and after.answered_questions == 0
    assert after.current_question_id == transcription.question_id


def test_a_scored_answer_loses_its_score_with_it(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)
    step = run_steps(database, transcription, through="score")

    record_failure(database, failed(transcription))

    assert scores.get_response_score(conn, step.response_id) is None


def test_a_session_completed_by_the_answer_is_reopened_without_its_summary(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn, total_questions=1)
    transcription = answer_current_question(conn, session)
    run_steps(database, transcription, through="score")
    assert session_summaries.get_summary(conn, session.id) is not None

    record_failure(database, failed(transcription))

    after = sessions.get_session(conn, session.id)
    assert after is not None
    assert (after.status, after.completed_at) == (SessionStatus.ACTIVE, None)
    assert session_summaries.get_summary(conn, session.id) is None


def test_the_candidate_can_answer_the_question_again_after_a_failure(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)
    run_steps(database, transcription, through="next")
    record_failure(database, failed(transcription))

    retry = answer_current_question(conn, session, text="A second try at it.")
    recorded = record_response(database, answer_step(retry))

    assert recorded.is_new is True and recorded.answered_questions == 1


def test_an_answer_followed_by_a_later_one_is_kept(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    first = answer_current_question(conn, session)
    run_steps(database, first, through="next")
    run_steps(database, answer_current_question(conn, session), through="next")

    result = record_failure(database, failed(first))

    assert result.answer_taken_back is False
    assert count_rows(conn, "responses", session.id) == 2
    assert responses.get_response_by_transcription(conn, first.id) is not None


def test_a_failure_before_any_response_only_marks_the_transcription(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    result = record_failure(database, failed(transcription))

    assert (result.answer_taken_back, result.transcription_marked_failed) == (
        False,
        True,
    )
    assert sessions.get_session(conn, session.id) == session


def test_a_transcription_being_processed_again_is_left_alone(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)
    conn.execute(
        "UPDATE transcriptions SET status = 'processing' WHERE id = %s",
        (transcription.id,),
    )

    result = record_failure(database, failed(transcription))

    after = transcriptions.get_transcription(conn, transcription.id)
    assert result.transcription_marked_failed is False
    assert after is not None and after.status is TranscriptionStatus.PROCESSING


def test_the_handler_reports_what_it_did(
    conn: Connection, database: Database, question_bank: int
) -> None:
    from local.stepfunctions import REPO_ROOT, load_module

    session = start_session(conn)
    transcription = answer_current_question(conn, session)
    module = load_module(REPO_ROOT / "functions" / "interview", "record_failure")
    event: dict[str, Any] = failed(transcription).model_dump(mode="json", by_alias=True)

    result = module.lambda_handler(event, FakeLambdaContext())

    assert result["transcription_marked_failed"] is True
    assert result["error_message"].startswith("interview pipeline failed: ")
