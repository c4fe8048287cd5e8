"""The database failing under each function: a killed backend, a cold start without it.

`pg_terminate_backend` ends the function's own backend just after a write, in the
middle of its transaction: the invocation must fail with a `TransientError` (so
Lambda or Step Functions retries it), leave no partial rows, and a retry must
complete the work exactly once.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Callable, Iterator
from functools import cache
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest

from local.stepfunctions import load_handler, load_template
from talentsync.analytics import service as analytics_service
from talentsync.db import Connection
from talentsync.errors import DatabaseUnavailableError, TransientError
from talentsync.models import Session
from talentsync.repositories import (
    responses,
    scores,
    session_summaries,
    sessions,
    transcriptions,
)
from talentsync.settings import get_settings
from tests.support.analytics_month import Month, seed_month
from tests.support.api_events import NEW_SESSION, request
from tests.support.aws import s3_client
from tests.support.database import forget_process_state
from tests.support.handlers import (
    FakeLambdaContext,
    invoke_with_sample_event,
    load_handler_module,
)
from tests.support.interview_sessions import (
    answer_current_question,
    execution_input,
    start_session,
)
from tests.support.transcription_uploads import (
    Upload,
    executions,
    invoke,
    transcription_row,
    upload_event,
)

# Each step function, the repository call after which its backend is killed.
STEP_WRITES: dict[str, tuple[ModuleType, str]] = {
    "interview": (responses, "insert_response"),
    "followup": (sessions, "set_status"),
    "feedback": (scores, "insert_score"),
}
STEP_ORDER = ["interview", "followup", "feedback"]


class BackendKiller:
    """Wraps a repository function: after its first call, its backend dies."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.killed: list[int] = []

    def after(self, monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        def write_then_die(conn: Connection, *args: Any, **kwargs: Any) -> Any:
            result = original(conn, *args, **kwargs)
            if not self.killed:
                self.kill(conn.info.backend_pid)
            return result

        monkeypatch.setattr(module, name, write_then_die)

    def kill(self, pid: int) -> None:
        # The timeout makes the call wait until the backend has really exited.
        self.conn.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        self.killed.append(pid)


@pytest.fixture
def killer(conn: Connection) -> BackendKiller:
    return BackendKiller(conn)


@pytest.fixture
def keyless(monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps use their built-in selector and scorer."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("PROVIDER_SECRET_ARN", raising=False)
    get_settings.cache_clear()


def run_step(name: str, event: dict[str, Any]) -> dict[str, Any]:
    module = load_handler_module(name)
    result: dict[str, Any] = module.lambda_handler(event, FakeLambdaContext())
    return result


def step_event(name: str, answer: dict[str, str], response_id: str | None) -> Any:
    if name == "interview":
        return answer
    return {"session_id": answer["session_id"], "response_id": response_id}


def run_steps_before(name: str, answer: dict[str, str]) -> str | None:
    """Run the steps that come before `name`; the response id once there is one."""
    response_id = None
    for earlier in STEP_ORDER[: STEP_ORDER.index(name)]:
        result = run_step(earlier, step_event(earlier, answer, response_id))
        response_id = result.get("response_id", response_id)
    return response_id


def session_state(conn: Connection, session: Session) -> tuple[Any, ...]:
    row = conn.execute(
        """
        SELECT s.status::text, s.answered_questions, s.current_question_id,
               (SELECT count(*) FROM responses WHERE session_id = s.id),
               (SELECT count(*) FROM scores WHERE session_id = s.id),
               (SELECT count(*) FROM session_summaries WHERE session_id = s.id)
        FROM sessions s WHERE s.id = %s
        """,
        (session.id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.fixture
def answered(
    conn: Connection, question_bank: int, keyless: None
) -> tuple[Session, dict[str, str]]:
    """A one-question session and the execution input of its answer."""
    session = start_session(conn, total_questions=1)
    return session, execution_input(answer_current_question(conn, session))


# -- the three steps --


@pytest.mark.parametrize("name", STEP_ORDER)
def test_step_killed_mid_transaction_fails_transiently_without_partial_rows(
    name: str,
    answered: tuple[Session, dict[str, str]],
    conn: Connection,
    killer: BackendKiller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session, answer = answered
    response_id = run_steps_before(name, answer)
    before = session_state(conn, session)
    killer.after(monkeypatch, *STEP_WRITES[name])

    with pytest.raises(DatabaseUnavailableError):
        run_step(name, step_event(name, answer, response_id))

    assert killer.killed
    assert session_state(conn, session) == before


@pytest.mark.parametrize("name", STEP_ORDER)
def test_step_retried_after_its_backend_was_killed_completes_once(
    name: str,
    answered: tuple[Session, dict[str, str]],
    conn: Connection,
    killer: BackendKiller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session, answer = answered
    response_id = run_steps_before(name, answer)
    killer.after(monkeypatch, *STEP_WRITES[name])
    with pytest.raises(DatabaseUnavailableError):
        run_step(name, step_event(name, answer, response_id))

    result = run_step(name, step_event(name, answer, response_id))
    for later in STEP_ORDER[STEP_ORDER.index(name) + 1 :]:
        response_id = result.get("response_id", response_id)
        run_step(later, step_event(later, answer, response_id))

    status, answered, _, responses_, scores_, summaries = session_state(conn, session)
    assert (status, answered) == ("completed", 1)
    assert (responses_, scores_, summaries) == (1, 1, 1)


# -- the transcription function --


def test_transcription_killed_while_completing_fails_transiently_and_not_completed(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Connection,
    killer: BackendKiller,
    monkeypatch: pytest.MonkeyPatch,
    state_machine: str,
) -> None:
    killer.after(monkeypatch, transcriptions, "mark_completed")

    with pytest.raises(TransientError):
        invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert killer.killed
    assert (row["status"], row["transcript_text"]) == ("failed", None)
    assert row["retryable"] is True
    assert executions(state_machine) == []


def test_transcription_retried_after_its_backend_was_killed_completes_once(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Connection,
    killer: BackendKiller,
    monkeypatch: pytest.MonkeyPatch,
    state_machine: str,
) -> None:
    killer.after(monkeypatch, transcriptions, "mark_completed")
    with pytest.raises(TransientError):
        invoke(transcription_app, upload_event(answer_upload))

    invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert row["status"] == "completed"
    assert [e["name"] for e in executions(state_machine)] == [str(row["id"])]


# -- the API function --

UNAVAILABLE = "the service is unavailable, try again"


def user_sessions(conn: Connection, user_id: UUID) -> list[tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT id, status::text, current_question_id, completed_at FROM sessions"
        " WHERE user_id = %s",
        (user_id,),
    ).fetchall()
    return [tuple(row) for row in rows]


def created_session_id(user_id: UUID) -> str:
    result = request("POST", "/sessions", user_id, NEW_SESSION)
    assert result.status == 201, result.body
    return str(result.body["session"]["id"])


@pytest.mark.usefixtures("api")
def test_api_create_killed_after_its_insert_is_a_503_and_writes_no_session(
    conn: Connection, killer: BackendKiller, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = uuid.uuid4()
    killer.after(monkeypatch, sessions, "insert_session")

    result = request("POST", "/sessions", user_id, NEW_SESSION)

    assert killer.killed
    assert (result.status, result.body["message"]) == (503, UNAVAILABLE)
    assert user_sessions(conn, user_id) == []


@pytest.mark.usefixtures("api")
def test_api_create_sent_again_after_its_backend_was_killed_creates_one_session(
    conn: Connection, killer: BackendKiller, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = uuid.uuid4()
    killer.after(monkeypatch, sessions, "insert_session")
    assert request("POST", "/sessions", user_id, NEW_SESSION).status == 503

    result = request("POST", "/sessions", user_id, NEW_SESSION)

    assert result.status == 201, result.body
    ((session_id, status, current_question_id, _),) = user_sessions(conn, user_id)
    assert str(session_id) == result.body["session"]["id"]
    assert status == "active"
    assert str(current_question_id) == result.body["first_question"]["id"]


@pytest.mark.usefixtures("api")
def test_api_status_change_killed_after_its_update_is_a_503_and_changes_nothing(
    conn: Connection, killer: BackendKiller, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = uuid.uuid4()
    session_id = created_session_id(user_id)
    before = user_sessions(conn, user_id)
    killer.after(monkeypatch, sessions, "set_status")

    result = request("PATCH", f"/sessions/{session_id}", user_id, {"status": "paused"})

    assert killer.killed
    assert (result.status, result.body["message"]) == (503, UNAVAILABLE)
    assert user_sessions(conn, user_id) == before


@pytest.mark.usefixtures("api")
def test_api_status_change_sent_again_after_its_backend_was_killed_applies_it(
    conn: Connection, killer: BackendKiller, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = uuid.uuid4()
    session_id = created_session_id(user_id)
    killer.after(monkeypatch, sessions, "set_status")
    path = f"/sessions/{session_id}"
    assert request("PATCH", path, user_id, {"status": "paused"}).status == 503

    result = request("PATCH", path, user_id, {"status": "paused"})

    assert (result.status, result.body["status"]) == (200, "paused")
    ((_, status, _, _),) = user_sessions(conn, user_id)
    assert status == "paused"


# -- the analytics function --

REPORT_PREFIX = "reports/analytics/"
# Killed after the stuck-row sweep (its one write), or after the report's queries,
# so that the report reaches S3 and the commit is what fails.
ANALYTICS_KILLS: dict[str, tuple[ModuleType, str]] = {
    "after-sweep": (transcriptions, "fail_stuck_processing"),
    "at-commit": (analytics_service, "read_report"),
}


@pytest.fixture
def analytics_month(conn: Connection, audio_bucket: str) -> Iterator[Month]:
    """A seeded month with two stuck transcriptions; the bucket for the report."""
    get_settings.cache_clear()
    yield seed_month(conn)
    get_settings.cache_clear()


def run_analytics() -> dict[str, Any]:
    result: dict[str, Any] = invoke_with_sample_event(
        "analytics", "analytics-scheduled.json"
    )
    return result


def transcription_rows(conn: Connection) -> set[tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT id, status::text, error_message, retryable, updated_at"
        " FROM transcriptions"
    ).fetchall()
    return {tuple(row) for row in rows}


def stored_reports(bucket: str) -> dict[str, dict[str, Any]]:
    listed = s3_client().list_objects_v2(Bucket=bucket, Prefix=REPORT_PREFIX)
    reports = {}
    for item in listed.get("Contents", []):
        body = s3_client().get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        reports[item["Key"]] = json.loads(body)
    return reports


@pytest.mark.parametrize("kill", ANALYTICS_KILLS)
def test_analytics_killed_mid_run_fails_transiently_and_sweeps_nothing(
    kill: str,
    analytics_month: Month,
    audio_bucket: str,
    conn: Connection,
    killer: BackendKiller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = transcription_rows(conn)
    killer.after(monkeypatch, *ANALYTICS_KILLS[kill])

    with pytest.raises(TransientError):
        run_analytics()

    assert killer.killed
    assert transcription_rows(conn) == before
    if kill == "after-sweep":
        assert stored_reports(audio_bucket) == {}


@pytest.mark.parametrize("kill", ANALYTICS_KILLS)
def test_analytics_run_again_after_its_backend_was_killed_sweeps_once_and_reports(
    kill: str,
    analytics_month: Month,
    audio_bucket: str,
    conn: Connection,
    killer: BackendKiller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    killer.after(monkeypatch, *ANALYTICS_KILLS[kill])
    with pytest.raises(TransientError):
        run_analytics()

    result = run_analytics()

    stuck = sorted(str(stuck) for stuck in analytics_month.stuck_ids)
    (report,) = stored_reports(audio_bucket).values()
    assert result["stuck_transcriptions_swept"] == 2
    assert report["stuck_sweep"]["transcription_ids"] == stuck
    rows = {str(row[0]): row[1] for row in transcription_rows(conn)}
    assert {rows[row] for row in stuck} == {"failed"}
    assert rows[str(analytics_month.fresh_processing_id)] == "processing"
    assert run_analytics()["stuck_transcriptions_swept"] == 0


# -- the state machine's RecordFailure step --

# Its writes, in order, when it takes back an answer that completed the session.
RECORD_FAILURE_WRITES: dict[str, tuple[ModuleType, str]] = {
    "delete_summary": (session_summaries, "delete_summary"),
    "delete_response": (responses, "delete_response"),
    "undo_answer": (sessions, "undo_answer"),
    "mark_failed": (transcriptions, "mark_failed"),
}
STEP_FAILURE = {
    "Error": "PermanentError",
    "Cause": json.dumps(
        {"errorMessage": "the answer cannot be scored", "errorType": "PermanentError"}
    ),
}
FAILURE_MESSAGE = (
    "interview pipeline failed: PermanentError: the answer cannot be scored"
)


@cache
def record_failure_handler() -> Callable[[dict[str, Any], Any], Any]:
    """The handler template.yaml gives RecordFailureFunction (RecordFailure's)."""
    return load_handler(load_template(), "RecordFailureFunction")


def run_record_failure(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = record_failure_handler()(event, FakeLambdaContext())
    return result


def run_all_steps(answer: dict[str, str]) -> None:
    response_id = run_steps_before("feedback", answer)
    run_step("feedback", step_event("feedback", answer, response_id))


def failure_state(
    conn: Connection, session: Session, failure: dict[str, Any]
) -> tuple[Any, ...]:
    transcription = transcription_row_by_id(conn, failure["transcription_id"])
    return (*session_state(conn, session), *transcription)


def transcription_row_by_id(conn: Connection, transcription_id: str) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT status::text, error_message FROM transcriptions WHERE id = %s",
        (transcription_id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.fixture
def failed_last_answer(
    conn: Connection, question_bank: int, keyless: None
) -> tuple[Session, dict[str, Any]]:
    """A two-question session completed by its second answer, and that answer's
    RecordFailure event (the execution input with the caught error)."""
    session = start_session(conn, total_questions=2)
    run_all_steps(execution_input(answer_current_question(conn, session)))
    last = execution_input(answer_current_question(conn, session))
    run_all_steps(last)
    assert session_state(conn, session)[:2] == ("completed", 2)
    return session, {**last, "error": STEP_FAILURE}


@pytest.mark.parametrize("write", RECORD_FAILURE_WRITES)
def test_record_failure_killed_mid_transaction_fails_transiently_records_nothing(
    write: str,
    failed_last_answer: tuple[Session, dict[str, Any]],
    conn: Connection,
    killer: BackendKiller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session, failure = failed_last_answer
    before = failure_state(conn, session, failure)
    killer.after(monkeypatch, *RECORD_FAILURE_WRITES[write])

    with pytest.raises(DatabaseUnavailableError):
        run_record_failure(failure)

    assert killer.killed
    assert failure_state(conn, session, failure) == before


@pytest.mark.parametrize("write", RECORD_FAILURE_WRITES)
def test_record_failure_retried_after_its_backend_was_killed_records_it_once(
    write: str,
    failed_last_answer: tuple[Session, dict[str, Any]],
    conn: Connection,
    killer: BackendKiller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session, failure = failed_last_answer
    killer.after(monkeypatch, *RECORD_FAILURE_WRITES[write])
    with pytest.raises(DatabaseUnavailableError):
        run_record_failure(failure)

    result = run_record_failure(failure)

    assert result == {
        "transcription_marked_failed": True,
        "answer_taken_back": True,
        "error_message": FAILURE_MESSAGE,
    }
    # Only the failed (second) answer is taken back; the first one stays.
    status, answered, current, responses_, scores_, summaries, *transcription = (
        failure_state(conn, session, failure)
    )
    assert (status, answered, str(current)) == ("active", 1, failure["question_id"])
    assert (responses_, scores_, summaries) == (1, 1, 0)
    assert transcription == ["failed", FAILURE_MESSAGE]


# -- unreachable at cold start --


def closed_port_url() -> str:
    """A database URL whose port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://postgres@127.0.0.1:{port}/talentsync?connect_timeout=2"


@pytest.fixture
def unreachable_database(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], None]:
    """A cold container with the database down; call the result to bring it back."""
    monkeypatch.setenv("DATABASE_URL", closed_port_url())
    forget_process_state()

    def bring_back() -> None:
        monkeypatch.setenv("DATABASE_URL", database_url)
        forget_process_state()

    yield bring_back
    bring_back()


def test_step_at_cold_start_without_the_database_fails_with_a_clear_error(
    answered: tuple[Session, dict[str, str]],
    unreachable_database: Callable[[], None],
) -> None:
    _, answer = answered

    with pytest.raises(
        DatabaseUnavailableError, match="cannot connect to the database"
    ):
        run_step("interview", answer)


def test_step_retried_once_the_database_is_back_succeeds(
    answered: tuple[Session, dict[str, str]],
    unreachable_database: Callable[[], None],
) -> None:
    _, answer = answered
    with pytest.raises(DatabaseUnavailableError):
        run_step("interview", answer)
    unreachable_database()

    result = run_step("interview", answer)

    assert (result["is_new"], result["answered_questions"]) == (True, 1)


def test_transcription_at_cold_start_without_the_database_fails_clearly(
    transcription_app: Any,
    answer_upload: Upload,
    unreachable_database: Callable[[], None],
) -> None:
    with pytest.raises(
        DatabaseUnavailableError, match="cannot connect to the database"
    ):
        invoke(transcription_app, upload_event(answer_upload))


def test_transcription_retried_once_the_database_is_back_completes(
    transcription_app: Any,
    answer_upload: Upload,
    conn: Connection,
    unreachable_database: Callable[[], None],
) -> None:
    with pytest.raises(DatabaseUnavailableError):
        invoke(transcription_app, upload_event(answer_upload))
    unreachable_database()

    invoke(transcription_app, upload_event(answer_upload))

    assert transcription_row(conn, answer_upload.key)["status"] == "completed"
