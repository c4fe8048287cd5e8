"""Benchmark the API handler: warm time per request by route, and cold import.

Runs the real handler in-process on API Gateway events against a scratch
database (migrated, question bank loaded) and moto for S3, and prints markdown
tables: median and 95th percentile per route over --runs requests, beside the
time of the one primary-key lookup the read routes boil down to; then the
handler module's import time in a fresh interpreter against its dependencies
alone (boto3, psycopg, pydantic, Powertools).

    python -m tests.benchmarks.bench_api [--runs 200]

The load average is printed with the tables: on a shared machine every figure
grows with it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPENDENCIES = (
    "import boto3, psycopg, pydantic, aws_lambda_powertools.event_handler,"
    " aws_lambda_powertools.logging, aws_lambda_powertools.metrics,"
    " aws_lambda_powertools.tracing"
)
HANDLER = (
    "import importlib.util as u; s = u.spec_from_file_location('app',"
    " 'functions/api/app.py'); m = u.module_from_spec(s); s.loader.exec_module(m)"
)


def quiet_environment() -> None:
    os.environ.update(
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_METRICS_NAMESPACE="TalentSync",
        POWERTOOLS_LOG_LEVEL="WARNING",
        POWERTOOLS_METRICS_DISABLED="true",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AUDIO_BUCKET="talentsync-audio-bench",
    )


def timed(action: Callable[[], Any], runs: int) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def route_table(database_url: str, runs: int) -> list[tuple[str, list[float]]]:
    import psycopg

    from tests.support.api_events import request

    user = uuid.uuid4()
    new = {"job_position": "DevOps Engineer", "difficulty_level": "hard"}
    created = request("POST", "/sessions", user, {**new, "total_questions": 5}).body
    session_id = created["session"]["id"]
    upload = {
        "question_id": created["first_question"]["id"],
        "content_type": "audio/mpeg",
        "size_bytes": 1_000_000,
    }

    def create() -> None:
        request("POST", "/sessions", user, {**new, "total_questions": 5})

    with psycopg.connect(database_url, prepare_threshold=None) as conn:

        def lookup() -> None:
            conn.execute("SELECT * FROM sessions WHERE id = %s", (session_id,))

        rows = [
            ("POST /sessions", timed(create, runs)),
            ("GET /sessions/{id}", timed(get(user, f"/sessions/{session_id}"), runs)),
            ("GET /sessions", timed(get(user, "/sessions"), runs)),
            (
                "POST /sessions/{id}/uploads",
                timed(post(user, f"/sessions/{session_id}/uploads", upload), runs),
            ),
            ("GET /health", timed(get(None, "/health"), runs)),
            ("SQL: session by primary key", timed(lookup, runs)),
        ]
    return rows


def get(user: uuid.UUID | None, path: str) -> Callable[[], Any]:
    from tests.support.api_events import request

    return lambda: request("GET", path, user)


def post(user: uuid.UUID, path: str, body: dict[str, Any]) -> Callable[[], Any]:
    from tests.support.api_events import request

    return lambda: request("POST", path, user, body)


def import_seconds(statement: str) -> float:
    """Best of three fresh interpreters: seconds to run `statement`."""
    code = f"import time; t = time.perf_counter(); {statement}; "
    code += "print(time.perf_counter() - t)"
    results = []
    for _ in range(3):
        output = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO_ROOT,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(float(output.stdout.strip().splitlines()[-1]))
    return min(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    quiet_environment()

    from moto import mock_aws

    from local.postgres import create_database, drop_database, ensure_server
    from talentsync.db import Database
    from talentsync.migrate import apply_pending, default_schema_dir, load_migrations
    from talentsync.question_bank import load_question_bank
    from talentsync.settings import Settings

    server = ensure_server()
    name = f"talentsync_bench_api_{uuid.uuid4().hex[:8]}"
    url = create_database(server, name)
    os.environ["DATABASE_URL"] = url
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            apply_pending(conn, load_migrations(default_schema_dir()))
        load_question_bank(Database(Settings(database_url=url)))
        with mock_aws():
            import boto3

            boto3.client("s3").create_bucket(Bucket=os.environ["AUDIO_BUCKET"])
            rows = route_table(url, args.runs)
    finally:
        from talentsync import db

        if db._database is not None:
            db._database.close()
        drop_database(server, name)

    print(f"load average: {os.getloadavg()[0]:.2f}, runs per route: {args.runs}\n")
    print("| route (warm, in-process) | median ms | p95 ms |")
    print("| --- | ---: | ---: |")
    for label, times in rows:
        median, p95 = statistics.median(times), percentile(times, 0.95)
        print(f"| {label} | {median:.2f} | {p95:.2f} |")

    dependencies = import_seconds(DEPENDENCIES)
    handler = import_seconds(f"{DEPENDENCIES}; t = time.perf_counter(); {HANDLER}")
    print("\n| cold import (best of 3) | seconds |")
    print("| --- | ---: |")
    print(f"| dependencies alone | {dependencies:.3f} |")
    print(f"| handler module, on top of them | {handler:.3f} |")


if __name__ == "__main__":
    main()
