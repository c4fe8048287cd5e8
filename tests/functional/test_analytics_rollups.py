"""The rollup answers the document's analytics queries with the same figures."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from local.postgres import create_database, drop_database
from talentsync.analytics.report import provider_usage
from talentsync.db import Connection
from talentsync.migrate import apply_pending, default_schema_dir, load_migrations
from talentsync.models import Provider, SessionStatus
from talentsync.repositories import response_rollups, responses, sessions
from tests.support.analytics_month import seed_month
from tests.support.builders import make_question, make_response, make_session


@pytest.fixture
def month(conn: Connection) -> None:
    seed_month(conn)


def rollup_rows(conn: Connection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT session_id, provider, response_count, confidence_sum"
        " FROM response_rollups ORDER BY bucket_start, session_id"
    ).fetchall()


@pytest.mark.usefixtures("month")
def test_daily_rates_equal_the_document_query(conn: Connection) -> None:
    assert response_rollups.get_daily_success_rates(
        conn
    ) == responses.get_daily_success_rates(conn)


@pytest.mark.usefixtures("month")
def test_provider_usage_equals_the_document_query(conn: Connection) -> None:
    from_rollup = provider_usage(response_rollups.get_provider_totals(conn))

    assert from_rollup == responses.get_provider_usage(conn)


@pytest.mark.usefixtures("month")
def test_active_session_consistency_equals_the_document_query(
    conn: Connection,
) -> None:
    assert response_rollups.check_active_session_consistency(
        conn
    ) == responses.check_active_session_consistency(conn)


@pytest.mark.usefixtures("month")
@pytest.mark.parametrize("zone", ["Asia/Kathmandu", "America/St_Johns", "Etc/GMT-14"])
def test_daily_rates_equal_the_document_query_in_any_time_zone(
    conn: Connection, zone: str
) -> None:
    with conn.transaction():
        conn.execute("SELECT set_config('TimeZone', %s, true)", (zone,))
        from_rollup = response_rollups.get_daily_success_rates(conn)
        from_document = responses.get_daily_success_rates(conn)

    assert from_rollup == from_document


def test_the_window_counts_a_response_just_inside_its_start_only(
    conn: Connection,
) -> None:
    session, question = make_session(conn), make_question(conn)
    start = datetime.now(UTC) - timedelta(days=30)
    make_response(conn, session, question, start + timedelta(minutes=2))
    make_response(conn, session, question, start - timedelta(minutes=2))

    rows = response_rollups.get_daily_success_rates(conn)

    assert [row.total_responses for row in rows] == [1]
    assert rows == responses.get_daily_success_rates(conn)


def test_a_response_moved_in_time_moves_in_the_rollup(conn: Connection) -> None:
    session, question = make_session(conn), make_question(conn)
    old = datetime.now(UTC) - timedelta(days=45)

    make_response(conn, session, question, old, provider=Provider.ASSEMBLYAI)

    assert response_rollups.get_daily_success_rates(conn) == []
    assert len(rollup_rows(conn)) == 1


def test_deleting_a_response_removes_it_from_the_rollup(conn: Connection) -> None:
    session, question = make_session(conn), make_question(conn)
    kept = make_response(conn, session, question, confidence=0.5)
    gone = make_response(conn, session, question, confidence=0.75)

    responses.delete_response(conn, gone.id)

    assert rollup_rows(conn) == [(kept.session_id, "openai", 1, 0.5)]


def test_deleting_a_session_empties_its_rollup_rows(conn: Connection) -> None:
    session, question = make_session(conn), make_question(conn)
    make_response(conn, session, question)

    conn.execute("DELETE FROM sessions WHERE id = %s", (session.id,))

    assert rollup_rows(conn) == []


def test_truncating_responses_empties_the_rollup(conn: Connection) -> None:
    make_response(conn, make_session(conn), make_question(conn))

    conn.execute("TRUNCATE responses CASCADE")

    assert rollup_rows(conn) == []


def test_a_session_becoming_active_counts_in_the_consistency_check(
    conn: Connection,
) -> None:
    session, question = make_session(conn), make_question(conn)
    make_response(conn, session, question, confidence=0.5)
    sessions.set_status(conn, session.id, SessionStatus.COMPLETED)

    before = response_rollups.check_active_session_consistency(conn)
    sessions.set_status(conn, session.id, SessionStatus.ACTIVE)
    after = response_rollups.check_active_session_consistency(conn)

    assert (before.active_sessions, before.total_responses) == (0, 0)
    assert (after.active_sessions, after.total_responses) == (1, 1)
    assert after == responses.check_active_session_consistency(conn)


@pytest.fixture
def before_rollups(server_url: str) -> Iterator[Connection]:
    """A scratch database migrated up to the migration before the rollup."""
    name = f"talentsync_rollup_{uuid.uuid4().hex[:12]}"
    url = create_database(server_url, name)
    migrations = load_migrations(default_schema_dir())
    rollup = next(m for m in migrations if m.version.endswith("_analytics_rollups.sql"))
    with psycopg.connect(url, autocommit=True) as connection:
        apply_pending(connection, [m for m in migrations if m.version < rollup.version])
        yield connection
    drop_database(server_url, name)


def test_the_migration_counts_the_responses_already_stored(
    before_rollups: Connection,
) -> None:
    seed_month(before_rollups)

    apply_pending(before_rollups, load_migrations(default_schema_dir()))

    assert response_rollups.get_daily_success_rates(
        before_rollups
    ) == responses.get_daily_success_rates(before_rollups)
