"""Migration files are well-formed before any database sees them."""

from __future__ import annotations

from talentsync.migrate import default_schema_dir, load_migrations, split_statements


def test_migration_numbers_are_unique_and_contiguous() -> None:
    versions = [m.version[:3] for m in load_migrations(default_schema_dir())]

    assert versions == [f"{n:03d}" for n in range(1, len(versions) + 1)]


def test_only_files_with_concurrent_builds_run_outside_a_transaction() -> None:
    for migration in load_migrations(default_schema_dir()):
        concurrent = "CONCURRENTLY" in migration.sql
        assert migration.transactional is not concurrent, migration.version


def test_every_migration_explains_itself_in_a_header_comment() -> None:
    for migration in load_migrations(default_schema_dir()):
        assert migration.sql.startswith(f"-- {migration.version[:3]}:"), (
            migration.version
        )


def test_statements_split_on_line_ending_semicolons_only() -> None:
    sql = (
        "-- a comment; with a semicolon;\nCREATE INDEX a\nON t (x);\n\nSELECT 'a;b';\n"
    )

    assert split_statements(sql) == ["CREATE INDEX a\nON t (x)", "SELECT 'a;b'"]
