"""One analytics run: sweep stuck transcriptions, query, report, publish."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import Metrics

from talentsync.analytics.metrics import publish_metrics
from talentsync.analytics.report import (
    PROVIDER_WINDOW_DAYS,
    AnalyticsReport,
    QueryResults,
    StuckSweep,
    build_report,
)
from talentsync.analytics.storage import store_report
from talentsync.db import Connection, Database
from talentsync.errors import ConfigurationError
from talentsync.repositories import response_rollups, responses, transcriptions
from talentsync.settings import Settings

logger = Logger(child=True)


def run_analytics(
    database: Database,
    settings: Settings,
    scheduled_at: datetime,
    s3: Any,
    metrics: Metrics,
) -> AnalyticsReport:
    """The scheduled run; the report is dated by `scheduled_at`'s UTC day."""
    if not settings.audio_bucket:
        raise ConfigurationError("AUDIO_BUCKET is not set: nowhere to store the report")

    # The report is stored before the sweep commits: if the upload fails, the
    # sweep rolls back and the retried run sweeps and reports those rows itself.
    with database.transaction() as conn:
        sweep = sweep_stuck_transcriptions(conn, settings.stuck_processing_seconds)
        report = read_report(conn, utc_date(scheduled_at), sweep)
        key = store_report(s3, settings.audio_bucket, report)

    publish_metrics(report, metrics)
    logger.info("analytics report stored", extra={"key": key})
    return report


def sweep_stuck_transcriptions(conn: Connection, older_than_seconds: int) -> StuckSweep:
    """Fail the rows stuck in `processing`; each row is swept by one run only."""
    swept = sorted(transcriptions.fail_stuck_processing(conn, older_than_seconds))
    if swept:
        logger.warning(
            "stuck transcriptions marked failed",
            extra={"transcription_ids": [str(swept_id) for swept_id in swept]},
        )
    return StuckSweep(
        older_than_seconds=older_than_seconds,
        swept_count=len(swept),
        transcription_ids=swept,
    )


def read_report(
    conn: Connection, report_date: date, sweep: StuckSweep | None = None
) -> AnalyticsReport:
    """Query and build the report; without a sweep it says nothing was swept."""
    sweep = sweep or StuckSweep(
        older_than_seconds=0, swept_count=0, transcription_ids=[]
    )
    return build_report(query_results(conn), sweep, report_date, datetime.now(UTC))


def query_results(conn: Connection) -> QueryResults:
    return QueryResults(
        daily=response_rollups.get_daily_success_rates(conn),
        provider_totals=response_rollups.get_provider_totals(conn),
        outcomes=transcriptions.count_outcomes_by_provider(conn, PROVIDER_WINDOW_DAYS),
        recent_transcriptions=responses.count_recent_transcriptions(conn),
        active_session_consistency=response_rollups.check_active_session_consistency(
            conn
        ),
    )


def utc_date(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
