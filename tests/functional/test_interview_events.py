"""tests/events/: the events `sam local invoke` gets for the interview functions.

Each must parse into the model its handler reads, and reach the handler's logic
(which, with ids that are not in the database, refuses it as not found).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from local.stepfunctions import REPO_ROOT, load_module, load_template
from talentsync.db import Database
from talentsync.errors import NotFoundError
from talentsync.interview.steps import AnswerStep, FailedAnswer, SessionStep
from tests.support.handlers import FakeLambdaContext

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"
EVENTS = {
    "interview-record-response.json": ("InterviewFunction", AnswerStep),
    "interview-record-failure.json": ("RecordFailureFunction", FailedAnswer),
    "followup-next-question.json": ("FollowUpFunction", SessionStep),
    "feedback-score-answer.json": ("FeedbackFunction", SessionStep),
}


def read_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text())
    return event


def handler_of(function: str) -> Any:
    properties = load_template()["Resources"][function]["Properties"]
    module_file, _, attribute = properties["Handler"].rpartition(".")
    return getattr(
        load_module(REPO_ROOT / properties["CodeUri"], module_file), attribute
    )


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_the_event_parses_into_its_handlers_model(name: str) -> None:
    _, model = EVENTS[name]

    parsed: BaseModel = model.model_validate(read_event(name))

    assert parsed.model_dump(mode="json", by_alias=True) == read_event(name)


@pytest.mark.parametrize(
    "name",
    [
        "interview-record-response.json",
        "followup-next-question.json",
        "feedback-score-answer.json",
    ],
)
def test_the_event_reaches_the_logic_of_its_function(
    name: str, database: Database
) -> None:
    function, _ = EVENTS[name]

    with pytest.raises(NotFoundError):
        handler_of(function)(read_event(name), FakeLambdaContext())


def test_the_failure_event_is_recorded_even_for_an_unknown_answer(
    database: Database,
) -> None:
    result = handler_of("RecordFailureFunction")(
        read_event("interview-record-failure.json"), FakeLambdaContext()
    )

    assert result["transcription_marked_failed"] is False
    assert result["error_message"].startswith(
        "interview pipeline failed: NoQuestionLeftError: no unasked question left"
    )
