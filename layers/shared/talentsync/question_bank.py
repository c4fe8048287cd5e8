"""The built-in question bank: a data file loaded idempotently into `questions`.

Each question's id is derived from its text (UUID v5), so loading the bank twice,
or on two machines, gives the same rows; editing a question's other fields and
loading again updates it in place.

Run as `python -m talentsync.question_bank` to load it into DATABASE_URL.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from importlib import resources
from uuid import UUID, uuid5

from pydantic import BaseModel

from talentsync.db import Database
from talentsync.models import Difficulty, Question, QuestionCategory
from talentsync.repositories import questions
from talentsync.settings import get_settings

logger = logging.getLogger(__name__)

QUESTION_ID_NAMESPACE = UUID("6f1c7a52-3f0e-4d0b-9a55-2b7f2c1f9e11")


class BankEntry(BaseModel):
    question_text: str
    category: QuestionCategory
    difficulty_level: Difficulty
    job_position: str | None
    ideal_answer_summary: str
    keywords: list[str]
    estimated_time: int


class QuestionBank(BaseModel):
    version: int
    questions: list[BankEntry]


def question_id_for(question_text: str) -> UUID:
    return uuid5(QUESTION_ID_NAMESPACE, question_text)


def read_question_bank() -> list[Question]:
    """The bank's questions as rows, with their stable ids."""
    text = resources.files("talentsync.data").joinpath("question_bank.json").read_text()
    bank = QuestionBank.model_validate(json.loads(text))
    loaded_at = datetime.now(UTC)
    return [
        Question(
            id=question_id_for(entry.question_text),
            created_at=loaded_at,
            **entry.model_dump(),
        )
        for entry in bank.questions
    ]


def load_question_bank(database: Database) -> int:
    """Upsert every question of the bank; return how many there are."""
    bank = read_question_bank()
    with database.transaction() as conn:
        return questions.upsert_questions(conn, bank)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    database = Database(get_settings())
    count = load_question_bank(database)
    database.close()
    logger.info("question bank loaded: %d questions", count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
