"""Run template.yaml's InterviewStateMachine locally, on moto's own ASL interpreter.

The definition is read from the template with its DefinitionSubstitutions
applied (each function ARN names the function's logical id), created in moto's
Step Functions with `execute_state_machine` on, and executed by moto. Its Lambda
tasks reach one patched call point, moto's `_invoke_lambda_function`, which runs
the function's handler (CodeUri + Handler from the template) in-process and
answers as Lambda would: the handler's result, or `FunctionError` with the
exception's type as `errorType`, which is what Retry and Catch match on.

Retry waits are recorded, not slept, unless `sleep_retries=True`.

    with local_state_machine() as machine:
        result = machine.run({"transcription_id": ..., ...})

Whatever calls StartExecution on `machine.arn` inside the block (the
transcription function, say) runs the same way.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any
from unittest.mock import patch

import boto3
from botocore.exceptions import ClientError
from cfnlint.decode import cfn_yaml
from moto import mock_aws
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task import (
    lambda_eval_utils,
)

from local.postgres import REPO_ROOT

TEMPLATE_PATH = REPO_ROOT / "template.yaml"
STATE_MACHINE = "InterviewStateMachine"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
FUNCTION_TYPE = "AWS::Serverless::Function"
SUBSTITUTION_PATTERN = re.compile(r"\$\{(\w+)\}")
POLL_SECONDS = 0.01
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class LambdaContext:
    """The attributes Powertools reads from a Lambda context object."""

    function_name: str
    aws_request_id: str
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@dataclass(frozen=True)
class Invocation:
    """One task's call of a function: its event and how it ended."""

    function: str
    event: dict[str, Any]
    error_type: str | None


@dataclass(frozen=True)
class ExecutionResult:
    arn: str
    status: str
    output: dict[str, Any] | None
    error: str | None
    cause: str | None
    states_entered: list[str]


@dataclass
class LocalStateMachine:
    """The created state machine, its functions and what happened to them."""

    arn: str
    functions: dict[str, Handler]
    client: Any = None
    invocations: list[Invocation] = field(default_factory=list)
    retry_waits_seconds: list[float] = field(default_factory=list)
    _service_errors: dict[str, deque[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(
        self, execution_input: dict[str, Any], name: str | None = None
    ) -> ExecutionResult:
        """Start an execution and wait for it to end."""
        return self.wait(self.start(execution_input, name))

    def start(self, execution_input: dict[str, Any], name: str | None = None) -> str:
        started = self.client.start_execution(
            stateMachineArn=self.arn,
            name=name or str(uuid.uuid4()),
            input=json.dumps(execution_input),
        )
        return str(started["executionArn"])

    def wait(self, execution_arn: str, timeout_seconds: float = 300) -> ExecutionResult:
        """The execution once it has ended (polled; moto runs it in a thread)."""
        deadline = time.monotonic() + timeout_seconds
        while (described := self._describe(execution_arn))["status"] == "RUNNING":
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution still running: {execution_arn}")
            time.sleep(POLL_SECONDS)
        return ExecutionResult(
            arn=execution_arn,
            status=described["status"],
            output=json.loads(described["output"]) if described.get("output") else None,
            error=described.get("error"),
            cause=described.get("cause"),
            states_entered=states_entered(self.client, execution_arn),
        )

    def _describe(self, execution_arn: str) -> dict[str, Any]:
        described: dict[str, Any] = self.client.describe_execution(
            executionArn=execution_arn
        )
        return described

    def fail_next_invocation(self, function: str, error_code: str) -> None:
        """Make the next call of `function` fail as the Lambda service would.

        `error_code` is the service's code, e.g. `TooManyRequestsException`; the
        task then fails with `Lambda.<error_code>`.
        """
        with self._lock:
            self._service_errors.setdefault(function, deque()).append(error_code)

    def invoke(
        self, parameters: dict[str, Any], region: str, state_credentials: Any
    ) -> dict[str, Any]:
        """moto's Lambda invocation, answered by the handler in-process."""
        function = str(parameters["FunctionName"]).rsplit(":", 1)[-1]
        event = json.loads(parameters.get("Payload") or b"{}")
        self._raise_queued_service_error(function)

        context = LambdaContext(
            function_name=function, aws_request_id=str(uuid.uuid4())
        )
        try:
            result = self.functions[function](event, context)
        except Exception as exc:
            self._record(Invocation(function, event, type(exc).__name__))
            return lambda_error(exc, context.aws_request_id)
        self._record(Invocation(function, event, None))
        return {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": result}

    def forget(self) -> None:
        """Clear the recorded calls, waits and queued errors (between tests)."""
        with self._lock:
            self.invocations.clear()
            self.retry_waits_seconds.clear()
            self._service_errors.clear()

    def record_retry_wait(self, seconds: float) -> None:
        with self._lock:
            self.retry_waits_seconds.append(seconds)

    def calls_of(self, function: str) -> list[Invocation]:
        return [call for call in self.invocations if call.function == function]

    def _raise_queued_service_error(self, function: str) -> None:
        with self._lock:
            queued = self._service_errors.get(function)
            error_code = queued.popleft() if queued else None
        if error_code is not None:
            self._record(Invocation(function, {}, f"Lambda.{error_code}"))
            raise ClientError(
                {
                    "Error": {"Code": error_code, "Message": "injected service error"},
                    "ResponseMetadata": {"HTTPStatusCode": 500, "RequestId": "local"},
                },
                "Invoke",
            )

    def _record(self, invocation: Invocation) -> None:
        with self._lock:
            self.invocations.append(invocation)


@contextmanager
def local_state_machine(
    template_path: Path = TEMPLATE_PATH, sleep_retries: bool = False
) -> Iterator[LocalStateMachine]:
    """The interview state machine created in moto, its tasks run in-process."""
    template = load_template(template_path)
    use_template_environment(template)
    functions = {
        name: load_handler(template, name) for name in function_names(template)
    }
    with ExitStack() as stack:
        stack.enter_context(
            mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        )
        client = boto3.client("stepfunctions", region_name=REGION)
        machine = LocalStateMachine(arn="", functions=functions, client=client)
        stack.enter_context(
            patch.object(lambda_eval_utils, "_invoke_lambda_function", machine.invoke)
        )
        if not sleep_retries:
            clock = SimpleNamespace(sleep=machine.record_retry_wait)
            stack.enter_context(patch.object(retrier_decl, "time", clock))
        machine.arn = create_state_machine(client, template)
        yield machine


@cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """template.yaml as written (intrinsic functions as `{"Ref": ...}` mappings)."""
    template: dict[str, Any] = cfn_yaml.loads(path.read_text())
    return template


def use_template_environment(template: dict[str, Any]) -> None:
    """Give the process the functions' common settings, unless already set.

    NOTE: only the template's Globals with literal values are applied (the
    Powertools namespace, say), for every handler alike; per-function variables
    and those built from other resources are not. Tracing is off: there is no
    X-Ray daemon locally.
    """
    globals_ = template.get("Globals", {}).get("Function", {})
    variables = globals_.get("Environment", {}).get("Variables", {})
    for name, value in variables.items():
        if isinstance(value, str):
            os.environ.setdefault(name, value)
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")


def function_names(template: dict[str, Any]) -> list[str]:
    """The zip functions (with a Handler); image functions cannot load in-process."""
    resources = template["Resources"]
    return [
        name
        for name, body in resources.items()
        if body["Type"] == FUNCTION_TYPE and "Handler" in body.get("Properties", {})
    ]


def state_machine_definition(template: dict[str, Any]) -> dict[str, Any]:
    """The state machine's definition with its DefinitionSubstitutions applied."""
    properties = template["Resources"][STATE_MACHINE]["Properties"]
    values = {
        key: resolve_function_arn(template, value)
        for key, value in properties.get("DefinitionSubstitutions", {}).items()
    }
    definition: dict[str, Any] = substitute(properties["Definition"], values)
    return definition


def resolve_function_arn(template: dict[str, Any], value: Any) -> str:
    """`!GetAtt SomeFunction.Arn` as a local ARN whose name is the logical id."""
    target = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    if isinstance(target, str):
        target = target.split(".")
    if not target or target[1] != "Arn" or target[0] not in function_names(template):
        raise ValueError(f"unsupported definition substitution: {value!r}")
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{target[0]}"


def substitute(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {key: substitute(item, values) for key, item in node.items()}
    if isinstance(node, list):
        return [substitute(item, values) for item in node]
    if isinstance(node, str):
        return SUBSTITUTION_PATTERN.sub(lambda match: values[match.group(1)], node)
    return node


def create_state_machine(client: Any, template: dict[str, Any]) -> str:
    created = client.create_state_machine(
        name=STATE_MACHINE,
        definition=json.dumps(state_machine_definition(template)),
        roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{STATE_MACHINE}Role",
        type="STANDARD",
    )
    return str(created["stateMachineArn"])


def load_handler(template: dict[str, Any], function: str) -> Handler:
    """The function's `lambda_handler`, from its CodeUri and Handler in the template."""
    properties = template["Resources"][function]["Properties"]
    module_file, _, attribute = str(properties["Handler"]).rpartition(".")
    folder = REPO_ROOT / str(properties["CodeUri"])
    module = load_module(folder, module_file)
    handler: Handler = getattr(module, attribute)
    return handler


def load_module(folder: Path, module_file: str) -> ModuleType:
    """Import `<folder>/<module_file>.py` under a name of its own (shared with tests).

    Every function folder has an `app.py`, so each is imported as
    `talentsync_functions.<folder>` (`..._<module>` for other files) instead of
    through sys.path; the tests' handler loader uses the same names.
    """
    suffix = "" if module_file == "app" else f"_{module_file}"
    name = f"talentsync_functions.{folder.name}{suffix}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, folder / f"{module_file}.py")
    assert spec is not None and spec.loader is not None, folder
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def lambda_error(exc: Exception, request_id: str) -> dict[str, Any]:
    """An unhandled exception, as the Python runtime reports it to the caller."""
    return {
        "StatusCode": 200,
        "FunctionError": "Unhandled",
        "ExecutedVersion": "$LATEST",
        "Payload": {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "requestId": request_id,
            "stackTrace": traceback.format_tb(exc.__traceback__),
        },
    }


def states_entered(client: Any, execution_arn: str) -> list[str]:
    """The names of the states the execution entered, in order."""
    history = client.get_execution_history(executionArn=execution_arn, maxResults=1000)
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in history["events"]
        if "stateEnteredEventDetails" in event
    ]
