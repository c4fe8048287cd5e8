"""Many uploads, each S3 event delivered three times in a shuffled order, 4 workers.

Every delivery goes through TranscriptionFunction and, for a completed
transcription, through RecordResponse, NextQuestion and ScoreAnswer (handlers
in-process, each worker thread a warm container with its own connection).
local/reliability.py runs the same scenario at 2,000 uploads.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local.reliability import (
    ScenarioResult,
    prepare_answers,
    reliability_environment,
    run_scenario,
)
from tests.support.fake_vendors import FakeVendors

UPLOADS = 40
WORKERS = 4
DELIVERIES_PER_UPLOAD = 3


@pytest.fixture(scope="module")
def scenario(
    database_url: str, fake_vendor_server: FakeVendors
) -> Iterator[ScenarioResult]:
    fake_vendor_server.reset()
    with reliability_environment(database_url, fake_vendor_server.base_url) as (
        bucket,
        conn,
    ):
        answers = prepare_answers(conn, bucket, UPLOADS)
        yield run_scenario(conn, answers, WORKERS, DELIVERIES_PER_UPLOAD)


def test_every_event_is_delivered_three_times(scenario: ScenarioResult) -> None:
    counts = scenario.tally.counts
    handled = counts["transcription invocations ok"]
    handled += counts["sent to the dead-letter queue"]
    assert scenario.deliveries == UPLOADS * DELIVERIES_PER_UPLOAD
    assert handled == UPLOADS * DELIVERIES_PER_UPLOAD


def test_no_delivery_fails_unexpectedly(scenario: ScenarioResult) -> None:
    assert scenario.tally.unexpected == []


def test_each_upload_has_exactly_one_transcription(scenario: ScenarioResult) -> None:
    assert scenario.outcome.transcriptions == UPLOADS
    assert scenario.outcome.by_status == {"completed": UPLOADS}
    assert scenario.outcome.lost == 0


def test_each_upload_has_exactly_one_response(scenario: ScenarioResult) -> None:
    assert scenario.outcome.responses == UPLOADS


def test_each_upload_has_exactly_one_score(scenario: ScenarioResult) -> None:
    assert scenario.outcome.scores == UPLOADS


def test_no_session_counts_its_answers_wrong(scenario: ScenarioResult) -> None:
    assert scenario.outcome.sessions_off == 0
    assert scenario.outcome.sessions_not_completed == 0


def test_each_container_holds_at_most_one_connection(
    scenario: ScenarioResult,
) -> None:
    assert 1 <= scenario.backends_while_warm <= WORKERS


def test_no_connection_outlives_its_container(scenario: ScenarioResult) -> None:
    assert scenario.backends_after_shutdown == 0
