"""`python -m local.demo`: the whole pipeline on this machine, then a report.

PostgreSQL (DATABASE_URL, else the `talentsync_demo` database on the local or
embedded server), migrations and the question bank; moto for AWS with the audio
bucket and template.yaml's InterviewStateMachine; an interview session created
through the API function; each recording uploaded to its presigned URL, handed
to TranscriptionFunction as the bucket's event, and taken through the state
machine (response, next question, score). The report shows what each step
produced, then the session summary and the analytics tables.

No API keys: the offline engine transcribes and the built-in rules pick and
score. With OPENAI_API_KEY or ASSEMBLYAI_API_KEY set, the same functions use
the vendors, as they read those keys themselves.

The demo signs in as one fixed user and deletes that user's earlier sessions
first, so running it again leaves the same rows, not more.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import boto3

from local import demo_database, demo_report
from local.api_client import ApiClient
from local.demo_answers import (
    Answer,
    answer_for_question,
    answers_for,
    question_count,
    sample_files,
)
from local.demo_pipeline import (
    PipelineError,
    current_question,
    run_interview_steps,
    transcribe,
    upload_answer,
)
from local.demo_progress import DemoStepError, Progress, function_log
from local.postgres import REPO_ROOT
from local.stepfunctions import REGION, LocalStateMachine, local_state_machine

DEMO_USER_ID = uuid5(NAMESPACE_URL, "https://talentsync.local/demo-candidate")
DEMO_BUCKET = "talentsync-audio-demo"
JOB_POSITION = "Software Engineer"
# The samples are short, plain answers: the easy questions suit them best.
DIFFICULTY = "easy"
DEFAULT_DATA_DIR = REPO_ROOT / ".local-data"
SETUP_STEPS = 7
STEPS_PER_ANSWER = 3
CLOSING_STEPS = 1


@dataclass(frozen=True)
class DemoOptions:
    audio: list[Path]
    questions: int | None
    data_dir: Path


@dataclass
class AnsweredQuestion:
    """One question of the session and what became of its answer."""

    number: int
    question_id: str
    question_text: str
    answer: Answer
    transcription_id: UUID
    next_question_text: str | None


@dataclass
class DemoRun:
    """Everything the report shows, as the API returned it."""

    database_url: str
    session: dict[str, Any]
    answered: list[AnsweredQuestion] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    feedback: dict[str, Any] = field(default_factory=dict)
    elapsed_seconds: float = 0.0


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    try:
        run = run_demo(options)
    except DemoStepError as failure:
        print(f"\n{failure}", file=sys.stderr)
        return 1
    demo_report.print_report(run)
    return 0


def parse_args(argv: Sequence[str] | None) -> DemoOptions:
    parser = argparse.ArgumentParser(
        prog="python -m local.demo",
        description="Run the interview pipeline locally on spoken answers.",
    )
    parser.add_argument(
        "--audio",
        action="append",
        type=Path,
        help="a recording to answer with (repeatable); default: the bundled samples",
    )
    parser.add_argument(
        "--questions",
        type=int,
        choices=range(1, 21),
        metavar="N",
        help="questions in the session, 1-20; default: one per recording",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="where the embedded PostgreSQL keeps its data (default: .local-data)",
    )
    args = parser.parse_args(argv)
    return DemoOptions(args.audio or sample_files(), args.questions, args.data_dir)


def run_demo(options: DemoOptions, progress: Progress | None = None) -> DemoRun:
    """Run the pipeline on the recordings; what the report needs."""
    total = question_count(options.questions, options.audio)
    steps = SETUP_STEPS + STEPS_PER_ANSWER * total + CLOSING_STEPS
    progress = progress or Progress(steps)
    with progress.step(f"checking {len(options.audio)} recording(s)"):
        answers = answers_for(options.audio)
    with demo_environment(), function_log(options.data_dir), ExitStack() as stack:
        url = prepare_database(options, progress)
        with progress.step("starting local AWS: audio bucket, state machine"):
            machine = stack.enter_context(local_aws())
        run = run_session(url, machine, answers, total, progress)
    run.elapsed_seconds = progress.elapsed_seconds()
    return run


def prepare_database(options: DemoOptions, progress: Progress) -> str:
    with progress.step("finding PostgreSQL"):
        url = demo_database.demo_database_url(options.data_dir)
        os.environ["DATABASE_URL"] = url
    with progress.step("applying migrations"):
        demo_database.migrate(url)
    with progress.step("loading the question bank"):
        demo_database.load_bank(url)
    with progress.step("removing the previous demo run's data"):
        demo_database.forget_demo_user_at(url, DEMO_USER_ID)
    return url


@contextmanager
def local_aws() -> Iterator[LocalStateMachine]:
    """moto with the audio bucket and the interview state machine."""
    with local_state_machine(sleep_retries=True) as machine:
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=DEMO_BUCKET)
        os.environ["STATE_MACHINE_ARN"] = machine.arn
        os.environ["AUDIO_BUCKET"] = DEMO_BUCKET
        forget_containers()
        yield machine


def run_session(
    url: str,
    machine: LocalStateMachine,
    answers: list[Answer],
    total: int,
    progress: Progress,
) -> DemoRun:
    api = ApiClient(DEMO_USER_ID)
    with progress.step(f"creating a {total}-question session through the API"):
        created = api.post("/sessions", new_session_request(total))
    run = DemoRun(database_url=url, session=created["session"])
    session_id = UUID(created["session"]["id"])

    for number in range(1, total + 1):
        answer = answer_for_question(answers, number)
        run.answered.append(
            answer_question(api, machine, session_id, number, answer, progress)
        )

    with progress.step("reading the results through the API"):
        collect_results(api, session_id, run)
    return run


def new_session_request(total: int) -> dict[str, Any]:
    return {
        "job_position": JOB_POSITION,
        "difficulty_level": DIFFICULTY,
        "total_questions": total,
    }


def answer_question(
    api: ApiClient,
    machine: LocalStateMachine,
    session_id: UUID,
    number: int,
    answer: Answer,
    progress: Progress,
) -> AnsweredQuestion:
    """Upload the answer to the current question and take it through the pipeline."""
    with progress.step(f"uploading answer {number} ({answer.path.name})"):
        question = current_question(api, session_id)
        if question is None:
            raise PipelineError("the session completed before every answer was given")
        uploaded = upload_answer(api, DEMO_BUCKET, session_id, question["id"], answer)
    with progress.step(f"transcribing answer {number}"):
        transcription_id = transcribe(uploaded)
    with progress.step(f"recording, choosing the next question, scoring {number}"):
        run_interview_steps(machine, transcription_id)
        following = current_question(api, session_id)
    return AnsweredQuestion(
        number=number,
        question_id=question["id"],
        question_text=question["question_text"],
        answer=answer,
        transcription_id=transcription_id,
        next_question_text=following["question_text"] if following else None,
    )


def collect_results(api: ApiClient, session_id: UUID, run: DemoRun) -> None:
    path = {"session_id": str(session_id)}
    run.session = api.get("/sessions/{session_id}", **path)
    run.responses = api.get("/sessions/{session_id}/responses", **path)["responses"]
    run.feedback = api.get("/sessions/{session_id}/feedback", **path)


@contextmanager
def demo_environment() -> Iterator[None]:
    """The process environment the functions read, put back afterwards.

    The functions read their settings from the environment once per "container";
    the demo sets its own and starts each run with fresh containers, so a run
    in a test process leaves nothing behind for the next.
    """
    saved = dict(os.environ)
    os.environ.update(DEMO_ENVIRONMENT)
    for name in IGNORED_VARIABLES:
        os.environ.pop(name, None)
    forget_containers()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        forget_containers()


DEMO_ENVIRONMENT = {
    # moto is regional: every client must agree with the state machine's ARN.
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    # No X-Ray daemon locally.
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "talentsync-demo",
    "POWERTOOLS_METRICS_NAMESPACE": "TalentSyncDemo",
}
# NOTE: the demo ignores PROVIDER_SECRET_ARN and OFFLINE_ENGINE_FUNCTION: both
# name AWS resources that do not exist in moto. Vendor keys come from
# OPENAI_API_KEY / ASSEMBLYAI_API_KEY, and the offline engine runs in-process.
IGNORED_VARIABLES = ("PROVIDER_SECRET_ARN", "OFFLINE_ENGINE_FUNCTION")


def forget_containers() -> None:
    """Start the functions afresh: settings, database connection, AWS clients."""
    from talentsync import db
    from talentsync.settings import get_settings

    get_settings.cache_clear()
    if db._database is not None:
        db._database.close()
        db._database = None
    for module_name, cached in CONTAINER_CACHES:
        module = sys.modules.get(module_name)
        if module is not None:
            getattr(module, cached).cache_clear()


# Clients each function keeps per warm container (only those of loaded modules).
CONTAINER_CACHES = (
    ("talentsync_functions.api", "s3_client"),
    ("talentsync_functions.transcription", "aws_clients"),
)


if __name__ == "__main__":
    sys.exit(main())
