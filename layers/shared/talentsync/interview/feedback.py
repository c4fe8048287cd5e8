"""ScoreAnswer: one score per response, and the summary once the session is done.

The answer is read with the data model's session-analysis query, scored by the
chat model when there is a key (falling back to the built-in `custom` scorer
when it fails, refuses or replies out of bounds) or by the built-in scorer
alone, and stored once. The score is written under the session's lock, so of
two answers scored at once the later sees the other's score and writes the
summary when it completes the set. No lock is held during the chat model call.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from talentsync.db import Connection, Database
from talentsync.errors import NotFoundError
from talentsync.interview import scoring
from talentsync.interview.llm import ChatModel
from talentsync.interview.scoring import AnswerToScore, ScoreCard
from talentsync.interview.steps import ScoredAnswer, SessionStep
from talentsync.interview.summary import summarise_session
from talentsync.models import Score, Session, SessionStatus
from talentsync.repositories import responses, scores, session_summaries, sessions
from talentsync.repositories.scores import NewScore

logger = Logger(child=True)

ANSWER_CHARACTERS = 4000


class ScoreDraft(BaseModel):
    """The chat model's grading of one answer (its structured output schema)."""

    content_score: float
    clarity_score: float
    completeness_score: float
    overall_score: float
    feedback_text: str


def score_response(
    database: Database, chat: ChatModel | None, step: SessionStep
) -> ScoredAnswer:
    """Score the step's response (or find its score) and summarise a done session."""
    with database.transaction() as conn:
        existing = scores.get_response_score(conn, step.response_id)
        answer = read_answer(conn, step) if existing is None else None

    card, fell_back = (None, False) if answer is None else grade(chat, answer)

    with database.transaction() as conn:
        session = lock_session(conn, step)
        score, is_new = store_score(conn, step, card)
        summary_written = summarise_if_complete(conn, session)
    return ScoredAnswer(
        score_id=score.id,
        response_id=score.response_id,
        overall_score=score.overall_score,
        scoring_model=score.scoring_model or scoring.SCORING_MODEL,
        is_new=is_new,
        summary_written=summary_written,
        llm_fallback=fell_back,
    )


def read_answer(conn: Connection, step: SessionStep) -> AnswerToScore:
    """The answer and its question, from the session-analysis query."""
    rows = responses.get_session_analysis(conn, step.session_id)
    row = next((r for r in rows if r.response_id == step.response_id), None)
    response = responses.get_response(conn, step.response_id)
    if row is None or response is None:
        raise NotFoundError(
            f"response {step.response_id} not found in session {step.session_id}"
        )
    return AnswerToScore(
        question_text=row.question_text,
        category=row.category,
        keywords=row.keywords or [],
        ideal_answer_summary=row.ideal_answer_summary,
        estimated_time=row.estimated_time,
        answer_text=row.answer_text or "",
        transcription_confidence=row.transcription_confidence or 0.0,
        segments=response.transcription_data.segments,
    )


def grade(chat: ChatModel | None, answer: AnswerToScore) -> tuple[ScoreCard, bool]:
    """The chat model's score card, else the built-in one; and whether it fell back."""
    if chat is None:
        return scoring.score_answer(answer), False
    card = grade_with_chat(chat, answer)
    if card is None:
        return scoring.score_answer(answer), True
    return card, False


def grade_with_chat(chat: ChatModel, answer: AnswerToScore) -> ScoreCard | None:
    reply = chat.ask(GRADING_INSTRUCTIONS, grading_prompt(answer), ScoreDraft)
    if reply is None:
        return None
    draft = reply.value
    values = (
        draft.content_score,
        draft.clarity_score,
        draft.completeness_score,
        draft.overall_score,
    )
    if (
        not all(0.0 <= value <= 1.0 for value in values)
        or not draft.feedback_text.strip()
    ):
        logger.warning("chat model score out of bounds; using the custom scorer")
        return None
    return ScoreCard(
        content_score=draft.content_score,
        clarity_score=draft.clarity_score,
        completeness_score=draft.completeness_score,
        overall_score=draft.overall_score,
        feedback_text=draft.feedback_text.strip(),
        scoring_model=reply.model,
    )


GRADING_INSTRUCTIONS = (
    "You grade one spoken answer from a mock job interview. Give four scores"
    " between 0 and 1: content (correct and relevant, judged against the ideal"
    " answer and its keywords), clarity (easy to follow; the text comes from speech"
    " recognition, so do not punish recognition errors), completeness (covers the"
    " points of the ideal answer at a length that fits the expected time) and"
    " overall. Then write feedback of two to four sentences to the candidate,"
    " naming what the answer covered and what it missed."
)


def grading_prompt(answer: AnswerToScore) -> str:
    delivery = scoring.measure_delivery(answer)
    pace = (
        f"{delivery.words_per_minute:.0f} words a minute"
        if delivery.words_per_minute is not None
        else "unknown"
    )
    return "\n".join(
        [
            f"Question ({answer.category}): {answer.question_text}",
            f"Ideal answer: {answer.ideal_answer_summary or '(none given)'}",
            f"Keywords: {', '.join(answer.keywords) or '(none given)'}",
            f"Expected answer time: {answer.estimated_time or 'not given'} seconds",
            f"Measured: {delivery.word_count} words, {delivery.filler_count} filler"
            f" words, pace {pace}, recognition confidence {delivery.confidence:.2f}",
            f"Answer: {answer.answer_text[:ANSWER_CHARACTERS]}",
        ]
    )


def lock_session(conn: Connection, step: SessionStep) -> Session:
    session = sessions.lock_session(conn, step.session_id)
    if session is None:
        raise NotFoundError(f"session {step.session_id} not found")
    return session


def store_score(
    conn: Connection, step: SessionStep, card: ScoreCard | None
) -> tuple[Score, bool]:
    """Insert the new score; with no card, the response was scored before."""
    if card is None:
        existing = scores.get_response_score(conn, step.response_id)
        if existing is None:
            raise NotFoundError(f"score of response {step.response_id} vanished")
        return existing, False
    new_score = NewScore(
        response_id=step.response_id,
        session_id=step.session_id,
        **card.model_dump(),
    )
    score, is_new = scores.insert_score(conn, new_score)
    logger.info(
        "answer scored",
        extra={"scoring_model": score.scoring_model, "is_new": is_new},
    )
    return score, is_new


def summarise_if_complete(conn: Connection, session: Session) -> bool:
    """Write the summary when the session is completed and every answer is scored."""
    if session.status is not SessionStatus.COMPLETED:
        return False
    answers = responses.get_session_analysis(conn, session.id)
    session_scores = scores.list_session_scores(conn, session.id)
    scored_ids = {score.response_id for score in session_scores}
    if not answers or any(row.response_id not in scored_ids for row in answers):
        return False

    # NOTE: the summary is always the built-in one (averages, categories, best and
    # weakest answers), also when a chat model scored the answers; no chat model
    # writes a narrative summary of the whole session.
    summary = summarise_session(session.id, answers, session_scores)
    _, is_new = session_summaries.insert_summary(conn, summary)
    if is_new:
        logger.info("session summary written", extra={"session_id": str(session.id)})
    return True
