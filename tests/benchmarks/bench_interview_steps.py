"""How long the interview state machine's built-in logic and local runs take.

Run: `.venv/bin/python -m tests.benchmarks.bench_interview_steps [--runs N]
[--sessions N]`. Times, with no API keys:

1. the custom scorer on the fixture answers (tests/fixtures/answers.json);
2. the built-in selector over the Software Engineer part of the question bank;
3. whole executions of InterviewStateMachine on moto's interpreter, each task's
   handler in-process against a scratch PostgreSQL database (created on the
   local server, migrated, the bank loaded, dropped at the end): sessions of
   three questions, each answer one execution.

Prints a markdown table of medians and 95th percentiles.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

from local.postgres import create_database, drop_database, ensure_server
from talentsync.interview.scoring import AnswerToScore, score_answer
from talentsync.interview.selection import SessionHistory, select_question
from talentsync.migrate import apply_pending, default_schema_dir, load_migrations
from talentsync.models import Difficulty, Question, Segment
from talentsync.question_bank import read_question_bank

ANSWERS_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "answers.json"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(work: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


def fixture_answers(bank: dict[str, Question]) -> list[AnswerToScore]:
    entries = json.loads(ANSWERS_PATH.read_text())["answers"]
    answers = []
    for entry in entries:
        question = bank[entry["question_text"]]
        for text in (entry["strong_answer"], entry["weak_answer"]):
            seconds = len(text.split()) / 2.3
            answers.append(
                AnswerToScore(
                    question_text=question.question_text,
                    category=question.category.value,
                    keywords=question.keywords or [],
                    ideal_answer_summary=question.ideal_answer_summary,
                    estimated_time=question.estimated_time,
                    answer_text=text,
                    transcription_confidence=0.9,
                    segments=[Segment(start=0, end=seconds, text=text, confidence=0.9)],
                )
            )
    return answers


def bench_scorer(runs: int) -> list[float]:
    bank = {q.question_text: q for q in read_question_bank()}
    answers = fixture_answers(bank)
    return [
        sample
        for answer in answers
        for sample in timed(lambda a=answer: score_answer(a), runs)
    ]


def bench_selector(runs: int) -> list[float]:
    candidates = [
        q for q in read_question_bank() if q.job_position in ("Software Engineer", None)
    ]
    history = SessionHistory(
        session_id=uuid.uuid4(),
        base_difficulty=Difficulty.MEDIUM,
        asked_categories=[],
        overall_scores=[0.6],
    )
    return timed(lambda: select_question(candidates, history), runs)


def bench_executions(sessions_count: int) -> list[float]:
    """Seconds per execution, over `sessions_count` three-question sessions."""
    server = ensure_server()
    name = f"talentsync_bench_{uuid.uuid4().hex[:10]}"
    url = create_database(server, name)
    try:
        return run_sessions(url, sessions_count)
    finally:
        drop_database(server, name)


def run_sessions(url: str, sessions_count: int) -> list[float]:
    # Imported late: they read DATABASE_URL and start moto.
    os.environ["DATABASE_URL"] = url
    for variable in ("OPENAI_API_KEY", "PROVIDER_SECRET_ARN"):
        os.environ.pop(variable, None)
    with psycopg.connect(url, autocommit=True) as conn:
        apply_pending(conn, load_migrations(default_schema_dir()))
    from moto import mock_aws

    from local.stepfunctions import local_state_machine
    from talentsync.db import Database
    from talentsync.question_bank import load_question_bank
    from talentsync.settings import Settings
    from tests.support.interview_sessions import (
        answer_current_question,
        execution_input,
        start_session,
    )

    load_question_bank(Database(Settings(database_url=url)))
    samples = []
    with (
        psycopg.connect(url, autocommit=True) as conn,
        mock_aws(),
        local_state_machine() as machine,
    ):
        for _ in range(sessions_count):
            session = start_session(conn, total_questions=3)
            for _ in range(3):
                event = execution_input(answer_current_question(conn, session))
                started = time.perf_counter()
                result = machine.run(event)
                samples.append(time.perf_counter() - started)
                assert result.status == "SUCCEEDED", result.cause
    return samples


def row(what: str, samples: list[float], unit: str, scale: float) -> str:
    median = statistics.median(samples) * scale
    p95 = percentile(samples, 0.95) * scale
    return f"| {what} | {len(samples)} | {median:.2f} {unit} | {p95:.2f} {unit} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()

    scorer = bench_scorer(args.runs)
    selector = bench_selector(args.runs)
    executions = bench_executions(args.sessions)

    print("| what | samples | median | p95 |")
    print("| --- | --- | --- | --- |")
    print(row("custom scorer, one answer", scorer, "ms", 1000))
    print(row("built-in selector, 45 candidates", selector, "ms", 1000))
    print(row("local execution, one answer (3 tasks)", executions, "ms", 1000))


if __name__ == "__main__":
    main()
