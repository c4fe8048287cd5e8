"""One PostgreSQL connection per warm container, used one transaction at a time.

Locally DATABASE_URL names the server. In AWS the functions reach RDS through RDS
Proxy with IAM authentication: a fresh auth token is generated at every connect,
since tokens expire after 15 minutes and a warm container outlives that.

RDS Proxy multiplexes client connections over database connections between
transactions, unless it sees session state, in which case it pins the client to
one backend for good. So this module never sends a statement that touches session
state: no server-side prepared statements (`prepare_threshold=None`), no `SET` or
`set_config` (AWS lists both among the causes of pinning for PostgreSQL, without
exempting their transaction-local forms), no temporary tables, no session
advisory locks.

The statement timeout is therefore part of the connection, not of each
transaction: a direct connection (DATABASE_URL) asks for it in its startup packet,
and through RDS Proxy, which refuses startup options, the proxy's initialization
query sets it on every database connection the proxy opens (template.yaml,
`DatabaseStatementTimeoutMs`). Either way a transaction costs no extra round trip.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from talentsync.errors import ConfigurationError, DatabaseUnavailableError
from talentsync.settings import Settings, get_settings

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[Any]

# A connection idle longer than this is probed before use. Between back-to-back
# transactions the probe would only add a round trip; after a pause (a warm
# container between invocations) the proxy may have closed it. RDS Proxy's
# idle client timeout is far longer, so 30 s errs on the side of probing.
PROBE_AFTER_IDLE_SECONDS = 30.0


class Database:
    """Owns the container's connection and hands it out inside transactions."""

    def __init__(
        self,
        settings: Settings,
        probe_after_idle_seconds: float = PROBE_AFTER_IDLE_SECONDS,
    ) -> None:
        self._settings = settings
        self._probe_after_idle_seconds = probe_after_idle_seconds
        self._conn: Connection | None = None
        self._last_used = float("-inf")

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Run one unit of work: committed on success, rolled back on any error."""
        conn = self._begin()
        try:
            with conn.transaction():
                yield conn
        except psycopg.OperationalError as exc:
            lost = conn.broken or conn.closed
            self._discard_if_broken(conn)
            raise DatabaseUnavailableError(_describe(exc, lost)) from exc
        finally:
            self._last_used = time.monotonic()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _begin(self) -> Connection:
        # A warm container's connection may have been dropped while the container
        # slept (proxy idle timeout, failover). Probe it once and reconnect once.
        conn = self._connection()
        if time.monotonic() - self._last_used < self._probe_after_idle_seconds:
            return conn
        try:
            conn.execute("SELECT 1")
        except psycopg.OperationalError:
            logger.debug("reconnecting: the container's connection was broken")
            self.close()
            conn = self._connection()
        return conn

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self._settings)
        return self._conn

    def _discard_if_broken(self, conn: Connection) -> None:
        if conn.broken or conn.closed:
            self.close()


def _describe(exc: psycopg.OperationalError, lost: bool) -> str:
    # Both may pass on retry, but an operator reads them differently: a lost
    # connection points at the proxy or the network, a deadlock or a statement
    # timeout at the queries.
    if lost:
        return f"database connection lost: {exc}"
    return f"the database aborted the transaction ({type(exc).__name__}): {exc}"


def connect(settings: Settings) -> Connection:
    """Open a connection in autocommit mode; transactions are always explicit."""
    try:
        return psycopg.connect(
            **_connection_arguments(settings),
            autocommit=True,
            prepare_threshold=None,
            connect_timeout=settings.connect_timeout_seconds,
        )
    except psycopg.OperationalError as exc:
        message = f"cannot connect to the database: {exc}"
        raise DatabaseUnavailableError(message) from exc


def _connection_arguments(settings: Settings) -> dict[str, Any]:
    if settings.database_url:
        return {
            "conninfo": settings.database_url,
            "options": _startup_options(
                settings.database_url, settings.statement_timeout_ms
            ),
        }
    if not settings.db_proxy_endpoint:
        raise ConfigurationError("set DATABASE_URL, or DB_PROXY_ENDPOINT for RDS Proxy")
    return {
        "host": settings.db_proxy_endpoint,
        "port": settings.db_port,
        "dbname": settings.db_name,
        "user": settings.db_user,
        "password": _iam_auth_token(settings),
        # NOTE: `require` encrypts but does not verify the proxy's certificate;
        # `verify-full` needs the Amazon root CA bundle shipped in the layer, which
        # the layer does not carry yet.
        "sslmode": "require",
        # NOTE: no `options`, which RDS Proxy refuses: its initialization query
        # (template.yaml) sets the statement timeout, so STATEMENT_TIMEOUT_MS does
        # not apply here, and no local test reaches this path.
    }


def _startup_options(database_url: str, statement_timeout_ms: int) -> str:
    """The URL's own startup options, plus the statement timeout."""
    given = conninfo_to_dict(database_url).get("options") or ""
    return f"{given} -c statement_timeout={statement_timeout_ms}".strip()


def _iam_auth_token(settings: Settings) -> str:
    import boto3

    rds = boto3.client("rds", region_name=settings.aws_region)
    token: str = rds.generate_db_auth_token(
        DBHostname=settings.db_proxy_endpoint,
        Port=settings.db_port,
        DBUsername=settings.db_user,
        Region=settings.aws_region,
    )
    return token


_database: Database | None = None


def get_database() -> Database:
    """The container-wide database, created on first use and kept warm."""
    global _database
    if _database is None:
        _database = Database(get_settings())
    return _database
