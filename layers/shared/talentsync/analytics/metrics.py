"""CloudWatch metrics of a report, as Powertools EMF lines on stdout.

The run-wide figures go to the handler's `Metrics` (dimension: service). Each
provider's figures go out as a metric set of their own, with the provider as a
second dimension: one EMF document carries one dimension set, so every provider
needs its own document (an `EphemeralMetrics` flushed at once).

NOTE: the rates and averages cover the document's 7-day provider window, so a
sudden degradation moves them by its share of a week's traffic: a day-long
outage shows within a day only if the alarm thresholds allow for that dilution.
Function errors and the dead-letter queue alarm at once.

Rates are published as percentages (unit Percent); a figure that is undefined
(nothing to divide by) is left out rather than published as zero, so alarms see
missing data, not a false "0 % failed".
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import EphemeralMetrics, Metrics, MetricUnit

from talentsync.analytics.report import AnalyticsReport, Figures

PROVIDER_DIMENSION = "provider"


def publish_metrics(report: AnalyticsReport, metrics: Metrics) -> None:
    """Add the run-wide metrics to `metrics`; flush one metric set per provider."""
    add_figures(metrics, report.totals)
    add_run_metrics(metrics, report)
    for entry in report.providers:
        provider_metrics = EphemeralMetrics(
            namespace=metrics.namespace, service=metrics.service
        )
        provider_metrics.add_dimension(PROVIDER_DIMENSION, entry.provider)
        add_figures(provider_metrics, entry)
        provider_metrics.flush_metrics()


def add_figures(metrics: Metrics | EphemeralMetrics, figures: Figures) -> None:
    counts = {
        "Responses": figures.responses,
        "FallbackResponses": figures.fallback_responses,
        "TranscriptionsCompleted": figures.transcriptions_completed,
        "TranscriptionsFailed": figures.transcriptions_failed,
        "TranscriptionsInProgress": figures.transcriptions_in_progress,
    }
    for name, count in counts.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=count)

    optional = [
        ("FallbackRate", MetricUnit.Percent, percent(figures.fallback_rate)),
        ("SuccessRate", MetricUnit.Percent, percent(figures.success_rate)),
        ("FailureRate", MetricUnit.Percent, percent(figures.failure_rate)),
        ("AverageConfidence", MetricUnit.NoUnit, figures.average_confidence),
        (
            "AverageProcessingTime",
            MetricUnit.Seconds,
            figures.average_processing_time_seconds,
        ),
    ]
    for name, unit, value in optional:
        if value is not None:
            metrics.add_metric(name=name, unit=unit, value=value)


def add_run_metrics(metrics: Metrics, report: AnalyticsReport) -> None:
    """The health checks, the 30-day volume and the sweep."""
    recent = report.health.recent_transcriptions
    consistency = report.health.active_session_consistency
    counts = {
        "StuckTranscriptionsSwept": report.stuck_sweep.swept_count,
        "RecentTranscriptions": recent.recent_transcriptions,
        "ActiveSessions": consistency.active_sessions,
        "ActiveSessionResponses": consistency.total_responses,
        "ResponsesLast30Days": report.volumes.responses_last_30_days,
    }
    for name, count in counts.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=count)


def percent(rate: float | None) -> float | None:
    return None if rate is None else rate * 100.0
