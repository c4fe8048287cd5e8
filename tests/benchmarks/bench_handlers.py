"""Warm handler time against the raw SQL it issues, and cold import time.

Run: `.venv/bin/python -m tests.benchmarks.bench_handlers [--sessions 40]
[--import-runs 7]`.

1. Warm. InterviewFunction, FollowUpFunction and FeedbackFunction run in-process
   as a warm container would (no API keys: the built-in selector and scorer),
   against a scratch database with the question bank, their logs and EMF
   metrics going to /dev/null. Every statement a handler sends, with its
   parameters, its result rows and the transaction around it, is recorded.
   Each session has a twin in the same state; right after the handler runs on
   the session, the recorded statements are replayed on the twin over a plain
   psycopg connection (same transactions, ids of the twin substituted, the ids
   the database returns mapped as they come back), so both sides do the same
   database work on equal data. Ratio = handler p50 / raw SQL p50; target
   at most 1.5.

2. Cold. Fresh interpreters in a Lambda-like environment (LAMBDA_TASK_ROOT set),
   reading bytecode as the deployed layer ships it, time importing each handler
   module against importing its dependencies alone: the third-party modules it
   loads, without our code (tests/benchmarks/cold_import.py; the bare `import
   boto3, psycopg, pydantic, aws_lambda_powertools` is shown for reference).
   Runs alternate; the ratio is the median of the rounds' ratios, target at
   most 1.2. Each handler's interpreter
   reports whether a vendor SDK (openai, assemblyai, faster_whisper) was
   imported: none may be.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg

from talentsync import db as db_module
from talentsync import settings as settings_module
from talentsync.db import Connection, Database
from talentsync.models import Session
from talentsync.question_bank import load_question_bank
from tests.benchmarks.bench_transcription import scratch_database
from tests.benchmarks.cold_import import (
    DEPENDENCIES_IMPORT,
    Timings,
    dependencies_label,
    import_ratio,
    instruction_ratios,
    measure_handler_imports,
    median_seconds,
    modules_loaded,
)
from tests.benchmarks.results import (
    Section,
    Target,
    load_average,
    p50,
    p95,
    table,
    verdict,
)
from tests.support.handlers import FakeLambdaContext, load_handler_module
from tests.support.interview_sessions import answer_current_question, start_session

# NOTE: the warm handlers run on a small scratch database (the question bank and
# the benchmark's sessions), not on the million-row one of bench_queries; the
# ratio compares both sides on the same data, and bench_queries covers scale.
WARM_RATIO_TARGET = 1.5
IMPORT_RATIO_TARGET = 1.2
ANSWERS_PER_SESSION = 3
WARM_UP_SESSIONS = 3
STEP_HANDLERS = ("interview", "followup", "feedback")
# Every zip function (the offline engine's image loads its model at start).
IMPORTED_HANDLERS = ("transcription", *STEP_HANDLERS, "api", "analytics", "migrate")
VENDOR_SDKS = ("openai", "assemblyai", "faster_whisper")
BEGIN, COMMIT = "BEGIN", "COMMIT"

# -- recording the SQL a handler sends ------------------------------------------


@dataclass
class Statement:
    query: str
    params: Any
    rows: list[list[str | None]]


@dataclass
class Recording:
    """Statements and transaction markers, in the order the handler sent them."""

    steps: list[Statement | str] = field(default_factory=list)
    active: bool = False

    def statements(self) -> int:
        return sum(isinstance(step, Statement) for step in self.steps)


RECORDING = Recording()


def result_rows(cursor: psycopg.Cursor[Any]) -> list[list[str | None]]:
    """The result as the server sent it (text), without consuming the cursor."""
    result = cursor.pgresult
    if result is None or result.ntuples == 0:
        return []
    return [
        [_text(result.get_value(row, col)) for col in range(result.nfields)]
        for row in range(result.ntuples)
    ]


def _text(value: bytes | None) -> str | None:
    return None if value is None else bytes(value).decode()


class RecordingCursor(psycopg.Cursor[Any]):
    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        outcome = super().execute(query, params, **kwargs)
        if RECORDING.active:
            text = query.as_string(self) if hasattr(query, "as_string") else query
            text = text.decode() if isinstance(text, bytes) else text
            RECORDING.steps.append(Statement(text, params, result_rows(self)))
        return outcome


@contextlib.contextmanager
def recording_transactions() -> Iterator[None]:
    """Mark where the Database's transactions begin and commit."""
    original = Database.transaction

    @contextlib.contextmanager
    def transaction(self: Database) -> Iterator[Connection]:
        with original(self) as conn:
            conn.cursor_factory = RecordingCursor
            if RECORDING.active:
                RECORDING.steps.append(BEGIN)
            yield conn
        if RECORDING.active:
            RECORDING.steps.append(COMMIT)

    Database.transaction = transaction  # type: ignore[method-assign]
    try:
        yield
    finally:
        Database.transaction = original  # type: ignore[method-assign]


def record(call: Callable[[], Any]) -> tuple[float, Recording]:
    RECORDING.steps, RECORDING.active = [], True
    started = time.perf_counter()
    call()
    elapsed = (time.perf_counter() - started) * 1000
    RECORDING.active = False
    return elapsed, Recording(list(RECORDING.steps))


# -- replaying it on the twin ----------------------------------------------------


def substitute(value: Any, ids: dict[str, UUID]) -> Any:
    """The parameter with every recorded id replaced by its twin's."""
    if isinstance(value, UUID):
        return ids.get(str(value), value)
    if isinstance(value, list | tuple):
        return type(value)(substitute(item, ids) for item in value)
    if isinstance(value, dict):
        return {key: substitute(item, ids) for key, item in value.items()}
    return value


def learn_ids(
    recorded: list[list[str | None]],
    replayed: list[list[str | None]],
    ids: dict[str, UUID],
) -> None:
    """Ids the database generated (RETURNING) differ between the twins: map them."""
    if len(recorded) != len(replayed):
        raise RuntimeError("the replay diverged: a different number of rows came back")
    for old_row, new_row in zip(recorded, replayed, strict=True):
        for old, new in zip(old_row, new_row, strict=True):
            if old != new and old is not None and new is not None and _is_uuid(old):
                ids[old] = UUID(new)


def _is_uuid(text: str) -> bool:
    try:
        return str(UUID(text)) == text
    except ValueError:
        return False


def replay(conn: Connection, recording: Recording, ids: dict[str, UUID]) -> float:
    """Milliseconds to send the recorded statements, as raw SQL, on the twin."""
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        for step in recording.steps:
            if step == BEGIN:
                stack.enter_context(conn.transaction())
            elif step == COMMIT:
                stack.close()
            else:
                assert isinstance(step, Statement)
                _replay_statement(conn, step, ids)
    return (time.perf_counter() - started) * 1000


def _replay_statement(conn: Connection, step: Statement, ids: dict[str, UUID]) -> None:
    with conn.cursor() as cur:
        cur.execute(step.query.encode(), substitute(step.params, ids))
        if cur.description is not None:
            cur.fetchall()
        learn_ids(step.rows, result_rows(cur), ids)


# -- the warm measurement ----------------------------------------------------------


@dataclass
class Twins:
    session: Session
    twin: Session
    ids: dict[str, UUID]


@dataclass
class WarmTimings:
    handler_ms: dict[str, list[float]] = field(default_factory=dict)
    raw_ms: dict[str, list[float]] = field(default_factory=dict)
    statements: dict[str, list[int]] = field(default_factory=dict)

    def add(self, name: str, handler_ms: float, raw_ms: float, statements: int) -> None:
        self.handler_ms.setdefault(name, []).append(handler_ms)
        self.raw_ms.setdefault(name, []).append(raw_ms)
        self.statements.setdefault(name, []).append(statements)


def make_twins(conn: Connection) -> Twins:
    session = start_session(conn, total_questions=ANSWERS_PER_SESSION)
    twin = start_session(conn, total_questions=ANSWERS_PER_SESSION)
    return Twins(
        session, twin, {str(session.id): twin.id, str(session.user_id): twin.user_id}
    )


def answer_both(conn: Connection, twins: Twins) -> dict[str, Any]:
    """A completed transcription on each; the state machine input of the first."""
    answer = answer_current_question(conn, twins.session)
    twin_answer = answer_current_question(conn, twins.twin)
    twins.ids[str(answer.id)] = twin_answer.id
    return {
        "transcription_id": str(answer.id),
        "session_id": str(answer.session_id),
        "question_id": str(answer.question_id),
        "user_id": str(answer.user_id),
    }


def run_answer(
    apps: dict[str, Any], raw: Connection, twins: Twins, event: dict[str, Any]
) -> dict[str, tuple[float, float, int]]:
    """The three steps of one answer: (handler ms, raw ms, statements) each."""
    context = FakeLambdaContext()
    outcome: dict[str, tuple[float, float, int]] = {}
    recorded: dict[str, Any] = {}
    step_events = {"interview": event}
    for name in STEP_HANDLERS:
        step_event = step_events.get(name) or {
            "session_id": event["session_id"],
            "response_id": recorded["interview"]["response_id"],
        }
        handler_ms, recording = record(
            lambda n=name, e=step_event: recorded.__setitem__(
                n, apps[n].lambda_handler(e, context)
            )
        )
        raw_ms = replay(raw, recording, twins.ids)
        outcome[name] = (handler_ms, raw_ms, recording.statements())
    return outcome


def measure_warm(url: str, sessions: int) -> WarmTimings:
    apps = {name: load_handler_module(name) for name in STEP_HANDLERS}
    timings = WarmTimings()
    with (
        psycopg.connect(url, autocommit=True, prepare_threshold=None) as setup,
        psycopg.connect(url, autocommit=True, prepare_threshold=None) as raw,
    ):
        for index in range(WARM_UP_SESSIONS + sessions):
            twins = make_twins(setup)
            for _ in range(ANSWERS_PER_SESSION):
                outcome = run_answer(apps, raw, twins, answer_both(setup, twins))
                if index >= WARM_UP_SESSIONS:
                    for name, (handler_ms, raw_ms, count) in outcome.items():
                        timings.add(name, handler_ms, raw_ms, count)
    return timings


@contextlib.contextmanager
def warm_environment(url: str) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(
        DATABASE_URL=url,
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_SERVICE_NAME="interview",
        POWERTOOLS_METRICS_NAMESPACE="TalentSync",
        AWS_DEFAULT_REGION="us-east-1",
    )
    for name in ("OPENAI_API_KEY", "ASSEMBLYAI_API_KEY", "PROVIDER_SECRET_ARN"):
        os.environ.pop(name, None)
    settings_module.get_settings.cache_clear()
    db_module._database = None
    try:
        with (
            open(os.devnull, "w") as devnull,
            contextlib.redirect_stdout(devnull),
            recording_transactions(),
        ):
            yield
    finally:
        db_module.get_database().close()
        db_module._database = None
        os.environ.clear()
        os.environ.update(saved)
        settings_module.get_settings.cache_clear()


def run_warm(sessions: int) -> WarmTimings:
    with scratch_database() as url, warm_environment(url):
        load_question_bank(db_module.get_database())
        return measure_warm(url, sessions)


# -- cold import -----------------------------------------------------------------


def measure_imports(runs: int) -> Timings:
    return measure_handler_imports(IMPORTED_HANDLERS, runs, VENDOR_SDKS, "interview")


# -- report ----------------------------------------------------------------------


def warm_table(timings: WarmTimings) -> str:
    rows = []
    for name in STEP_HANDLERS:
        handler, raw = timings.handler_ms[name], timings.raw_ms[name]
        rows.append(
            [
                f"{name} handler",
                p50(handler),
                p95(handler),
                p50(raw),
                p95(raw),
                f"{p50(handler) / p50(raw):.2f}x",
                f"{statistics.mean(timings.statements[name]):.1f}",
            ]
        )
    headers = [
        "step",
        "handler p50 ms",
        "p95 ms",
        "its raw SQL p50 ms",
        "p95 ms",
        "handler / raw SQL",
        "statements per call",
    ]
    count = len(timings.handler_ms["interview"])
    return f"Warm invocations ({count} per handler):\n\n" + table(headers, rows)


def warm_targets(timings: WarmTimings) -> list[Target]:
    targets = []
    for name in STEP_HANDLERS:
        ratio = p50(timings.handler_ms[name]) / p50(timings.raw_ms[name])
        targets.append(
            Target(
                f"{name} handler warm / its raw SQL",
                f"{ratio:.2f}x",
                f"<= {WARM_RATIO_TARGET:g}x",
                ratio <= WARM_RATIO_TARGET,
            )
        )
    return targets


def import_table(results: Timings) -> str:
    bare = median_seconds(results["dependencies"])
    rows = []
    for name in IMPORTED_HANDLERS:
        alone = results[dependencies_label(name)]
        rows.append(
            [
                f"`functions/{name}/app.py`",
                median_seconds(results[name]) * 1000,
                median_seconds(alone) * 1000,
                f"{import_ratio(results[name], alone):.2f}x",
                f"{import_ratio(results[name], results['dependencies']):.2f}x",
                ", ".join(modules_loaded(results[name])) or "none",
            ]
        )
    headers = [
        "handler",
        "import p50 ms",
        "its dependencies alone p50 ms",
        "/ its dependencies (median of rounds)",
        "/ bare line (median of rounds)",
        "vendor SDKs",
    ]
    count = len(results["dependencies"])
    return (
        f"Cold import ({count} fresh interpreters each, from bytecode; bare line:"
        f" `{DEPENDENCIES_IMPORT}`, p50 {bare * 1000:.1f} ms):\n\n"
        + table(headers, rows)
    )


def import_targets(results: Timings) -> list[Target]:
    targets = []
    for name in IMPORTED_HANDLERS:
        ratio = import_ratio(results[name], results[dependencies_label(name)])
        loaded = modules_loaded(results[name])
        targets.append(
            Target(
                f"{name} handler cold import / its dependencies alone",
                f"{ratio:.2f}x; vendor SDKs loaded: {', '.join(loaded) or 'none'}",
                f"<= {IMPORT_RATIO_TARGET:g}x, none loaded",
                ratio <= IMPORT_RATIO_TARGET and not loaded,
            )
        )
    return targets


def run(sessions: int, import_runs: int) -> Section:
    timings = run_warm(sessions)
    imports = measure_imports(import_runs)
    section = Section("Handlers")
    section.tables += [warm_table(timings), import_table(imports)]
    section.targets += warm_targets(timings) + import_targets(imports)
    section.chart = {
        "handler / raw SQL": {
            name: p50(timings.handler_ms[name]) / p50(timings.raw_ms[name])
            for name in STEP_HANDLERS
        },
    }
    section.notes.append(load_average())
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--import-runs", type=int, default=7)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each import's instructions under valgrind (about 5 min)",
    )
    args = parser.parse_args()
    section = run(args.sessions, args.import_runs)
    print(section.markdown())
    rows = [[t.name, t.measured, t.limit, verdict(t.met)] for t in section.targets]
    print(table(["target", "measured", "target", "verdict"], rows))
    if args.instructions:
        print_instruction_ratios()


def print_instruction_ratios() -> None:
    ratios = instruction_ratios(IMPORTED_HANDLERS, "interview")
    if ratios is None:
        print("\nInstructions executed: valgrind is not installed, not counted.")
        return
    rows = [
        [f"`functions/{name}/app.py`", f"{ratio:.3f}x"]
        for name, ratio in ratios.items()
    ]
    print("\nInstructions executed at import (valgrind, one run each):\n")
    print(table(["handler", "/ its dependencies alone"], rows))


if __name__ == "__main__":
    main()
