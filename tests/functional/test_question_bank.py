"""The built-in question bank loads completely and idempotently."""

from __future__ import annotations

from collections import Counter

from talentsync.db import Connection, Database
from talentsync.question_bank import load_question_bank, read_question_bank


def test_the_bank_covers_every_category_difficulty_and_position() -> None:
    bank = read_question_bank()
    combinations = Counter(
        (q.job_position, q.category.value, q.difficulty_level.value) for q in bank
    )

    assert len(bank) >= 60
    positions = {q.job_position for q in bank} - {None}
    assert len(positions) >= 4
    for position in positions:
        for category in ("technical", "behavioral", "situational"):
            for difficulty in ("easy", "medium", "hard"):
                assert combinations[(position, category, difficulty)] >= 1


def test_every_question_has_what_the_scorer_needs() -> None:
    for question in read_question_bank():
        assert question.keywords, question.question_text
        assert question.ideal_answer_summary, question.question_text
        assert question.estimated_time and question.estimated_time > 0


def test_loading_twice_leaves_one_row_per_question(
    database: Database, conn: Connection
) -> None:
    first = load_question_bank(database)
    second = load_question_bank(database)

    count = conn.execute("SELECT count(*) FROM questions").fetchone()
    assert first == second == len(read_question_bank())
    assert count == (first,)
