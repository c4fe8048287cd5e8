"""The chat model paths of NextQuestion and ScoreAnswer, against the fake OpenAI.

The real openai SDK sends structured output requests to the fake server; a valid
reply is used, and a malformed reply, a refusal or a vendor error falls back to
the built-in selector and scorer.
"""

from __future__ import annotations

import uuid

from talentsync.db import Connection, Database
from talentsync.interview.feedback import ScoreDraft, score_response
from talentsync.interview.followup import FollowUpDraft, advance_session
from talentsync.interview.llm import chat_model_from_settings
from talentsync.interview.recording import record_response
from talentsync.interview.steps import QuestionSource, SessionStep
from talentsync.models import Difficulty, QuestionCategory
from talentsync.repositories import questions, scores, sessions
from talentsync.settings import get_settings
from tests.support.fake_openai_chat import DEFAULT_MODEL, FakeOpenAIChat
from tests.support.handlers import FakeLambdaContext, load_handler_module
from tests.support.interview_sessions import (
    PROCESS_VS_THREAD,
    STRONG_ANSWER,
    answer_current_question,
    answer_step,
    start_session,
)

FOLLOW_UP = FollowUpDraft(
    question_text=(
        "You mentioned locks to avoid race conditions: how would you find a"
        " deadlock in a running service?"
    ),
    category=QuestionCategory.TECHNICAL,
    difficulty_level=Difficulty.HARD,
    ideal_answer_summary="Take thread dumps and look for a cycle of lock waits.",
    keywords=["thread dump", "lock order", "cycle"],
    estimated_time_seconds=90,
)
SCORE = ScoreDraft(
    content_score=0.82,
    clarity_score=0.74,
    completeness_score=0.66,
    overall_score=0.76,
    feedback_text="You explained memory isolation well; mention context switches.",
)


def recorded_answer(conn: Connection, database: Database) -> SessionStep:
    session = start_session(conn)
    transcription = answer_current_question(conn, session, text=STRONG_ANSWER)
    recorded = record_response(database, answer_step(transcription))
    return SessionStep(session_id=session.id, response_id=recorded.response_id)


# -- follow-up questions ---------------------------------------------------------


def test_a_valid_follow_up_is_stored_as_a_question_and_asked_next(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_with(FOLLOW_UP)

    result = load_handler_module("followup").lambda_handler(
        step.model_dump(mode="json"), FakeLambdaContext()
    )

    stored = questions.get_question(conn, uuid.UUID(result["next_question_id"]))
    assert result["source"] == "generated"
    assert stored is not None
    assert stored.question_text == FOLLOW_UP.question_text
    assert stored.job_position == "Software Engineer"
    assert stored.keywords == FOLLOW_UP.keywords


def test_the_follow_up_request_is_grounded_in_the_previous_answers(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_with(FOLLOW_UP)

    advance_session(database, chat_model_from_settings(get_settings()), step)

    prompt = "\n".join(fake_openai_chat.prompts())
    assert STRONG_ANSWER in prompt
    assert PROCESS_VS_THREAD in prompt


def test_the_follow_up_request_asks_for_the_pydantic_schema(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_with(FOLLOW_UP)

    advance_session(database, chat_model_from_settings(get_settings()), step)

    response_format = fake_openai_chat.requests[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "FollowUpDraft"
    assert response_format["json_schema"]["strict"] is True
    assert "question_text" in response_format["json_schema"]["schema"]["properties"]


def test_a_malformed_follow_up_falls_back_to_the_question_bank(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_malformed()

    result = advance_session(database, chat_model_from_settings(get_settings()), step)

    assert result.source is QuestionSource.BANK
    assert result.llm_fallback is True
    assert len(fake_openai_chat.requests) == 1


def test_a_refused_follow_up_falls_back_to_the_question_bank(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_refusal()

    result = advance_session(database, chat_model_from_settings(get_settings()), step)

    assert result.source is QuestionSource.BANK
    assert result.llm_fallback is True


def test_a_vendor_error_falls_back_to_the_question_bank(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_error(400)

    result = advance_session(database, chat_model_from_settings(get_settings()), step)

    assert result.source is QuestionSource.BANK


def test_a_follow_up_repeating_an_asked_question_falls_back(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_with(
        FOLLOW_UP.model_copy(update={"question_text": PROCESS_VS_THREAD})
    )

    result = advance_session(database, chat_model_from_settings(get_settings()), step)

    session = sessions.get_session(conn, step.session_id)
    assert result.source is QuestionSource.BANK
    assert (
        session is not None and session.current_question_id == result.next_question_id
    )


# -- scoring ---------------------------------------------------------------------


def test_a_valid_grading_is_stored_under_the_models_name(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_with(SCORE)

    result = load_handler_module("feedback").lambda_handler(
        step.model_dump(mode="json"), FakeLambdaContext()
    )

    score = scores.get_response_score(conn, step.response_id)
    assert result["scoring_model"] == DEFAULT_MODEL
    assert score is not None
    assert (score.scoring_model, score.overall_score) == (DEFAULT_MODEL, 0.76)
    assert score.feedback_text == SCORE.feedback_text


def test_the_grading_request_carries_the_answer_and_the_ideal_answer(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_with(SCORE)

    score_response(database, chat_model_from_settings(get_settings()), step)

    prompt = "\n".join(fake_openai_chat.prompts())
    assert f"Answer: {STRONG_ANSWER}" in prompt
    assert "Ideal answer: A process is an independent program" in prompt
    assert fake_openai_chat.requests[0]["response_format"]["json_schema"]["name"] == (
        "ScoreDraft"
    )


def test_a_malformed_grading_falls_back_to_the_custom_scorer(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_malformed('{"content_score": "high"}')

    result = score_response(database, chat_model_from_settings(get_settings()), step)

    assert result.scoring_model == "custom"
    assert result.llm_fallback is True


def test_a_refused_grading_falls_back_to_the_custom_scorer(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_refusal()

    result = score_response(database, chat_model_from_settings(get_settings()), step)

    score = scores.get_response_score(conn, step.response_id)
    assert result.scoring_model == "custom"
    assert score is not None and score.scoring_model == "custom"


def test_a_grading_out_of_bounds_falls_back_to_the_custom_scorer(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_with(SCORE.model_copy(update={"overall_score": 7.5}))

    result = score_response(database, chat_model_from_settings(get_settings()), step)

    assert result.scoring_model == "custom"


def test_a_response_scored_before_is_not_sent_to_the_model_again(
    conn: Connection,
    database: Database,
    question_bank: int,
    fake_openai_chat: FakeOpenAIChat,
) -> None:
    step = recorded_answer(conn, database)
    fake_openai_chat.reply_with(SCORE)
    chat_model = chat_model_from_settings(get_settings())
    score_response(database, chat_model, step)

    again = score_response(database, chat_model, step)

    assert again.is_new is False
    assert len(fake_openai_chat.requests) == 1
