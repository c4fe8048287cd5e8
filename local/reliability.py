"""The reliability scenarios: many uploads, repeated deliveries, injected faults.

    python -m local.reliability [--uploads 2000] [--workers 8]
                                [--fault-uploads 500] [--fault-rate 0.2]

Each scenario runs the real handlers in-process against a real PostgreSQL (a
scratch database, dropped at the end), moto for S3 and Step Functions, and the
fake vendor servers of tests/support on 127.0.0.1.

- Concurrency: every session has one question; its answer is uploaded once and
  its S3 event delivered three times, shuffled over the worker threads. Each
  delivery goes through TranscriptionFunction and then, when the transcription
  is completed (now or before), through the three state machine steps called
  directly (RecordResponse, NextQuestion, ScoreAnswer), as a duplicate execution
  would. Expected: one transcription, response and score per upload, and every
  session's `answered_questions` exactly 1.
- Vendor faults: each vendor call fails at random (seeded) with an error, a
  timeout or a malformed body; every upload must end `completed` or `failed`
  with a reason, and the providers recorded must match the faults injected.

Each worker thread is one warm "container": it keeps its own database
connection, as a Lambda container does. Deliveries that fail with a
`TransientError` are retried as Lambda's asynchronous invocation does (two
retries, here without the wait), and then count as sent to the dead-letter
queue. The pytest tier tests/reliability runs both at small scale.

NOTE: the workers are threads of one process, not separate containers: each has
its own database connection, but Powertools' Logger keys and Metrics set are
shared by the process, so log keys and EMF metrics of concurrent invocations can
mix (the figures come from the database, never from them). The steps are called
directly, not through the state machine, so its Retry and Catch are not part of
the run at this scale (tests/e2e covers them), and retries happen at once, not
after Lambda's and Step Functions' waits.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import queue
import random
import threading
import time
import traceback
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from unittest.mock import patch

import psycopg

from local.postgres import REPO_ROOT, create_database, drop_database, ensure_server
from local.stepfunctions import LambdaContext, load_module
from talentsync import settings as settings_module
from talentsync.db import Connection, Database
from talentsync.errors import TransientError
from talentsync.interview.steps import AnswerStep
from talentsync.models import Difficulty
from talentsync.question_bank import load_question_bank
from talentsync.repositories import sessions
from talentsync.settings import Settings
from tests.support.database import forget_process_state as forget_database_state
from tests.support.fake_vendors import (
    ASSEMBLYAI_TEXT,
    OPENAI_TEXT,
    FakeVendors,
    Fault,
    VendorBehaviour,
    _Handler,
)
from tests.support.transcription_uploads import (
    forget_container_state,
    put_object,
    s3_event,
    wav_bytes,
)

FUNCTIONS_DIR = REPO_ROOT / "functions"
STEP_FUNCTIONS = ("interview", "followup", "feedback")
REGION = "us-east-1"
# Lambda's asynchronous invocation: the first attempt and two retries.
ATTEMPTS_PER_DELIVERY = 3
# A step of the state machine is retried on transient errors (template: 3 retries).
ATTEMPTS_PER_STEP = 4
DELIVERIES_PER_UPLOAD = 3
DEFAULT_SEED = 20240610
# Credentials that reach nothing: every AWS call goes to moto.
LOCAL_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}

# The faults a vendor call can get, by the call they can replace.
OPENAI_FAULTS = (Fault.HTTP_500, Fault.HTTP_429, Fault.SLOW, Fault.MALFORMED)
ASSEMBLYAI_UPLOAD_FAULTS = (Fault.HTTP_500, Fault.HTTP_429, Fault.SLOW)
ASSEMBLYAI_POLL_FAULTS = (Fault.MALFORMED, Fault.STATUS_ERROR)


# -- containers: one connection per worker thread ------------------------------


class Containers:
    """One `Database` per thread, as each warm Lambda container keeps one."""

    def __init__(self, settings: Callable[[], Settings]) -> None:
        self._settings = settings
        self._local = threading.local()
        self._all: list[Database] = []
        self._lock = threading.Lock()

    def get_database(self) -> Database:
        database: Database | None = getattr(self._local, "database", None)
        if database is None:
            database = Database(self._settings())
            self._local.database = database
            with self._lock:
                self._all.append(database)
        return database

    def close_all(self) -> None:
        """Shut every container down (their connections close)."""
        with self._lock:
            for database in self._all:
                database.close()
            self._all.clear()


# -- the pipeline -------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One uploaded answer to a session's current question."""

    key: str
    event: dict[str, Any]
    step: AnswerStep


@dataclass
class Tally:
    """What the deliveries did, counted across threads."""

    counts: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str, amount: int = 1) -> None:
        with self._lock:
            self.counts[what] += amount

    def unexpected_error(self, where: str, exc: BaseException) -> None:
        # The innermost frames say where it broke; the message alone rarely does.
        frames = traceback.extract_tb(exc.__traceback__)[-3:]
        origin = " <- ".join(f"{f.filename}:{f.lineno}" for f in reversed(frames))
        with self._lock:
            self.unexpected.append(f"{where}: {type(exc).__name__}: {exc} at {origin}")


class Pipeline:
    """TranscriptionFunction, then the three steps, each handler in-process."""

    def __init__(self, containers: Containers, run_steps: bool = True) -> None:
        self.containers = containers
        self.run_steps = run_steps
        self.transcription = handler_module("transcription")
        self.steps = [handler_module(name) for name in STEP_FUNCTIONS]
        self.tally = Tally()

    @contextmanager
    def per_thread_connections(self) -> Iterator[None]:
        """Point every handler's `get_database` at the calling thread's container."""
        with ExitStack() as stack:
            for module in [self.transcription, *self.steps]:
                getter = self.containers.get_database
                stack.enter_context(patch.object(module, "get_database", getter))
            yield

    def deliver(self, answer: Answer) -> None:
        """One delivery of the answer's S3 event; raises what the handler raises."""
        result = invoke(self.transcription, answer.event)
        self.tally.add("transcription invocations ok")
        for row in result["transcriptions"]:
            if self.run_steps and row["status"] == "completed":
                step = answer.step.model_copy(
                    update={"transcription_id": uuid.UUID(row["transcription_id"])}
                )
                self.run_state_machine_steps(step)

    def run_state_machine_steps(self, step: AnswerStep) -> None:
        recorded = self._step(self.steps[0], step.model_dump(mode="json"))
        follow = {"session_id": str(step.session_id)}
        follow["response_id"] = recorded["response_id"]
        self._step(self.steps[1], follow)
        self._step(self.steps[2], follow)

    def _step(self, module: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
        # Step Functions retries a task that failed with a TransientError.
        for attempt in range(1, ATTEMPTS_PER_STEP + 1):
            try:
                return invoke(module, event)
            except TransientError:
                self.tally.add("step retries")
                if attempt == ATTEMPTS_PER_STEP:
                    raise
        raise AssertionError("unreachable")


def handler_module(name: str) -> ModuleType:
    return load_module(FUNCTIONS_DIR / name, "app")


def invoke(module: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    context = LambdaContext(
        function_name=module.__name__, aws_request_id=str(uuid.uuid4())
    )
    result: dict[str, Any] = module.lambda_handler(event, context)
    return result


# -- delivering events over worker threads -------------------------------------


@dataclass(frozen=True)
class Delivery:
    answer: Answer
    attempt: int = 1


def deliver_all(pipeline: Pipeline, deliveries: list[Delivery], workers: int) -> None:
    """Run every delivery on `workers` threads; retry transient failures."""
    work: queue.Queue[Delivery | None] = queue.Queue()
    for delivery in deliveries:
        work.put(delivery)
    import_vendor_sdks()
    with pipeline.per_thread_connections():
        threads = [
            threading.Thread(target=_work, args=(pipeline, work), daemon=True)
            for _ in range(workers)
        ]
        for thread in threads:
            thread.start()
        work.join()
        for _ in threads:
            work.put(None)
        for thread in threads:
            thread.join()


def import_vendor_sdks() -> None:
    """Import the SDKs the providers import lazily, before any worker starts.

    A Lambda container runs one invocation at a time, so its first provider call
    imports the SDK alone. Threads standing in for containers would instead race
    on that first import, and Python hands a thread that would otherwise wait in
    a circular import a half-initialised module (seen as "partially initialized
    module 'httpx'"). That race is this harness's, not the product's.
    """
    # NOTE: the SDK import a container pays on its first provider call is
    # therefore not part of the measured deliveries.
    import assemblyai  # noqa: F401
    import openai  # noqa: F401


def _work(pipeline: Pipeline, work: queue.Queue[Delivery | None]) -> None:
    while (delivery := work.get()) is not None:
        try:
            _attempt(pipeline, delivery, work)
        finally:
            work.task_done()


def _attempt(
    pipeline: Pipeline, delivery: Delivery, work: queue.Queue[Delivery | None]
) -> None:
    tally = pipeline.tally
    try:
        pipeline.deliver(delivery.answer)
    except TransientError as exc:
        tally.add(f"transient: {type(exc).__name__}")
        if delivery.attempt < ATTEMPTS_PER_DELIVERY:
            work.put(Delivery(delivery.answer, delivery.attempt + 1))
        else:
            tally.add("sent to the dead-letter queue")
    except Exception as exc:
        tally.unexpected_error(delivery.answer.key, exc)


def repeated_deliveries(
    answers: list[Answer], times: int, rng: random.Random
) -> list[Delivery]:
    """Every answer's event `times` times, in a shuffled order."""
    deliveries = [Delivery(answer) for answer in answers for _ in range(times)]
    rng.shuffle(deliveries)
    return deliveries


# -- the data: sessions with one question, and their uploaded answers ----------


def prepare_answers(
    conn: Connection, bucket: str, count: int, questions_per_session: int = 1
) -> list[Answer]:
    """`count` sessions, each asking one bank question, and an answer to each."""
    question_ids = bank_question_ids(conn)
    body = wav_bytes(seconds=0.5)
    return [
        upload_answer(conn, bucket, body, question_ids[index % len(question_ids)])
        for index in range(count)
    ]


def bank_question_ids(conn: Connection) -> list[uuid.UUID]:
    rows = conn.execute("SELECT id FROM questions ORDER BY id").fetchall()
    assert rows, "load the question bank first"
    return [row[0] for row in rows]


def upload_answer(
    conn: Connection, bucket: str, body: bytes, question_id: uuid.UUID
) -> Answer:
    session = sessions.insert_session(
        conn, uuid.uuid4(), "Software Engineer", Difficulty.MEDIUM, 1
    )
    sessions.set_current_question(conn, session.id, question_id)
    key = f"audio/{session.user_id}/{session.id}/{question_id}/{uuid.uuid4()}.wav"
    etag = put_object(bucket, key, body)
    step = AnswerStep(
        # The row's id is known once the transcription function has made it.
        transcription_id=uuid.UUID(int=0),
        session_id=session.id,
        question_id=question_id,
        user_id=session.user_id,
    )
    return Answer(key, s3_event(bucket, key, etag, len(body)), step)


# -- checks: what the database holds afterwards --------------------------------


@dataclass(frozen=True)
class Outcome:
    """Rows and states after a scenario; `lost` counts answers with no trace."""

    transcriptions: int
    responses: int
    scores: int
    by_status: dict[str, int]
    failed_without_reason: int
    sessions_off: int
    sessions_not_completed: int
    lost: int
    by_provider: dict[str, int]
    fallback_used: int


OUTCOME_QUERIES = {
    "transcriptions": "SELECT count(*) FROM transcriptions",
    "responses": "SELECT count(*) FROM responses",
    "scores": "SELECT count(*) FROM scores",
    "failed_without_reason": (
        "SELECT count(*) FROM transcriptions"
        " WHERE status = 'failed' AND coalesce(error_message, '') = ''"
    ),
    "sessions_off": (
        "SELECT count(*) FROM sessions s WHERE s.answered_questions <>"
        " (SELECT count(*) FROM responses r WHERE r.session_id = s.id)"
    ),
    "sessions_not_completed": (
        "SELECT count(*) FROM sessions WHERE status <> 'completed'"
    ),
    "fallback_used": (
        "SELECT count(*) FROM transcriptions WHERE status = 'completed'"
        " AND fallback_used"
    ),
}


def read_outcome(conn: Connection, keys: list[str]) -> Outcome:
    counts = {name: _scalar(conn, query) for name, query in OUTCOME_QUERIES.items()}
    recorded = conn.execute(
        "SELECT count(DISTINCT s3_key) FROM transcriptions WHERE s3_key = ANY(%s)",
        (keys,),
    ).fetchone()
    assert recorded is not None
    return Outcome(
        by_status=_grouped(conn, "status::text"),
        by_provider=_grouped(conn, "provider::text", "status = 'completed'"),
        lost=len(set(keys)) - int(recorded[0]),
        **counts,
    )


def _scalar(conn: Connection, query: str) -> int:
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def _grouped(conn: Connection, column: str, where: str = "TRUE") -> dict[str, int]:
    query = (
        f"SELECT {column}, count(*) FROM transcriptions"  # noqa: S608
        f" WHERE {where} GROUP BY 1"
    )
    return {str(name): int(n) for name, n in conn.execute(query).fetchall()}


def open_backends(conn: Connection) -> set[int]:
    """Backends connected to this database, other than `conn` itself."""
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchall()
    return {int(row[0]) for row in rows}


def deadlocks_so_far(conn: Connection) -> int:
    """Deadlocks the server has detected in this database since its stats reset.

    Counted by the server, so a deadlock shows here even where the pipeline
    retried it away as a transient error.
    """
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(
        "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
    ).fetchone()
    return int(row[0]) if row else 0


def backends_left(
    conn: Connection, before: set[int], patience_seconds: float = 5.0
) -> set[int]:
    """New backends still connected, once closed ones have had time to exit.

    A backend leaves pg_stat_activity a moment after its client disconnects.
    """
    deadline = time.monotonic() + patience_seconds
    while (left := open_backends(conn) - before) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


# -- fake vendors that fail at random -----------------------------------------


@dataclass(frozen=True)
class InjectedCall:
    vendor: str
    call: str
    fault: Fault | None


class RandomFaultVendors(FakeVendors):
    """The fake vendors, each call failing with `fault_rate` (a seeded draw).

    OpenAI's transcription call can fail with an error, a throttle, a timeout or
    a malformed body; AssemblyAI's upload with an error, a throttle or a
    timeout, and its poll with a malformed body or a failed transcript.
    """

    def __init__(self, fault_rate: float, seed: int = DEFAULT_SEED) -> None:
        super().__init__()
        self.fault_rate = fault_rate
        self._rng = random.Random(seed)
        self._draw_lock = threading.Lock()
        self.injected: list[InjectedCall] = []
        self.server.RequestHandlerClass = _RandomFaultHandler

    def behaviour_for(self, method: str, path: str) -> _CallView:
        vendor, call, faults = _fault_menu(method, path)
        fault = self._draw(faults)
        if vendor:
            with self._draw_lock:
                self.injected.append(InjectedCall(vendor, call, fault))
        return _CallView(self, fault)

    def _draw(self, faults: tuple[Fault, ...]) -> Fault | None:
        with self._draw_lock:
            hit = faults and self._rng.random() < self.fault_rate
            return self._rng.choice(faults) if hit else None

    def injected_faults(self) -> Counter[str]:
        with self._draw_lock:
            return Counter(
                f"{c.vendor} {c.call}: {c.fault}" for c in self.injected if c.fault
            )

    def clean_calls(self, vendor: str, call: str) -> int:
        with self._draw_lock:
            return sum(
                1
                for c in self.injected
                if (c.vendor, c.call, c.fault) == (vendor, call, None)
            )


def _fault_menu(method: str, path: str) -> tuple[str, str, tuple[Fault, ...]]:
    if path == "/v1/audio/transcriptions":
        return "openai", "transcribe", OPENAI_FAULTS
    if path == "/v2/upload":
        return "assemblyai", "upload", ASSEMBLYAI_UPLOAD_FAULTS
    if method == "GET" and path.startswith("/v2/transcript/"):
        return "assemblyai", "poll", ASSEMBLYAI_POLL_FAULTS
    return "", "", ()


class _CallView:
    """What the fake's request handler sees as `vendors` for one request."""

    def __init__(self, vendors: RandomFaultVendors, fault: Fault | None) -> None:
        self._vendors = vendors
        # Every poll completes at once, so a poll fault always takes effect.
        self.openai = VendorBehaviour(OPENAI_TEXT, fault)
        self.assemblyai = VendorBehaviour(ASSEMBLYAI_TEXT, fault, polls_before_done=0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._vendors, name)


class _RandomFaultHandler(_Handler):
    _view: _CallView | None = None

    def handle_one_request(self) -> None:
        self._view = None
        super().handle_one_request()

    @property
    def vendors(self) -> Any:
        if self._view is None:
            random_vendors: RandomFaultVendors = self.server.vendors
            self._view = random_vendors.behaviour_for(self.command, self.path)
        return self._view


def vendor_environment(base_url: str) -> dict[str, str]:
    """Settings that point the SDKs at the fake vendors (as tests/support does)."""
    return {
        "OPENAI_BASE_URL": f"{base_url}/v1",
        "ASSEMBLYAI_BASE_URL": base_url,
        "OPENAI_API_KEY": "sk-test-openai-key",
        "ASSEMBLYAI_API_KEY": "test-assemblyai-key",
        "TRANSCRIPTION_PROVIDERS": "openai,assemblyai",
        "OPENAI_TIMEOUT_SECONDS": "0.5",
        "OPENAI_MAX_RETRIES": "0",
        "ASSEMBLYAI_HTTP_TIMEOUT_SECONDS": "0.5",
        "ASSEMBLYAI_DEADLINE_SECONDS": "1",
        "ASSEMBLYAI_POLLING_INTERVAL_SECONDS": "0.01",
    }


# -- scenarios -----------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioResult:
    uploads: int
    deliveries: int
    outcome: Outcome
    tally: Tally
    wall_seconds: float
    backends_while_warm: int
    backends_after_shutdown: int
    deadlocks: int


def run_scenario(
    conn: Connection,
    answers: list[Answer],
    workers: int,
    deliveries_per_upload: int,
    run_steps: bool = True,
    seed: int = DEFAULT_SEED,
) -> ScenarioResult:
    """Deliver every answer's event, then read what the database holds."""
    before = open_backends(conn)
    deadlocks_before = deadlocks_so_far(conn)
    containers = Containers(settings_module.get_settings)
    pipeline = Pipeline(containers, run_steps)
    deliveries = repeated_deliveries(
        answers, deliveries_per_upload, random.Random(seed)
    )
    started = time.monotonic()
    deliver_all(pipeline, deliveries, workers)
    wall = time.monotonic() - started

    warm = len(open_backends(conn) - before)
    containers.close_all()
    # A closed backend reports its counters as it exits, so read them after.
    after = len(backends_left(conn, before))
    deadlocks = deadlocks_so_far(conn) - deadlocks_before
    outcome = read_outcome(conn, [answer.key for answer in answers])
    return ScenarioResult(
        len(answers),
        len(deliveries),
        outcome,
        pipeline.tally,
        wall,
        warm,
        after,
        deadlocks,
    )


# -- the command ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    quiet_powertools()
    server_url = ensure_server()
    name = f"talentsync_reliability_{uuid.uuid4().hex[:8]}"
    url = create_database(server_url, name)
    try:
        run_command(url, args)
    finally:
        forget_process_state()
        drop_database(server_url, name)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.reliability")
    parser.add_argument("--uploads", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--fault-uploads", type=int, default=500)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    return parser.parse_args(argv)


def quiet_powertools() -> None:
    # Thousands of invocations: keep their JSON logs and EMF metrics off stdout.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "talentsync-reliability")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "TalentSync")


def run_command(url: str, args: argparse.Namespace) -> None:
    from talentsync.migrate import apply_pending, default_schema_dir, load_migrations

    with psycopg.connect(url, autocommit=True) as conn:
        apply_pending(conn, load_migrations(default_schema_dir()))
    os.environ["DATABASE_URL"] = url
    forget_process_state()

    healthy = FakeVendors()
    faulty = RandomFaultVendors(args.fault_rate, args.seed)
    healthy.start()
    faulty.start()
    try:
        # single_metric prints EMF lines whatever the settings say.
        with contextlib.redirect_stdout(io.StringIO()):
            concurrency = concurrency_scenario(url, args, healthy)
            faults = fault_scenario(url, args, faulty)
        print_figures(concurrency)
        print_fault_figures(*faults)
    finally:
        healthy.stop()
        faulty.stop()


@contextmanager
def reliability_environment(url: str, vendor_url: str) -> Iterator[tuple[str, Any]]:
    """Emptied pipeline tables, the question bank, moto: (bucket, a connection)."""
    with (
        local_aws(vendor_url) as bucket,
        psycopg.connect(url, autocommit=True, prepare_threshold=None) as conn,
    ):
        empty_pipeline_tables(conn)
        load_bank(url)
        yield bucket, conn


def load_bank(url: str) -> None:
    database = Database(Settings(database_url=url))
    try:
        load_question_bank(database)
    finally:
        database.close()


def concurrency_scenario(
    url: str, args: argparse.Namespace, vendors: FakeVendors
) -> ScenarioResult:
    with reliability_environment(url, vendors.base_url) as (bucket, conn):
        answers = prepare_answers(conn, bucket, args.uploads)
        return run_scenario(
            conn, answers, args.workers, DELIVERIES_PER_UPLOAD, seed=args.seed
        )


def fault_scenario(
    url: str, args: argparse.Namespace, vendors: RandomFaultVendors
) -> tuple[ScenarioResult, RandomFaultVendors]:
    with reliability_environment(url, vendors.base_url) as (bucket, conn):
        answers = prepare_answers(conn, bucket, args.fault_uploads)
        result = run_scenario(
            conn, answers, args.workers, 1, run_steps=False, seed=args.seed
        )
        return result, vendors


@contextmanager
def local_aws(vendor_url: str) -> Iterator[str]:
    """moto with the audio bucket and a stand-in state machine; the env for them."""
    import boto3
    from moto import mock_aws

    bucket = "talentsync-audio-reliability"
    environment = {**LOCAL_AWS_ENVIRONMENT, **vendor_environment(vendor_url)}
    with patch.dict(os.environ, environment), mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=bucket)
        os.environ["AUDIO_BUCKET"] = bucket
        os.environ["STATE_MACHINE_ARN"] = stand_in_state_machine()
        forget_process_state(keep_database=True)
        yield bucket
    forget_process_state(keep_database=True)


def stand_in_state_machine() -> str:
    """A one-state machine for StartExecution; the steps are called directly."""
    import boto3

    definition = {
        "StartAt": "Received",
        "States": {"Received": {"Type": "Pass", "End": True}},
    }
    created = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="interview-stand-in",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/interview-stand-in",
    )
    return str(created["stateMachineArn"])


def empty_pipeline_tables(conn: Connection) -> None:
    conn.execute(
        "TRUNCATE scores, responses, transcriptions, session_summaries, sessions"
        " CASCADE"
    )


def forget_process_state(keep_database: bool = False) -> None:
    """Settings, clients and connections a warm container would have cached."""
    forget_container_state(handler_module("transcription"))
    if not keep_database:
        forget_database_state()


def print_figures(result: ScenarioResult) -> None:
    outcome = result.outcome
    duplicates = result.deliveries - result.uploads
    print("## Concurrency")
    print(f"uploads processed: {outcome.transcriptions} of {result.uploads}")
    print(f"duplicates delivered: {duplicates} ({result.deliveries} deliveries)")
    print(f"responses: {outcome.responses}, scores: {outcome.scores}")
    print(f"sessions with answered_questions off: {outcome.sessions_off}")
    print(f"rows lost: {outcome.lost}")
    print(f"deadlocks detected by the server: {result.deadlocks}")
    print(
        f"connections while warm: {result.backends_while_warm};"
        f" after shutdown: {result.backends_after_shutdown}"
    )
    print(f"retries and outcomes: {dict(result.tally.counts)}")
    print_unexpected(result.tally)
    print(f"wall time: {result.wall_seconds:.1f} s")


def print_unexpected(tally: Tally) -> None:
    print(f"unexpected errors: {len(tally.unexpected)}")
    for line in tally.unexpected[:5]:
        print(f"  {line}")


def print_fault_figures(result: ScenarioResult, vendors: RandomFaultVendors) -> None:
    outcome = result.outcome
    faults = vendors.injected_faults()
    completed = outcome.by_status.get("completed", 0)
    print("## Vendor faults")
    print(f"uploads: {result.uploads}; statuses: {outcome.by_status}")
    print(f"faults injected: {sum(faults.values())} {dict(faults)}")
    print(f"completed by provider: {outcome.by_provider}")
    rate = outcome.fallback_used / completed if completed else 0.0
    print(f"fallback rate: {rate:.3f} (injected rate per call: {vendors.fault_rate})")
    print(f"failed without a reason: {outcome.failed_without_reason}")
    print(f"rows lost: {outcome.lost}")
    print(f"retries and outcomes: {dict(result.tally.counts)}")
    print_unexpected(result.tally)
    print(f"wall time: {result.wall_seconds:.1f} s")


if __name__ == "__main__":
    main()
