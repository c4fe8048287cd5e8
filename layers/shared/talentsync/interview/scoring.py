"""The built-in `custom` scorer: deterministic, offline, explainable.

Every score is a float in [0, 1], rounded to three decimals.

content       = 0.6 x keyword coverage + 0.4 x summary-point overlap
                keyword coverage: share of the question's keywords said (a
                multi-word keyword counts when its words come side by side);
                summary-point overlap: for each sentence of the ideal answer
                summary, the share of its content words said (full credit from
                POINT_COVERED_AT on), averaged over the sentences.
clarity       = 0.40 x transcription confidence
              + 0.35 x filler score (1 at no filler words, 0 at FILLER_RATE_AT_ZERO)
              + 0.25 x pace score (1 between 110 and 170 words a minute, falling
                to 0 at 50 and 230; measured from the segment timings, and left
                out, with the other two weights scaled up, when there are none)
completeness  = 0.5 x length score + 0.5 x share of summary points covered
                length score: words said against the words that fill half of
                `estimated_time` at 130 words a minute (full credit from there
                to 1.5x the full time, then a gentle penalty down to 0.5)
overall       = 0.5 x content + 0.2 x clarity + 0.3 x completeness
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from talentsync.interview import text
from talentsync.models import Segment

SCORING_MODEL = "custom"

CONTENT_WEIGHTS = {"keywords": 0.6, "points": 0.4}
CLARITY_WEIGHTS = {"confidence": 0.40, "fillers": 0.35, "pace": 0.25}
COMPLETENESS_WEIGHTS = {"length": 0.5, "points": 0.5}
OVERALL_WEIGHTS = {"content": 0.5, "clarity": 0.2, "completeness": 0.3}

POINT_COVERED_AT = 0.4
FILLER_RATE_AT_ZERO = 0.08
SPEAKING_WORDS_PER_MINUTE = 130
DEFAULT_ESTIMATED_SECONDS = 90
FULL_LENGTH_SHARE = 0.5
LONG_ANSWER_SHARE = 1.5
PACE_BAND_WPM = (110.0, 170.0)
PACE_LIMITS_WPM = (50.0, 230.0)
MIN_TIMED_SECONDS = 1.0


class AnswerToScore(BaseModel):
    """One answer with what the scorer needs to know about its question."""

    question_text: str
    category: str
    keywords: list[str]
    ideal_answer_summary: str | None
    estimated_time: int | None
    answer_text: str
    transcription_confidence: float
    segments: list[Segment]


class ScoreCard(BaseModel):
    content_score: float
    clarity_score: float
    completeness_score: float
    overall_score: float
    feedback_text: str
    scoring_model: str


@dataclass(frozen=True)
class Coverage:
    """What of the model answer the candidate said."""

    keywords_said: list[str]
    keywords_missed: list[str]
    point_overlaps: list[float]
    points_missed: list[str]

    @property
    def keyword_share(self) -> float | None:
        total = len(self.keywords_said) + len(self.keywords_missed)
        return len(self.keywords_said) / total if total else None

    @property
    def point_overlap(self) -> float | None:
        if not self.point_overlaps:
            return None
        credit = [min(1.0, share / POINT_COVERED_AT) for share in self.point_overlaps]
        return sum(credit) / len(credit)

    @property
    def points_covered_share(self) -> float | None:
        if not self.point_overlaps:
            return None
        covered = [share >= POINT_COVERED_AT for share in self.point_overlaps]
        return sum(covered) / len(covered)


@dataclass(frozen=True)
class Delivery:
    """How the answer was spoken."""

    word_count: int
    filler_count: int
    words_per_minute: float | None
    confidence: float

    @property
    def filler_score(self) -> float:
        rate = self.filler_count / max(self.word_count, 1)
        return clamp(1.0 - rate / FILLER_RATE_AT_ZERO)

    @property
    def pace_score(self) -> float | None:
        if self.words_per_minute is None:
            return None
        return band_score(self.words_per_minute, PACE_BAND_WPM, PACE_LIMITS_WPM)


def score_answer(answer: AnswerToScore) -> ScoreCard:
    """Score one answer with the built-in rules (see the module's weighting)."""
    coverage = measure_coverage(answer)
    delivery = measure_delivery(answer)
    length = length_score(delivery.word_count, answer.estimated_time)

    content = content_score(coverage)
    clarity = clarity_score(delivery)
    completeness = completeness_score(length, coverage)
    overall = weighted(
        {"content": content, "clarity": clarity, "completeness": completeness},
        OVERALL_WEIGHTS,
    )
    return ScoreCard(
        content_score=rounded(content),
        clarity_score=rounded(clarity),
        completeness_score=rounded(completeness),
        overall_score=rounded(overall),
        feedback_text=feedback_text(answer, coverage, delivery),
        scoring_model=SCORING_MODEL,
    )


def measure_coverage(answer: AnswerToScore) -> Coverage:
    answer_stems = text.stems(answer.answer_text)
    said = set(answer_stems)
    keywords_said: list[str] = []
    keywords_missed: list[str] = []
    for keyword in answer.keywords:
        found = text.contains_phrase(answer_stems, text.stems(keyword))
        (keywords_said if found else keywords_missed).append(keyword)

    overlaps: list[float] = []
    missed: list[str] = []
    for point in summary_points(answer):
        point_stems = text.content_stems(point)
        if not point_stems:
            continue
        overlaps.append(len(point_stems & said) / len(point_stems))
        if overlaps[-1] < POINT_COVERED_AT:
            missed.append(point)
    return Coverage(keywords_said, keywords_missed, overlaps, missed)


def summary_points(answer: AnswerToScore) -> list[str]:
    """The ideal answer's sentences; the question itself when there is no summary."""
    return text.sentences(answer.ideal_answer_summary or answer.question_text)


def measure_delivery(answer: AnswerToScore) -> Delivery:
    word_count = len(text.words(answer.answer_text))
    return Delivery(
        word_count=word_count,
        filler_count=text.count_fillers(answer.answer_text),
        words_per_minute=words_per_minute(word_count, answer.segments),
        confidence=clamp(answer.transcription_confidence),
    )


def words_per_minute(word_count: int, segments: list[Segment]) -> float | None:
    """Pace over the spoken span of the segments; None without usable timings."""
    if not segments:
        return None
    spoken_seconds = max(s.end for s in segments) - min(s.start for s in segments)
    if spoken_seconds < MIN_TIMED_SECONDS:
        return None
    return word_count * 60.0 / spoken_seconds


def length_score(word_count: int, estimated_seconds: int | None) -> float:
    seconds = estimated_seconds or DEFAULT_ESTIMATED_SECONDS
    share = word_count / (seconds * SPEAKING_WORDS_PER_MINUTE / 60.0)
    if share <= LONG_ANSWER_SHARE:
        return clamp(share / FULL_LENGTH_SHARE)
    # A rambling answer loses a little, never more than half.
    return max(0.5, 1.0 - (share - LONG_ANSWER_SHARE) * 0.5)


def content_score(coverage: Coverage) -> float:
    parts = {"keywords": coverage.keyword_share, "points": coverage.point_overlap}
    return weighted(parts, CONTENT_WEIGHTS)


def clarity_score(delivery: Delivery) -> float:
    parts = {
        "confidence": delivery.confidence,
        "fillers": delivery.filler_score,
        "pace": delivery.pace_score,
    }
    return weighted(parts, CLARITY_WEIGHTS)


def completeness_score(length: float, coverage: Coverage) -> float:
    parts = {"length": length, "points": coverage.points_covered_share}
    return weighted(parts, COMPLETENESS_WEIGHTS)


def weighted(parts: dict[str, float | None], weights: dict[str, float]) -> float:
    """Weighted mean of the parts that are known; the missing ones' weight is spread."""
    known = {name: value for name, value in parts.items() if value is not None}
    total_weight = sum(weights[name] for name in known)
    if total_weight == 0:
        return 0.0
    return clamp(
        sum(weights[name] * value for name, value in known.items()) / total_weight
    )


def band_score(
    value: float, band: tuple[float, float], limits: tuple[float, float]
) -> float:
    """1 inside the band, falling linearly to 0 at the limits."""
    low, high = band
    floor, ceiling = limits
    if value < low:
        return clamp((value - floor) / (low - floor))
    if value > high:
        return clamp((ceiling - value) / (ceiling - high))
    return 1.0


def feedback_text(answer: AnswerToScore, coverage: Coverage, delivery: Delivery) -> str:
    """What was covered and what was missed, then how it was said, in plain words."""
    lines = [keyword_feedback(coverage), point_feedback(coverage)]
    lines.append(delivery_feedback(delivery))
    lines.append(length_feedback(delivery.word_count, answer.estimated_time))
    return " ".join(line for line in lines if line)


def keyword_feedback(coverage: Coverage) -> str:
    said = ", ".join(coverage.keywords_said) or "none of the key terms"
    missed = ", ".join(coverage.keywords_missed)
    if not missed:
        return f"Covered: {said}."
    return f"Covered: {said}. Missed: {missed}."


def point_feedback(coverage: Coverage) -> str:
    total = len(coverage.point_overlaps)
    if total == 0:
        return ""
    covered = total - len(coverage.points_missed)
    line = f"The answer reaches {covered} of {total} points of a model answer."
    if coverage.points_missed:
        first_missed = coverage.points_missed[0].rstrip(".")
        line += f' Not yet covered: "{first_missed}".'
    return line


def delivery_feedback(delivery: Delivery) -> str:
    parts = [f"{delivery.filler_count} filler words in {delivery.word_count} words"]
    if delivery.words_per_minute is not None:
        parts.append(f"pace {delivery.words_per_minute:.0f} words a minute")
    parts.append(f"transcription confidence {delivery.confidence:.2f}")
    return "Delivery: " + "; ".join(parts) + "."


def length_feedback(word_count: int, estimated_seconds: int | None) -> str:
    seconds = estimated_seconds or DEFAULT_ESTIMATED_SECONDS
    expected = round(seconds * SPEAKING_WORDS_PER_MINUTE / 60.0)
    return (
        f"Length: {word_count} words, against about {expected} for the"
        f" {seconds} seconds this question expects."
    )


def clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def rounded(value: float) -> float:
    return round(clamp(value), 3)
