"""The database failing under each function: a killed backend, a cold start without it.

`pg_terminate_backend` ends the function's own backend just after a write, in the
middle of its transaction: the invocation must fail with a `TransientError` (so
Lambda or Step Functions retries it), leave no partial rows, and a retry must
complete the work exactly once.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from talentsync.db import Connection
from talentsync.errors import DatabaseUnavailableError, TransientError
from talentsync.models import Session
from talentsync.repositories import responses, scores, sessions, transcriptions
from talentsync.settings import get_settings
from tests.support.database import forget_process_state
from tests.support.handlers import FakeLambdaContext, load_handler_module
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
