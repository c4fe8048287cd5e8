"""Importing the shared package freezes the objects the libraries left behind."""

from __future__ import annotations

import json
import subprocess
import sys

FREEZE_COUNTS = """
import gc, json
import boto3
before = gc.get_freeze_count()
import talentsync
print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                  "tracked": len(gc.get_objects())}))
"""


def test_importing_talentsync_freezes_what_boto3_holds() -> None:
    # A fresh interpreter: this one imported talentsync long ago.
    finished = subprocess.run(
        [sys.executable, "-c", FREEZE_COUNTS],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = json.loads(finished.stdout)

    # boto3 and botocore alone leave tens of thousands of objects; once frozen,
    # later collections see none of them.
    assert counts["after"] - counts["before"] > 10_000
    assert counts["tracked"] < 100
