"""Uploads per second through the whole pipeline, at 1, 2 and 4 workers.

Run: `.venv/bin/python -m tests.benchmarks.bench_pipeline [--uploads 40]
[--workers 1 2 4]`.

Each worker is a process standing for one warm Lambda container of every
function: its own moto (S3, a stand-in state machine), its own fake OpenAI and
AssemblyAI server answering at once (tests/support/fake_vendors.py), and the
handlers in-process, all on one shared scratch PostgreSQL database (question
bank loaded). A worker first prepares its uploads (an active session per
upload, the answer's WAV put in its bucket) and warms up on a few, then waits
for the others; from the common start, each upload is:

S3 event -> TranscriptionFunction (object read, OpenAI SDK call to the fake,
row completed, StartExecution on a one-Pass-state stand-in) -> RecordResponse
(InterviewFunction) -> NextQuestion (FollowUpFunction) -> ScoreAnswer
(FeedbackFunction), the three step handlers called directly with the input the
state machine would give them. moto's interpreter is skipped on purpose: it
polls, and its wait would be measured instead of our code. Follow-up and
feedback use their built-in logic (the chat model is switched off in the
benchmark, as it is without an OpenAI key). Throughput = all uploads / wall
time from the common start to the last worker's end.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import time
from multiprocessing.synchronize import Barrier
from typing import Any

import boto3
import psycopg

from talentsync import db as db_module
from talentsync.db import Database
from talentsync.question_bank import load_question_bank
from talentsync.settings import Settings
from tests.benchmarks.bench_transcription import (
    BUCKET,
    REGION,
    pipeline_environment,
    scratch_database,
)
from tests.benchmarks.results import Section, Target, load_average, table
from tests.support.fake_vendors import FakeVendors
from tests.support.handlers import FakeLambdaContext, load_handler_module
from tests.support.interview_sessions import start_session
from tests.support.transcription_uploads import answer_key, s3_event, wav_bytes

# NOTE: the three step handlers are called directly, not through moto's state
# machine interpreter (it polls); S3 and StartExecution are moto in-process, so
# AWS network latency is not in the figure; follow-up and feedback run their
# built-in logic (no chat model), so an LLM round trip is not in it either.
WARM_UP_UPLOADS = 3
STEP_HANDLERS = ("transcription", "interview", "followup", "feedback")


def prepare_uploads(
    url: str, count: int
) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """(S3 event, execution input without the transcription id) per upload."""
    body = wav_bytes(seconds=1.0)
    s3 = boto3.client("s3", region_name=REGION)
    uploads = []
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(count):
            session = start_session(conn, total_questions=3)
            assert session.current_question_id is not None
            key = answer_key(
                session.user_id, session.id, session.current_question_id, "wav"
            )
            etag = str(s3.put_object(Bucket=BUCKET, Key=key, Body=body)["ETag"])
            event = s3_event(BUCKET, key, etag.strip('"'), len(body))
            step = {
                "session_id": str(session.id),
                "question_id": str(session.current_question_id),
                "user_id": str(session.user_id),
            }
            uploads.append((event, step))
    return uploads


def process_upload(
    apps: dict[str, Any], event: dict[str, Any], step: dict[str, str]
) -> None:
    context = FakeLambdaContext(remaining_time_ms=900_000)
    outcome = apps["transcription"].lambda_handler(event, context)["transcriptions"][0]
    if outcome["status"] != "completed":
        raise RuntimeError(f"transcription did not complete: {outcome}")
    answer = step | {"transcription_id": outcome["transcription_id"]}
    recorded = apps["interview"].lambda_handler(answer, context)
    session_step = {
        "session_id": step["session_id"],
        "response_id": recorded["response_id"],
    }
    apps["followup"].lambda_handler(session_step, context)
    apps["feedback"].lambda_handler(session_step, context)


def worker(url: str, uploads: int, barrier: Barrier, results: Any) -> None:
    vendors = FakeVendors()
    vendors.start()
    try:
        with (
            open(os.devnull, "w") as devnull,
            contextlib.redirect_stdout(devnull),
            pipeline_environment(url, vendors),
        ):
            apps = {name: load_handler_module(name) for name in STEP_HANDLERS}
            for name in ("followup", "feedback"):
                # The built-in selector and scorer, as without an OpenAI key.
                apps[name].chat_model_from_settings = lambda settings: None
            prepared = prepare_uploads(url, WARM_UP_UPLOADS + uploads)
            for event, step in prepared[:WARM_UP_UPLOADS]:
                process_upload(apps, event, step)
            barrier.wait()
            for event, step in prepared[WARM_UP_UPLOADS:]:
                process_upload(apps, event, step)
            results.put(time.time())
            db_module.get_database().close()
    finally:
        vendors.stop()


def measure(url: str, workers: int, uploads: int) -> float:
    """Uploads per second with `workers` processes of `uploads` each."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers + 1)
    results = context.Queue()
    processes = [
        context.Process(target=worker, args=(url, uploads, barrier, results))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=600)
    started = time.time()
    ended = max(results.get(timeout=600) for _ in processes)
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a pipeline worker failed ({process.exitcode})")
    return workers * uploads / (ended - started)


def run(uploads: int, worker_counts: list[int]) -> Section:
    with scratch_database() as url:
        database = Database(Settings(database_url=url))
        load_question_bank(database)
        database.close()
        throughput = {n: measure(url, n, uploads) for n in worker_counts}
    return report(throughput, uploads)


def report(throughput: dict[int, float], uploads: int) -> Section:
    single = throughput[min(throughput)]
    rows = [
        [n, n * uploads, rate, f"{rate / single:.2f}x", f"{1000 * n / rate:.0f}"]
        for n, rate in throughput.items()
    ]
    headers = [
        "workers",
        "uploads",
        "uploads / s",
        "vs 1 worker",
        "ms per upload per worker",
    ]
    section = Section("Pipeline end to end")
    section.tables.append(
        f"{os.cpu_count()} CPUs; instant fake vendors; upload -> transcription ->"
        " response -> next question -> score:\n\n" + table(headers, rows)
    )
    best = max(throughput, key=lambda n: throughput[n])
    section.targets.append(
        Target(
            "pipeline throughput (no numeric target in the issue)",
            f"{throughput[best]:.1f} uploads/s at {best} workers;"
            f" {throughput[best] / single:.2f}x of 1 worker",
            "measured and reported",
            True,
        )
    )
    section.chart = {"uploads / s": {f"{n} workers": r for n, r in throughput.items()}}
    section.notes.append(load_average())
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=40, help="per worker")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(run(args.uploads, args.workers).markdown())


if __name__ == "__main__":
    main()
