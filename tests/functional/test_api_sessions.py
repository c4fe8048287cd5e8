"""Sessions through the API handler: create, read, list with a cursor, change status."""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest

from talentsync.db import Connection
from talentsync.models import SessionStatus
from talentsync.question_bank import read_question_bank
from tests.support.api_events import NEW_SESSION, ApiResult, request

pytestmark = pytest.mark.usefixtures("api")


def create_session(caller: UUID, **fields: object) -> ApiResult:
    return request("POST", "/sessions", caller, {**NEW_SESSION, **fields})


def create_session_id(caller: UUID, **fields: object) -> str:
    result = create_session(caller, **fields)
    assert result.status == 201, result.body
    return str(result.body["session"]["id"])


def set_status(conn: Connection, session_id: str, status: str) -> None:
    conn.execute("UPDATE sessions SET status = %s WHERE id = %s", (status, session_id))


def test_create_session_returns_201_with_active_session() -> None:
    user_id = uuid.uuid4()

    result = create_session(user_id)

    assert result.status == 201
    session = result.body["session"]
    assert session["status"] == "active"
    assert session["job_position"] == "Software Engineer"
    assert session["total_questions"] == 3
    assert session["answered_questions"] == 0


def test_create_session_stores_the_caller_as_owner(conn: Connection) -> None:
    user_id = uuid.uuid4()

    session_id = create_session_id(user_id)

    row = conn.execute("SELECT user_id FROM sessions WHERE id = %s", (session_id,))
    assert row.fetchone() == (user_id,)


def test_create_session_first_question_is_current_and_from_the_position() -> None:
    result = create_session(uuid.uuid4())

    question = result.body["first_question"]
    assert result.body["session"]["current_question_id"] == question["id"]
    bank = {str(q.id): q for q in read_question_bank()}
    assert bank[question["id"]].job_position == "Software Engineer"
    assert bank[question["id"]].difficulty_level.value == "medium"


def test_create_session_first_question_hides_the_ideal_answer() -> None:
    question = create_session(uuid.uuid4()).body["first_question"]

    assert "ideal_answer_summary" not in question
    assert "keywords" not in question


def test_create_session_first_question_is_deterministic() -> None:
    first = create_session(uuid.uuid4()).body["first_question"]["id"]
    second = create_session(uuid.uuid4()).body["first_question"]["id"]

    assert first == second


def test_create_session_matches_the_position_in_any_letter_case() -> None:
    result = create_session(uuid.uuid4(), job_position="software engineer")

    bank = {str(q.id): q for q in read_question_bank()}
    assert bank[result.body["first_question"]["id"]].job_position == "Software Engineer"


def test_create_session_for_unknown_position_asks_a_general_question() -> None:
    result = create_session(uuid.uuid4(), job_position="Lighthouse Keeper")

    assert result.status == 201
    bank = {str(q.id): q for q in read_question_bank()}
    question = bank[result.body["first_question"]["id"]]
    assert question.job_position is None
    assert question.difficulty_level.value == "medium"


def test_create_session_ignores_a_user_id_in_the_body(conn: Connection) -> None:
    caller, other = uuid.uuid4(), uuid.uuid4()

    session_id = create_session_id(caller, user_id=str(other))

    row = conn.execute("SELECT user_id FROM sessions WHERE id = %s", (session_id,))
    assert row.fetchone() == (caller,)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_questions", 0),
        ("total_questions", 21),
        ("total_questions", "3"),
        ("difficulty_level", "impossible"),
        ("job_position", "   "),
        ("job_position", "x" * 256),
    ],
)
def test_create_session_invalid_field_is_422_naming_it(
    field: str, value: object
) -> None:
    result = create_session(uuid.uuid4(), **{field: value})

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["body", field]
    assert f"body.{field}" in result.body["message"]


def test_create_session_missing_field_is_422_naming_it() -> None:
    body = {"job_position": "Software Engineer", "difficulty_level": "easy"}

    result = request("POST", "/sessions", uuid.uuid4(), body)

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["body", "total_questions"]


def test_get_session_returns_it_with_its_current_question() -> None:
    user_id = uuid.uuid4()
    created = create_session(user_id).body

    result = request("GET", f"/sessions/{created['session']['id']}", user_id)

    assert result.status == 200
    assert result.body["id"] == created["session"]["id"]
    assert result.body["current_question"] == created["first_question"]


def test_get_unknown_session_is_404() -> None:
    result = request("GET", f"/sessions/{uuid.uuid4()}", uuid.uuid4())

    assert result.status == 404
    assert result.body["message"] == "session not found"


def test_get_session_with_non_uuid_id_is_422_naming_it() -> None:
    result = request("GET", "/sessions/12345", uuid.uuid4())

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["path", "session_id"]


def test_list_sessions_is_newest_first(conn: Connection) -> None:
    user_id = uuid.uuid4()
    ids = [create_session_id(user_id) for _ in range(3)]

    result = request("GET", "/sessions", user_id)

    assert result.status == 200
    assert [s["id"] for s in result.body["sessions"]] == list(reversed(ids))
    assert result.body["next_cursor"] is None


def test_list_sessions_pages_through_all_with_the_cursor() -> None:
    user_id = uuid.uuid4()
    ids = [create_session_id(user_id) for _ in range(5)]

    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = request("GET", "/sessions", user_id, query=query).body
        seen += [s["id"] for s in page["sessions"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == list(reversed(ids))


def test_list_sessions_orders_same_start_time_by_id(conn: Connection) -> None:
    user_id = uuid.uuid4()
    ids = [create_session_id(user_id) for _ in range(3)]
    conn.execute("UPDATE sessions SET started_at = '2024-01-15T10:30:00Z'")

    first = request("GET", "/sessions", user_id, query={"limit": "2"}).body
    cursor = first["next_cursor"]
    second = request("GET", "/sessions", user_id, query={"cursor": cursor}).body

    listed = [s["id"] for s in first["sessions"] + second["sessions"]]
    assert listed == sorted(ids, reverse=True)


def test_list_sessions_shows_only_the_callers_own() -> None:
    caller, other = uuid.uuid4(), uuid.uuid4()
    own = create_session_id(caller)
    create_session_id(other)

    result = request("GET", "/sessions", caller)

    assert [s["id"] for s in result.body["sessions"]] == [own]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "fA", "MjAyNHxub3BlfDE"])
def test_list_sessions_bad_cursor_is_422_naming_it(cursor: str) -> None:
    result = request("GET", "/sessions", uuid.uuid4(), query={"cursor": cursor})

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_list_sessions_bad_limit_is_422_naming_it(limit: str) -> None:
    result = request("GET", "/sessions", uuid.uuid4(), query={"limit": limit})

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("active", "paused"),
        ("paused", "active"),
        ("active", "cancelled"),
        ("paused", "cancelled"),
    ],
)
def test_patch_session_valid_transition_is_applied(
    conn: Connection, current: str, target: str
) -> None:
    user_id = uuid.uuid4()
    session_id = create_session_id(user_id)
    set_status(conn, session_id, current)

    result = request("PATCH", f"/sessions/{session_id}", user_id, {"status": target})

    assert result.status == 200
    assert result.body["status"] == target
    row = conn.execute("SELECT status FROM sessions WHERE id = %s", (session_id,))
    assert row.fetchone() == (target,)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("completed", "active"),
        ("completed", "paused"),
        ("completed", "cancelled"),
        ("cancelled", "active"),
        ("cancelled", "paused"),
        ("cancelled", "cancelled"),
    ],
)
def test_patch_session_from_a_final_status_is_409(
    conn: Connection, current: str, target: str
) -> None:
    user_id = uuid.uuid4()
    session_id = create_session_id(user_id)
    set_status(conn, session_id, current)

    result = request("PATCH", f"/sessions/{session_id}", user_id, {"status": target})

    assert result.status == 409
    row = conn.execute("SELECT status FROM sessions WHERE id = %s", (session_id,))
    assert row.fetchone() == (current,)


def test_patch_session_to_its_current_status_changes_nothing() -> None:
    user_id = uuid.uuid4()
    session_id = create_session_id(user_id)

    result = request("PATCH", f"/sessions/{session_id}", user_id, {"status": "active"})

    assert result.status == 200
    assert result.body["status"] == SessionStatus.ACTIVE.value


def test_patch_session_to_completed_is_422_naming_status() -> None:
    user_id = uuid.uuid4()
    session_id = create_session_id(user_id)

    body = {"status": "completed"}
    result = request("PATCH", f"/sessions/{session_id}", user_id, body)

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["body", "status"]


def test_patch_unknown_session_is_404() -> None:
    body = {"status": "paused"}
    result = request("PATCH", f"/sessions/{uuid.uuid4()}", uuid.uuid4(), body)

    assert result.status == 404
