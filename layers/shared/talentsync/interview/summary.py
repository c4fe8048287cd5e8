"""The summary of a completed session, from its answers and their scores.

Averages of each dimension over the session, the overall average per question
category, the best answers as strengths (overall at least STRENGTH_AT) and the
weakest as what to improve (overall below IMPROVE_BELOW, naming the dimension
that held the answer back), and two sentences that say it in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from talentsync.models import Score
from talentsync.repositories.responses import SessionAnalysisRow
from talentsync.repositories.session_summaries import NewSessionSummary

STRENGTH_AT = 0.7
IMPROVE_BELOW = 0.5
MAX_LISTED = 3
DIMENSIONS = ("content", "clarity", "completeness")


def summarise_session(
    session_id: UUID,
    answers: Sequence[SessionAnalysisRow],
    session_scores: Sequence[Score],
) -> NewSessionSummary:
    """The summary of the scored answers (every score must belong to an answer)."""
    questions = {row.response_id: row for row in answers}
    scored = [score for score in session_scores if score.response_id in questions]
    if not scored:
        raise ValueError("a session summary needs at least one scored answer")

    averages = {
        name: mean([dimension(s, name) for s in scored])
        for name in (*DIMENSIONS, "overall")
    }
    by_category = category_averages(scored, questions)
    return NewSessionSummary(
        session_id=session_id,
        responses_scored=len(scored),
        content_score=averages["content"],
        clarity_score=averages["clarity"],
        completeness_score=averages["completeness"],
        overall_score=averages["overall"],
        category_scores=by_category,
        strengths=strengths(scored, questions),
        improvements=improvements(scored, questions),
        summary_text=summary_text(len(scored), averages, by_category),
    )


def dimension(score: Score, name: str) -> float:
    value: float = getattr(score, f"{name}_score")
    return value


def mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 3)


def category_averages(
    scored: Sequence[Score], questions: dict[UUID, SessionAnalysisRow]
) -> dict[str, float]:
    categories = sorted({questions[s.response_id].category for s in scored})
    return {
        category: mean(
            [
                s.overall_score
                for s in scored
                if questions[s.response_id].category == category
            ]
        )
        for category in categories
    }


def strengths(
    scored: Sequence[Score], questions: dict[UUID, SessionAnalysisRow]
) -> list[str]:
    best = sorted(scored, key=lambda s: (-s.overall_score, str(s.response_id)))
    return [
        f"{questions[s.response_id].question_text} (overall {s.overall_score:.2f})"
        for s in best
        if s.overall_score >= STRENGTH_AT
    ][:MAX_LISTED]


def improvements(
    scored: Sequence[Score], questions: dict[UUID, SessionAnalysisRow]
) -> list[str]:
    worst = sorted(scored, key=lambda s: (s.overall_score, str(s.response_id)))
    return [
        f"{questions[s.response_id].question_text} (weakest on"
        f" {weakest_dimension(s)}, overall {s.overall_score:.2f})"
        for s in worst
        if s.overall_score < IMPROVE_BELOW
    ][:MAX_LISTED]


def weakest_dimension(score: Score) -> str:
    return min(DIMENSIONS, key=lambda name: (dimension(score, name), name))


def summary_text(
    answered: int, averages: dict[str, float], by_category: dict[str, float]
) -> str:
    text = (
        f"{answered} answers scored: overall {averages['overall']:.2f}"
        f" (content {averages['content']:.2f}, clarity {averages['clarity']:.2f},"
        f" completeness {averages['completeness']:.2f})."
    )
    if len(by_category) > 1:
        ranked = sorted(by_category.items(), key=lambda item: (-item[1], item[0]))
        (best, best_value), (worst, worst_value) = ranked[0], ranked[-1]
        text += (
            f" Strongest in {best} questions ({best_value:.2f}),"
            f" weakest in {worst} ({worst_value:.2f})."
        )
    return text
