"""Where a report is kept: one JSON object per UTC day in the audio bucket."""

from __future__ import annotations

from datetime import date
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from talentsync.analytics.report import AnalyticsReport
from talentsync.errors import TransientError

REPORT_PREFIX = "reports/analytics/"


class ReportNotStoredError(TransientError):
    """The report could not be written to the bucket."""


def report_key(report_date: date) -> str:
    """`reports/analytics/YYYY-MM-DD.json`: a rerun on the same day replaces it.

    NOTE: with a schedule faster than daily, each run replaces the day's report,
    so the rows swept by the day's earlier runs are listed only in their logs,
    their StuckTranscriptionsSwept metric and the rows' own error_message.
    """
    return f"{REPORT_PREFIX}{report_date.isoformat()}.json"


def store_report(s3: Any, bucket: str, report: AnalyticsReport) -> str:
    """Write the report to the bucket; return its key."""
    key = report_key(report.report_date)
    try:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=report.model_dump_json(indent=2).encode(),
            ContentType="application/json",
        )
    except (BotoCoreError, ClientError) as exc:
        raise ReportNotStoredError(f"cannot write s3://{bucket}/{key}: {exc}") from exc
    return key
