"""Both vendors failing at random (seeded) on a fifth of their calls, 60 uploads.

Faults are errors (HTTP 500 and 429), timeouts, malformed bodies and failed
AssemblyAI transcripts. Each upload is delivered once and retried by "Lambda"
(twice) when its failure may pass.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.reliability import (
    RandomFaultVendors,
    ScenarioResult,
    prepare_answers,
    reliability_environment,
    run_scenario,
)

UPLOADS = 60
WORKERS = 4
FAULT_RATE = 0.2
SEED = 7


@pytest.fixture(scope="module")
def vendors() -> Iterator[RandomFaultVendors]:
    server = RandomFaultVendors(FAULT_RATE, SEED)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def scenario(
    database_url: str, vendors: RandomFaultVendors
) -> Iterator[ScenarioResult]:
    with reliability_environment(database_url, vendors.base_url) as (bucket, conn):
        answers = prepare_answers(conn, bucket, UPLOADS)
        yield run_scenario(conn, answers, WORKERS, 1, run_steps=False, seed=SEED)


def test_faults_are_injected_into_both_vendors(
    scenario: ScenarioResult, vendors: RandomFaultVendors
) -> None:
    faults = vendors.injected_faults()
    assert any(name.startswith("openai") for name in faults)
    assert any(name.startswith("assemblyai") for name in faults)


def test_every_upload_ends_completed_or_failed(scenario: ScenarioResult) -> None:
    statuses = scenario.outcome.by_status
    assert set(statuses) <= {"completed", "failed"}
    assert sum(statuses.values()) == UPLOADS
    assert scenario.outcome.lost == 0


def test_every_failed_upload_has_a_reason(scenario: ScenarioResult) -> None:
    assert scenario.outcome.failed_without_reason == 0


def test_no_delivery_fails_unexpectedly(scenario: ScenarioResult) -> None:
    assert scenario.tally.unexpected == []


def test_openai_transcribes_exactly_the_uploads_of_its_clean_calls(
    scenario: ScenarioResult, vendors: RandomFaultVendors
) -> None:
    clean = vendors.clean_calls("openai", "transcribe")
    assert scenario.outcome.by_provider.get("openai", 0) == clean


def test_assemblyai_transcribes_exactly_the_uploads_of_its_clean_polls(
    scenario: ScenarioResult, vendors: RandomFaultVendors
) -> None:
    clean = vendors.clean_calls("assemblyai", "poll")
    assert scenario.outcome.by_provider.get("assemblyai", 0) == clean


def test_fallback_is_used_exactly_when_openai_failed(
    scenario: ScenarioResult, vendors: RandomFaultVendors
) -> None:
    openai_faults = sum(
        n for name, n in vendors.injected_faults().items() if name.startswith("openai")
    )
    fallbacks = scenario.outcome.fallback_used
    assert fallbacks == scenario.outcome.by_provider.get("assemblyai", 0)
    assert 0 < fallbacks <= openai_faults
