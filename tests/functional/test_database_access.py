"""talentsync.db: transactions, reconnection, and no state that pins RDS Proxy."""

from __future__ import annotations

import re
import uuid
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from talentsync.db import Database
from talentsync.errors import DatabaseUnavailableError
from talentsync.models import Difficulty
from talentsync.repositories import questions, responses, scores, sessions
from talentsync.settings import Settings
from tests.support.builders import make_question, make_response, make_session

# Statements that leave session state behind (AWS's list for PostgreSQL): one that
# opens with a session command, set_config, a temporary table, an advisory lock.
PINS_RDS_PROXY = re.compile(
    r"^(SET|RESET|PREPARE|DISCARD|LISTEN|DECLARE)\b|set_config"
    r"|\bTEMP(ORARY)?\s+TABLE\b|advisory_lock",
    re.IGNORECASE,
)


def backend_pid(database: Database) -> int:
    with database.transaction() as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    pid: int = row[0]
    return pid


def test_fifty_repository_calls_leave_no_prepared_statements(
    database: Database,
) -> None:
    with database.transaction() as conn:
        session = make_session(conn)
        response = make_response(conn, session, make_question(conn))

    for _ in range(10):
        with database.transaction() as conn:
            sessions.get_session(conn, session.id)
            questions.get_question(conn, response.question_id)
            responses.get_session_context(conn, session.id)
            responses.get_session_analysis(conn, session.id)
            scores.get_response_score(conn, response.id)

    with database.transaction() as conn:
        prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements")
        assert prepared.fetchone() == (0,)


def test_the_connection_carries_the_statement_timeout_in_and_out_of_transactions(
    database: Database,
) -> None:
    with database.transaction() as conn:
        inside = conn.execute("SHOW statement_timeout").fetchone()
    with database._connection().cursor() as cur:
        outside = cur.execute("SHOW statement_timeout").fetchone()

    assert inside == ("15s",)
    assert outside == ("15s",)


def test_the_statement_timeout_joins_the_startup_options_of_database_url(
    database_url: str,
) -> None:
    url = make_conninfo(database_url, options="-c lock_timeout=3s")
    database = Database(Settings(database_url=url, statement_timeout_ms=20_000))

    with database.transaction() as conn:
        row = conn.execute(
            "SELECT current_setting('lock_timeout'),"
            " current_setting('statement_timeout')"
        ).fetchone()

    assert row == ("3s", "20s")
    database.close()


def test_units_of_work_send_no_statement_that_would_pin_rds_proxy(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def spy(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        text = query if isinstance(query, str) else query.as_string(cursor)
        sent.append(" ".join(text.split()))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", spy)
    with database.transaction() as conn:
        session = make_session(conn)
        response = make_response(conn, session, make_question(conn))
    with database.transaction() as conn:
        sessions.get_session(conn, session.id)
        responses.get_session_context(conn, session.id)
        scores.get_response_score(conn, response.id)

    assert len(sent) >= 6
    assert [text for text in sent if PINS_RDS_PROXY.search(text)] == []


def test_a_failed_unit_of_work_is_rolled_back(database: Database) -> None:
    user_id = uuid.uuid4()

    with pytest.raises(RuntimeError), database.transaction() as conn:
        sessions.insert_session(conn, user_id, "Data Scientist", Difficulty.EASY, 3)
        raise RuntimeError("something after the insert failed")

    with database.transaction() as conn:
        assert sessions.list_user_sessions(conn, user_id, limit=10) == []


def test_a_connection_dropped_while_idle_is_replaced_on_the_next_transaction(
    database_url: str,
) -> None:
    database = Database(Settings(database_url=database_url), probe_after_idle_seconds=0)
    first_pid = backend_pid(database)
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first_pid,))

    assert backend_pid(database) != first_pid
    database.close()


def test_a_connection_dropped_between_busy_transactions_fails_once_then_recovers(
    database: Database, database_url: str
) -> None:
    # Without the idle probe the drop is found by the next statement: that unit
    # of work fails as transient (its caller retries) and the one after works.
    first_pid = backend_pid(database)
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first_pid,))

    with pytest.raises(DatabaseUnavailableError):
        backend_pid(database)
    assert backend_pid(database) != first_pid


def test_a_connection_dropped_mid_transaction_raises_a_transient_error(
    database: Database, database_url: str
) -> None:
    with (
        pytest.raises(DatabaseUnavailableError, match=r"^database connection lost: "),
        database.transaction() as conn,
        psycopg.connect(database_url, autocommit=True) as admin,
    ):
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()
        admin.execute("SELECT pg_terminate_backend(%s)", pid)
        conn.execute("SELECT 1")

    assert backend_pid(database) > 0


def test_a_statement_timeout_is_transient_and_says_it_was_no_lost_connection(
    database_url: str,
) -> None:
    # Deadlocks and lock timeouts take the same path: the server aborts the
    # transaction but the connection lives on.
    impatient = Database(Settings(database_url=database_url, statement_timeout_ms=50))
    first_pid = backend_pid(impatient)

    with (
        pytest.raises(DatabaseUnavailableError) as aborted,
        impatient.transaction() as conn,
    ):
        conn.execute("SELECT pg_sleep(1)")

    assert str(aborted.value).startswith(
        "the database aborted the transaction (QueryCanceled): "
    )
    assert backend_pid(impatient) == first_pid
    impatient.close()


def test_an_unreachable_server_is_a_transient_error() -> None:
    unreachable = Settings(
        database_url="postgresql://postgres@127.0.0.1:1/none",
        connect_timeout_seconds=1,
    )

    with pytest.raises(DatabaseUnavailableError, match="cannot connect"):
        Database(unreachable).transaction().__enter__()
