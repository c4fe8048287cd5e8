"""What the pipeline made of a candidate's answers: transcripts, scores, summary.

Each reader first proves the session (or transcription) is the caller's own;
what belongs to someone else is reported as not found.
"""

from __future__ import annotations

from uuid import UUID

from talentsync.api.models import (
    AnswerFeedback,
    AnswerList,
    AnswerView,
    ScoreView,
    SessionFeedback,
    SummaryView,
    TranscriptionList,
    TranscriptionView,
)
from talentsync.api.sessions import owned_session
from talentsync.db import Connection
from talentsync.errors import NotFoundError
from talentsync.models import Response, Score
from talentsync.repositories import (
    questions,
    responses,
    scores,
    session_summaries,
    transcriptions,
)


def list_answers(conn: Connection, user_id: UUID, session_id: UUID) -> AnswerList:
    """Every recorded answer of the session, oldest first, with its score if any."""
    owned_session(conn, user_id, session_id)
    rows = responses.list_session_responses(conn, session_id)
    score_by_response = {
        s.response_id: s for s in scores.list_session_scores(conn, session_id)
    }
    texts = question_texts(conn, rows)
    return AnswerList(
        responses=[
            answer_view(row, texts.get(row.question_id), score_by_response.get(row.id))
            for row in rows
        ]
    )


def session_feedback(
    conn: Connection, user_id: UUID, session_id: UUID
) -> SessionFeedback:
    """The score of each scored answer and, once written, the session's summary."""
    session = owned_session(conn, user_id, session_id)
    rows = responses.list_session_responses(conn, session_id)
    score_by_response = {
        s.response_id: s for s in scores.list_session_scores(conn, session_id)
    }
    texts = question_texts(conn, rows)

    answers = [
        answer_feedback(row, texts.get(row.question_id), score_by_response[row.id])
        for row in rows
        if row.id in score_by_response
    ]
    summary = session_summaries.get_summary(conn, session_id)
    return SessionFeedback(
        session_id=session.id,
        status=session.status,
        answers=answers,
        unscored_answers=len(rows) - len(answers),
        summary=SummaryView.model_validate(summary, from_attributes=True)
        if summary is not None
        else None,
    )


def get_transcription(
    conn: Connection, user_id: UUID, transcription_id: UUID
) -> TranscriptionView:
    row = transcriptions.get_user_transcription(conn, user_id, transcription_id)
    if row is None:
        raise NotFoundError("transcription not found")
    return TranscriptionView.model_validate(row, from_attributes=True)


def list_transcriptions(
    conn: Connection, user_id: UUID, session_id: UUID
) -> TranscriptionList:
    """The session's uploads and how far each got, failed ones included."""
    owned_session(conn, user_id, session_id)
    rows = transcriptions.list_user_session_transcriptions(conn, user_id, session_id)
    return TranscriptionList(
        transcriptions=[
            TranscriptionView.model_validate(row, from_attributes=True) for row in rows
        ]
    )


def question_texts(conn: Connection, rows: list[Response]) -> dict[UUID, str]:
    question_ids = list({row.question_id for row in rows})
    return {q.id: q.question_text for q in questions.get_questions(conn, question_ids)}


def answer_view(
    row: Response, question_text: str | None, score: Score | None
) -> AnswerView:
    data = row.transcription_data
    return AnswerView(
        id=row.id,
        question_id=row.question_id,
        question_text=question_text,
        transcription_id=data.transcription_id,
        transcript_text=data.transcript_text,
        confidence_score=data.confidence_score,
        provider=data.provider,
        fallback_used=data.fallback_used,
        processing_time=data.processing_time,
        segments=data.segments,
        created_at=row.created_at,
        score=ScoreView.model_validate(score, from_attributes=True) if score else None,
    )


def answer_feedback(
    row: Response, question_text: str | None, score: Score
) -> AnswerFeedback:
    return AnswerFeedback(
        **ScoreView.model_validate(score, from_attributes=True).model_dump(),
        response_id=row.id,
        question_id=row.question_id,
        question_text=question_text,
    )
