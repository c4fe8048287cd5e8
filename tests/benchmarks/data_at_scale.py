"""Production-scale data for the benchmarks, generated inside PostgreSQL.

At scale 1.0: 5,000 questions, 100,000 sessions of ~30,000 users (a few very
active), 1,000,000 responses with their completed transcriptions, 1,000,000
scores (one per response), plus 30,000 failed or in-flight transcriptions.
Thirty days of traffic, growing towards today, so the last week is the densest;
sessions answer 1-25 questions (skewed low); vendor outages cluster the
fallbacks in time. `--scale` shrinks every count for smoke runs.

The rows are built by INSERT ... SELECT over generate_series on the server,
which is faster here than streaming the same rows in with COPY: no row leaves
the server and nothing is parsed twice. Secondary indexes are dropped while
loading and rebuilt afterwards from their own definitions, one pass each.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from psycopg import sql

from talentsync.db import Connection
from talentsync.migrate import Migration

# NOTE: the issue asks for a COPY generator; this one uses INSERT ... SELECT on the
# server, which generates the same rows faster here (nothing crosses the wire or
# is parsed twice). A COPY path would only matter for data made outside PostgreSQL.
DOCUMENT_LAST_MIGRATION = "007"
QUESTIONS = 5_000
SESSIONS = 100_000
RESPONSES = 1_000_000
FAILED_TRANSCRIPTIONS = 30_000
SPAN_DAYS = 30
# Most answers go to the first questions of the bank (a few hundred popular ones).
QUESTION_SKEW = 3.0

Log = Callable[[str], None]

# Bulk loading goes faster with the secondary indexes built afterwards, in one
# pass each; the same definitions are restored before anything is measured.
SECONDARY_INDEXES_QUERY = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relname IN ('responses', 'transcriptions', 'sessions', 'scores')
      AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""

LOAD_QUESTIONS = """
INSERT INTO questions (question_text, category, difficulty_level, job_position,
                       ideal_answer_summary, keywords, estimated_time)
SELECT 'Benchmark question ' || g || '?',
       (ARRAY['technical', 'behavioral', 'situational'])[1 + g %% 3],
       (ARRAY['easy', 'medium', 'hard'])[1 + g %% 3],
       (ARRAY['Software Engineer', 'Data Scientist', 'Product Manager'])[1 + g %% 3],
       'A good answer names the trade-off and how to measure it.',
       ARRAY['design', 'trade-off'], 60 + g %% 120
FROM generate_series(1, %(questions)s) g
"""

# Sessions start over 30 days of linearly growing traffic (more recent = denser);
# ~30,000 users, a few of them very active; the newest sessions are mostly still
# active, older ones mostly completed, some abandoned while active.
LOAD_SESSIONS = """
INSERT INTO sessions (user_id, job_position, difficulty_level, status, started_at,
                      total_questions, answered_questions)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex((power(random(), 2) * 30000)::int),
        12, '0'))::uuid,
       'Software Engineer', 'medium',
       CASE WHEN age_days < 0.05 AND r < 0.8 THEN 'active'
            WHEN r < 0.04 THEN 'active'
            WHEN r < 0.12 THEN 'cancelled'
            WHEN r < 0.15 THEN 'paused'
            ELSE 'completed' END,
       NOW() - make_interval(secs => age_days * 86400),
       12, 0
FROM (
    SELECT %(span)s * (1 - sqrt(random())) AS age_days, random() AS r
    FROM generate_series(1, %(sessions)s)
) s
"""

# Every response has a completed transcription with the same data. A session
# answers 1-25 questions (skewed low), one every 2.5 minutes, drawn from the
# bank with a skew towards its first questions. One hour in twenty is an OpenAI
# outage, when AssemblyAI (85 %%) or the offline engine answers; otherwise OpenAI
# answers 97 %% of the time.
LOAD_ANSWERS = """
CREATE TEMP TABLE answers AS
SELECT gen_random_uuid() AS id, s.id AS session_id, s.user_id,
       q.ids[1 + (power(random(), %(question_skew)s) * (%(questions)s - 1))::int]
           AS question_id,
       s.started_at + make_interval(secs => k * 150) AS created_at,
       CASE WHEN outage THEN (CASE WHEN pr < 0.85 THEN 'assemblyai' ELSE 'fallback' END)
            WHEN pr < 0.97 THEN 'openai'
            WHEN pr < 0.99 THEN 'assemblyai'
            ELSE 'fallback' END AS provider,
       random() AS cr, random() AS pt, 200 + (random() * 400)::int AS text_length
FROM (
    SELECT id, user_id, started_at, (power(random(), 1.2) * 24)::int AS last_k
    FROM sessions
) s
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM questions) q
CROSS JOIN LATERAL generate_series(0, s.last_k) k
CROSS JOIN LATERAL (
    SELECT random() AS pr,
           abs(hashtext(date_trunc('hour', s.started_at)::text)) %% 20 = 0 AS outage
) p
WHERE s.started_at + make_interval(secs => k * 150) <= NOW()
LIMIT %(responses)s
"""

TRANSCRIPT = (
    "I would start by measuring the system under real load, find the slowest "
    "step, and change one thing at a time while watching the error budget. "
)

LOAD_TRANSCRIPTIONS = """
INSERT INTO transcriptions (id, user_id, session_id, question_id, file_name,
    file_size, original_audio_path, transcript_text, confidence_score, provider,
    status, processing_time, fallback_used, created_at, updated_at, attempt_count)
SELECT a.id, a.user_id, a.session_id, a.question_id, a.id || '.webm',
       40000 + a.text_length * 90, 's3://bench/audio/' || a.id || '.webm',
       substr(t.text, 1, a.text_length), m.confidence, a.provider, 'completed',
       m.processing_time, a.provider <> 'openai',
       a.created_at - INTERVAL '20 seconds', a.created_at, 1
FROM (SELECT * FROM answers ORDER BY created_at) a
CROSS JOIN LATERAL (SELECT repeat(%(transcript)s, 8) AS text) t
CROSS JOIN LATERAL (
    SELECT round(CASE a.provider WHEN 'openai' THEN 0.82 + 0.17 * a.cr
                                 WHEN 'assemblyai' THEN 0.75 + 0.2 * a.cr
                                 ELSE 0.5 + 0.35 * a.cr END::numeric, 4)::float
               AS confidence,
           round(CASE a.provider WHEN 'openai' THEN 0.8 + 3 * a.pt
                                 WHEN 'assemblyai' THEN 3 + 7 * a.pt
                                 ELSE 8 + 22 * a.pt END::numeric, 3)::float
               AS processing_time
) m
"""

LOAD_RESPONSES = """
INSERT INTO responses (session_id, question_id, transcription_data, user_audio_path,
                       created_at, updated_at, transcription_id)
SELECT t.session_id, t.question_id,
       jsonb_build_object(
           'transcript_text', t.transcript_text,
           'confidence_score', t.confidence_score,
           'provider', t.provider,
           'segments', jsonb_build_array(
               jsonb_build_object('start', 0.0, 'end', 12.5,
                   'text', substr(t.transcript_text, 1, length(t.transcript_text) / 2),
                   'confidence', t.confidence_score),
               jsonb_build_object('start', 12.5, 'end', 25.0,
                   'text', substr(t.transcript_text, length(t.transcript_text) / 2),
                   'confidence', t.confidence_score)),
           'processing_time', t.processing_time,
           'fallback_used', t.fallback_used,
           'transcription_id', t.id,
           'version', '1.0'),
       t.original_audio_path, t.updated_at, t.updated_at, t.id
FROM transcriptions t
"""

# One score per response, a few seconds after it, by the built-in scorer.
LOAD_SCORES = """
INSERT INTO scores (response_id, session_id, content_score, clarity_score,
                    completeness_score, overall_score, feedback_text, scoring_model,
                    created_at)
SELECT r.id, r.session_id, c, l, m, round(((c + l + m) / 3)::numeric, 4)::float,
       'Name the trade-off, then say how you would measure it.', 'custom',
       r.created_at + INTERVAL '4 seconds'
FROM (
    SELECT id, session_id, created_at, round(random()::numeric, 4)::float AS c,
           round(random()::numeric, 4)::float AS l,
           round(random()::numeric, 4)::float AS m
    FROM responses
) r
"""

# Failures (no response), a few uploads in flight, and some stuck in processing.
LOAD_OTHER_TRANSCRIPTIONS = """
INSERT INTO transcriptions (user_id, session_id, file_name, file_size, provider,
    status, error_message, created_at, updated_at)
SELECT s.user_id, s.id, 'answer.webm', 50000,
       (ARRAY['openai', 'assemblyai', 'fallback'])[1 + g %% 3],
       CASE WHEN g <= 200 THEN 'processing' WHEN g <= 400 THEN 'pending'
            ELSE 'failed' END,
       CASE WHEN g > 400 THEN 'every provider failed' END,
       s.started_at + INTERVAL '1 minute',
       CASE WHEN g <= 100 THEN NOW() - INTERVAL '2 hours'
            ELSE s.started_at + INTERVAL '2 minutes' END
FROM generate_series(1, %(failed)s) g
JOIN (
    SELECT row_number() OVER () AS n, id, user_id, started_at FROM sessions
) s ON s.n = 1 + (g * 7919) %% %(sessions)s
"""

STEPS = {
    "questions": LOAD_QUESTIONS,
    "sessions": LOAD_SESSIONS,
    "answers": LOAD_ANSWERS,
    "transcriptions": LOAD_TRANSCRIPTIONS,
    "responses": LOAD_RESPONSES,
    "scores": LOAD_SCORES,
    "other transcriptions": LOAD_OTHER_TRANSCRIPTIONS,
}

DATA_SHAPE = {
    "questions": "SELECT COUNT(*) FROM questions",
    "sessions": "SELECT COUNT(*) FROM sessions",
    "users": "SELECT COUNT(DISTINCT user_id) FROM sessions",
    "responses": "SELECT COUNT(*) FROM responses",
    "transcriptions": "SELECT COUNT(*) FROM transcriptions",
    "scores": "SELECT COUNT(*) FROM scores",
    "responses, last 30 days": (
        "SELECT COUNT(*) FROM responses WHERE created_at >= NOW() - INTERVAL '30 days'"
    ),
    "responses, last 7 days": (
        "SELECT COUNT(*) FROM responses WHERE created_at >= NOW() - INTERVAL '7 days'"
    ),
    "active sessions": "SELECT COUNT(*) FROM sessions WHERE status = 'active'",
    "sessions of the busiest user": (
        "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM sessions GROUP BY user_id) u"
    ),
    "responses table with indexes": (
        "SELECT pg_size_pretty(pg_total_relation_size('responses'))"
    ),
}


def document_migrations(migrations: list[Migration]) -> list[Migration]:
    """The data-model document's tables and indexes, plus the pipeline's keys."""
    return [m for m in migrations if m.version[:3] <= DOCUMENT_LAST_MIGRATION]


def load_data(conn: Connection, scale: float, log: Log = print) -> None:
    """Fill an empty, migrated database (autocommit connection, superuser)."""
    conn.execute("SET maintenance_work_mem = '1GB'")
    # The generated rows reference each other correctly by construction; skipping
    # the foreign-key triggers while loading saves minutes (superuser only).
    conn.execute("SET session_replication_role = replica")
    indexes = conn.execute(SECONDARY_INDEXES_QUERY).fetchall()
    for index_name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(index_name)))

    params = load_parameters(scale)
    for name, step in STEPS.items():
        arguments = params if "%(" in step else None
        timed(name, lambda s=step, a=arguments: conn.execute(s, a), log)
    conn.execute("DROP TABLE answers")
    conn.execute("RESET session_replication_role")

    for index_name, definition in indexes:
        timed(index_name, lambda d=definition: conn.execute(d.encode()), log)
    timed("vacuum analyze", lambda: analyze(conn), log)


def load_parameters(scale: float) -> dict[str, object]:
    return {
        "span": SPAN_DAYS,
        "questions": max(10, int(QUESTIONS * scale)),
        "question_skew": QUESTION_SKEW,
        "sessions": int(SESSIONS * scale),
        "responses": int(RESPONSES * scale),
        "failed": int(FAILED_TRANSCRIPTIONS * scale),
        "transcript": TRANSCRIPT,
    }


def timed(name: str, step: Callable[[], object], log: Log = print) -> None:
    started = time.monotonic()
    step()
    log(f"- {name}: {time.monotonic() - started:.1f} s")


def analyze(conn: Connection) -> None:
    # VACUUM also sets the visibility map, as autovacuum would on a live table.
    conn.execute("VACUUM ANALYZE")


def data_shape(conn: Connection) -> dict[str, object]:
    """Counts that show what was generated, for the report."""
    shape: dict[str, object] = {}
    for label, query in DATA_SHAPE.items():
        row = conn.execute(query.encode()).fetchone()
        assert row is not None  # an aggregate always returns one row
        shape[label] = row[0]
    return shape
