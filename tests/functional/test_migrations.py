"""The migration runner against a real server: fresh databases, reruns, edits, races."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from local.postgres import create_database, drop_database
from talentsync.migrate import (
    MigrationChangedError,
    _no_statement_timeout,
    apply_pending,
    default_schema_dir,
    load_migrations,
    migrate,
)
from talentsync.settings import Settings

SCHEMA_FILES = sorted(path.name for path in default_schema_dir().glob("*.sql"))


@pytest.fixture
def empty_database(server_url: str) -> Iterator[str]:
    name = f"talentsync_migrate_{uuid.uuid4().hex[:10]}"
    yield create_database(server_url, name)
    drop_database(server_url, name)


def run_migrations(url: str, schema_dir: Path | None = None) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return apply_pending(conn, load_migrations(schema_dir or default_schema_dir()))


def recorded_versions(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY 1")
        return [row[0] for row in rows]


def test_every_migration_applies_to_an_empty_database(empty_database: str) -> None:
    applied = run_migrations(empty_database)

    assert applied == SCHEMA_FILES
    assert recorded_versions(empty_database) == SCHEMA_FILES


def test_a_second_run_applies_nothing(empty_database: str) -> None:
    run_migrations(empty_database)

    assert run_migrations(empty_database) == []


def test_the_five_tables_of_the_data_model_exist(empty_database: str) -> None:
    run_migrations(empty_database)

    with psycopg.connect(empty_database) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    tables = {row[0] for row in rows}
    expected = {"transcriptions", "responses", "sessions", "questions", "scores"}
    assert expected <= tables


def test_every_index_the_document_names_exists(empty_database: str) -> None:
    run_migrations(empty_database)

    with psycopg.connect(empty_database) as conn:
        rows = conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
        ).fetchall()
    indexes = {row[0] for row in rows}
    assert indexes >= DOCUMENT_INDEXES


def test_an_edited_applied_file_is_refused_by_name(
    empty_database: str, tmp_path: Path
) -> None:
    schema_copy = tmp_path / "schema"
    shutil.copytree(default_schema_dir(), schema_copy)
    run_migrations(empty_database, schema_copy)
    edited = schema_copy / "003_transcription_version.sql"
    edited.write_text(edited.read_text() + "\n-- an innocent-looking edit\n")

    with pytest.raises(MigrationChangedError, match=r"003_transcription_version\.sql"):
        run_migrations(empty_database, schema_copy)


def test_a_new_file_is_applied_after_the_existing_ones(
    empty_database: str, tmp_path: Path
) -> None:
    schema_copy = tmp_path / "schema"
    shutil.copytree(default_schema_dir(), schema_copy)
    run_migrations(empty_database, schema_copy)
    (schema_copy / "900_extra_table.sql").write_text("CREATE TABLE extra (id int);")

    assert run_migrations(empty_database, schema_copy) == ["900_extra_table.sql"]


def test_a_failing_migration_leaves_nothing_half_applied(
    empty_database: str, tmp_path: Path
) -> None:
    schema_copy = tmp_path / "schema"
    shutil.copytree(default_schema_dir(), schema_copy)
    run_migrations(empty_database, schema_copy)
    (schema_copy / "900_broken.sql").write_text(
        "CREATE TABLE half_done (id int);\nSELECT no_such_function();\n"
    )

    with pytest.raises(psycopg.errors.UndefinedFunction):
        run_migrations(empty_database, schema_copy)

    with psycopg.connect(empty_database) as conn:
        exists = conn.execute("SELECT to_regclass('half_done')").fetchone()
    assert exists == (None,)
    assert "900_broken.sql" not in recorded_versions(empty_database)


def test_a_migration_may_run_longer_than_the_functions_statement_timeout(
    empty_database: str, tmp_path: Path
) -> None:
    # An index built CONCURRENTLY on a large table takes as long as it takes.
    (tmp_path / "001_slow.sql").write_text("SELECT pg_sleep(0.3);\n")
    (tmp_path / "002_slow_outside.sql").write_text(
        "-- migrate: no-transaction\nSELECT pg_sleep(0.3);\n"
    )
    impatient = Settings(database_url=empty_database, statement_timeout_ms=100)

    assert migrate(impatient, tmp_path) == ["001_slow.sql", "002_slow_outside.sql"]


def test_the_runner_gives_its_connection_the_statement_timeout_back(
    empty_database: str,
) -> None:
    options = "-c statement_timeout=100"
    with psycopg.connect(empty_database, autocommit=True, options=options) as conn:
        with _no_statement_timeout(conn):
            during = conn.execute("SHOW statement_timeout").fetchone()
        after = conn.execute("SHOW statement_timeout").fetchone()

    assert during == ("0",)
    assert after == ("100ms",)


def test_two_runners_started_at_once_apply_each_file_once(empty_database: str) -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            results.append(run_migrations(empty_database))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(results, key=len) == [[], SCHEMA_FILES]
    assert recorded_versions(empty_database) == SCHEMA_FILES


DOCUMENT_INDEXES = {
    "idx_transcriptions_user_id",
    "idx_transcriptions_session_id",
    "idx_transcriptions_status",
    "idx_transcriptions_created_at",
    "idx_transcriptions_provider",
    "idx_responses_session_id",
    "idx_responses_question_id",
    "idx_responses_created_at",
    "idx_responses_transcription_gin",
    "idx_sessions_user_id",
    "idx_sessions_status",
    "idx_sessions_started_at",
    "idx_questions_category",
    "idx_questions_difficulty",
    "idx_questions_position",
    "idx_scores_response_id",
    "idx_scores_session_id",
    "idx_scores_overall_score",
    "idx_responses_session_transcription",
    "idx_responses_confidence",
    "idx_responses_provider_date",
}
