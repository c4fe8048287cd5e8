"""`python -m local.report` prints the seeded month as tables, and only reads."""

from __future__ import annotations

import pytest

from local import report
from talentsync.db import Connection
from tests.support.analytics_month import Month, seed_month


@pytest.fixture
def month(conn: Connection) -> Month:
    return seed_month(conn)


def table_rows(output: str, title: str) -> list[list[str]]:
    """The rows of the table under `title`, each split into its cells."""
    lines = output.splitlines()
    start = lines.index(title) + 3  # title, header, rule
    end = lines.index("", start)
    return [line.split() for line in lines[start:end]]


def test_the_provider_usage_table_holds_the_seeded_figures(
    month: Month, capsys: pytest.CaptureFixture[str]
) -> None:
    report.main([])

    rows = table_rows(capsys.readouterr().out, "Provider usage, last 7 days")

    assert rows == [
        ["openai", "5", "2.100", "0.775"],
        ["assemblyai", "1", "4.000", "0.625"],
        ["fallback", "1", "10.000", "0.250"],
    ]


def test_the_daily_table_has_a_row_per_day_with_answers(
    month: Month, capsys: pytest.CaptureFixture[str]
) -> None:
    report.main([])

    rows = table_rows(capsys.readouterr().out, "Daily success rates, last 30 days")

    assert [row[1] for row in rows] == ["1", "2", "2", "1", "2", "3", "1"]
    assert rows[-1][0] == month.today.isoformat()


def test_stuck_rows_are_listed_but_left_in_processing(
    month: Month, conn: Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    report.main([])

    output = capsys.readouterr().out
    listed = {line.split()[1] for line in output.splitlines() if "stuck:" in line}
    assert listed == {str(stuck) for stuck in month.stuck_ids}
    statuses = conn.execute(
        "SELECT DISTINCT status FROM transcriptions WHERE id = ANY(%s)",
        (list(month.stuck_ids),),
    ).fetchall()
    assert statuses == [("processing",)]
