"""The analytics report: its model, and how its figures derive from query rows.

Nothing here does I/O: the functions take the rows the repositories returned and
build the report, so every figure is defined in one place.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel

from talentsync.models import Provider
from talentsync.repositories.response_rollups import ProviderTotals
from talentsync.repositories.responses import (
    ActiveSessionConsistency,
    DailySuccessRate,
    ProviderUsage,
    RecentTranscriptions,
)
from talentsync.repositories.transcriptions import ProviderOutcomes

DAILY_WINDOW_DAYS = 30
PROVIDER_WINDOW_DAYS = 7
UNKNOWN_PROVIDER = "unknown"


class Figures(BaseModel):
    """Responses and transcription outcomes over the provider window (7 days).

    Rates are fractions in [0, 1]; None when there is nothing to divide by.
    """

    responses: int
    fallback_responses: int
    fallback_rate: float | None
    average_confidence: float | None
    average_processing_time_seconds: float | None
    transcriptions_completed: int
    transcriptions_failed: int
    transcriptions_in_progress: int
    success_rate: float | None
    failure_rate: float | None


class ProviderFigures(Figures):
    provider: str


class HealthChecks(BaseModel):
    """The document's two health-check queries, as they answered."""

    recent_transcriptions: RecentTranscriptions
    active_session_consistency: ActiveSessionConsistency


class Volumes(BaseModel):
    responses_last_30_days: int
    responses_last_7_days: int
    transcriptions_last_7_days: int


class StuckSweep(BaseModel):
    """Transcriptions this run moved from `processing` to `failed`."""

    older_than_seconds: int
    swept_count: int
    transcription_ids: list[UUID]


class AnalyticsReport(BaseModel):
    report_date: date  # UTC
    generated_at: datetime
    daily_window_days: int = DAILY_WINDOW_DAYS
    provider_window_days: int = PROVIDER_WINDOW_DAYS
    daily: list[DailySuccessRate]  # grouped by DATE() in the server's time zone
    provider_usage: list[ProviderUsage]
    health: HealthChecks
    providers: list[ProviderFigures]
    totals: Figures
    volumes: Volumes
    stuck_sweep: StuckSweep


class QueryResults(BaseModel):
    """Everything the report is built from, as the repositories returned it."""

    daily: list[DailySuccessRate]
    provider_totals: list[ProviderTotals]
    outcomes: list[ProviderOutcomes]
    recent_transcriptions: RecentTranscriptions
    active_session_consistency: ActiveSessionConsistency


def build_report(
    results: QueryResults, sweep: StuckSweep, report_date: date, generated_at: datetime
) -> AnalyticsReport:
    providers = provider_figures(results.provider_totals, results.outcomes)
    return AnalyticsReport(
        report_date=report_date,
        generated_at=generated_at,
        daily=results.daily,
        provider_usage=provider_usage(results.provider_totals),
        health=HealthChecks(
            recent_transcriptions=results.recent_transcriptions,
            active_session_consistency=results.active_session_consistency,
        ),
        providers=providers,
        totals=figures(results.provider_totals, results.outcomes),
        volumes=volumes(results),
        stuck_sweep=sweep,
    )


def provider_usage(totals: list[ProviderTotals]) -> list[ProviderUsage]:
    """The document's provider-usage rows, most used first."""
    return [
        ProviderUsage(
            provider=row.provider,
            usage_count=row.response_count,
            avg_processing_time=ratio(
                row.processing_time_sum, row.processing_time_count
            ),
            avg_confidence=ratio(row.confidence_sum, row.confidence_count),
        )
        for row in totals
    ]


def provider_figures(
    totals: list[ProviderTotals], outcomes: list[ProviderOutcomes]
) -> list[ProviderFigures]:
    """One entry per known provider (zeros when idle), then any other name seen."""
    names = [provider.value for provider in Provider]
    seen = {provider_name(row.provider) for row in totals}
    names += sorted(seen - set(names))
    return [
        ProviderFigures(
            provider=name,
            **figures(
                [row for row in totals if provider_name(row.provider) == name],
                [row for row in outcomes if row.provider.value == name],
            ).model_dump(),
        )
        for name in names
    ]


def figures(totals: list[ProviderTotals], outcomes: list[ProviderOutcomes]) -> Figures:
    """The figures of the given rows taken together."""
    completed = sum(row.completed for row in outcomes)
    failed = sum(row.failed for row in outcomes)
    responses = sum(row.response_count for row in totals)
    fallbacks = sum(row.fallback_count for row in totals)
    return Figures(
        responses=responses,
        fallback_responses=fallbacks,
        fallback_rate=ratio(fallbacks, responses),
        average_confidence=ratio(
            sum(row.confidence_sum for row in totals),
            sum(row.confidence_count for row in totals),
        ),
        average_processing_time_seconds=ratio(
            sum(row.processing_time_sum for row in totals),
            sum(row.processing_time_count for row in totals),
        ),
        transcriptions_completed=completed,
        transcriptions_failed=failed,
        transcriptions_in_progress=sum(row.in_progress for row in outcomes),
        success_rate=ratio(completed, completed + failed),
        failure_rate=ratio(failed, completed + failed),
    )


def volumes(results: QueryResults) -> Volumes:
    return Volumes(
        responses_last_30_days=sum(row.total_responses for row in results.daily),
        responses_last_7_days=sum(
            row.response_count for row in results.provider_totals
        ),
        transcriptions_last_7_days=sum(
            row.completed + row.failed + row.in_progress for row in results.outcomes
        ),
    )


def provider_name(name: str | None) -> str:
    return name if name is not None else UNKNOWN_PROVIDER


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None
