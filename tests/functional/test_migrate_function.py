"""MigrateFunction, invoked directly and as CloudFormation's custom resource."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from talentsync.db import Connection
from tests.support.handlers import FakeLambdaContext, load_handler_module


class CloudFormationReplies:
    """A stand-in for the presigned ResponseURL: records each PUT body."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        replies = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers["Content-Length"])
                replies.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/reply"


@pytest.fixture
def cloudformation() -> Iterator[CloudFormationReplies]:
    replies = CloudFormationReplies()
    thread = threading.Thread(target=replies.server.serve_forever, daemon=True)
    thread.start()
    yield replies
    replies.server.shutdown()


@pytest.fixture
def context() -> FakeLambdaContext:
    context = FakeLambdaContext(function_name="MigrateFunction")
    context.log_stream_name = "2026/12/03/[$LATEST]abc"  # type: ignore[attr-defined]
    return context


def custom_resource_event(request_type: str, url: str) -> dict[str, str]:
    return {
        "RequestType": request_type,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/ts/1",
        "RequestId": "req-1",
        "LogicalResourceId": "SchemaMigration",
        "ResourceType": "Custom::SchemaMigration",
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:migrate",
    }


def test_a_direct_invocation_applies_nothing_new_and_loads_the_bank(
    conn: Connection, context: FakeLambdaContext
) -> None:
    handler = load_handler_module("migrate").lambda_handler

    outcome = handler({}, context)

    assert outcome["applied"] == []
    assert outcome["questions_loaded"] >= 60
    assert conn.execute("SELECT count(*) FROM questions").fetchone() == (
        outcome["questions_loaded"],
    )


def test_a_create_request_reports_success_to_cloudformation(
    conn: Connection, context: FakeLambdaContext, cloudformation: CloudFormationReplies
) -> None:
    handler = load_handler_module("migrate").lambda_handler

    handler(custom_resource_event("Create", cloudformation.url), context)

    [reply] = cloudformation.bodies
    assert reply["Status"] == "SUCCESS"
    assert reply["PhysicalResourceId"] == "SchemaMigration"
    assert reply["RequestId"] == "req-1"


def test_a_failed_migration_reports_failure_and_raises(
    conn: Connection,
    context: FakeLambdaContext,
    cloudformation: CloudFormationReplies,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = load_handler_module("migrate")

    def broken_migrate(settings: object) -> list[str]:
        raise RuntimeError("001_core_tables.sql: relation already exists")

    monkeypatch.setattr(module, "migrate", broken_migrate)

    with pytest.raises(RuntimeError):
        module.lambda_handler(
            custom_resource_event("Update", cloudformation.url), context
        )

    [reply] = cloudformation.bodies
    assert reply["Status"] == "FAILED"
    assert "relation already exists" in reply["Reason"]


def test_a_delete_request_succeeds_without_migrating(
    context: FakeLambdaContext,
    cloudformation: CloudFormationReplies,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = load_handler_module("migrate")
    monkeypatch.setattr(module, "migrate", pytest.fail)

    module.lambda_handler(custom_resource_event("Delete", cloudformation.url), context)

    assert [reply["Status"] for reply in cloudformation.bodies] == ["SUCCESS"]
