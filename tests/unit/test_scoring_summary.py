"""The summary of a completed session, built from its answers and scores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from talentsync.interview.summary import summarise_session
from talentsync.models import Score
from talentsync.repositories.responses import SessionAnalysisRow

SESSION_ID = uuid.uuid4()


def answer(question_text: str, category: str) -> SessionAnalysisRow:
    return SessionAnalysisRow(
        response_id=uuid.uuid4(),
        session_id=SESSION_ID,
        answer_text="An answer.",
        transcription_confidence=0.9,
        transcription_provider="fallback",
        question_text=question_text,
        ideal_answer_summary=None,
        category=category,
        difficulty_level="medium",
        keywords=[],
        estimated_time=60,
        answered_at=datetime.now(UTC),
    )


def score(
    row: SessionAnalysisRow, overall: float, content: float = 0.5, clarity: float = 0.5
) -> Score:
    return Score(
        id=uuid.uuid4(),
        response_id=row.response_id,
        session_id=SESSION_ID,
        content_score=content,
        clarity_score=clarity,
        completeness_score=0.5,
        overall_score=overall,
        feedback_text="Feedback.",
        scoring_model="custom",
        created_at=datetime.now(UTC),
    )


def test_the_summary_averages_each_dimension_over_the_answers() -> None:
    rows = [answer("Q1?", "technical"), answer("Q2?", "behavioral")]

    summary = summarise_session(
        SESSION_ID, rows, [score(rows[0], 0.8, content=0.9), score(rows[1], 0.4)]
    )

    assert summary.responses_scored == 2
    assert summary.overall_score == pytest.approx(0.6)
    assert summary.content_score == pytest.approx(0.7)


def test_the_summary_averages_overall_per_category() -> None:
    rows = [
        answer("Q1?", "technical"),
        answer("Q2?", "technical"),
        answer("Q3?", "situational"),
    ]
    scores = [score(rows[0], 0.8), score(rows[1], 0.6), score(rows[2], 0.3)]

    summary = summarise_session(SESSION_ID, rows, scores)

    assert summary.category_scores == {"situational": 0.3, "technical": 0.7}


def test_strong_answers_are_strengths_and_weak_ones_what_to_improve() -> None:
    rows = [
        answer("Explain hashing?", "technical"),
        answer("A conflict?", "behavioral"),
    ]
    scores = [score(rows[0], 0.85), score(rows[1], 0.3, content=0.2, clarity=0.6)]

    summary = summarise_session(SESSION_ID, rows, scores)

    assert summary.strengths == ["Explain hashing? (overall 0.85)"]
    assert summary.improvements == ["A conflict? (weakest on content, overall 0.30)"]


def test_the_summary_text_names_the_strongest_and_weakest_category() -> None:
    rows = [answer("Q1?", "technical"), answer("Q2?", "behavioral")]

    summary = summarise_session(
        SESSION_ID, rows, [score(rows[0], 0.9), score(rows[1], 0.2)]
    )

    assert summary.summary_text.startswith("2 answers scored: overall 0.55")
    assert "Strongest in technical questions (0.90), weakest in behavioral" in (
        summary.summary_text
    )


def test_a_summary_needs_a_scored_answer() -> None:
    with pytest.raises(ValueError):
        summarise_session(SESSION_ID, [answer("Q1?", "technical")], [])
