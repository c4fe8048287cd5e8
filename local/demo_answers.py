"""The spoken answers the demo plays: the bundled samples, or the user's files.

The samples are the synthetic recordings under tests/fixtures/audio (data, read
as files), each one the opening of a strong answer to one bank question.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from local.postgres import REPO_ROOT
from talentsync.api.models import AudioContentType
from talentsync.api.uploads import EXTENSIONS

SAMPLES_DIR = REPO_ROOT / "tests" / "fixtures" / "audio"
REFERENCES_PATH = SAMPLES_DIR / "references.json"
MAX_QUESTIONS = 20

# The bank question each sample was recorded for; the two Software Engineer
# answers come first because the demo's session is for that position.
SAMPLE_QUESTIONS = {
    "se_process_vs_thread_strong.wav": (
        "What is the difference between a process and a thread?"
    ),
    "se_unclear_requirements_strong.wav": (
        "What would you do if you were assigned a ticket with unclear requirements?"
    ),
    "ds_overfitting_strong.wav": "What is overfitting and how can you prevent it?",
    "devops_friday_failed_deployment_strong.wav": (
        "What would you do if a deployment failed late on a Friday afternoon?"
    ),
    "devops_automated_manual_task_strong.wav": (
        "Tell me about a time you automated a manual task."
    ),
    "pm_say_no_to_stakeholder_strong.wav": (
        "Tell me about a time you had to say no to an important stakeholder."
    ),
}
CONTENT_TYPES = {extension: kind for kind, extension in EXTENSIONS.items()}


@dataclass(frozen=True)
class Answer:
    """One recording to upload, and what is known about it."""

    path: Path
    recorded_for: str | None
    reference_text: str | None

    @property
    def content_type(self) -> AudioContentType:
        return content_type_of(self.path)


def sample_files() -> list[Path]:
    return [SAMPLES_DIR / name for name in SAMPLE_QUESTIONS]


def answers_for(files: list[Path]) -> list[Answer]:
    """The recordings as answers; samples carry their question and spoken text."""
    for path in files:
        check_recording(path)
    references: dict[str, str] = json.loads(REFERENCES_PATH.read_text())
    return [
        Answer(
            path=path,
            recorded_for=recorded_for(path),
            reference_text=references.get(path.name) if is_sample(path) else None,
        )
        for path in files
    ]


def check_recording(path: Path) -> None:
    """Fail before any work on a file that is missing or of a kind not accepted."""
    if not path.is_file():
        raise FileNotFoundError(f"no such recording: {path}")
    content_type_of(path)


def recorded_for(path: Path) -> str | None:
    """The bank question a sample (in any of its formats) was recorded for."""
    if not is_sample(path):
        return None
    return SAMPLE_QUESTIONS.get(f"{path.stem}.wav")


def is_sample(path: Path) -> bool:
    return path.resolve().parent == SAMPLES_DIR


def content_type_of(path: Path) -> AudioContentType:
    """The media type the API accepts for the file's extension."""
    extension = path.suffix.lower().removeprefix(".")
    if extension not in CONTENT_TYPES:
        accepted = ", ".join(sorted(CONTENT_TYPES))
        raise ValueError(f"{path.name}: the extension must be one of {accepted}")
    return CONTENT_TYPES[extension]


def answer_for_question(answers: list[Answer], number: int) -> Answer:
    """The answer played to question `number` (from 1): in order, then cycling."""
    return answers[(number - 1) % len(answers)]


def question_count(requested: int | None, recordings: list[Path]) -> int:
    """--questions, else one question per recording, at most the API's 20."""
    return min(requested or len(recordings), MAX_QUESTIONS)
