"""Another user's session, response or transcription: 404 on every route, unchanged.

The owner's data is real and reachable by its owner; the intruder is signed in
with a different `sub`. Each refusal must look exactly like the answer for an id
that never existed, so the API does not reveal what exists.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from talentsync.db import Connection
from talentsync.models import Question, Response, Session
from tests.support.api_events import request
from tests.support.builders import make_question, make_response, make_session

pytestmark = pytest.mark.usefixtures("api_with_bucket")

INTRUDER = uuid.UUID("0b6a3d52-8a4f-4c61-9a59-3f1f6a2b7c10")


@pytest.fixture
def owned(conn: Connection) -> tuple[Session, Question, Response]:
    """Another user's session, current question set, with one recorded answer."""
    session = make_session(conn)
    question = make_question(conn)
    conn.execute(
        "UPDATE sessions SET current_question_id = %s WHERE id = %s",
        (question.id, session.id),
    )
    return session, question, make_response(conn, session, question)


SESSION_ROUTES = ["get", "patch", "upload", "responses", "feedback", "transcriptions"]


def session_route(
    name: str, session: Session, question: Question
) -> tuple[str, str, Any]:
    """The method, path and body of one session route, for this session."""
    upload = {
        "question_id": str(question.id),
        "content_type": "audio/wav",
        "size_bytes": 10,
    }
    return {
        "get": ("GET", f"/sessions/{session.id}", None),
        "patch": ("PATCH", f"/sessions/{session.id}", {"status": "cancelled"}),
        "upload": ("POST", f"/sessions/{session.id}/uploads", upload),
        "responses": ("GET", f"/sessions/{session.id}/responses", None),
        "feedback": ("GET", f"/sessions/{session.id}/feedback", None),
        "transcriptions": ("GET", f"/sessions/{session.id}/transcriptions", None),
    }[name]


@pytest.mark.parametrize("route", SESSION_ROUTES)
def test_another_users_session_is_404_on_every_route(
    owned: tuple[Session, Question, Response], route: str
) -> None:
    session, question, _ = owned
    method, path, body = session_route(route, session, question)

    as_owner = request(method, path, session.user_id, body)
    as_intruder = request(method, path, INTRUDER, body)

    assert as_owner.status == 200
    assert as_intruder.status == 404


@pytest.mark.parametrize("route", SESSION_ROUTES)
def test_another_users_session_looks_like_one_that_never_was(
    owned: tuple[Session, Question, Response], route: str
) -> None:
    session, question, _ = owned
    method, path, body = session_route(route, session, question)
    missing_path = path.replace(str(session.id), str(uuid.uuid4()))

    theirs = request(method, path, INTRUDER, body)
    missing = request(method, missing_path, INTRUDER, body)

    assert (theirs.status, theirs.body) == (missing.status, missing.body)


def test_another_users_session_cannot_be_cancelled(
    conn: Connection, owned: tuple[Session, Question, Response]
) -> None:
    session, _, _ = owned

    request("PATCH", f"/sessions/{session.id}", INTRUDER, {"status": "cancelled"})

    row = conn.execute("SELECT status FROM sessions WHERE id = %s", (session.id,))
    assert row.fetchone() == ("active",)


def test_another_users_responses_are_not_listed(
    owned: tuple[Session, Question, Response],
) -> None:
    session, _, response = owned

    result = request("GET", f"/sessions/{session.id}/responses", INTRUDER)

    assert result.status == 404
    assert str(response.id) not in result.raw_body


def test_another_users_transcription_is_404(
    owned: tuple[Session, Question, Response],
) -> None:
    session, _, response = owned
    path = f"/transcriptions/{response.transcription_data.transcription_id}"

    as_owner = request("GET", path, session.user_id)
    as_intruder = request("GET", path, INTRUDER)

    assert as_owner.status == 200
    assert as_intruder.status == 404
    assert as_intruder.body["message"] == "transcription not found"


def test_another_users_sessions_are_not_listed(
    owned: tuple[Session, Question, Response],
) -> None:
    result = request("GET", "/sessions", INTRUDER)

    assert result.body["sessions"] == []


def test_a_user_id_in_query_or_headers_is_not_trusted(
    owned: tuple[Session, Question, Response],
) -> None:
    session, _, _ = owned
    owner = str(session.user_id)

    result = request(
        "GET",
        f"/sessions/{session.id}",
        INTRUDER,
        query={"user_id": owner},
        headers={"X-User-Id": owner, "X-Amz-Cognito-Sub": owner},
    )

    assert result.status == 404
