"""Apply the numbered SQL files of `schema/` that the database has not seen yet.

Each applied file is recorded in `schema_migrations` with its SHA-256; a file
that changed after it was applied stops the run, naming the file, because
migrations are immutable once shipped. Two runners started at once (two deploys,
a deploy and a developer) take turns through an advisory lock.

A file whose header carries `-- migrate: no-transaction` runs statement by
statement in autocommit; PostgreSQL refuses `CREATE INDEX CONCURRENTLY` inside a
transaction. Every other file runs, with its record, in one transaction.

Run as `python -m talentsync.migrate` (DATABASE_URL or the RDS Proxy settings).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from talentsync.db import Connection, connect
from talentsync.errors import PermanentError, TransientError
from talentsync.settings import Settings, get_settings

logger = logging.getLogger(__name__)

NO_TRANSACTION_MARKER = "-- migrate: no-transaction"
LOCK_KEY = 7_361_540_211  # arbitrary, fixed: identifies "schema migration" locks
LOCK_WAIT_SECONDS = 600.0
FILE_NAME_PATTERN = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class MigrationChangedError(PermanentError):
    """An already applied migration file no longer matches what was applied."""


class MigrationLockTimeoutError(TransientError):
    """Another runner held the migration lock for too long."""


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path
    sql: str
    checksum: str

    @property
    def transactional(self) -> bool:
        return NO_TRANSACTION_MARKER not in self.sql


def default_schema_dir() -> Path:
    """`schema/` at the repository root, or SCHEMA_DIR (the Lambda package)."""
    if os.environ.get("SCHEMA_DIR"):
        return Path(os.environ["SCHEMA_DIR"])
    return Path(__file__).resolve().parents[3] / "schema"


def load_migrations(schema_dir: Path) -> list[Migration]:
    migrations = [_read_migration(path) for path in sorted(schema_dir.glob("*.sql"))]
    versions = [migration.version for migration in migrations]
    if len(set(versions)) != len(versions):
        raise PermanentError(f"two migration files share a number in {schema_dir}")
    return migrations


def _read_migration(path: Path) -> Migration:
    match = FILE_NAME_PATTERN.match(path.name)
    if match is None:
        raise PermanentError(f"{path.name}: migration files are named NNN_words.sql")
    data = path.read_bytes()
    return Migration(
        version=path.name,
        path=path,
        sql=data.decode("utf-8"),
        checksum=hashlib.sha256(data).hexdigest(),
    )


def apply_pending(conn: Connection, migrations: list[Migration]) -> list[str]:
    """Apply what is pending, in order; return the file names applied."""
    _acquire_lock(conn)
    try:
        _ensure_history_table(conn)
        applied = _applied_checksums(conn)
        _refuse_changed_files(migrations, applied)
        pending = [m for m in migrations if m.version not in applied]
        for migration in pending:
            _apply(conn, migration)
        return [migration.version for migration in pending]
    finally:
        _release_lock(conn)


def _acquire_lock(conn: Connection) -> None:
    # NOTE: a session-level advisory lock pins an RDS Proxy connection. That is
    # harmless here: the migrate connection is dedicated and closed right after.
    # The lock is polled with pg_try_advisory_lock rather than waited on, because a
    # runner blocked inside pg_advisory_lock holds a snapshot, and the other
    # runner's CREATE INDEX CONCURRENTLY would wait for that snapshot forever.
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not _try_lock(conn):
        if time.monotonic() > deadline:
            raise MigrationLockTimeoutError("another migration run holds the lock")
        time.sleep(0.2)


def _try_lock(conn: Connection) -> bool:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
    return bool(row and row[0])


def _release_lock(conn: Connection) -> None:
    if not conn.closed:
        conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def _ensure_history_table(conn: Connection) -> None:
    conn.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version TEXT PRIMARY KEY,
            checksum TEXT NOT NULL,
            applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW()
        )
        """
    )


def _applied_checksums(conn: Connection) -> dict[str, str]:
    rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    return {version: checksum for version, checksum in rows}


def _refuse_changed_files(migrations: list[Migration], applied: dict[str, str]) -> None:
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationChangedError(
                f"{migration.version} was changed after it was applied "
                f"(applied sha256 {recorded}, file now {migration.checksum}); "
                "add a new migration instead of editing an applied one"
            )


def _apply(conn: Connection, migration: Migration) -> None:
    logger.info("applying %s", migration.version)
    if migration.transactional:
        with conn.transaction():
            conn.execute(migration.sql.encode())
            _record(conn, migration)
        return

    for statement in split_statements(migration.sql):
        conn.execute(statement.encode())
    _refuse_invalid_indexes(conn, migration)
    _record(conn, migration)


def _record(conn: Connection, migration: Migration) -> None:
    conn.execute(
        "INSERT INTO schema_migrations (version, checksum) VALUES (%s, %s)",
        (migration.version, migration.checksum),
    )


def _refuse_invalid_indexes(conn: Connection, migration: Migration) -> None:
    # An interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index that
    # IF NOT EXISTS would then skip; refuse to record the file over one.
    rows = conn.execute(
        "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"
    ).fetchall()
    if rows:
        names = ", ".join(row[0] for row in rows)
        raise PermanentError(
            f"{migration.version}: invalid indexes remain ({names}); "
            "drop them and run the migrations again"
        )


def split_statements(sql: str) -> list[str]:
    """Split a no-transaction file on semicolons that end a line.

    NOTE: this is a line-based splitter, not a SQL parser: it is meant for the
    simple DDL of no-transaction files (no function bodies, no semicolons at the
    end of a line inside a string).
    """
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    statements = re.split(r";[ \t]*$", "\n".join(lines), flags=re.MULTILINE)
    return [statement.strip() for statement in statements if statement.strip()]


def migrate(settings: Settings, schema_dir: Path | None = None) -> list[str]:
    """Connect, apply what is pending, disconnect; return the files applied."""
    migrations = load_migrations(schema_dir or default_schema_dir())
    with connect(settings) as conn, _no_statement_timeout(conn):
        return apply_pending(conn, migrations)


@contextmanager
def _no_statement_timeout(conn: Connection) -> Iterator[None]:
    """Lift the connection's statement timeout for the run, then put it back.

    Every connection carries the functions' statement timeout (talentsync.db), but
    building an index on a large table may rightly take longer. The session SET
    pins this dedicated connection, as the advisory lock does; the timeout is
    restored before the connection is closed, so RDS Proxy never hands a database
    connection without it to another client.
    """
    row = conn.execute("SHOW statement_timeout").fetchone()
    assert row is not None
    conn.execute("SET statement_timeout = 0")
    try:
        yield
    finally:
        if not conn.closed and not conn.broken:
            restore = "SELECT set_config('statement_timeout', %s, false)"
            conn.execute(restore, (row[0],))


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        applied = migrate(get_settings())
    except PermanentError as exc:
        logger.error("migration refused: %s", exc)
        return 1
    logger.info("applied %d migration(s)%s", len(applied), _listing(applied))
    return 0


def _listing(names: list[str]) -> str:
    return ": " + ", ".join(names) if names else ""


if __name__ == "__main__":
    sys.exit(main())
