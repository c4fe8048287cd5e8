"""The built-in question selector: rotation, adaptive difficulty, determinism."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from talentsync.interview.selection import (
    SessionHistory,
    next_category,
    select_question,
    target_difficulty,
)
from talentsync.models import Difficulty, Question, QuestionCategory
from talentsync.question_bank import read_question_bank

SESSION_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
TECHNICAL, BEHAVIORAL, SITUATIONAL = (
    QuestionCategory.TECHNICAL,
    QuestionCategory.BEHAVIORAL,
    QuestionCategory.SITUATIONAL,
)


def question(
    category: QuestionCategory = TECHNICAL,
    difficulty: Difficulty = Difficulty.MEDIUM,
    job_position: str | None = "Software Engineer",
) -> Question:
    return Question(
        id=uuid.uuid4(),
        question_text=f"A {difficulty.value} {category.value} question?",
        category=category,
        difficulty_level=difficulty,
        job_position=job_position,
        ideal_answer_summary="An answer.",
        keywords=["answer"],
        estimated_time=60,
        created_at=datetime.now(UTC),
    )


def history(
    asked: list[QuestionCategory] | None = None,
    scores: list[float] | None = None,
    base: Difficulty = Difficulty.MEDIUM,
    session_id: uuid.UUID = SESSION_ID,
) -> SessionHistory:
    return SessionHistory(
        session_id=session_id,
        base_difficulty=base,
        asked_categories=asked or [],
        overall_scores=scores or [],
    )


def software_engineer_bank() -> list[Question]:
    return [
        q for q in read_question_bank() if q.job_position in ("Software Engineer", None)
    ]


def test_no_candidates_means_no_question() -> None:
    assert select_question([], history()) is None


def test_a_session_opens_with_a_technical_question() -> None:
    assert next_category([]) is TECHNICAL


def test_the_category_after_the_last_asked_comes_next() -> None:
    assert next_category([TECHNICAL]) is BEHAVIORAL
    assert next_category([TECHNICAL, BEHAVIORAL]) is SITUATIONAL


def test_the_least_asked_category_comes_before_the_rotation() -> None:
    assert next_category([TECHNICAL, BEHAVIORAL, TECHNICAL, SITUATIONAL]) is BEHAVIORAL


def test_the_next_category_is_preferred_over_a_closer_difficulty() -> None:
    behavioral = question(BEHAVIORAL, Difficulty.HARD)
    technical = question(TECHNICAL, Difficulty.MEDIUM)

    chosen = select_question([technical, behavioral], history(asked=[TECHNICAL]))

    assert chosen == behavioral


def test_difficulty_stays_at_the_session_level_before_any_score() -> None:
    assert target_difficulty(Difficulty.MEDIUM, []) is Difficulty.MEDIUM


def test_difficulty_rises_after_strong_answers() -> None:
    assert target_difficulty(Difficulty.MEDIUM, [0.8, 0.75]) is Difficulty.HARD


def test_difficulty_drops_after_weak_answers() -> None:
    assert target_difficulty(Difficulty.MEDIUM, [0.2, 0.3]) is Difficulty.EASY


def test_difficulty_never_leaves_the_ladder() -> None:
    assert target_difficulty(Difficulty.HARD, [0.95]) is Difficulty.HARD
    assert target_difficulty(Difficulty.EASY, [0.05]) is Difficulty.EASY


def test_strong_answers_bring_a_harder_question() -> None:
    candidates = [question(difficulty=level) for level in Difficulty]

    chosen = select_question(candidates, history(scores=[0.9]))

    assert chosen is not None and chosen.difficulty_level is Difficulty.HARD


def test_a_question_for_the_position_comes_before_a_general_one() -> None:
    general = question(job_position=None)
    specific = question(job_position="Software Engineer")

    assert select_question([general, specific], history()) == specific


def test_the_same_session_and_candidates_always_give_the_same_question() -> None:
    bank = software_engineer_bank()

    picks = [select_question(bank, history(asked=[TECHNICAL])) for _ in range(3)]
    reversed_pick = select_question(list(reversed(bank)), history(asked=[TECHNICAL]))

    assert picks[0] is not None
    assert {pick.id for pick in [*picks, reversed_pick] if pick} == {picks[0].id}


def test_sessions_do_not_all_walk_the_bank_in_the_same_order() -> None:
    bank = software_engineer_bank()
    session_ids = [uuid.UUID(int=n) for n in range(1, 9)]

    picks = [select_question(bank, history(session_id=sid)) for sid in session_ids]

    assert len({pick.id for pick in picks if pick}) > 1
