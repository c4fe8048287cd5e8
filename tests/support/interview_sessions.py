"""Interview sessions for the state machine's tests: started, and answered.

Sessions start on a question of the built-in bank (the `question_bank` fixture
must be loaded), and each answer is a completed transcription of the session's
current question, as the transcription function leaves it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from talentsync.db import Connection
from talentsync.interview.steps import AnswerStep
from talentsync.models import Question, Session, Transcription
from talentsync.question_bank import question_id_for
from talentsync.repositories import questions, sessions
from tests.support import builders

PROCESS_VS_THREAD = "What is the difference between a process and a thread?"
ANSWERS_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "answers.json"
STRONG_ANSWER = (
    "A process is a running program with its own memory space, which gives it"
    " isolation. A thread runs inside a process and shares that memory, so threads"
    " are cheaper to create, but shared memory needs locks to avoid race conditions."
)


def bank_question(conn: Connection, question_text: str) -> Question:
    question = questions.get_question(conn, question_id_for(question_text))
    assert question is not None, f"not in the bank: {question_text}"
    return question


def start_session(
    conn: Connection,
    total_questions: int = 3,
    first_question: str = PROCESS_VS_THREAD,
    job_position: str = "Software Engineer",
) -> Session:
    """An active session whose current question is `first_question`."""
    session = builders.make_session(
        conn, job_position=job_position, total_questions=total_questions
    )
    first = bank_question(conn, first_question)
    return sessions.set_current_question(conn, session.id, first.id)


def current_question(conn: Connection, session_id: Any) -> Question:
    session = sessions.get_session(conn, session_id)
    assert session is not None and session.current_question_id is not None
    question = questions.get_question(conn, session.current_question_id)
    assert question is not None
    return question


def answer_current_question(
    conn: Connection, session: Session, text: str = STRONG_ANSWER, **fields: Any
) -> Transcription:
    """A completed transcription answering the session's current question."""
    question = current_question(conn, session.id)
    return builders.make_completed_transcription(
        conn, session, question, text, **fields
    )


def answer_step(transcription: Transcription) -> AnswerStep:
    """The state machine input for the transcription (DESIGN.md's contract)."""
    assert transcription.session_id is not None
    assert transcription.question_id is not None
    return AnswerStep(
        transcription_id=transcription.id,
        session_id=transcription.session_id,
        question_id=transcription.question_id,
        user_id=transcription.user_id,
    )


def execution_input(transcription: Transcription) -> dict[str, str]:
    step = answer_step(transcription)
    return {key: str(value) for key, value in step.model_dump().items()}


def fixture_answers() -> list[dict[str, str]]:
    answers: list[dict[str, str]] = json.loads(ANSWERS_PATH.read_text())["answers"]
    return answers


def count_rows(conn: Connection, table: str, session_id: Any) -> int:
    """Rows of `responses` or `scores` in the session."""
    assert table in ("responses", "scores")
    row = conn.execute(
        f"SELECT count(*) FROM {table} WHERE session_id = %s",  # noqa: S608
        (session_id,),
    ).fetchone()
    assert row is not None
    return int(row[0])
