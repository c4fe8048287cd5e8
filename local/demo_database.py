"""The demo's database: found or started, migrated, with the question bank.

DATABASE_URL, when set, is used exactly as given. Otherwise the demo uses the
`talentsync_demo` database (created when missing) on the server local.postgres
finds: the one on 127.0.0.1:5432, else the embedded server under the data folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from uuid import UUID

import psycopg

from local import postgres
from talentsync.api.sessions import bank_question_ids
from talentsync.db import Connection, Database
from talentsync.migrate import apply_pending, default_schema_dir, load_migrations
from talentsync.question_bank import load_question_bank
from talentsync.settings import Settings

DEMO_DATABASE = "talentsync_demo"


def demo_database_url(data_dir: Path) -> str:
    """DATABASE_URL as given, else the demo database on a found or started server."""
    given = os.environ.get("DATABASE_URL")
    if given:
        return given
    server_url = find_server(data_dir)
    if not postgres.database_exists(server_url, DEMO_DATABASE):
        return postgres.create_database(server_url, DEMO_DATABASE)
    return postgres.with_database(server_url, DEMO_DATABASE)


def find_server(data_dir: Path) -> str:
    """The local server, else the embedded one kept under `data_dir`."""
    embedded_dir = data_dir.resolve() / "embedded-postgres"
    if embedded_dir == postgres.EMBEDDED_DATA_DIR:
        return postgres.ensure_server()
    # NOTE: local.postgres.ensure_server() keeps the embedded server under
    # .local-data/ only; for another --data-dir the demo calls its private
    # helpers directly (the same order: 127.0.0.1:5432, pg_ctlcluster, embedded).
    if postgres._reachable(postgres.LOCAL_SERVER_URL):
        return postgres.LOCAL_SERVER_URL
    if postgres._start_local_cluster() and postgres._reachable(
        postgres.LOCAL_SERVER_URL
    ):
        return postgres.LOCAL_SERVER_URL
    return postgres._start_embedded_server(embedded_dir)


def migrate(url: str) -> list[str]:
    """Apply the pending migrations; return the files applied."""
    with psycopg.connect(url, autocommit=True) as conn:
        return apply_pending(conn, load_migrations(default_schema_dir()))


def load_bank(url: str) -> int:
    database = Database(Settings(database_url=url))
    try:
        return load_question_bank(database)
    finally:
        database.close()


def forget_demo_user(conn: Connection, user_id: UUID) -> None:
    """Delete the demo user's earlier sessions and transcriptions.

    The demo signs in as one fixed user, so each run starts from none of its own
    data and a second run on the same database leaves the same rows as the first
    instead of piling up sessions. Responses, scores and session summaries go
    with their session or transcription (ON DELETE CASCADE); the rollup triggers
    take the deleted responses out of the analytics. Other users' rows and the
    question bank are untouched; a follow-up question generated for the demo
    user's answers (only with OPENAI_API_KEY set) goes too.
    """
    conn.execute(
        """
        DELETE FROM questions
        WHERE id <> ALL(%s)
          AND (
            id IN (SELECT r.question_id FROM responses r
                   JOIN sessions s ON s.id = r.session_id WHERE s.user_id = %s)
            OR id IN (SELECT current_question_id FROM sessions WHERE user_id = %s)
          )
        """,
        (list(bank_question_ids()), user_id, user_id),
    )
    conn.execute("DELETE FROM transcriptions WHERE user_id = %s", (user_id,))
    conn.execute("DELETE FROM sessions WHERE user_id = %s", (user_id,))


def forget_demo_user_at(url: str, user_id: UUID) -> None:
    with psycopg.connect(url) as conn:
        forget_demo_user(conn, user_id)
