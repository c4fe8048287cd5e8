"""The test command finds a database even on a machine without PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from local import postgres
from talentsync.migrate import apply_pending, default_schema_dir, load_migrations


@pytest.fixture
def no_local_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A machine where nothing listens on 5432 and no cluster can be started."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(postgres, "LOCAL_SERVER_URL", "postgresql://x@127.0.0.1:1/x")
    monkeypatch.setattr(postgres, "_start_local_cluster", lambda: False)
    data_dir = tmp_path / "embedded"
    monkeypatch.setattr(postgres, "EMBEDDED_DATA_DIR", data_dir)
    monkeypatch.setattr(
        postgres, "_start_embedded_server", lambda: original_start(data_dir)
    )
    return data_dir


original_start = postgres._start_embedded_server


@pytest.mark.slow
def test_without_a_local_server_the_embedded_one_takes_the_schema(
    no_local_server: Path,
) -> None:
    url = postgres.ensure_server()
    scratch = postgres.create_database(url, "embedded_check")

    with psycopg.connect(scratch, autocommit=True) as conn:
        applied = apply_pending(conn, load_migrations(default_schema_dir()))
        trigram = conn.execute("SELECT similarity('answer', 'answers')").fetchone()

    assert len(applied) == len(load_migrations(default_schema_dir()))
    assert trigram is not None and trigram[0] > 0.5
    assert (no_local_server / "PG_VERSION").exists()
