"""AnalyticsFunction: the scheduled analytics run.

Input: the EventBridge scheduled event (its `time` dates the report, in UTC).
Output: where the report went and how many stuck transcriptions were swept.
Metrics (EMF) are flushed by Powertools when the handler returns.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from talentsync.analytics.service import run_analytics
from talentsync.analytics.storage import report_key
from talentsync.db import get_database
from talentsync.settings import get_settings

logger = Logger()
# Only the AWS SDK is patched: patching every library X-Ray knows imports httpx
# (and its extras) at cold start for calls this function never makes.
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()


class AnalyticsRun(BaseModel):
    report_date: date
    report_key: str
    stuck_transcriptions_swept: int


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    scheduled = parse(event=event, model=EventBridgeModel)
    logger.append_keys(scheduled_at=scheduled.time.isoformat())

    report = run_analytics(
        get_database(), get_settings(), scheduled.time, boto3.client("s3"), metrics
    )

    return AnalyticsRun(
        report_date=report.report_date,
        report_key=report_key(report.report_date),
        stuck_transcriptions_swept=report.stuck_sweep.swept_count,
    ).model_dump(mode="json")
