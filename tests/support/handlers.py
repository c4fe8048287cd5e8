"""Load `functions/<name>/app.py` modules in-process, as Lambda would import them.

Every function folder has a module called `app`, so each is loaded under its own
name (`talentsync_functions.<name>`) instead of through sys.path.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"
EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"


def load_handler_module(name: str) -> ModuleType:
    """The (cached) module of `functions/<name>/app.py`."""
    module_name = f"talentsync_functions.{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    path = FUNCTIONS_DIR / name / "app.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from a Lambda context object."""

    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = (
        "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    )
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    remaining_time_ms: int = 60_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_time_ms


def invoke_with_sample_event(name: str, event_file: str) -> Any:
    """Call `functions/<name>/app.py` with an event of tests/events, as
    `sam local invoke -e tests/events/<event_file>` would."""
    event = json.loads((EVENTS_DIR / event_file).read_text())
    return load_handler_module(name).lambda_handler(event, FakeLambdaContext())
