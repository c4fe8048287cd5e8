"""Interview sessions as their candidate sees them: start, read, list, pause, stop.

A session starts `active` with its first question chosen from the bank. The
candidate may pause and resume it, or cancel it; only the pipeline completes
it. Changing the status locks the row, so a change never races the pipeline's
own updates of the same session.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import lru_cache
from uuid import UUID

from talentsync.api.models import (
    CreatedSession,
    NewSessionRequest,
    QuestionView,
    SessionDetail,
    SessionPage,
    SessionStatusChange,
    SessionView,
)
from talentsync.db import Connection
from talentsync.errors import (
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
)
from talentsync.models import Difficulty, Question, Session, SessionStatus
from talentsync.question_bank import read_question_bank
from talentsync.repositories import questions, sessions

# The changes a candidate may make; nothing leaves `completed` or `cancelled`.
ALLOWED_STATUS_CHANGES: dict[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.ACTIVE: frozenset({SessionStatus.PAUSED, SessionStatus.CANCELLED}),
    SessionStatus.PAUSED: frozenset({SessionStatus.ACTIVE, SessionStatus.CANCELLED}),
}

CURSOR_LOCATION = ("query", "cursor")


def create_session(
    conn: Connection, user_id: UUID, request: NewSessionRequest
) -> CreatedSession:
    """Start an active session whose current question is its first one."""
    session = sessions.insert_session(
        conn,
        user_id,
        request.job_position,
        request.difficulty_level,
        request.total_questions,
    )
    question = first_question(conn, request.job_position, request.difficulty_level)
    session = sessions.set_current_question(conn, session.id, question.id)
    return CreatedSession(
        session=session_view(session), first_question=question_view(question)
    )


def first_question(
    conn: Connection, job_position: str, difficulty: Difficulty
) -> Question:
    """The bank's opening question for the position and difficulty.

    NOTE: this is the API's own first-question rule (position's own question at
    the difficulty, else a general one, else any difficulty; ties by id); the
    follow-up selector in talentsync/interview/ picks the later questions by its
    own rules. Only bank questions qualify, so a follow-up generated for one
    candidate's answers never opens another candidate's session.
    """
    bank_ids = list(bank_question_ids())
    question = questions.choose_first_question(conn, job_position, difficulty, bank_ids)
    if question is None:
        raise ConfigurationError("the question bank is not loaded into the database")
    return question


@lru_cache(maxsize=1)
def bank_question_ids() -> tuple[UUID, ...]:
    return tuple(question.id for question in read_question_bank())


def get_session_detail(
    conn: Connection, user_id: UUID, session_id: UUID
) -> SessionDetail:
    return session_detail(conn, owned_session(conn, user_id, session_id))


def list_sessions(
    conn: Connection, user_id: UUID, limit: int, cursor: str | None
) -> SessionPage:
    """One page of the user's sessions, newest first, after `cursor`."""
    before = decode_cursor(cursor) if cursor else None

    # One row more than asked tells whether another page follows.
    rows = sessions.list_user_sessions(conn, user_id, limit + 1, before)
    page = rows[:limit]

    next_cursor = encode_cursor(page[-1]) if len(rows) > limit else None
    return SessionPage(
        sessions=[session_view(row) for row in page], next_cursor=next_cursor
    )


def change_status(
    conn: Connection, user_id: UUID, session_id: UUID, target: SessionStatusChange
) -> SessionDetail:
    """Pause, resume or cancel; asking for the current status changes nothing."""
    session = owned_session(conn, user_id, session_id, for_update=True)
    wanted = SessionStatus(target.value)
    if session.status == wanted and session.status in ALLOWED_STATUS_CHANGES:
        return session_detail(conn, session)

    if wanted not in ALLOWED_STATUS_CHANGES.get(session.status, frozenset()):
        message = f"a {session.status.value} session cannot become {wanted.value}"
        raise ConflictError(message)
    return session_detail(conn, sessions.set_status(conn, session.id, wanted))


def owned_session(
    conn: Connection, user_id: UUID, session_id: UUID, *, for_update: bool = False
) -> Session:
    """The user's session; another user's is as missing as one that never was."""
    session = sessions.get_user_session(
        conn, user_id, session_id, for_update=for_update
    )
    if session is None:
        raise NotFoundError("session not found")
    return session


def session_detail(conn: Connection, session: Session) -> SessionDetail:
    question = None
    if session.current_question_id is not None:
        question = questions.get_question(conn, session.current_question_id)
    current = question_view(question) if question is not None else None
    return SessionDetail(**session_view(session).model_dump(), current_question=current)


def session_view(session: Session) -> SessionView:
    return SessionView.model_validate(session, from_attributes=True)


def question_view(question: Question) -> QuestionView:
    return QuestionView.model_validate(question, from_attributes=True)


def encode_cursor(session: Session) -> str:
    """An opaque token for the position just after `session` in the listing."""
    text = f"{session.started_at.isoformat()}|{session.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The (started_at, id) a cursor stands for; InvalidRequestError if none."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        started_at_text, session_id_text = text.split("|")
        started_at = datetime.fromisoformat(started_at_text)
        session_id = UUID(session_id_text)
    # binascii.Error and the Unicode errors are ValueErrors too.
    except ValueError as exc:
        raise InvalidRequestError(
            CURSOR_LOCATION, "not a cursor from this API"
        ) from exc

    if started_at.tzinfo is None:
        raise InvalidRequestError(CURSOR_LOCATION, "not a cursor from this API")
    return started_at, session_id
