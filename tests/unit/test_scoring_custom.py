"""The built-in `custom` scorer: deterministic, bounded, and it ranks answers right.

The fixture answers (tests/fixtures/answers.json) answer questions of the bank,
each with a strong and a weak text. Both are timed at the same comfortable pace,
so what separates them is what they say and how much of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from talentsync.interview import scoring
from talentsync.interview.scoring import AnswerToScore, score_answer
from talentsync.models import Question, Segment
from talentsync.question_bank import read_question_bank

ANSWERS_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "answers.json"
FIXTURE_ANSWERS: list[dict[str, Any]] = json.loads(ANSWERS_PATH.read_text())["answers"]
BANK = {question.question_text: question for question in read_question_bank()}
WORDS_PER_SECOND = 2.3


def answer_to(
    question: Question,
    text: str,
    confidence: float = 0.9,
    words_per_second: float | None = WORDS_PER_SECOND,
) -> AnswerToScore:
    words = len(text.split())
    segments = (
        [Segment(start=0.0, end=words / words_per_second, text=text, confidence=0.9)]
        if words_per_second
        else []
    )
    return AnswerToScore(
        question_text=question.question_text,
        category=question.category.value,
        keywords=question.keywords or [],
        ideal_answer_summary=question.ideal_answer_summary,
        estimated_time=question.estimated_time,
        answer_text=text,
        transcription_confidence=confidence,
        segments=segments,
    )


def fixture_pair(slug: str) -> tuple[AnswerToScore, AnswerToScore]:
    entry = next(answer for answer in FIXTURE_ANSWERS if answer["slug"] == slug)
    question = BANK[entry["question_text"]]
    return answer_to(question, entry["strong_answer"]), answer_to(
        question, entry["weak_answer"]
    )


SLUGS = [answer["slug"] for answer in FIXTURE_ANSWERS]
PROCESS_VS_THREAD = BANK["What is the difference between a process and a thread?"]


def test_the_fixtures_cover_several_questions_of_the_bank() -> None:
    assert len(SLUGS) >= 5
    assert all(answer["question_text"] in BANK for answer in FIXTURE_ANSWERS)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_strong_answer_outscores_a_weak_one_on_content(slug: str) -> None:
    strong, weak = fixture_pair(slug)

    assert score_answer(strong).content_score > score_answer(weak).content_score


@pytest.mark.parametrize("slug", SLUGS)
def test_a_strong_answer_outscores_a_weak_one_on_completeness(slug: str) -> None:
    strong, weak = fixture_pair(slug)

    assert (
        score_answer(strong).completeness_score > score_answer(weak).completeness_score
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_a_strong_answer_outscores_a_weak_one_overall(slug: str) -> None:
    strong, weak = fixture_pair(slug)

    assert score_answer(strong).overall_score > score_answer(weak).overall_score


@pytest.mark.parametrize("slug", SLUGS)
def test_the_same_answer_always_gets_the_same_score_card(slug: str) -> None:
    strong, _ = fixture_pair(slug)

    assert score_answer(strong) == score_answer(strong.model_copy(deep=True))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_score_is_a_float_between_0_and_1(slug: str) -> None:
    for answer in fixture_pair(slug):
        card = score_answer(answer)
        values = [
            card.content_score,
            card.clarity_score,
            card.completeness_score,
            card.overall_score,
        ]
        assert all(isinstance(value, float) and 0.0 <= value <= 1.0 for value in values)


def test_the_scoring_model_is_named_custom() -> None:
    strong, _ = fixture_pair("se_process_vs_thread")

    assert score_answer(strong).scoring_model == "custom"


def test_overall_is_the_documented_weighting_of_the_three_dimensions() -> None:
    strong, _ = fixture_pair("ds_overfitting")
    card = score_answer(strong)

    expected = (
        0.5 * card.content_score
        + 0.2 * card.clarity_score
        + 0.3 * card.completeness_score
    )
    assert card.overall_score == pytest.approx(expected, abs=0.002)


def test_the_weights_of_each_dimension_add_up_to_one() -> None:
    for weights in (
        scoring.CONTENT_WEIGHTS,
        scoring.CLARITY_WEIGHTS,
        scoring.COMPLETENESS_WEIGHTS,
        scoring.OVERALL_WEIGHTS,
    ):
        assert sum(weights.values()) == pytest.approx(1.0)


def test_filler_words_lower_clarity() -> None:
    clean = "A process has its own memory while threads share the memory of a process."
    filled = (
        "Um, a process, like, has its own memory while, you know, threads um share it."
    )

    clean_card = score_answer(answer_to(PROCESS_VS_THREAD, clean))
    filled_card = score_answer(answer_to(PROCESS_VS_THREAD, filled))

    assert filled_card.clarity_score < clean_card.clarity_score


def test_low_transcription_confidence_lowers_clarity() -> None:
    text = "A process has its own memory while threads share the memory of a process."

    sure = score_answer(answer_to(PROCESS_VS_THREAD, text, confidence=0.95))
    unsure = score_answer(answer_to(PROCESS_VS_THREAD, text, confidence=0.4))

    assert unsure.clarity_score < sure.clarity_score


def test_a_rushed_pace_lowers_clarity() -> None:
    text = "A process has its own memory while threads share the memory of a process."

    steady = score_answer(answer_to(PROCESS_VS_THREAD, text, words_per_second=2.3))
    rushed = score_answer(answer_to(PROCESS_VS_THREAD, text, words_per_second=4.5))

    assert rushed.clarity_score < steady.clarity_score


def test_an_answer_without_timings_is_scored_on_confidence_and_fillers() -> None:
    text = "A process has its own memory while threads share the memory of a process."

    card = score_answer(answer_to(PROCESS_VS_THREAD, text, words_per_second=None))

    assert 0.0 < card.clarity_score <= 1.0
    assert "words a minute" not in card.feedback_text


def test_a_longer_answer_covering_more_is_more_complete() -> None:
    short = "Threads share memory."
    longer = (
        "A process is an independent program with its own isolated memory space."
        " Threads run inside a process and share its memory, so they are cheaper"
        " to create and to context switch."
    )

    short_card = score_answer(answer_to(PROCESS_VS_THREAD, short))
    longer_card = score_answer(answer_to(PROCESS_VS_THREAD, longer))

    assert longer_card.completeness_score > short_card.completeness_score


def test_a_rambling_answer_loses_some_completeness_but_not_half() -> None:
    assert scoring.length_score(word_count=700, estimated_seconds=75) < 1.0
    assert scoring.length_score(word_count=5000, estimated_seconds=75) == 0.5


def test_feedback_names_the_keywords_covered_and_missed() -> None:
    text = "A process has its own memory, and threads share it."

    feedback = score_answer(answer_to(PROCESS_VS_THREAD, text)).feedback_text

    assert "Covered: process, thread, memory, shared." in feedback
    assert "Missed: context switch, isolation, concurrency, locks." in feedback


def test_feedback_quotes_a_point_of_the_model_answer_that_was_missed() -> None:
    _, weak = fixture_pair("devops_friday_failed_deployment")

    feedback = score_answer(weak).feedback_text

    assert 'Not yet covered: "First stabilize production' in feedback


def test_a_question_without_keywords_or_summary_is_scored_against_its_text() -> None:
    bare = PROCESS_VS_THREAD.model_copy(
        update={"keywords": [], "ideal_answer_summary": None}
    )
    on_topic = answer_to(
        bare, "The difference between a process and a thread is memory."
    )
    off_topic = answer_to(bare, "I enjoy hiking on weekends with my family.")

    assert score_answer(on_topic).content_score > score_answer(off_topic).content_score
