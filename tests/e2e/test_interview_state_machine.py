"""InterviewStateMachine from template.yaml, executed end to end by moto's ASL engine.

Every task runs its real handler in-process against the real PostgreSQL, with no
API keys (the built-in selector and scorer). Faults are injected where they
would arise: inside a handler (an exception, so the task fails with its class
name) or in the Lambda service (`fail_next_invocation`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from local.stepfunctions import (
    LocalStateMachine,
    load_template,
    local_state_machine,
    state_machine_definition,
)
from talentsync.db import Connection, Database
from talentsync.errors import ConflictError, DatabaseUnavailableError, PermanentError
from talentsync.models import SessionStatus, TranscriptionStatus
from talentsync.repositories import (
    responses,
    scores,
    session_summaries,
    sessions,
    transcriptions,
)
from talentsync.settings import get_settings
from tests.support import builders
from tests.support.handlers import FakeLambdaContext, load_handler_module
from tests.support.interview_sessions import (
    PROCESS_VS_THREAD,
    answer_current_question,
    count_rows,
    execution_input,
    fixture_answers,
    start_session,
)
from tests.support.template import cloudformation_template
from tests.support.transcription_uploads import (
    forget_container_state,
    put_object,
    s3_event,
    transcription_row,
)

AUDIO_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
TASKS = ["RecordResponse", "NextQuestion", "ScoreAnswer"]
# Where each task's logic is called from its handler, to make it fail.
TASK_LOGIC = {
    "RecordResponse": ("interview", "record_response", "InterviewFunction"),
    "NextQuestion": ("followup", "advance_session", "FollowUpFunction"),
    "ScoreAnswer": ("feedback", "score_response", "FeedbackFunction"),
}
LAMBDA_SERVICE_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}


@pytest.fixture(scope="module")
def local_machine() -> Iterator[LocalStateMachine]:
    """One state machine for the module (creating it is the slow part), keyless."""
    with pytest.MonkeyPatch.context() as environment:
        environment.delenv("OPENAI_API_KEY", raising=False)
        environment.delenv("PROVIDER_SECRET_ARN", raising=False)
        get_settings.cache_clear()
        with local_state_machine() as local:
            yield local
    get_settings.cache_clear()


@pytest.fixture
def machine(
    local_machine: LocalStateMachine, database: Database, question_bank: int
) -> LocalStateMachine:
    local_machine.forget()
    return local_machine


def failing_first(
    monkeypatch: pytest.MonkeyPatch, task: str, error: Exception, times: int = 1
) -> None:
    """Make the task's logic raise `error` on its first `times` calls."""
    module_name, attribute, _ = TASK_LOGIC[task]
    module = load_handler_module(module_name)
    real: Callable[..., Any] = getattr(module, attribute)
    calls = {"count": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] <= times:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(module, attribute, flaky)


# -- the definition in template.yaml ----------------------------------------------


def task_states() -> dict[str, dict[str, Any]]:
    states = state_machine_definition(load_template())["States"]
    return {name: body for name, body in states.items() if body["Type"] == "Task"}


def test_the_state_machine_is_a_standard_workflow_with_logs_and_tracing() -> None:
    properties = load_template()["Resources"]["InterviewStateMachine"]["Properties"]

    assert properties["Type"] == "STANDARD"
    assert properties["Tracing"] == {"Enabled": True}
    assert properties["Logging"]["Destinations"]


@pytest.mark.parametrize("state", [*TASKS, "RecordFailure"])
def test_every_task_retries_lambda_service_errors_with_full_jitter(state: str) -> None:
    retriers = task_states()[state]["Retry"]

    service = next(r for r in retriers if "Lambda.ServiceException" in r["ErrorEquals"])
    assert set(service["ErrorEquals"]) == LAMBDA_SERVICE_ERRORS
    assert service["JitterStrategy"] == "FULL" and service["BackoffRate"] > 1


@pytest.mark.parametrize("state", [*TASKS, "RecordFailure"])
def test_every_task_retries_the_pipelines_transient_errors(state: str) -> None:
    retriers = task_states()[state]["Retry"]

    transient = next(r for r in retriers if "TransientError" in r["ErrorEquals"])
    assert {"DatabaseUnavailableError", "ProviderSecretError"} <= set(
        transient["ErrorEquals"]
    )
    assert transient["JitterStrategy"] == "FULL" and transient["BackoffRate"] > 1


@pytest.mark.parametrize("state", TASKS)
def test_every_task_catches_everything_into_record_failure(state: str) -> None:
    catch = task_states()[state]["Catch"]

    assert catch == [
        {
            "ErrorEquals": ["States.ALL"],
            "ResultPath": "$.error",
            "Next": "RecordFailure",
        }
    ]


def test_each_task_invokes_its_own_function() -> None:
    functions = {
        name: body["Parameters"]["FunctionName"].rsplit(":", 1)[-1]
        for name, body in task_states().items()
    }

    assert functions == {
        "RecordResponse": "InterviewFunction",
        "NextQuestion": "FollowUpFunction",
        "ScoreAnswer": "FeedbackFunction",
        "RecordFailure": "RecordFailureFunction",
    }


def test_the_deployed_role_may_invoke_exactly_the_four_functions() -> None:
    role = cloudformation_template()["Resources"]["InterviewStateMachineRole"]

    statements = [
        statement
        for policy in role["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if "lambda:InvokeFunction" in statement["Action"]
    ]
    invoked = {
        statement["Resource"]["Fn::Sub"][1]["functionName"]["Ref"]
        for statement in statements
    }
    assert invoked == {
        "InterviewFunction",
        "FollowUpFunction",
        "FeedbackFunction",
        "RecordFailureFunction",
    }


# -- executions ------------------------------------------------------------------


def test_an_answer_runs_through_to_a_response_a_next_question_and_a_score(
    machine: LocalStateMachine, conn: Connection
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    result = machine.run(execution_input(transcription), name=str(transcription.id))

    assert result.status == "SUCCEEDED"
    assert result.states_entered == TASKS
    response = responses.get_response_by_transcription(conn, transcription.id)
    after = sessions.get_session(conn, session.id)
    assert response is not None and after is not None
    assert after.current_question_id not in (None, transcription.question_id)
    assert scores.get_response_score(conn, response.id) is not None


def test_the_execution_output_carries_each_steps_result(
    machine: LocalStateMachine, conn: Connection
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    result = machine.run(execution_input(transcription))

    assert result.output is not None
    assert result.output["recorded"]["answered_questions"] == 1
    assert result.output["next_question"]["source"] == "bank"
    assert result.output["score"]["scoring_model"] == "custom"


def test_a_three_question_session_answered_three_times_ends_completed_with_a_summary(
    machine: LocalStateMachine, conn: Connection
) -> None:
    session = start_session(conn, total_questions=3)
    answers = fixture_answers()
    asked = []

    for number in range(3):
        transcription = answer_current_question(
            conn, session, text=answers[number]["strong_answer"]
        )
        asked.append(transcription.question_id)
        result = machine.run(execution_input(transcription))
        assert result.status == "SUCCEEDED", result.cause

    after = sessions.get_session(conn, session.id)
    summary = session_summaries.get_summary(conn, session.id)
    assert after is not None
    assert (after.status, after.answered_questions) == (SessionStatus.COMPLETED, 3)
    assert after.completed_at is not None and after.current_question_id is None
    assert len(set(asked)) == 3
    assert count_rows(conn, "scores", session.id) == 3
    assert summary is not None and summary.responses_scored == 3


@pytest.mark.parametrize("task", TASKS)
def test_a_transient_error_in_a_task_is_retried_and_the_execution_succeeds(
    task: str,
    machine: LocalStateMachine,
    conn: Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failing_first(monkeypatch, task, DatabaseUnavailableError("connection reset"))
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    result = machine.run(execution_input(transcription))

    function = TASK_LOGIC[task][2]
    outcomes = [call.error_type for call in machine.calls_of(function)]
    assert result.status == "SUCCEEDED"
    assert outcomes == ["DatabaseUnavailableError", None]
    assert count_rows(conn, "responses", session.id) == 1
    assert count_rows(conn, "scores", session.id) == 1


def test_a_transient_error_is_retried_after_a_jittered_wait_not_slept(
    machine: LocalStateMachine, conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_first(
        monkeypatch, "NextQuestion", DatabaseUnavailableError("gone"), times=2
    )
    transcription = answer_current_question(conn, start_session(conn))

    result = machine.run(execution_input(transcription))

    # Full jitter: each wait is drawn from [0, interval x backoff^attempt].
    first, second = machine.retry_waits_seconds
    assert result.status == "SUCCEEDED"
    assert 0.0 <= first <= 2.0 and 0.0 <= second <= 4.0


def test_a_lambda_service_error_is_retried(
    machine: LocalStateMachine, conn: Connection
) -> None:
    machine.fail_next_invocation("FeedbackFunction", "TooManyRequestsException")
    transcription = answer_current_question(conn, start_session(conn))

    result = machine.run(execution_input(transcription))

    outcomes = [call.error_type for call in machine.calls_of("FeedbackFunction")]
    assert result.status == "SUCCEEDED"
    assert outcomes == ["Lambda.TooManyRequestsException", None]


def test_a_permanent_error_ends_failed_through_record_failure(
    machine: LocalStateMachine, conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_first(
        monkeypatch, "ScoreAnswer", PermanentError("the answer cannot be scored")
    )
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    result = machine.run(execution_input(transcription))

    assert result.status == "FAILED"
    assert result.states_entered == [*TASKS, "RecordFailure", "AnswerFailed"]
    assert result.error == "PermanentError"
    assert json.loads(result.cause or "{}")["errorMessage"] == (
        "the answer cannot be scored"
    )
    assert len(machine.calls_of("FeedbackFunction")) == 1


def test_a_permanent_failure_is_recorded_and_nothing_is_left_half_done(
    machine: LocalStateMachine, conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_first(
        monkeypatch, "ScoreAnswer", PermanentError("the answer cannot be scored")
    )
    session = start_session(conn)
    transcription = answer_current_question(conn, session)

    machine.run(execution_input(transcription))

    failed = transcriptions.get_transcription(conn, transcription.id)
    after = sessions.get_session(conn, session.id)
    assert failed is not None and failed.status is TranscriptionStatus.FAILED
    assert failed.error_message == (
        "interview pipeline failed: PermanentError: the answer cannot be scored"
    )
    assert count_rows(conn, "responses", session.id) == 0
    assert after is not None and after.answered_questions == 0
    assert after.current_question_id == transcription.question_id


def test_an_answer_the_session_cannot_take_fails_in_record_response(
    machine: LocalStateMachine, conn: Connection
) -> None:
    session = start_session(conn)
    other = builders.make_question(conn, text="A question the session never asked?")
    transcription = builders.make_completed_transcription(conn, session, other)

    result = machine.run(execution_input(transcription))

    assert result.status == "FAILED"
    assert result.error == ConflictError.__name__
    assert result.states_entered == ["RecordResponse", "RecordFailure", "AnswerFailed"]


def test_transient_errors_that_do_not_pass_end_in_the_catch(
    machine: LocalStateMachine, conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_first(
        monkeypatch, "RecordResponse", DatabaseUnavailableError("down"), times=100
    )
    transcription = answer_current_question(conn, start_session(conn))

    result = machine.run(execution_input(transcription))

    retriers = task_states()["RecordResponse"]["Retry"]
    attempts = next(r for r in retriers if "TransientError" in r["ErrorEquals"])
    assert result.status == "FAILED" and result.error == "DatabaseUnavailableError"
    assert len(machine.calls_of("InterviewFunction")) == attempts["MaxAttempts"] + 1
    assert result.states_entered[-2:] == ["RecordFailure", "AnswerFailed"]


def test_running_the_execution_again_creates_no_duplicates(
    machine: LocalStateMachine, conn: Connection
) -> None:
    session = start_session(conn)
    transcription = answer_current_question(conn, session)
    first = machine.run(execution_input(transcription), name=str(transcription.id))
    chosen = sessions.get_session(conn, session.id).current_question_id  # type: ignore[union-attr]

    again = machine.run(
        execution_input(transcription), name=f"{transcription.id}-again"
    )

    after = sessions.get_session(conn, session.id)
    assert (first.status, again.status) == ("SUCCEEDED", "SUCCEEDED")
    assert count_rows(conn, "responses", session.id) == 1
    assert count_rows(conn, "scores", session.id) == 1
    assert after is not None and after.answered_questions == 1
    assert after.current_question_id == chosen


def test_a_repeated_start_with_the_same_name_runs_once(
    machine: LocalStateMachine, conn: Connection
) -> None:
    transcription = answer_current_question(conn, start_session(conn))
    name = str(transcription.id)

    first_arn = machine.start(execution_input(transcription), name=name)
    second_arn = machine.start(execution_input(transcription), name=name)
    machine.wait(first_arn)

    assert first_arn == second_arn
    assert len(machine.calls_of("InterviewFunction")) == 1


def test_an_unknown_session_fails_without_touching_other_rows(
    machine: LocalStateMachine, conn: Connection
) -> None:
    transcription = answer_current_question(conn, start_session(conn))
    event = execution_input(transcription) | {"session_id": str(uuid.uuid4())}

    result = machine.run(event)

    assert result.status == "FAILED" and result.error == "NotFoundError"
    still = transcriptions.get_transcription(conn, transcription.id)
    assert still is not None and still.status is TranscriptionStatus.FAILED


# -- from the upload ------------------------------------------------------------


@pytest.mark.slow
def test_an_uploaded_answer_is_transcribed_offline_and_runs_to_a_score(
    machine: LocalStateMachine,
    conn: Connection,
    audio_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("OPENAI_API_KEY", "ASSEMBLYAI_API_KEY", "OFFLINE_ENGINE_FUNCTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STATE_MACHINE_ARN", machine.arn)
    session = start_session(conn, first_question=PROCESS_VS_THREAD)
    key = (
        f"audio/{session.user_id}/{session.id}/{session.current_question_id}"
        f"/{uuid.uuid4()}.wav"
    )
    body = (AUDIO_DIR / "se_process_vs_thread_strong.wav").read_bytes()
    etag = put_object(audio_bucket, key, body)
    transcription_app = fresh_transcription_container()

    transcription_app.lambda_handler(
        s3_event(audio_bucket, key, etag, len(body)),
        FakeLambdaContext(remaining_time_ms=900_000),
    )

    row = transcription_row(conn, key)
    result = machine.wait(execution_arn(machine.arn, str(row["id"])))
    response = responses.get_response_by_transcription(conn, row["id"])
    after = sessions.get_session(conn, session.id)
    assert (row["status"], row["provider"]) == ("completed", "fallback")
    assert result.status == "SUCCEEDED", result.cause
    assert response is not None and response.transcription_data.provider == "fallback"
    assert after is not None
    assert after.current_question_id not in (None, session.current_question_id)
    assert scores.get_response_score(conn, response.id) is not None


def fresh_transcription_container() -> Any:
    """The transcription handler with no state left from other tests."""
    module = load_handler_module("transcription")
    forget_container_state(module)
    return module


def execution_arn(state_machine_arn: str, name: str) -> str:
    return f"{state_machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
