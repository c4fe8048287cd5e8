"""SQL for the API's health check: one round trip, touching no table."""

from __future__ import annotations

from talentsync.db import Connection


def ping(conn: Connection) -> None:
    """Ask the server for a constant; raises when the database cannot answer."""
    conn.execute("SELECT 1").fetchone()
