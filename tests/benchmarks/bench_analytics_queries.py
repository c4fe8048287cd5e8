"""Analytics and health-check queries at a million responses: document vs project.

Run: `.venv/bin/python -m tests.benchmarks.bench_analytics_queries [--runs N]
[--keep]`. It creates a scratch database on the local server (DATABASE_URL or
local.postgres), migrates it to 007 (the data-model document's tables and
indexes, plus the pipeline's keys), loads the data of
tests/benchmarks/data_at_scale.py (100,000 sessions, 1,000,000 responses, their
transcriptions and scores: 30 days of growing traffic, skewed sessions, vendor
outages that cluster the fallbacks in time), then times every analytics query:

1. with the document's indexes only, running the document's query text;
2. after the remaining migrations (the project's schema, with the rollup of
   schema/010), running both the document's text and the query the analytics
   function runs.

It prints markdown tables of the median times and the EXPLAIN (ANALYZE) plans,
and exits non-zero if the 30-day query is not at least 10x faster with the
project's schema. The database is dropped at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from local.postgres import create_database, drop_database, ensure_server
from talentsync.db import Connection
from talentsync.migrate import apply_pending, default_schema_dir
from talentsync.migrate import load_migrations as load_all_migrations
from talentsync.repositories import response_rollups, responses, transcriptions
from tests.benchmarks.data_at_scale import (
    analyze,
    data_shape,
    document_migrations,
    load_data,
)

REQUIRED_SPEEDUP = 10.0


@dataclass
class Measured:
    name: str
    median_ms: float
    plan: str


class RecordingCursor(psycopg.Cursor[Any]):
    """Remembers the last statement, so the benchmark can EXPLAIN what ran."""

    last_query: tuple[str, Any] = ("", None)

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        text = (
            query.as_string(self.connection) if hasattr(query, "as_string") else query
        )
        RecordingCursor.last_query = (text, params)
        return super().execute(query, params, **kwargs)


def main() -> int:
    args = parse_args()
    server = ensure_server()
    name = f"talentsync_bench_{uuid.uuid4().hex[:10]}"
    url = create_database(server, name)
    try:
        return run(url, args.runs, args.scale)
    finally:
        if not args.keep:
            drop_database(server, name)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the data (smoke runs)"
    )
    return parser.parse_args()


def run(url: str, runs: int, scale: float) -> int:
    migrations = load_all_migrations(default_schema_dir())
    with connect(url) as conn:
        started = time.monotonic()
        apply_pending(conn, document_migrations(migrations))
        load_data(conn, scale)
        print(f"\nLoaded the data in {time.monotonic() - started:.0f} s.\n")
        print_data_shape(data_shape(conn))
        document = measure_all(conn, runs, DOCUMENT_QUERIES)

        started = time.monotonic()
        applied = apply_pending(conn, migrations)
        analyze(conn)
        print(f"Applied {', '.join(applied)} in {time.monotonic() - started:.0f} s.\n")
        project_text = measure_all(conn, runs, DOCUMENT_QUERIES)
        project = measure_all(conn, runs, PROJECT_QUERIES)
        project_only = measure_all(conn, runs, PROJECT_ONLY_QUERIES)

    print_summary(document, project_text, project)
    print_project_only(project_only)
    print_plans(document, project_text, project | project_only)
    return verdict(document, project)


def connect(url: str) -> Connection:
    conn = psycopg.connect(url, autocommit=True, prepare_threshold=None)
    conn.cursor_factory = RecordingCursor
    return conn


def print_data_shape(shape: dict[str, object]) -> None:
    print("| data | count |\n| --- | ---: |")
    for label, value in shape.items():
        print(f"| {label} | {value} |")
    print()


def stuck_sweep(conn: Connection) -> object:
    # Timed inside a rolled-back transaction, so every run finds the same rows.
    with conn.transaction(force_rollback=True):
        return transcriptions.fail_stuck_processing(conn, 900)


QueryRunner = Callable[[Connection], object]

DOCUMENT_QUERIES: dict[str, QueryRunner] = {
    "daily success rates (30 days)": responses.get_daily_success_rates,
    "provider usage (7 days)": responses.get_provider_usage,
    "recent transcriptions (5 minutes)": responses.count_recent_transcriptions,
    "active-session consistency": responses.check_active_session_consistency,
    "transcription outcomes (7 days)": lambda conn: (
        transcriptions.count_outcomes_by_provider(conn, 7)
    ),
}

PROJECT_QUERIES: dict[str, QueryRunner] = {
    "daily success rates (30 days)": response_rollups.get_daily_success_rates,
    "provider usage (7 days)": response_rollups.get_provider_totals,
    "recent transcriptions (5 minutes)": responses.count_recent_transcriptions,
    "active-session consistency": response_rollups.check_active_session_consistency,
    "transcription outcomes (7 days)": DOCUMENT_QUERIES[
        "transcription outcomes (7 days)"
    ],
}

# The sweep needs `retryable` (schema/009), so it is timed on the project's schema.
PROJECT_ONLY_QUERIES: dict[str, QueryRunner] = {"stuck sweep": stuck_sweep}


def measure_all(
    conn: Connection, runs: int, queries: dict[str, QueryRunner]
) -> dict[str, Measured]:
    return {name: measure(conn, name, runner, runs) for name, runner in queries.items()}


def measure(conn: Connection, name: str, runner: QueryRunner, runs: int) -> Measured:
    runner(conn)  # warm the cache; not timed
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        runner(conn)
        timings.append((time.perf_counter() - started) * 1000)
    query, params = RecordingCursor.last_query
    return Measured(name, statistics.median(timings), explain(conn, query, params))


def explain(conn: Connection, query: str, params: Any) -> str:
    statement = f"EXPLAIN (ANALYZE, BUFFERS) {query}"
    with conn.transaction(force_rollback=True):
        rows = conn.execute(statement.encode(), params).fetchall()
    return "\n".join(row[0] for row in rows)


def print_summary(
    document: dict[str, Measured],
    project_text: dict[str, Measured],
    project: dict[str, Measured],
) -> None:
    print(
        "| query | document's indexes (ms) | project's schema, document's text (ms)"
        " | project's schema, function's query (ms) | speed-up |"
    )
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, before in document.items():
        same_text, after = project_text[name], project[name]
        speedup = before.median_ms / after.median_ms
        print(
            f"| {name} | {before.median_ms:.1f} | {same_text.median_ms:.1f}"
            f" | {after.median_ms:.1f} | {speedup:.1f}x |"
        )
    print()


def print_project_only(measured: dict[str, Measured]) -> None:
    print("| query, project's schema only | median (ms) |\n| --- | ---: |")
    for name, result in measured.items():
        print(f"| {name} | {result.median_ms:.1f} |")
    print()


def print_plans(
    document: dict[str, Measured],
    project_text: dict[str, Measured],
    project: dict[str, Measured],
) -> None:
    for title, measured in (
        ("document's indexes, document's text", document),
        ("project's schema, document's text", project_text),
        ("project's schema, function's query", project),
    ):
        for name, result in measured.items():
            print(f"#### {name}: {title}\n\n```\n{result.plan}\n```\n")


def verdict(document: dict[str, Measured], project: dict[str, Measured]) -> int:
    name = "daily success rates (30 days)"
    speedup = document[name].median_ms / project[name].median_ms
    if speedup < REQUIRED_SPEEDUP:
        print(f"FAIL: the 30-day query is only {speedup:.1f}x faster")
        return 1
    print(f"OK: the 30-day query is {speedup:.1f}x faster with the project's schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
