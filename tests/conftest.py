"""Fixtures shared by every tier; each concern lives in its own tests/support module."""

from __future__ import annotations

import os

pytest_plugins = [
    "tests.support.database",
    "tests.support.aws",
    "tests.support.api_events",
    "tests.support.fake_vendors",
    "tests.support.transcription_uploads",
    "tests.support.fake_openai_chat",
]

# What the Lambda runtime and the template give every function, minus tracing:
# X-Ray has no daemon here.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "TalentSync")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "talentsync-tests")
