"""A scheduled run over a seeded month: the exact report in S3 and EMF metrics.

The month (tests/support/analytics_month.py) gives, over the 7-day provider
window: OpenAI 5 responses (confidences summing to 3.875, processing times to
10.5 s), 5 completed, 2 failed (one of them swept as stuck) and 2 in progress;
AssemblyAI 1 fallback response (0.625, 4 s), 1 completed, 2 failed (one swept);
the offline engine 1 fallback response (0.25, 10 s), 1 completed. Over 30 days,
12 responses on 7 days; sessions 1 and 2 are active with 6 responses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from talentsync.db import Connection
from talentsync.settings import get_settings
from tests.support.analytics_month import Month, day, seed_month
from tests.support.aws import s3_client
from tests.support.handlers import invoke_with_sample_event

REPORT_KEY = "reports/analytics/2026-01-15.json"  # the event's UTC day

OPENAI = {
    "provider": "openai",
    "responses": 5,
    "fallback_responses": 0,
    "fallback_rate": 0.0,
    "average_confidence": 3.875 / 5,
    "average_processing_time_seconds": 10.5 / 5,
    "transcriptions_completed": 5,
    "transcriptions_failed": 2,
    "transcriptions_in_progress": 2,
    "success_rate": 5 / 7,
    "failure_rate": 2 / 7,
}
ASSEMBLYAI = {
    "provider": "assemblyai",
    "responses": 1,
    "fallback_responses": 1,
    "fallback_rate": 1.0,
    "average_confidence": 0.625,
    "average_processing_time_seconds": 4.0,
    "transcriptions_completed": 1,
    "transcriptions_failed": 2,
    "transcriptions_in_progress": 0,
    "success_rate": 1 / 3,
    "failure_rate": 2 / 3,
}
FALLBACK = {
    "provider": "fallback",
    "responses": 1,
    "fallback_responses": 1,
    "fallback_rate": 1.0,
    "average_confidence": 0.25,
    "average_processing_time_seconds": 10.0,
    "transcriptions_completed": 1,
    "transcriptions_failed": 0,
    "transcriptions_in_progress": 0,
    "success_rate": 1.0,
    "failure_rate": 0.0,
}
TOTALS = {
    "responses": 7,
    "fallback_responses": 2,
    "fallback_rate": 2 / 7,
    "average_confidence": 4.75 / 7,
    "average_processing_time_seconds": 3.5,
    "transcriptions_completed": 7,
    "transcriptions_failed": 4,
    "transcriptions_in_progress": 2,
    "success_rate": 7 / 11,
    "failure_rate": 4 / 11,
}
METRIC_NAMES = {
    "responses": "Responses",
    "fallback_responses": "FallbackResponses",
    "transcriptions_completed": "TranscriptionsCompleted",
    "transcriptions_failed": "TranscriptionsFailed",
    "transcriptions_in_progress": "TranscriptionsInProgress",
    "average_confidence": "AverageConfidence",
    "average_processing_time_seconds": "AverageProcessingTime",
}
RATE_METRICS = {
    "fallback_rate": "FallbackRate",
    "success_rate": "SuccessRate",
    "failure_rate": "FailureRate",
}


@dataclass
class Run:
    month: Month
    result: dict[str, Any]
    report: dict[str, Any]
    emf: list[dict[str, Any]]


@pytest.fixture
def analytics_env(audio_bucket: str) -> Any:
    get_settings.cache_clear()
    yield audio_bucket
    get_settings.cache_clear()


def invoke(capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], list[Any]]:
    """Run the handler; return its result and the EMF documents it printed."""
    capsys.readouterr()
    result = invoke_with_sample_event("analytics", "analytics-scheduled.json")
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    documents = [json.loads(line) for line in lines if line.startswith("{")]
    return result, [document for document in documents if "_aws" in document]


def stored_report(bucket: str) -> dict[str, Any]:
    body = s3_client().get_object(Bucket=bucket, Key=REPORT_KEY)["Body"].read()
    report: dict[str, Any] = json.loads(body)
    return report


@pytest.fixture
def run(
    conn: Connection, analytics_env: str, capsys: pytest.CaptureFixture[str]
) -> Run:
    month = seed_month(conn)
    result, emf = invoke(capsys)
    return Run(month, result, stored_report(analytics_env), emf)


def metric_set(emf: list[dict[str, Any]], provider: str | None) -> dict[str, Any]:
    """The one EMF document for the provider (None: the run-wide one)."""
    wanted = [["provider", "service"]] if provider else [["service"]]
    found = [
        document
        for document in emf
        if document["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == wanted
        and document.get("provider") == provider
    ]
    assert len(found) == 1, found
    return found[0]


def expected_metrics(figures: dict[str, Any]) -> dict[str, float]:
    metrics = {name: figures[key] for key, name in METRIC_NAMES.items()}
    metrics |= {name: figures[key] * 100.0 for key, name in RATE_METRICS.items()}
    return metrics


def metric_values(document: dict[str, Any]) -> dict[str, float]:
    """Each metric's one value (Powertools writes values as a list)."""
    names = [
        metric["Name"] for metric in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    ]
    values = {name: document[name] for name in names}
    assert all(len(value) == 1 for value in values.values()), values
    return {name: value[0] for name, value in values.items()}


def test_the_report_is_stored_under_the_scheduled_utc_day(run: Run) -> None:
    assert run.result == {
        "report_date": "2026-01-15",
        "report_key": REPORT_KEY,
        "stuck_transcriptions_swept": 2,
    }
    assert run.report["report_date"] == "2026-01-15"


def test_the_report_holds_the_exact_daily_rows(run: Run) -> None:
    # (days back, responses, average confidence, fallbacks, sessions)
    expected = [
        (29, 1, 0.5, 0, 1),
        (20, 2, 0.5, 1, 1),
        (10, 2, 0.625, 1, 2),
        (6, 1, 0.875, 0, 1),
        (3, 2, 0.625, 1, 1),
        (1, 3, 0.625, 1, 2),
        (0, 1, 0.75, 0, 1),
    ]

    assert run.report["daily"] == [
        {
            "date": day(run.month, days_back).isoformat(),
            "total_responses": responses,
            "avg_confidence": confidence,
            "fallback_count": fallbacks,
            "unique_sessions": sessions,
        }
        for days_back, responses, confidence, fallbacks, sessions in expected
    ]


def test_the_report_holds_the_exact_provider_usage(run: Run) -> None:
    assert run.report["provider_usage"] == [
        {
            "provider": "openai",
            "usage_count": 5,
            "avg_processing_time": 2.1,
            "avg_confidence": 0.775,
        },
        {
            "provider": "assemblyai",
            "usage_count": 1,
            "avg_processing_time": 4.0,
            "avg_confidence": 0.625,
        },
        {
            "provider": "fallback",
            "usage_count": 1,
            "avg_processing_time": 10.0,
            "avg_confidence": 0.25,
        },
    ]


def test_the_report_holds_exact_figures_per_provider(run: Run) -> None:
    assert run.report["providers"] == [OPENAI, ASSEMBLYAI, FALLBACK]


def test_the_report_holds_exact_totals_and_volumes(run: Run) -> None:
    assert run.report["totals"] == TOTALS
    assert run.report["volumes"] == {
        "responses_last_30_days": 12,
        "responses_last_7_days": 7,
        "transcriptions_last_7_days": 13,
    }


def test_the_report_holds_both_health_checks(run: Run) -> None:
    assert run.report["health"] == {
        "recent_transcriptions": {"recent_transcriptions": 1},
        "active_session_consistency": {
            "active_sessions": 2,
            "total_responses": 6,
            "avg_confidence": 4.0 / 6,
        },
    }


def test_the_report_lists_the_stuck_rows_it_swept(run: Run) -> None:
    assert run.report["stuck_sweep"] == {
        "older_than_seconds": 900,
        "swept_count": 2,
        "transcription_ids": sorted(str(stuck) for stuck in run.month.stuck_ids),
    }


@pytest.mark.parametrize(
    "figures", [OPENAI, ASSEMBLYAI, FALLBACK], ids=lambda f: f["provider"]
)
def test_each_provider_has_its_own_exact_metric_set(
    run: Run, figures: dict[str, Any]
) -> None:
    document = metric_set(run.emf, figures["provider"])

    assert document["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "TalentSync"
    assert metric_values(document) == expected_metrics(figures)


def test_the_run_wide_metrics_are_exact(run: Run) -> None:
    document = metric_set(run.emf, None)

    assert metric_values(document) == expected_metrics(TOTALS) | {
        "StuckTranscriptionsSwept": 2,
        "RecentTranscriptions": 1,
        "ActiveSessions": 2,
        "ActiveSessionResponses": 6,
        "ResponsesLast30Days": 12,
    }


def test_rates_with_nothing_to_divide_are_not_published(
    database: object, analytics_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, emf = invoke(capsys)

    published = metric_values(metric_set(emf, "openai"))

    assert published == {
        "Responses": 0,
        "FallbackResponses": 0,
        "TranscriptionsCompleted": 0,
        "TranscriptionsFailed": 0,
        "TranscriptionsInProgress": 0,
    }


def test_rates_are_percentages_and_times_are_seconds(run: Run) -> None:
    document = metric_set(run.emf, "openai")
    units = {
        metric["Name"]: metric["Unit"]
        for metric in document["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    }

    assert units["SuccessRate"] == units["FallbackRate"] == "Percent"
    assert units["AverageProcessingTime"] == "Seconds"
    assert units["Responses"] == "Count"
