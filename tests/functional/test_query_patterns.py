"""The data-model document's query patterns return exactly the expected rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from talentsync.db import Connection
from talentsync.models import Provider, Question, Response, Session, SessionStatus
from talentsync.repositories import responses, sessions
from tests.support.builders import make_question, make_response, make_session


@dataclass
class Seeded:
    active: Session
    finished: Session
    q1: Question
    q2: Question
    q3: Question
    a1: Response
    a2: Response
    a3: Response
    b1: Response
    b_old: Response


@pytest.fixture
def seeded(conn: Connection) -> Seeded:
    """Two sessions over 40 days, with every provider and a fallback or two."""
    now = datetime.now(UTC)
    q1 = make_question(conn, "What is a deadlock?", keywords=["lock", "cycle"])
    q2 = make_question(conn, "Tell me about a time you disagreed.")
    q3 = make_question(conn, "How would you cache this?")
    active = make_session(conn)
    finished = make_session(conn)
    two_days_ago = now - timedelta(days=2)
    seeded = Seeded(
        active=active,
        finished=finished,
        q1=q1,
        q2=q2,
        q3=q3,
        a1=make_response(conn, active, q1, two_days_ago, confidence=0.9),
        a2=make_response(
            conn,
            active,
            q2,
            two_days_ago + timedelta(seconds=1),
            provider=Provider.FALLBACK,
            confidence=0.6,
            fallback_used=True,
            text="We talked it through.",
        ),
        a3=make_response(conn, active, q3, now, confidence=0.7),
        b1=make_response(
            conn,
            finished,
            q1,
            now - timedelta(days=10),
            provider=Provider.ASSEMBLYAI,
            confidence=0.8,
            fallback_used=True,
        ),
        b_old=make_response(
            conn, finished, q2, now - timedelta(days=40), confidence=0.5
        ),
    )
    sessions.set_status(conn, finished.id, SessionStatus.COMPLETED)
    return seeded


def server_date(conn: Connection, moment: datetime) -> date:
    """The day PostgreSQL's DATE() gives a timestamp in the server's time zone."""
    row = conn.execute("SELECT DATE(%s::timestamptz)", (moment,)).fetchone()
    assert row is not None
    day: date = row[0]
    return day


def test_session_context_lists_the_sessions_answers_in_order(
    conn: Connection, seeded: Seeded
) -> None:
    rows = responses.get_session_context(conn, seeded.active.id)

    assert [(r.id, r.question_text, r.confidence) for r in rows] == [
        (seeded.a1.id, "What is a deadlock?", "0.9"),
        (seeded.a2.id, "Tell me about a time you disagreed.", "0.6"),
        (seeded.a3.id, "How would you cache this?", "0.7"),
    ]
    assert rows[1].transcript == "We talked it through."


def test_asked_questions_are_those_answered_in_the_session(
    conn: Connection, seeded: Seeded
) -> None:
    asked = responses.get_asked_question_ids(conn, seeded.finished.id)

    assert sorted(asked) == sorted([seeded.q1.id, seeded.q2.id])


def test_session_analysis_joins_each_answer_to_its_question(
    conn: Connection, seeded: Seeded
) -> None:
    rows = responses.get_session_analysis(conn, seeded.active.id)

    assert [r.response_id for r in rows] == [seeded.a1.id, seeded.a2.id, seeded.a3.id]
    first = rows[0]
    assert first.transcription_confidence == pytest.approx(0.9)
    assert first.transcription_provider == "openai"
    assert first.keywords == ["lock", "cycle"]
    assert first.estimated_time == 90
    assert first.answer_text == "I would use a lock around the shared counter."


def test_daily_success_rates_cover_thirty_days(
    conn: Connection, seeded: Seeded
) -> None:
    rows = responses.get_daily_success_rates(conn)

    figures = [
        (r.date, r.total_responses, r.fallback_count, r.unique_sessions) for r in rows
    ]
    assert figures == [
        (server_date(conn, seeded.b1.created_at), 1, 1, 1),
        (server_date(conn, seeded.a1.created_at), 2, 1, 1),
        (server_date(conn, seeded.a3.created_at), 1, 0, 1),
    ]
    assert [r.avg_confidence for r in rows] == pytest.approx([0.8, 0.75, 0.7])


def test_provider_usage_covers_seven_days(conn: Connection, seeded: Seeded) -> None:
    rows = responses.get_provider_usage(conn)

    assert [(r.provider, r.usage_count) for r in rows] == [
        ("openai", 2),
        ("fallback", 1),
    ]
    assert rows[0].avg_confidence == pytest.approx(0.8)
    assert rows[0].avg_processing_time == pytest.approx(1.25)


def test_recent_transcriptions_counts_the_last_five_minutes(
    conn: Connection, seeded: Seeded
) -> None:
    assert responses.count_recent_transcriptions(conn).recent_transcriptions == 1


def test_consistency_check_covers_active_sessions_only(
    conn: Connection, seeded: Seeded
) -> None:
    health = responses.check_active_session_consistency(conn)

    assert (health.active_sessions, health.total_responses) == (1, 3)
    assert health.avg_confidence == pytest.approx((0.9 + 0.6 + 0.7) / 3)


def test_embedded_transcription_data_has_the_documents_structure(
    conn: Connection, seeded: Seeded
) -> None:
    row = conn.execute(
        "SELECT transcription_data FROM responses WHERE id = %s", (seeded.a1.id,)
    ).fetchone()
    assert row is not None

    assert set(row[0]) == {
        "transcript_text",
        "confidence_score",
        "provider",
        "segments",
        "processing_time",
        "fallback_used",
        "transcription_id",
        "version",
    }
    assert set(row[0]["segments"][0]) == {"start", "end", "text", "confidence"}


def test_storing_a_response_twice_keeps_one(conn: Connection, seeded: Seeded) -> None:
    again, created = responses.insert_response(
        conn,
        seeded.active.id,
        seeded.q1.id,
        seeded.a1.transcription_data,
        None,
    )

    assert (again.id, created) == (seeded.a1.id, False)
