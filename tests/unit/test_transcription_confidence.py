"""How vendor replies become transcripts: confidence, segments and words."""

from __future__ import annotations

import math

import pytest

from talentsync.errors import ProviderError
from talentsync.models import Segment, Word
from talentsync.transcription.assemblyai_provider import (
    AssemblyTranscript,
    AssemblyWord,
    segments_from_words,
    transcript_from_assemblyai,
)
from talentsync.transcription.openai_provider import (
    VerboseSegment,
    VerboseTranscript,
    VerboseWord,
    segment_confidence,
    transcript_from_verbose,
)
from talentsync.transcription.provider import duration_weighted_confidence


def verbose(
    segments: list[tuple[float, float, float]],
    words: list[tuple[str, float]] | None = None,
) -> VerboseTranscript:
    words = [("one", 0.1)] if words is None else words
    return VerboseTranscript(
        text="one two",
        duration=segments[-1][1],
        segments=[
            VerboseSegment(start=start, end=end, text=f" part {n}", avg_logprob=lp)
            for n, (start, end, lp) in enumerate(segments)
        ],
        words=[
            VerboseWord(start=start, end=start + 0.1, word=f" {text}")
            for text, start in words
        ],
    )


def test_segment_confidence_is_exp_of_the_average_log_probability() -> None:
    assert segment_confidence(-0.5) == pytest.approx(math.exp(-0.5))


def test_segment_confidence_is_clamped_to_one() -> None:
    assert segment_confidence(0.3) == 1.0


def test_transcript_confidence_weights_segments_by_duration() -> None:
    reply = verbose([(0.0, 1.0, math.log(0.9)), (1.0, 4.0, math.log(0.5))])

    confidence = transcript_from_verbose(reply).confidence

    assert confidence == pytest.approx((0.9 * 1 + 0.5 * 3) / 4)


def test_zero_length_segments_fall_back_to_the_plain_mean() -> None:
    segments = [
        Segment(start=1.0, end=1.0, text="a", confidence=0.2),
        Segment(start=1.0, end=1.0, text="b", confidence=0.6),
    ]

    assert duration_weighted_confidence(segments) == pytest.approx(0.4)


def test_no_segments_have_no_confidence() -> None:
    assert duration_weighted_confidence([]) == 0.0


def test_openai_words_take_their_segment_confidence() -> None:
    reply = verbose([(0.0, 1.0, math.log(0.9)), (1.0, 4.0, math.log(0.5))])

    [word] = transcript_from_verbose(reply).words

    assert (word.text, word.confidence) == ("one", pytest.approx(0.9))


def test_each_openai_word_takes_the_segment_it_starts_in() -> None:
    segments = [(0.0, 1.0, math.log(0.9)), (1.0, 2.0, math.log(0.6))]
    segments.append((2.5, 4.0, math.log(0.3)))
    words = [("a", 0.0), ("b", 0.99), ("c", 1.0), ("d", 2.2), ("e", 3.9), ("f", 4.5)]

    result = transcript_from_verbose(verbose(segments, words))

    # d starts in the pause after the second segment, f after the last one.
    confidences = [word.confidence for word in result.words]
    assert confidences == pytest.approx([0.9, 0.9, 0.6, 0.6, 0.3, 0.3])


def test_openai_segments_keep_their_timings_and_trimmed_text() -> None:
    reply = verbose([(0.0, 1.5, -0.1)])

    [segment] = transcript_from_verbose(reply).segments

    assert (segment.start, segment.end, segment.text) == (0.0, 1.5, "part 0")


def test_openai_reply_without_speech_is_a_permanent_provider_failure() -> None:
    reply = VerboseTranscript(text="  ", segments=[])

    with pytest.raises(ProviderError) as raised:
        transcript_from_verbose(reply)

    assert raised.value.transient is False
    assert "empty transcript" in raised.value.reason


def word(text: str, start: float, end: float, confidence: float = 0.9) -> Word:
    return Word(text=text, start=start, end=end, confidence=confidence)


def test_assemblyai_segments_close_at_a_sentence_end() -> None:
    words = [word("Yes.", 0.0, 0.3), word("Then", 0.4, 0.6), word("no.", 0.7, 0.9)]

    segments = segments_from_words(words)

    assert [s.text for s in segments] == ["Yes.", "Then no."]
    assert (segments[1].start, segments[1].end) == (0.4, 0.9)


def test_assemblyai_segments_close_before_a_long_pause() -> None:
    words = [word("well", 0.0, 0.3), word("maybe", 2.0, 2.4)]

    assert [s.text for s in segments_from_words(words)] == ["well", "maybe"]


def test_assemblyai_segment_confidence_is_the_mean_of_its_words() -> None:
    words = [word("a", 0.0, 0.1, 0.6), word("b.", 0.2, 0.3, 1.0)]

    [segment] = segments_from_words(words)

    assert segment.confidence == pytest.approx(0.8)


def test_assemblyai_word_times_turn_from_milliseconds_into_seconds() -> None:
    reply = AssemblyTranscript(
        status="completed",
        text="Hello.",
        confidence=0.9,
        words=[AssemblyWord(text="Hello.", start=1200, end=1650, confidence=0.95)],
    )

    [only] = transcript_from_assemblyai(reply).words

    assert (only.start, only.end) == (1.2, 1.65)


def test_assemblyai_text_without_words_is_one_segment() -> None:
    reply = AssemblyTranscript(
        status="completed", text="Hello there.", confidence=0.8, audio_duration=3
    )

    [segment] = transcript_from_assemblyai(reply).segments

    assert (segment.start, segment.end, segment.text) == (0.0, 3.0, "Hello there.")


def test_assemblyai_reply_without_text_is_a_permanent_provider_failure() -> None:
    with pytest.raises(ProviderError, match="empty transcript"):
        transcript_from_assemblyai(AssemblyTranscript(status="completed", text=""))
