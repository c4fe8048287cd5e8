"""The word handling under the custom scorer: stems, phrases and filler words."""

from __future__ import annotations

import pytest

from talentsync.interview import text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("lock", "locks"),
        ("memory", "memories"),
        ("isolation", "isolated"),
        ("share", "shared"),
        ("communicate", "communication"),
        ("thread", "threads"),
    ],
)
def test_forms_of_one_word_share_a_stem(a: str, b: str) -> None:
    assert text.stem(a) == text.stem(b)


def test_different_words_keep_different_stems() -> None:
    assert text.stem("process") != text.stem("thread")


def test_a_phrase_matches_only_with_its_words_side_by_side() -> None:
    answer = text.stems("a context switch between threads")
    scattered = text.stems("the context of a network switch")

    assert text.contains_phrase(answer, text.stems("context switch"))
    assert not text.contains_phrase(scattered, text.stems("context switch"))


@pytest.mark.parametrize(
    ("sentence", "fillers"),
    [
        ("Um, I would, like, basically restart it, you know.", 4),
        ("I used frameworks like React and Django.", 0),
        ("What kind of database would you pick?", 0),
        ("It was kind of slow, uh, I guess.", 3),
        ("Do you know the answer?", 0),
    ],
)
def test_filler_words_are_counted_only_where_they_carry_no_meaning(
    sentence: str, fillers: int
) -> None:
    assert text.count_fillers(sentence) == fillers


def test_content_stems_leave_out_stopwords() -> None:
    assert text.content_stems("The process and the thread") == {"proces", "thread"}


def test_sentences_split_on_their_final_punctuation() -> None:
    assert text.sentences("First this. Then that! Why? ") == [
        "First this.",
        "Then that!",
        "Why?",
    ]
