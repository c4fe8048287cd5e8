"""Results through the API handler: answers, feedback, transcription status."""

from __future__ import annotations

import uuid

import pytest

from talentsync.db import Connection
from talentsync.models import Provider, Question, Response, Session
from talentsync.repositories import scores, session_summaries, transcriptions
from talentsync.repositories.scores import NewScore
from talentsync.repositories.session_summaries import NewSessionSummary
from tests.support.api_events import request
from tests.support.builders import make_question, make_response, make_session

pytestmark = pytest.mark.usefixtures("api")


def score_response(conn: Connection, response: Response, overall: float = 0.7) -> None:
    score = NewScore(
        response_id=response.id,
        session_id=response.session_id,
        content_score=0.8,
        clarity_score=0.6,
        completeness_score=0.7,
        overall_score=overall,
        feedback_text="Covered locking; missed atomics.",
        scoring_model="custom",
    )
    scores.insert_score(conn, score)


def summarise(conn: Connection, session: Session) -> None:
    summary = NewSessionSummary(
        session_id=session.id,
        responses_scored=1,
        content_score=0.8,
        clarity_score=0.6,
        completeness_score=0.7,
        overall_score=0.7,
        category_scores={"technical": 0.7},
        strengths=["clear structure"],
        improvements=["name the trade-offs"],
        summary_text="A solid session.",
    )
    session_summaries.insert_summary(conn, summary)


@pytest.fixture
def answered(conn: Connection) -> tuple[Session, Question, Response]:
    """A session of its own user with one recorded answer."""
    session = make_session(conn)
    question = make_question(conn)
    response = make_response(
        conn, session, question, provider=Provider.ASSEMBLYAI, confidence=0.87
    )
    return session, question, response


def test_responses_list_the_transcript_confidence_and_provider(
    answered: tuple[Session, Question, Response],
) -> None:
    session, question, response = answered

    result = request("GET", f"/sessions/{session.id}/responses", session.user_id)

    assert result.status == 200
    [answer] = result.body["responses"]
    assert answer["id"] == str(response.id)
    assert answer["question_text"] == question.question_text
    assert answer["transcript_text"] == response.transcription_data.transcript_text
    assert answer["confidence_score"] == 0.87
    assert answer["provider"] == "assemblyai"
    assert answer["segments"][0]["end"] == 2.5


def test_responses_show_the_score_once_there(
    conn: Connection, answered: tuple[Session, Question, Response]
) -> None:
    session, _, response = answered
    score_response(conn, response)

    result = request("GET", f"/sessions/{session.id}/responses", session.user_id)

    score = result.body["responses"][0]["score"]
    assert score["overall_score"] == 0.7
    assert score["feedback_text"] == "Covered locking; missed atomics."


def test_responses_show_no_score_before_scoring(
    answered: tuple[Session, Question, Response],
) -> None:
    session, _, _ = answered

    result = request("GET", f"/sessions/{session.id}/responses", session.user_id)

    assert result.body["responses"][0]["score"] is None


def test_responses_of_a_session_without_answers_are_empty(conn: Connection) -> None:
    session = make_session(conn)

    result = request("GET", f"/sessions/{session.id}/responses", session.user_id)

    assert result.status == 200
    assert result.body == {"responses": []}


def test_responses_of_an_unknown_session_are_404() -> None:
    result = request("GET", f"/sessions/{uuid.uuid4()}/responses", uuid.uuid4())

    assert result.status == 404


def test_feedback_lists_each_scored_answer(
    conn: Connection, answered: tuple[Session, Question, Response]
) -> None:
    session, question, response = answered
    score_response(conn, response, overall=0.65)

    result = request("GET", f"/sessions/{session.id}/feedback", session.user_id)

    assert result.status == 200
    [answer] = result.body["answers"]
    assert answer["response_id"] == str(response.id)
    assert answer["question_text"] == question.question_text
    assert answer["overall_score"] == 0.65
    assert result.body["unscored_answers"] == 0


def test_feedback_counts_answers_waiting_for_a_score(
    answered: tuple[Session, Question, Response],
) -> None:
    session, _, _ = answered

    result = request("GET", f"/sessions/{session.id}/feedback", session.user_id)

    assert result.body["answers"] == []
    assert result.body["unscored_answers"] == 1


def test_feedback_has_no_summary_before_the_session_ends(
    conn: Connection, answered: tuple[Session, Question, Response]
) -> None:
    session, _, response = answered
    score_response(conn, response)

    result = request("GET", f"/sessions/{session.id}/feedback", session.user_id)

    assert result.body["summary"] is None


def test_feedback_shows_the_session_summary(
    conn: Connection, answered: tuple[Session, Question, Response]
) -> None:
    session, _, response = answered
    score_response(conn, response)
    summarise(conn, session)

    result = request("GET", f"/sessions/{session.id}/feedback", session.user_id)

    summary = result.body["summary"]
    assert summary["summary_text"] == "A solid session."
    assert summary["strengths"] == ["clear structure"]
    assert summary["category_scores"] == {"technical": 0.7}


def test_feedback_of_an_unknown_session_is_404() -> None:
    result = request("GET", f"/sessions/{uuid.uuid4()}/feedback", uuid.uuid4())

    assert result.status == 404


def test_transcription_shows_its_status(
    answered: tuple[Session, Question, Response],
) -> None:
    session, _, response = answered
    transcription_id = response.transcription_data.transcription_id

    result = request("GET", f"/transcriptions/{transcription_id}", session.user_id)

    assert result.status == 200
    assert result.body["status"] == "completed"
    assert result.body["error_message"] is None
    assert result.body["session_id"] == str(session.id)


def test_failed_transcription_shows_its_error_message(
    conn: Connection, answered: tuple[Session, Question, Response]
) -> None:
    session, _, response = answered
    transcription_id = response.transcription_data.transcription_id
    transcriptions.mark_failed(conn, transcription_id, "the file is not audio")

    result = request("GET", f"/transcriptions/{transcription_id}", session.user_id)

    assert result.body["status"] == "failed"
    assert result.body["error_message"] == "the file is not audio"


def test_unknown_transcription_is_404() -> None:
    result = request("GET", f"/transcriptions/{uuid.uuid4()}", uuid.uuid4())

    assert result.status == 404
    assert result.body["message"] == "transcription not found"


def test_transcription_with_non_uuid_id_is_422_naming_it() -> None:
    result = request("GET", "/transcriptions/abc", uuid.uuid4())

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["path", "transcription_id"]


def test_session_transcriptions_list_failed_ones_too(
    conn: Connection, answered: tuple[Session, Question, Response]
) -> None:
    session, _, response = answered
    transcription_id = response.transcription_data.transcription_id
    transcriptions.mark_failed(conn, transcription_id, "too large")

    path = f"/sessions/{session.id}/transcriptions"
    result = request("GET", path, session.user_id)

    assert result.status == 200
    [listed] = result.body["transcriptions"]
    assert listed["id"] == str(transcription_id)
    assert listed["error_message"] == "too large"


def test_session_transcriptions_of_an_unknown_session_are_404() -> None:
    path = f"/sessions/{uuid.uuid4()}/transcriptions"

    result = request("GET", path, uuid.uuid4())

    assert result.status == 404
