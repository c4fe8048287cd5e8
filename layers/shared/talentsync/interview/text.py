"""Words, stems and filler words of spoken answers, for the built-in scorer.

Matching is deliberately simple and deterministic: lowercase words, a crude
suffix stripper that makes "locks" meet "lock" and "isolated" meet "isolation",
and a stopword list so that summary points are compared on their content words.

NOTE: English only, and no synonyms: an answer that says "mutex" where the
keyword is "lock", or "roll back" where it is "rollback", gets no credit for it.
The stemmer also joins a few unrelated words that share six letters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

WORD_PATTERN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
SENTENCE_END_PATTERN = re.compile(r"(?<=[.!?])\s+")

# Longest stem kept: long enough to tell words apart, short enough that
# "communicate" and "communication" share one.
STEM_LENGTH = 6
MIN_STEM_LENGTH = 3
SUFFIXES = ("ies", "ing", "ed", "es", "s", "e")

# A plain word list reads better than one quoted string per line.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down
    during each few first for from further had has have having he her here hers him
    his how i if in into is it its itself just me more most my no nor not now of off
    on once only or other our ours out over own same she should so some such than
    that the their theirs them then there these they this those through to too under
    until up usually very was we were what when where which while who whom why will
    with would you your yours use used using like get got one two way ways make
    makes made well really thing things
    """.split()  # noqa: SIM905
)

# Each pattern is one filler occurrence. "like", "kind of" and "you know" are
# fillers only in the positions where they carry no meaning.
FILLER_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        r"\b(?:um+|uh+|erm+|er|ah+|hmm+|mm+)\b",
        r"\b(?:basically|literally)\b",
        r"\blike\s*,",
        r"(?<!\bdo )(?<!\bdid )(?<!\bif )\byou know\b",
        r"(?<!\bwhat )(?<!\bthis )(?<!\bthat )(?<!\bthe )(?<!\ba )(?<!\bany )"
        r"(?<!\bsome )(?<!\bwhich )\b(?:kind|sort) of\b",
        r"\bi mean\s*,",
        r"\bi guess\b",
    )
)


def words(text: str) -> list[str]:
    """The lowercase words of the text, in order."""
    return WORD_PATTERN.findall(text.lower())


def stem(word: str) -> str:
    """A crude stem: one common suffix off, then cut to STEM_LENGTH letters."""
    bare = word.replace("'", "")
    for suffix in SUFFIXES:
        if bare.endswith(suffix) and len(bare) - len(suffix) >= MIN_STEM_LENGTH:
            bare = bare[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return bare[:STEM_LENGTH]


def stems(text: str) -> list[str]:
    return [stem(word) for word in words(text)]


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stopwords, no one-letter words)."""
    return {
        stem(word) for word in words(text) if word not in STOPWORDS and len(word) > 1
    }


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END_PATTERN.split(text) if part.strip()]


def count_fillers(text: str) -> int:
    lowered = text.lower()
    return sum(len(pattern.findall(lowered)) for pattern in FILLER_PATTERNS)


def contains_phrase(answer: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether the phrase's stems appear in the answer's stems, side by side."""
    if not phrase:
        return False
    width = len(phrase)
    return any(
        list(answer[start : start + width]) == list(phrase)
        for start in range(len(answer) - width + 1)
    )
