"""The README's test command: every check CI runs, in order, failing fast.

Finds or starts PostgreSQL (see local.postgres) and hands its URL to the tests,
which create a scratch database and apply the migrations themselves. Extra
arguments go to pytest: `make test ARGS="-k migrate"` is not supported by make's
argument passing, so run `.venv/bin/python -m local.check -k migrate` instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from local.postgres import REPO_ROOT, ensure_server

BIN = os.path.dirname(sys.executable)
SAM = os.path.join(os.path.dirname(BIN), "sam", "bin", "sam")


def run_step(name: str, command: list[str], env: dict[str, str]) -> None:
    started = time.monotonic()
    print(f"==> {name}", flush=True)
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, check=False)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        print(f"==> {name} failed after {elapsed:.1f}s", flush=True)
        sys.exit(result.returncode)
    print(f"==> {name} passed in {elapsed:.1f}s", flush=True)


def sam_env(env: dict[str, str]) -> dict[str, str]:
    # Validation is offline; telemetry would try the network and wait.
    return dict(env, SAM_CLI_TELEMETRY="0", AWS_DEFAULT_REGION="us-east-1")


def main(pytest_args: list[str]) -> None:
    env = dict(os.environ, DATABASE_URL=ensure_server())
    tool = os.path.join
    run_step("ruff check", [tool(BIN, "ruff"), "check", "."], env)
    run_step("ruff format", [tool(BIN, "ruff"), "format", "--check", "."], env)
    run_step("mypy", [tool(BIN, "mypy")], env)
    run_step("cfn-lint", [tool(BIN, "cfn-lint"), "template.yaml"], env)
    validate = [SAM, "validate", "--lint", "--region", "us-east-1"]
    run_step("sam validate", validate, sam_env(env))
    run_step("pytest", [sys.executable, "-m", "pytest", *pytest_args], env)


if __name__ == "__main__":
    main(sys.argv[1:])
