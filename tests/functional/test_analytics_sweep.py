"""Transcriptions stuck in `processing` are failed once, by exactly one run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from talentsync.analytics.service import sweep_stuck_transcriptions
from talentsync.analytics.storage import ReportNotStoredError
from talentsync.db import Connection, Database
from talentsync.models import Provider
from talentsync.repositories import transcriptions
from talentsync.settings import Settings, get_settings
from tests.support.analytics_month import upload
from tests.support.builders import make_question, make_session
from tests.support.handlers import invoke_with_sample_event

LIMIT_SECONDS = 900


def add_transcription(conn: Connection, status: str, idle_minutes: int) -> UUID:
    """A transcription in `status`, last updated `idle_minutes` ago."""
    row, _ = transcriptions.insert_pending(
        conn, upload(make_session(conn), make_question(conn)), Provider.OPENAI
    )
    conn.execute(
        "UPDATE transcriptions SET status = %s,"
        " updated_at = NOW() - make_interval(mins => %s) WHERE id = %s",
        (status, idle_minutes, row.id),
    )
    return row.id


def add_stuck(conn: Connection, count: int) -> set[UUID]:
    return {add_transcription(conn, "processing", 20) for _ in range(count)}


def statuses(conn: Connection) -> dict[UUID, str]:
    rows = conn.execute("SELECT id, status FROM transcriptions").fetchall()
    return {row[0]: row[1] for row in rows}


def sweep_in(database: Database) -> set[UUID]:
    with database.transaction() as tx:
        return set(sweep_stuck_transcriptions(tx, LIMIT_SECONDS).transcription_ids)


def test_only_rows_processing_longer_than_the_limit_are_swept(
    conn: Connection, database: Database
) -> None:
    stuck = add_stuck(conn, 2)
    fresh = add_transcription(conn, "processing", 5)
    waiting = add_transcription(conn, "pending", 60)
    done = add_transcription(conn, "completed", 60)

    swept = sweep_in(database)

    assert swept == stuck
    found = statuses(conn)
    assert [found[fresh], found[waiting], found[done]] == [
        "processing",
        "pending",
        "completed",
    ]


def test_a_swept_row_is_failed_with_the_reason(
    conn: Connection, database: Database
) -> None:
    (stuck,) = add_stuck(conn, 1)

    sweep_in(database)

    row = transcriptions.get_transcription(conn, stuck)
    assert row is not None and row.status == "failed"
    assert row.error_message == (
        "processing did not finish within 900 seconds;"
        " marked failed by the stuck-transcription sweep"
    )


def test_a_second_sweep_finds_nothing(conn: Connection, database: Database) -> None:
    add_stuck(conn, 3)
    sweep_in(database)

    assert sweep_in(database) == set()


def run_in_thread(
    target: Callable[[], set[UUID]],
) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(target()))
    thread.start()
    return thread, outcome


def test_a_sweep_overlapping_an_uncommitted_one_takes_none_of_its_rows(
    conn: Connection, database_url: str
) -> None:
    stuck = add_stuck(conn, 4)
    first_swept = threading.Event()
    second_done = threading.Event()

    def first_run() -> set[UUID]:
        first = Database(Settings(database_url=database_url))
        with first.transaction() as tx:
            swept = sweep_stuck_transcriptions(tx, LIMIT_SECONDS).transcription_ids
            first_swept.set()
            assert second_done.wait(30)
        first.close()
        return set(swept)

    thread, outcome = run_in_thread(first_run)
    assert first_swept.wait(30)
    second = Database(Settings(database_url=database_url))
    second_swept = sweep_in(second)  # runs while the first still holds its rows
    second_done.set()
    thread.join(30)
    second.close()

    assert outcome[0] | second_swept == stuck
    assert outcome[0] & second_swept == set()


@pytest.mark.parametrize("round_number", range(3))
def test_concurrent_sweeps_fail_each_stuck_row_exactly_once(
    conn: Connection, database_url: str, round_number: int
) -> None:
    stuck = add_stuck(conn, 40)
    start = threading.Barrier(2)

    def one_run() -> set[UUID]:
        runner = Database(Settings(database_url=database_url))
        start.wait(30)
        try:
            return sweep_in(runner)
        finally:
            runner.close()

    threads = [run_in_thread(one_run) for _ in range(2)]
    for thread, _ in threads:
        thread.join(30)
    (_, first), (_, second) = threads

    assert first[0] | second[0] == stuck
    assert first[0] & second[0] == set()


def test_a_run_that_cannot_store_its_report_leaves_the_rows_for_the_next(
    conn: Connection, aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck = add_stuck(conn, 2)
    monkeypatch.setenv("AUDIO_BUCKET", "no-such-bucket")
    get_settings.cache_clear()

    with pytest.raises(ReportNotStoredError):
        invoke_with_sample_event("analytics", "analytics-scheduled.json")
    get_settings.cache_clear()

    assert {statuses(conn)[row] for row in stuck} == {"processing"}
