"""`python -m local.demo` end to end, twice, on a scratch database of the test server.

Three bundled samples keep it short. The first run is read both as the report's
text and as the data behind it; the second must succeed and leave the demo
user's rows as the first left them.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jiwer
import psycopg
import pytest

from local import demo
from local.demo_report import print_report
from local.postgres import create_database, drop_database

AUDIO_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
SAMPLES = [
    "se_process_vs_thread_strong.wav",
    "se_unclear_requirements_strong.wav",
    "ds_overfitting_strong.wav",
]
MAX_WER = 0.20


@dataclass(frozen=True)
class DemoRuns:
    first: demo.DemoRun
    first_report: str
    rows_after_first: dict[str, int]
    second_exit_code: int
    second_report: str
    rows_after_second: dict[str, int]


@pytest.fixture(scope="module")
def demo_database(server_url: str) -> Iterator[str]:
    name = f"talentsync_demo_test_{uuid.uuid4().hex[:12]}"
    url = create_database(server_url, name)
    yield url
    drop_database(server_url, name)


@pytest.fixture(scope="module")
def runs(demo_database: str, tmp_path_factory: pytest.TempPathFactory) -> DemoRuns:
    """Two demo runs on the same database: the second through `main`, as run."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    files = [AUDIO_DIR / name for name in SAMPLES]
    argv = [arg for path in files for arg in ("--audio", str(path))]
    argv += ["--data-dir", str(data_dir)]
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("DATABASE_URL", demo_database)
        for name in ("OPENAI_API_KEY", "ASSEMBLYAI_API_KEY"):
            environment.delenv(name, raising=False)

        first_output = io.StringIO()
        with redirect_stdout(first_output):
            first = demo.run_demo(demo.DemoOptions(files, None, data_dir))
            print_report(first)
        rows_after_first = demo_user_rows(demo_database)

        second_output = io.StringIO()
        with redirect_stdout(second_output):
            second_exit_code = demo.main(argv)
        rows_after_second = demo_user_rows(demo_database)
    return DemoRuns(
        first,
        first_output.getvalue(),
        rows_after_first,
        second_exit_code,
        second_output.getvalue(),
        rows_after_second,
    )


def demo_user_rows(url: str) -> dict[str, int]:
    """The demo user's rows in each table, and the questions in the database."""
    queries = {
        "sessions": "SELECT count(*) FROM sessions WHERE user_id = %(user)s",
        "transcriptions": """SELECT count(*) FROM transcriptions
            WHERE user_id = %(user)s""",
        "responses": """SELECT count(*) FROM responses r
            JOIN sessions s ON s.id = r.session_id WHERE s.user_id = %(user)s""",
        "scores": """SELECT count(*) FROM scores c
            JOIN sessions s ON s.id = c.session_id WHERE s.user_id = %(user)s""",
        "summaries": """SELECT count(*) FROM session_summaries m
            JOIN sessions s ON s.id = m.session_id WHERE s.user_id = %(user)s""",
        "questions": "SELECT count(*) FROM questions",
    }
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(query, {"user": demo.DEMO_USER_ID}).fetchone()[0]  # type: ignore[index]
            for table, query in queries.items()
        }


def flat(text: str) -> str:
    """The report with its wrapped lines joined, to search for whole sentences."""
    return " ".join(text.split())


def normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def references() -> dict[str, str]:
    loaded: dict[str, str] = json.loads((AUDIO_DIR / "references.json").read_text())
    return loaded


def responses_by_file(run: demo.DemoRun) -> dict[str, dict[str, Any]]:
    by_transcription = {r["transcription_id"]: r for r in run.responses}
    return {
        answered.answer.path.name: by_transcription[str(answered.transcription_id)]
        for answered in run.answered
    }


def test_every_answer_is_transcribed_within_20_percent_wer(runs: DemoRuns) -> None:
    expected = references()
    transcripts = {
        name: response["transcript_text"]
        for name, response in responses_by_file(runs.first).items()
    }

    error_rates = {
        name: jiwer.wer(normalized(expected[name]), normalized(text))
        for name, text in transcripts.items()
    }

    assert sorted(transcripts) == sorted(SAMPLES)
    assert all(rate <= MAX_WER for rate in error_rates.values()), error_rates
    for text in transcripts.values():
        assert f'transcript: "{flat(text)}"' in flat(runs.first_report)


def test_every_answer_has_a_score_with_feedback_in_the_report(runs: DemoRuns) -> None:
    scores = [response["score"] for response in runs.first.responses]

    assert len(scores) == len(SAMPLES)
    assert all(
        score is not None and 0 <= score["overall_score"] <= 1 for score in scores
    )
    assert runs.first_report.count("\nscores:") == len(SAMPLES)
    for score in scores:
        assert flat(score["feedback_text"]) in flat(runs.first_report)


def test_the_session_is_completed_with_its_summary(runs: DemoRuns) -> None:
    session = runs.first.session

    assert (session["status"], session["answered_questions"]) == ("completed", 3)
    assert runs.first.feedback["summary"] is not None
    assert "status:         completed" in runs.first_report
    assert "next question:  none: the session is complete" in runs.first_report


def test_the_report_shows_each_answers_provider_and_the_analytics(
    runs: DemoRuns,
) -> None:
    report = runs.first_report

    assert report.count("provider:       fallback") == len(SAMPLES)
    assert "Daily success rates, last 30 days" in report
    assert "Provider usage, last 7 days" in report


def test_a_second_run_succeeds(runs: DemoRuns) -> None:
    assert runs.second_exit_code == 0
    assert "status:         completed" in runs.second_report


def test_a_second_run_leaves_no_duplicates(runs: DemoRuns) -> None:
    assert runs.rows_after_first["sessions"] == 1
    assert runs.rows_after_first["responses"] == len(SAMPLES)
    assert runs.rows_after_second == runs.rows_after_first
