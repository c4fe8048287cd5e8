"""`python -m local.report`: the analytics of the scheduled run, as tables.

Reads the database the demo uses (DATABASE_URL, else the server local.postgres
finds), applies any pending migration, and prints the report AnalyticsFunction
would store today: daily success rates, provider usage, per-provider figures,
totals, volumes and both health checks. It only reads: stuck transcriptions are
listed, not swept. `--json` prints the report as the function stores it;
`--document-queries` adds the data-model document's own queries, run verbatim,
to compare with what the rollup answers.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime

import psycopg

from local.postgres import ensure_server
from talentsync.analytics.report import AnalyticsReport, Figures
from talentsync.analytics.service import read_report
from talentsync.db import Connection
from talentsync.migrate import apply_pending, default_schema_dir, load_migrations
from talentsync.repositories import responses
from talentsync.settings import get_settings

Cell = object


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with psycopg.connect(ensure_server(), autocommit=True) as conn:
        apply_pending(conn, load_migrations(default_schema_dir()))
        report = read_report(conn, datetime.now(UTC).date())
        if args.json:
            print(report.model_dump_json(indent=2))
            return
        print_report(report, stuck_ids(conn))
        if args.document_queries:
            print_document_queries(conn)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Print the analytics as tables.")
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.add_argument(
        "--document-queries",
        action="store_true",
        help="also run the data-model document's queries verbatim",
    )
    return parser.parse_args(argv)


def stuck_ids(conn: Connection) -> list[str]:
    """Rows the scheduled run would sweep now (this command leaves them be)."""
    rows = conn.execute(
        """
        SELECT id FROM transcriptions
        WHERE status = 'processing'
          AND updated_at < NOW() - make_interval(secs => %s)
        ORDER BY id
        """,
        (get_settings().stuck_processing_seconds,),
    ).fetchall()
    return [str(row[0]) for row in rows]


def print_report(report: AnalyticsReport, stuck: list[str]) -> None:
    print(f"TalentSync analytics for {report.report_date} (UTC)\n")
    print_daily(report)
    print_provider_usage(report)
    print_figures(report)
    print_health(report, stuck)


def print_daily(report: AnalyticsReport) -> None:
    rows = [
        [
            row.date,
            row.total_responses,
            number(row.avg_confidence),
            row.fallback_count,
            row.unique_sessions,
        ]
        for row in report.daily
    ]
    headers = ["date", "responses", "avg confidence", "fallbacks", "sessions"]
    print_table("Daily success rates, last 30 days", headers, rows)


def print_provider_usage(report: AnalyticsReport) -> None:
    rows = [
        [
            row.provider,
            row.usage_count,
            number(row.avg_processing_time),
            number(row.avg_confidence),
        ]
        for row in report.provider_usage
    ]
    headers = ["provider", "responses", "avg processing s", "avg confidence"]
    print_table("Provider usage, last 7 days", headers, rows)


def print_figures(report: AnalyticsReport) -> None:
    entries: list[tuple[str, Figures]] = [
        (entry.provider, entry) for entry in report.providers
    ]
    entries.append(("all", report.totals))
    headers = [
        "provider",
        "responses",
        "fallback",
        "avg confidence",
        "avg processing s",
        "completed",
        "failed",
        "in progress",
        "success",
    ]
    rows = [figure_row(name, figures) for name, figures in entries]
    print_table("Providers, last 7 days", headers, rows)


def figure_row(name: str, figures: Figures) -> list[Cell]:
    return [
        name,
        figures.responses,
        percent(figures.fallback_rate),
        number(figures.average_confidence),
        number(figures.average_processing_time_seconds),
        figures.transcriptions_completed,
        figures.transcriptions_failed,
        figures.transcriptions_in_progress,
        percent(figures.success_rate),
    ]


def print_health(report: AnalyticsReport, stuck: list[str]) -> None:
    consistency = report.health.active_session_consistency
    volumes = report.volumes
    rows: list[list[Cell]] = [
        [
            "answers in the last 5 minutes",
            report.health.recent_transcriptions.recent_transcriptions,
        ],
        ["active sessions", consistency.active_sessions],
        ["responses in active sessions", consistency.total_responses],
        ["avg confidence in active sessions", number(consistency.avg_confidence)],
        ["responses, last 30 days", volumes.responses_last_30_days],
        ["transcriptions, last 7 days", volumes.transcriptions_last_7_days],
        ["stuck in processing (not swept here)", len(stuck)],
    ]
    print_table("Health", ["check", "value"], rows)
    for stuck_id in stuck:
        print(f"  stuck: {stuck_id}")


def print_document_queries(conn: Connection) -> None:
    """The document's queries verbatim, to compare with the tables above."""
    daily = [
        list(row.model_dump().values())
        for row in responses.get_daily_success_rates(conn)
    ]
    print_table("Document query: daily success rates", list(DAILY_FIELDS), daily)
    usage = [
        list(row.model_dump().values()) for row in responses.get_provider_usage(conn)
    ]
    print_table("Document query: provider usage", list(USAGE_FIELDS), usage)
    consistency = responses.check_active_session_consistency(conn)
    print_table(
        "Document query: active-session consistency",
        list(consistency.model_dump()),
        [list(consistency.model_dump().values())],
    )


DAILY_FIELDS = responses.DailySuccessRate.model_fields
USAGE_FIELDS = responses.ProviderUsage.model_fields


def print_table(title: str, headers: list[str], rows: Sequence[Sequence[Cell]]) -> None:
    cells = [[text(cell) for cell in row] for row in rows]
    widths = [
        max([len(header)] + [len(row[i]) for row in cells])
        for i, header in enumerate(headers)
    ]
    print(title)
    print(
        "  ".join(
            header.ljust(width) for header, width in zip(headers, widths, strict=True)
        )
    )
    print("  ".join("-" * width for width in widths))
    for row in cells:
        print(
            "  ".join(
                align(cell, width) for cell, width in zip(row, widths, strict=True)
            )
        )
    if not rows:
        print("(no rows)")
    print()


def align(cell: str, width: int) -> str:
    """Numbers and percentages to the right, words to the left."""
    try:
        float(cell.removesuffix("%"))
    except ValueError:
        return cell.ljust(width)
    return cell.rjust(width)


def text(cell: Cell) -> str:
    if cell is None:
        return "-"
    if isinstance(cell, float):
        return f"{cell:.3f}"
    return str(cell)


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


if __name__ == "__main__":
    main()
