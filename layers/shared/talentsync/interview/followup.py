"""NextQuestion: move the session to its next question, or complete it.

Two short transactions around the optional chat model call, so no row lock is
held while a vendor thinks: the first settles what needs no choice (the session
is done, or already has an unanswered current question) and reads the context;
the second, under the session's lock again, re-checks and applies the choice.
A retried step finds the current question unanswered and keeps it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from talentsync.db import Connection, Database
from talentsync.errors import NotFoundError, PermanentError
from talentsync.interview.llm import ChatModel
from talentsync.interview.selection import (
    SessionHistory,
    select_question,
    target_difficulty,
)
from talentsync.interview.steps import NextQuestion, QuestionSource, SessionStep
from talentsync.models import (
    Difficulty,
    Question,
    QuestionCategory,
    Session,
    SessionStatus,
)
from talentsync.repositories import questions, responses, scores, sessions
from talentsync.repositories.responses import SessionContextRow

logger = Logger(child=True)

# The chat model sees the latest answers only, each cut to a readable length.
CONTEXT_ANSWERS = 5
ANSWER_CHARACTERS = 1200
ESTIMATED_SECONDS_RANGE = (30, 300)
MAX_KEYWORDS = 12
MIN_QUESTION_WORDS = 4


class NoQuestionLeftError(PermanentError):
    """The question bank has no unasked question left for the session."""


class FollowUpDraft(BaseModel):
    """The chat model's follow-up question (its structured output schema)."""

    question_text: str
    category: QuestionCategory
    difficulty_level: Difficulty
    ideal_answer_summary: str
    keywords: list[str]
    estimated_time_seconds: int


@dataclass(frozen=True)
class SessionState:
    session: Session
    asked_ids: list[uuid.UUID]
    context: list[SessionContextRow]
    overall_scores: list[float]

    @property
    def history(self) -> SessionHistory:
        return SessionHistory(
            session_id=self.session.id,
            base_difficulty=self.session.difficulty_level or Difficulty.MEDIUM,
            asked_categories=[QuestionCategory(row.category) for row in self.context],
            overall_scores=self.overall_scores,
        )


def advance_session(
    database: Database, chat: ChatModel | None, step: SessionStep
) -> NextQuestion:
    """The session's next question (chosen now or kept), or its completion."""
    with database.transaction() as conn:
        state = read_state(conn, step)
        settled = settle(conn, state)
    if settled is not None:
        return settled

    wants_draft = chat is not None and bool(state.context)
    draft = draft_follow_up(chat, state) if chat is not None and wants_draft else None

    with database.transaction() as conn:
        state = read_state(conn, step)
        settled = settle(conn, state)
        if settled is not None:
            return settled
        result = move_to_next(conn, state, draft)
    return result.model_copy(update={"llm_fallback": wants_draft and draft is None})


def read_state(conn: Connection, step: SessionStep) -> SessionState:
    """Lock the session and read what the choice depends on.

    NOTE: NextQuestion runs before ScoreAnswer, so the difficulty adapts to the
    scores of the earlier answers, never to the answer just given.
    """
    session = sessions.lock_session(conn, step.session_id)
    if session is None:
        raise NotFoundError(f"session {step.session_id} not found")
    return SessionState(
        session=session,
        asked_ids=responses.get_asked_question_ids(conn, session.id),
        context=responses.get_session_context(conn, session.id),
        overall_scores=[
            s.overall_score for s in scores.list_session_scores(conn, session.id)
        ],
    )


def settle(conn: Connection, state: SessionState) -> NextQuestion | None:
    """The outcome when no question needs choosing; None when one does."""
    session = state.session
    if session.status is SessionStatus.ACTIVE and is_finished(session):
        session = sessions.set_status(conn, session.id, SessionStatus.COMPLETED)
        session = sessions.set_current_question(conn, session.id, None)
        logger.info("session completed", extra={"session_id": str(session.id)})
        return outcome(session, QuestionSource.NONE)
    if session.status is not SessionStatus.ACTIVE:
        return outcome(session, QuestionSource.NONE)

    current = session.current_question_id
    if current is not None and current not in state.asked_ids:
        return outcome(session, QuestionSource.KEPT)
    return None


def is_finished(session: Session) -> bool:
    total = session.total_questions or 0
    return total > 0 and (session.answered_questions or 0) >= total


def move_to_next(
    conn: Connection, state: SessionState, draft: FollowUpDraft | None
) -> NextQuestion:
    """Make the draft, or the built-in selector's pick, the current question."""
    if draft is not None:
        question, source = (
            save_follow_up(conn, state.session, draft),
            QuestionSource.GENERATED,
        )
    else:
        question, source = pick_from_bank(conn, state), QuestionSource.BANK

    session = sessions.set_current_question(conn, state.session.id, question.id)
    logger.info(
        "next question chosen",
        extra={"question_id": str(question.id), "source": source.value},
    )
    return outcome(session, source)


def pick_from_bank(conn: Connection, state: SessionState) -> Question:
    # The current question is excluded even when it was never answered.
    excluded = [*state.asked_ids, *filter(None, [state.session.current_question_id])]
    candidates = questions.list_candidate_questions(
        conn, state.session.job_position, excluded
    )
    question = select_question(candidates, state.history)
    if question is None:
        raise NoQuestionLeftError(
            f"no unasked question left for session {state.session.id}"
            f" ({state.session.job_position})"
        )
    return question


def save_follow_up(
    conn: Connection, session: Session, draft: FollowUpDraft
) -> Question:
    question = Question(
        id=uuid.uuid4(),
        question_text=draft.question_text.strip(),
        category=draft.category,
        difficulty_level=draft.difficulty_level,
        job_position=session.job_position,
        ideal_answer_summary=draft.ideal_answer_summary.strip(),
        keywords=[keyword.strip() for keyword in draft.keywords if keyword.strip()],
        estimated_time=draft.estimated_time_seconds,
        created_at=datetime.now(UTC),
    )
    return questions.insert_question(conn, question)


def outcome(session: Session, source: QuestionSource) -> NextQuestion:
    return NextQuestion(
        session_status=session.status,
        next_question_id=session.current_question_id,
        source=source,
        answered_questions=session.answered_questions or 0,
        total_questions=session.total_questions or 0,
    )


def draft_follow_up(chat: ChatModel, state: SessionState) -> FollowUpDraft | None:
    """A follow-up grounded in the answers so far, or None to use the bank."""
    reply = chat.ask(
        follow_up_instructions(state), follow_up_prompt(state.context), FollowUpDraft
    )
    if reply is None:
        return None
    problem = draft_problem(reply.value, state.context)
    if problem is not None:
        logger.warning(
            "follow-up draft rejected; using the question bank",
            extra={"problem": problem},
        )
        return None
    return reply.value


def follow_up_instructions(state: SessionState) -> str:
    difficulty = target_difficulty(
        state.history.base_difficulty, state.overall_scores
    ).value
    low, high = ESTIMATED_SECONDS_RANGE
    return (
        "You interview a candidate for the role of"
        f" {state.session.job_position}. Write the next interview question as a"
        " follow-up to what the candidate actually said below: probe a claim, ask"
        " for a concrete example, or go one level deeper. Never repeat or rephrase"
        f" a question already asked. Aim for {difficulty} difficulty. Also give a"
        " summary of an ideal answer in two to four sentences, four to eight"
        " keywords an ideal answer would use, and the expected answer time in"
        f" seconds, between {low} and {high}."
    )


def follow_up_prompt(context: list[SessionContextRow]) -> str:
    lines = ["The interview so far, oldest first:"]
    for number, row in enumerate(context[-CONTEXT_ANSWERS:], start=1):
        answer = (row.transcript or "").strip()[:ANSWER_CHARACTERS]
        lines.append(
            f"Question {number} ({row.category}, {row.difficulty_level}):"
            f" {row.question_text}"
        )
        lines.append(f"Answer {number}: {answer or '(no answer text)'}")
    return "\n".join(lines)


def draft_problem(draft: FollowUpDraft, context: list[SessionContextRow]) -> str | None:
    """Why the draft cannot be asked; None when it can."""
    text = draft.question_text.strip()
    asked = {row.question_text.strip().casefold() for row in context}
    low, high = ESTIMATED_SECONDS_RANGE
    if len(text.split()) < MIN_QUESTION_WORDS:
        return "the question text is too short"
    if text.casefold() in asked:
        return "the question repeats one already asked"
    if not 1 <= len([k for k in draft.keywords if k.strip()]) <= MAX_KEYWORDS:
        return "the keyword list is empty or too long"
    if not low <= draft.estimated_time_seconds <= high:
        return "the estimated time is out of range"
    if not draft.ideal_answer_summary.strip():
        return "the ideal answer summary is empty"
    return None
