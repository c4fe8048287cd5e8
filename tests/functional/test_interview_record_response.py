"""InterviewFunction (RecordResponse), in-process against a real PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from talentsync.db import Connection, Database
from talentsync.errors import ConflictError, NotFoundError
from talentsync.interview.recording import record_response
from talentsync.models import SessionStatus, TranscriptionStatus
from talentsync.repositories import responses, sessions, transcriptions
from talentsync.settings import Settings
from tests.support import builders
from tests.support.handlers import FakeLambdaContext, load_handler_module
from tests.support.interview_sessions import (
    answer_current_question,
    answer_step,
    bank_question,
    count_rows,
    execution_input,
    start_session,
)

EMBEDDED_KEYS = {
    "transcript_text",
    "confidence_score",
    "provider",
    "segments",
    "processing_time",
    "fallback_used",
    "transcription_id",
    "version",
}


def invoke(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = load_handler_module("interview").lambda_handler(
        event, FakeLambdaContext(function_name="InterviewFunction")
    )
    return result


def stored_transcription_data(conn: Connection, response_id: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT transcription_data FROM responses WHERE id = %s", (response_id,)
    ).fetchone()
    assert row is not None
    data: dict[str, Any] = row[0]
    return data


def test_the_response_embeds_the_transcription_in_the_documented_structure(
    conn: Connection, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session, confidence=0.87)

    result = invoke(execution_input(transcription))

    data = stored_transcription_data(conn, result["response_id"])
    assert set(data) == EMBEDDED_KEYS
    assert data["transcription_id"] == str(transcription.id)
    assert data["transcript_text"] == transcription.transcript_text
    assert data["confidence_score"] == 0.87
    assert data["provider"] == transcription.provider.value
    assert data["segments"][0].keys() == {"start", "end", "text", "confidence"}


def test_the_response_keeps_the_audio_path_and_the_question(
    conn: Connection, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    result = invoke(execution_input(transcription))

    response = responses.get_response(conn, uuid.UUID(result["response_id"]))
    assert response is not None
    assert response.user_audio_path == transcription.original_audio_path
    assert response.question_id == transcription.question_id


def test_recording_reports_the_session_progress(
    conn: Connection, question_bank: int
) -> None:
    session = start_session(conn, total_questions=4)
    transcription = answer_current_question(conn, session)

    result = invoke(execution_input(transcription))

    assert result["is_new"] is True
    assert (result["answered_questions"], result["total_questions"]) == (1, 4)


def test_recording_the_same_transcription_again_counts_it_once(
    conn: Connection, question_bank: int
) -> None:
    session = start_session(conn)
    event = execution_input(answer_current_question(conn, session))

    first, second = invoke(event), invoke(event)

    assert second["response_id"] == first["response_id"]
    assert second["is_new"] is False
    assert count_rows(conn, "responses", session.id) == 1
    assert sessions.get_session(conn, session.id).answered_questions == 1  # type: ignore[union-attr]


def test_an_unfinished_transcription_is_refused(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)
    transcriptions.mark_failed(conn, transcription.id, "every provider failed")

    with pytest.raises(ConflictError, match="is failed, not completed"):
        record_response(database, answer_step(transcription))
    assert count_rows(conn, "responses", session.id) == 0


def test_a_missing_transcription_is_refused(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    step = answer_step(answer_current_question(conn, session))

    with pytest.raises(NotFoundError):
        record_response(
            database, step.model_copy(update={"transcription_id": uuid.uuid4()})
        )


def test_another_users_session_is_refused(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    step = answer_step(answer_current_question(conn, session))

    with pytest.raises(NotFoundError):
        record_response(database, step.model_copy(update={"user_id": uuid.uuid4()}))


def test_a_second_answer_to_the_same_question_is_refused(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    first = answer_current_question(conn, session)
    again = answer_current_question(conn, session, text="Let me try that again.")
    record_response(database, answer_step(first))

    with pytest.raises(ConflictError, match="already answered"):
        record_response(database, answer_step(again))
    assert sessions.get_session(conn, session.id).answered_questions == 1  # type: ignore[union-attr]


def test_an_answer_to_a_question_that_is_not_current_is_refused(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    other = bank_question(
        conn, "Can you explain what a hash map is and when you would use one?"
    )
    transcription = builders.make_completed_transcription(conn, session, other)

    with pytest.raises(ConflictError, match="not the current question"):
        record_response(database, answer_step(transcription))


def test_a_completed_session_takes_no_new_answer(
    conn: Connection, database: Database, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)
    sessions.set_status(conn, session.id, SessionStatus.COMPLETED)

    with pytest.raises(ConflictError, match="takes no answers"):
        record_response(database, answer_step(transcription))


def test_two_answers_to_one_question_at_once_record_exactly_one(
    conn: Connection, database_url: str, question_bank: int
) -> None:
    session = start_session(conn)
    steps = [
        answer_step(answer_current_question(conn, session, text=f"Answer {n}."))
        for n in range(2)
    ]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def record(step: Any) -> None:
        database = Database(Settings(database_url=database_url))
        barrier.wait()
        try:
            record_response(database, step)
            outcomes.append("recorded")
        except ConflictError:
            outcomes.append("refused")
        finally:
            database.close()

    threads = [threading.Thread(target=record, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["recorded", "refused"]
    assert count_rows(conn, "responses", session.id) == 1
    assert sessions.get_session(conn, session.id).answered_questions == 1  # type: ignore[union-attr]


def test_a_completed_transcription_status_is_left_as_it_was(
    conn: Connection, question_bank: int
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    invoke(execution_input(transcription))

    after = transcriptions.get_transcription(conn, transcription.id)
    assert after is not None and after.status is TranscriptionStatus.COMPLETED
