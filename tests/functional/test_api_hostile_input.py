"""Bad and hostile requests: a clear 4xx every time, valid text stored verbatim."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from talentsync.db import Connection
from tests.support.api_events import api_event, call, request

pytestmark = pytest.mark.usefixtures("api")

USER = uuid.UUID("5d0c7f1e-2b1a-4f7e-8a1d-6c2b9e4f0a11")
SOME_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

PROTECTED_ROUTES = [
    ("GET", "/openapi.json"),
    ("POST", "/sessions"),
    ("GET", "/sessions"),
    ("GET", f"/sessions/{SOME_ID}"),
    ("PATCH", f"/sessions/{SOME_ID}"),
    ("POST", f"/sessions/{SOME_ID}/uploads"),
    ("GET", f"/sessions/{SOME_ID}/responses"),
    ("GET", f"/sessions/{SOME_ID}/feedback"),
    ("GET", f"/sessions/{SOME_ID}/transcriptions"),
    ("GET", f"/transcriptions/{SOME_ID}"),
]

ID_ROUTES = [
    ("GET", "/sessions/{}"),
    ("PATCH", "/sessions/{}"),
    ("POST", "/sessions/{}/uploads"),
    ("GET", "/sessions/{}/responses"),
    ("GET", "/sessions/{}/feedback"),
    ("GET", "/sessions/{}/transcriptions"),
    ("GET", "/transcriptions/{}"),
]

BODY_ROUTES = [
    ("POST", "/sessions"),
    ("PATCH", f"/sessions/{SOME_ID}"),
    ("POST", f"/sessions/{SOME_ID}/uploads"),
]


def new_session(job_position: Any) -> dict[str, Any]:
    return {
        "job_position": job_position,
        "difficulty_level": "hard",
        "total_questions": 1,
    }


def stored_position(conn: Connection, session_id: str) -> str:
    row = conn.execute("SELECT job_position FROM sessions WHERE id = %s", (session_id,))
    found = row.fetchone()
    assert found is not None
    return str(found[0])


@pytest.mark.parametrize(("method", "path"), PROTECTED_ROUTES)
def test_request_without_claims_is_401(method: str, path: str) -> None:
    result = request(method, path, None, {"status": "paused"})

    assert result.status == 401
    assert result.body["message"] == "sign in first"


def test_request_without_claims_is_401_even_with_a_bad_body() -> None:
    result = request("POST", "/sessions", None, "{not json")

    assert result.status == 401


@pytest.mark.parametrize("claims", [{"email": "a@b.c"}, {"sub": "x"}, {"sub": 12}])
def test_request_with_unusable_sub_claim_is_401(claims: dict[str, Any]) -> None:
    event = api_event("GET", "/sessions", user_id=None, claims=claims)

    assert call(event).status == 401


def test_health_needs_no_claims() -> None:
    result = request("GET", "/health", None)

    assert result.status == 200
    assert result.body["status"] == "ok"


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_malformed_json_is_400_on_every_route_with_a_body(
    method: str, path: str
) -> None:
    result = request(method, path, USER, "{not json")

    assert result.status == 400
    assert "JSON" in result.body["message"]


@pytest.mark.parametrize("body", ["{", '{"status": }', "nul", "'x'", "1" * 5000])
def test_malformed_json_is_400(body: str) -> None:
    result = request("POST", "/sessions", USER, body)

    assert result.status == 400


def test_deeply_nested_json_is_400() -> None:
    result = request("POST", "/sessions", USER, "[" * 20_000 + "]" * 20_000)

    assert result.status == 400


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_body_over_64_kib_is_413(method: str, path: str) -> None:
    body = json.dumps(new_session("x" * (64 * 1024)))

    result = request(method, path, USER, body)

    assert result.status == 413
    assert "65536 bytes" in result.body["message"]


def test_body_under_64_kib_is_read(conn: Connection) -> None:
    padding = " " * (60 * 1024)
    body = json.dumps(new_session("Software Engineer")) + padding

    result = request("POST", "/sessions", USER, body)

    assert result.status == 201


@pytest.mark.parametrize("body", ["[]", '"text"', "null"])
def test_body_that_is_not_an_object_is_422(body: str) -> None:
    result = request("POST", "/sessions", USER, body)

    assert result.status == 422
    assert result.body["detail"][0]["loc"][0] == "body"


def test_empty_body_is_422() -> None:
    result = request("POST", "/sessions", USER, "")

    assert result.status == 422


@pytest.mark.parametrize(
    "media_type",
    ["text/plain", "multipart/form-data", "application/x-www-form-urlencoded"],
)
def test_body_in_another_media_type_is_415(media_type: str) -> None:
    headers = {"Content-Type": media_type}

    body = "job_position=x&difficulty_level=easy&total_questions=1"

    result = request("POST", "/sessions", USER, body, headers=headers)

    assert result.status == 415


def test_base64_body_that_is_not_utf8_is_400() -> None:
    event = api_event("POST", "/sessions", user_id=USER)
    event["body"] = base64.b64encode(b"\xff\xfe\xfa").decode()
    event["isBase64Encoded"] = True

    assert call(event).status == 400


@pytest.mark.parametrize(("method", "template"), ID_ROUTES)
def test_id_that_is_not_a_uuid_is_422_on_every_route(
    method: str, template: str
) -> None:
    body = {"status": "paused"} if method == "PATCH" else None

    result = request(method, template.format("not-a-uuid"), USER, body)

    assert result.status == 422
    assert result.body["detail"][0]["loc"][0] == "path"


@pytest.mark.parametrize("bad_id", ["123", "' OR 1=1 --", "%00", "é"])
def test_hostile_id_is_422(bad_id: str) -> None:
    result = request("GET", f"/sessions/{bad_id}", USER)

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["path", "session_id"]


def test_query_error_with_an_odd_content_type_header_is_still_422() -> None:
    headers = {"Content-Type": "text/plain"}

    result = request("GET", "/sessions", USER, query={"limit": "0"}, headers=headers)

    assert result.status == 422


def test_unknown_route_is_404() -> None:
    result = request("GET", "/admin/users", USER)

    assert result.status == 404


def test_unknown_method_on_a_route_is_404() -> None:
    result = request("DELETE", f"/sessions/{SOME_ID}", USER)

    assert result.status == 404


@pytest.mark.parametrize(
    "text",
    [
        "Robert'); DELETE FROM questions WHERE ('1'='1",
        "%s %(name)s $1 \\x00 \\' \" ; --",
        "ingénieur ソフトウェア مهندس",
        "👩🏽‍💻 e\u0301 engineer",
    ],
)
def test_text_is_stored_verbatim(conn: Connection, text: str) -> None:
    result = request("POST", "/sessions", USER, new_session(text))

    assert result.status == 201
    assert result.body["session"]["job_position"] == text
    assert stored_position(conn, result.body["session"]["id"]) == text


def test_sql_metacharacters_leave_the_tables_intact(conn: Connection) -> None:
    request("POST", "/sessions", USER, new_session("x'); DROP TABLE sessions; --"))

    count = conn.execute("SELECT count(*) FROM questions").fetchone()
    assert count is not None and count[0] > 0
    assert conn.execute("SELECT count(*) FROM sessions").fetchone() == (1,)


@pytest.mark.parametrize("text", ["nul\u0000inside", "\ud800 lone surrogate"])
def test_text_postgresql_cannot_store_is_422(text: str) -> None:
    result = request("POST", "/sessions", USER, new_session(text))

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["body", "job_position"]


def test_text_of_255_characters_outside_the_bmp_is_stored(conn: Connection) -> None:
    text = "🎤" * 255

    result = request("POST", "/sessions", USER, new_session(text))

    assert result.status == 201
    assert stored_position(conn, result.body["session"]["id"]) == text


@pytest.mark.parametrize("cursor", ["' OR 1=1 --", "\u0000é"])
def test_hostile_cursor_is_422(cursor: str) -> None:
    result = request("GET", "/sessions", USER, query={"cursor": cursor})

    assert result.status == 422
    assert result.body["detail"][0]["loc"] == ["query", "cursor"]
