"""Timing a cold import in a fresh interpreter, the way a new Lambda container does.

Shared by the transcription and handler benchmarks, so both measure the same
baselines the same way: the script runs in a child process, times only the
import code, and reports which of the watched modules ended up loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"

DEPENDENCIES_IMPORT = "import boto3, psycopg, pydantic, aws_lambda_powertools"
# The same libraries once a handler starts using them: a first pydantic model
# (pydantic builds its machinery lazily) and the Powertools objects every
# handler creates (the Tracer loads the X-Ray SDK).
BASELINE_IN_USE = """
import boto3, psycopg, pydantic, aws_lambda_powertools
from aws_lambda_powertools import Logger, Metrics, Tracer
class Probe(pydantic.BaseModel):
    value: int
Probe(value=1)
Logger(), Metrics(), Tracer(auto_patch=True, patch_modules=["botocore"])
"""
HANDLER_IMPORT = """
import importlib.util
spec = importlib.util.spec_from_file_location("app", "functions/{name}/app.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""
TIMED_IMPORT = """
import json, sys, time
started = time.perf_counter()
{code}
elapsed = time.perf_counter() - started
loaded = sorted(m for m in {watched!r} if m in sys.modules)
print(json.dumps({{"seconds": elapsed, "loaded": loaded}}))
"""


def handler_import(name: str) -> str:
    """Code that imports `functions/<name>/app.py` as Lambda would."""
    return HANDLER_IMPORT.format(name=name)


def lambda_like_environment(
    task_root: str, service: str, function_name: str | None = None
) -> dict[str, str]:
    """The variables a Lambda container has, tracing on as deployed."""
    environment = dict(
        os.environ,
        LAMBDA_TASK_ROOT=task_root,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        POWERTOOLS_SERVICE_NAME=service,
        POWERTOOLS_METRICS_NAMESPACE="TalentSync",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if function_name:
        environment["AWS_LAMBDA_FUNCTION_NAME"] = function_name
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)
    return environment


def timed_import(
    code: str, environment: dict[str, str], watched: tuple[str, ...]
) -> dict[str, Any]:
    """Seconds the code took in a fresh interpreter; which watched modules loaded."""
    script = TIMED_IMPORT.format(code=code, watched=watched)
    output = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result
