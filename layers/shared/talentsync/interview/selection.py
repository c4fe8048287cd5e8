"""The built-in question selector: category rotation and adaptive difficulty.

Given the questions not asked yet, it prefers, in this order:
1. the category asked least so far in the session (ties: the one after the last
   asked, in the order technical, behavioral, situational);
2. the difficulty closest to the target: the session's level, one step up when
   the answers scored so far average at least RAISE_AT, one step down below
   LOWER_AT;
3. a question written for the job position over a general one;
4. a stable pseudo-random order seeded by the session id, so two sessions do not
   walk the bank in the same order, while one session always gets the same pick.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from uuid import UUID

from pydantic import BaseModel

from talentsync.models import Difficulty, Question, QuestionCategory

CATEGORY_ROTATION = (
    QuestionCategory.TECHNICAL,
    QuestionCategory.BEHAVIORAL,
    QuestionCategory.SITUATIONAL,
)
DIFFICULTY_LADDER = (Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD)
RAISE_AT = 0.7
LOWER_AT = 0.4


class SessionHistory(BaseModel):
    """What the selector knows of the session so far."""

    session_id: UUID
    base_difficulty: Difficulty
    asked_categories: list[QuestionCategory]
    overall_scores: list[float]


def select_question(
    candidates: Sequence[Question], history: SessionHistory
) -> Question | None:
    """The best candidate for the session's next question; None if there is none."""
    if not candidates:
        return None
    category = next_category(history.asked_categories)
    difficulty = target_difficulty(history.base_difficulty, history.overall_scores)
    return min(
        candidates,
        key=lambda question: (
            question.category != category,
            difficulty_distance(question.difficulty_level, difficulty),
            question.job_position is None,
            tiebreak(history.session_id, question.id),
        ),
    )


def next_category(asked: Sequence[QuestionCategory]) -> QuestionCategory:
    """The least asked category; among equals, the next one after the last asked."""
    start = CATEGORY_ROTATION.index(asked[-1]) + 1 if asked else 0
    rotation = CATEGORY_ROTATION[start:] + CATEGORY_ROTATION[:start]
    return min(
        rotation, key=lambda category: (asked.count(category), rotation.index(category))
    )


def target_difficulty(base: Difficulty, overall_scores: Sequence[float]) -> Difficulty:
    """The session's level, moved one step by how the answers have scored so far."""
    if not overall_scores:
        return base
    average = sum(overall_scores) / len(overall_scores)
    step = 1 if average >= RAISE_AT else -1 if average < LOWER_AT else 0
    index = DIFFICULTY_LADDER.index(base) + step
    return DIFFICULTY_LADDER[min(max(index, 0), len(DIFFICULTY_LADDER) - 1)]


def difficulty_distance(a: Difficulty, b: Difficulty) -> int:
    return abs(DIFFICULTY_LADDER.index(a) - DIFFICULTY_LADDER.index(b))


def tiebreak(session_id: UUID, question_id: UUID) -> str:
    return hashlib.sha256(f"{session_id}:{question_id}".encode()).hexdigest()
