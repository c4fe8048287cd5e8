"""The analytics wiring in template.yaml, as SAM transforms it."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from aws_lambda_powertools import Metrics

from talentsync.analytics.metrics import publish_metrics
from talentsync.analytics.report import QueryResults, StuckSweep, build_report
from talentsync.models import Provider
from talentsync.repositories.response_rollups import ProviderTotals
from talentsync.repositories.responses import (
    ActiveSessionConsistency,
    RecentTranscriptions,
)
from talentsync.repositories.transcriptions import ProviderOutcomes
from tests.support.template import cloudformation_template, sam_template

TOPIC = {"Ref": "AlarmTopic"}


def resources(resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in cloudformation_template()["Resources"].items()
        if resource["Type"] == resource_type
    }


def alarms_on(namespace: str, metric: str) -> list[dict[str, Any]]:
    return [
        alarm["Properties"]
        for alarm in resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == namespace
        and alarm["Properties"].get("MetricName") == metric
    ]


def published_metric_names(capsys: pytest.CaptureFixture[str]) -> set[str]:
    """Every metric name a run publishes, run-wide and per provider."""
    results = QueryResults(
        daily=[],
        provider_totals=[
            ProviderTotals(
                provider="openai",
                response_count=2,
                confidence_sum=1.5,
                confidence_count=2,
                fallback_count=1,
                processing_time_sum=3.0,
                processing_time_count=2,
            )
        ],
        outcomes=[
            ProviderOutcomes(
                provider=Provider.OPENAI, completed=2, failed=1, in_progress=0
            )
        ],
        recent_transcriptions=RecentTranscriptions(recent_transcriptions=0),
        active_session_consistency=ActiveSessionConsistency(
            active_sessions=0, total_responses=0, avg_confidence=None
        ),
    )
    sweep = StuckSweep(older_than_seconds=900, swept_count=0, transcription_ids=[])
    report = build_report(results, sweep, date(2026, 1, 1), datetime.now(UTC))
    metrics = Metrics(namespace="TalentSync", service="analytics")
    capsys.readouterr()
    publish_metrics(report, metrics)
    metrics.flush_metrics()
    names = set()
    for line in capsys.readouterr().out.splitlines():
        for directive in json.loads(line)["_aws"]["CloudWatchMetrics"]:
            names |= {metric["Name"] for metric in directive["Metrics"]}
    return names


def test_the_schedule_runs_the_function_at_the_rate_parameter() -> None:
    [rule] = resources("AWS::Events::Rule").values()

    assert rule["Properties"]["ScheduleExpression"] == {"Ref": "AnalyticsScheduleRate"}
    assert rule["Properties"]["Targets"][0]["Arn"] == {
        "Fn::GetAtt": ["AnalyticsFunction", "Arn"]
    }
    assert sam_template()["Parameters"]["AnalyticsScheduleRate"]["Default"] == (
        "rate(1 day)"
    )


def test_the_function_may_write_reports_only() -> None:
    role = cloudformation_template()["Resources"]["AnalyticsFunctionRole"]
    statements = [
        statement
        for policy in role["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if "s3" in json.dumps(statement["Action"])
    ]

    assert len(statements) == 1
    assert statements[0]["Action"] == "s3:PutObject"
    assert statements[0]["Resource"] == {
        "Fn::Sub": "${AudioBucket.Arn}/reports/analytics/*"
    }


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_an_alarm_to_the_topic(metric: str) -> None:
    functions = set(resources("AWS::Lambda::Function"))
    watched = {
        alarm["Dimensions"][0]["Value"]["Ref"]
        for alarm in alarms_on("AWS/Lambda", metric)
        if TOPIC in alarm["AlarmActions"]
    }

    assert functions and functions == watched


@pytest.mark.parametrize(
    ("namespace", "metric", "dimension"),
    [
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "TranscriptionDLQ"),
        ("AWS/States", "ExecutionsFailed", "InterviewStateMachine"),
    ],
)
def test_the_dead_letter_queue_and_failed_executions_alarm_to_the_topic(
    namespace: str, metric: str, dimension: str
) -> None:
    [alarm] = [
        alarm
        for alarm in alarms_on(namespace, metric)
        if dimension in json.dumps(alarm["Dimensions"])
    ]

    assert TOPIC in alarm["AlarmActions"]


@pytest.mark.parametrize(
    "metric", ["FallbackRate", "FailureRate", "StuckTranscriptionsSwept"]
)
def test_the_analytics_alarms_watch_metrics_a_run_publishes(
    metric: str, capsys: pytest.CaptureFixture[str]
) -> None:
    [alarm] = alarms_on("TalentSync", metric)
    function = cloudformation_template()["Resources"]["AnalyticsFunction"]
    service = function["Properties"]["Environment"]["Variables"][
        "POWERTOOLS_SERVICE_NAME"
    ]

    assert metric in published_metric_names(capsys)
    assert alarm["Dimensions"] == [{"Name": "service", "Value": service}]
    assert TOPIC in alarm["AlarmActions"]


def test_the_dashboard_shows_the_alarmed_figures() -> None:
    [dashboard] = resources("AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]

    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]

    shown = json.dumps([widget["properties"]["metrics"] for widget in widgets])
    for metric in (
        "FallbackRate",
        "FailureRate",
        "StuckTranscriptionsSwept",
        "ApproximateNumberOfMessagesVisible",
        "ExecutionsFailed",
        "Errors",
        "Throttles",
    ):
        assert f'"{metric}"' in shown
