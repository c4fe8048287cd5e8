"""Many uploads, each S3 event delivered three times in a shuffled order, 4 workers.

Every delivery goes through TranscriptionFunction and, for a completed
transcription, through RecordResponse, NextQuestion and ScoreAnswer (handlers
in-process, each worker thread a warm container with its own connection).
local/reliability.py runs the same scenario at 2,000 uploads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from local.reliability import (
    ScenarioResult,
    deadlocks_so_far,
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


def test_no_deadlock_occurs(scenario: ScenarioResult) -> None:
    # The pipeline would retry a deadlock away as a transient error, so the
    # server's own count is the one that tells.
    assert scenario.deadlocks == 0


def test_each_container_holds_at_most_one_connection(
    scenario: ScenarioResult,
) -> None:
    assert 1 <= scenario.backends_while_warm <= WORKERS


def test_no_connection_outlives_its_container(scenario: ScenarioResult) -> None:
    assert scenario.backends_after_shutdown == 0


def test_the_deadlock_count_sees_a_deadlock(database_url: str) -> None:
    # The check above can fail: two transactions that lock two rows in opposite
    # orders deadlock, the server aborts one, and the count goes up by one.
    with psycopg.connect(database_url, autocommit=True) as observer:
        observer.execute("CREATE TABLE deadlock_probe (id int PRIMARY KEY)")
        observer.execute("INSERT INTO deadlock_probe VALUES (1), (2)")
        before = deadlocks_so_far(observer)
        first_locked = threading.Barrier(2)
        aborted: list[str] = []

        def lock_both(first: int, second: int) -> None:
            with psycopg.connect(database_url) as conn:
                conn.execute(
                    "SELECT * FROM deadlock_probe WHERE id = %s FOR UPDATE", (first,)
                )
                first_locked.wait()
                try:
                    conn.execute(
                        "SELECT * FROM deadlock_probe WHERE id = %s FOR UPDATE",
                        (second,),
                    )
                except psycopg.errors.DeadlockDetected as exc:
                    aborted.append(type(exc).__name__)

        threads = [
            threading.Thread(target=lock_both, args=order) for order in ((1, 2), (2, 1))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        after = count_after_exits(observer, before)

    assert aborted == ["DeadlockDetected"]
    assert after - before == 1


def count_after_exits(observer: psycopg.Connection, before: int) -> int:
    # A backend hands its counters over when idle or at exit, a moment after
    # the client has closed: wait for that, a few seconds at most.
    deadline = time.monotonic() + 5
    while (
        count := deadlocks_so_far(observer)
    ) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    return count
