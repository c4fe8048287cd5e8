"""API Gateway REST proxy events for the API handler, and a WSGI face for it.

`api_event` builds what API Gateway hands the Lambda after the Cognito
authorizer accepted a token: the claims under requestContext.authorizer. `call`
runs the real handler in-process. `wsgi_app` lets HTTP-speaking test tools
(schemathesis) reach the same handler through one fixed signed-in user. The
`api` fixture readies what the handler needs: emptied tables, the question
bank and settings read afresh; `api_with_bucket` adds the audio bucket in moto.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote
from uuid import UUID

import pytest

from talentsync import settings as settings_module
from talentsync.db import Database
from tests.support.handlers import FakeLambdaContext, load_handler_module

# API Gateway's resource templates, for the `resource` field of the event.
RESOURCES = [
    "/health",
    "/openapi.json",
    "/sessions",
    "/sessions/{session_id}",
    "/sessions/{session_id}/uploads",
    "/sessions/{session_id}/responses",
    "/sessions/{session_id}/feedback",
    "/sessions/{session_id}/transcriptions",
    "/transcriptions/{transcription_id}",
]
# A valid POST /sessions body, for tests that need a session through the API.
NEW_SESSION = {
    "job_position": "Software Engineer",
    "difficulty_level": "medium",
    "total_questions": 3,
}


@pytest.fixture
def api(database: Database, question_bank: int) -> None:
    """The API handler ready to serve, on emptied tables with the question bank."""
    # Settings are read once per container; each test is a new container.
    settings_module.get_settings.cache_clear()


@pytest.fixture
def api_with_bucket(api: None, audio_bucket: str) -> str:
    """The API handler with the audio bucket in moto; returns the bucket's name."""
    settings_module.get_settings.cache_clear()
    load_handler_module("api").s3_client.cache_clear()
    return audio_bucket


@dataclass
class ApiResult:
    status: int
    headers: dict[str, str]
    body: Any
    raw_body: str


def api_event(
    method: str,
    path: str,
    *,
    user_id: UUID | None,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A REST proxy event; `body` is sent as JSON unless it is already a string."""
    resource, path_parameters = match_resource(path)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": (
            {name: [value] for name, value in query.items()} if query else None
        ),
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context(method, path, resource, user_id, claims),
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }


def request_context(
    method: str,
    path: str,
    resource: str,
    user_id: UUID | None,
    claims: dict[str, Any] | None,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "testapi",
        "resourceId": "abc123",
        "stage": "test",
        "requestId": str(uuid.uuid4()),
        "httpMethod": method,
        "path": f"/test{path}",
        "resourcePath": resource,
        "identity": {"sourceIp": "127.0.0.1", "userAgent": "tests"},
    }
    if claims is None and user_id is not None:
        claims = {
            "sub": str(user_id),
            "cognito:username": str(user_id),
            "email": "candidate@example.com",
            "token_use": "id",
        }
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return context


def match_resource(path: str) -> tuple[str, dict[str, str]]:
    """The resource template a path belongs to and its path parameters."""
    for resource in RESOURCES:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", resource)
        found = re.fullmatch(pattern, path)
        if found:
            return resource, {k: unquote(v) for k, v in found.groupdict().items()}
    return path, {}


def call(event: dict[str, Any]) -> ApiResult:
    """Run the API handler on the event, as Lambda would."""
    response = load_handler_module("api").lambda_handler(event, FakeLambdaContext())
    raw_body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        raw_body = base64.b64decode(raw_body).decode()
    # The REST resolver answers with multiValueHeaders only.
    multi = response.get("multiValueHeaders") or {}
    headers = {name.lower(): ", ".join(values) for name, values in multi.items()}
    headers.update({k.lower(): v for k, v in (response.get("headers") or {}).items()})
    is_json = headers.get("content-type", "").startswith("application/json")
    body = json.loads(raw_body) if is_json and raw_body else raw_body
    return ApiResult(response["statusCode"], headers, body, raw_body)


def request(
    method: str, path: str, user_id: UUID | None, body: Any = None, **kwargs: Any
) -> ApiResult:
    """Build the event and call the handler: one request of a signed-in user."""
    return call(api_event(method, path, user_id=user_id, body=body, **kwargs))


def wsgi_app(user_id: UUID) -> Callable[..., Iterable[bytes]]:
    """A WSGI application that turns each request into an event of `user_id`.

    Like API Gateway's Cognito authorizer, it hands the Lambda claims only for a
    request that carries an Authorization header (any value: tokens are not
    verified here).
    """

    def application(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        result = call(event_from_wsgi(environ, user_id))
        reason = _reason(result.status)
        start_response(f"{result.status} {reason}", list(result.headers.items()))
        return [result.raw_body.encode()]

    return application


def event_from_wsgi(environ: dict[str, Any], user_id: UUID) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode("utf-8", "surrogateescape")
    # WSGI hands the decoded path as latin-1 text; API Gateway's is UTF-8.
    path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
    query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    signed_in = bool(environ.get("HTTP_AUTHORIZATION"))
    event = api_event(
        environ["REQUEST_METHOD"],
        path,
        user_id=user_id if signed_in else None,
        body=body if length else None,
        query=query,
        headers=headers,
    )
    return event


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
