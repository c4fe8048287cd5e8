"""A real PostgreSQL for the tests: one scratch database per run, migrated once.

The server comes from DATABASE_URL (set by `make test`), else local.postgres finds
or starts one. Every run gets its own database, so parallel runs on one server do
not collide, and it is dropped at the end.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from local.postgres import create_database, drop_database, ensure_server
from talentsync import db as db_module
from talentsync import settings as settings_module
from talentsync.db import Connection, Database
from talentsync.migrate import apply_pending, default_schema_dir, load_migrations
from talentsync.question_bank import load_question_bank
from talentsync.settings import Settings

# Every table but the migration history.
APP_TABLES_QUERY = """
    SELECT string_agg(quote_ident(tablename), ', ')
    FROM pg_tables
    WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
"""


@pytest.fixture(scope="session")
def server_url() -> str:
    return ensure_server()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A migrated scratch database; DATABASE_URL points at it for the handlers."""
    name = f"talentsync_test_{uuid.uuid4().hex[:12]}"
    url = create_database(server_url, name)
    with psycopg.connect(url, autocommit=True) as conn:
        apply_pending(conn, load_migrations(default_schema_dir()))

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    forget_process_state()
    yield url

    forget_process_state()
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous
    drop_database(server_url, name)


def forget_process_state() -> None:
    # Handlers keep settings and the connection per process, as a warm Lambda
    # container does; a new database means a new "container".
    settings_module.get_settings.cache_clear()
    if db_module._database is not None:
        db_module._database.close()
        db_module._database = None


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A `Database` on emptied tables (the schema and its history are kept)."""
    _empty_app_tables(database_url)
    database = Database(Settings(database_url=database_url))
    yield database
    database.close()


@pytest.fixture
def conn(database: Database) -> Iterator[Connection]:
    """A plain autocommit connection to the emptied test database, for checks."""
    with psycopg.connect(
        os.environ["DATABASE_URL"], autocommit=True, prepare_threshold=None
    ) as connection:
        yield connection


@pytest.fixture
def question_bank(database: Database) -> int:
    """Load the built-in question bank; return how many questions it has."""
    return load_question_bank(database)


def _empty_app_tables(url: str) -> None:
    """Delete every row; DELETE on a few small tables beats TRUNCATE's file swaps.

    Foreign-key triggers are switched off for the transaction (superusers only,
    which the local and embedded servers give us); elsewhere TRUNCATE does it.
    """
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(APP_TABLES_QUERY).fetchone()
        assert row is not None and row[0], "the test database has no tables"
        tables = row[0].split(", ")
        try:
            with connection.transaction():
                connection.execute("SET LOCAL session_replication_role = replica")
                for table in tables:
                    connection.execute(f"DELETE FROM {table}")  # noqa: S608
        except psycopg.errors.InsufficientPrivilege:
            connection.execute(f"TRUNCATE {row[0]} CASCADE")
