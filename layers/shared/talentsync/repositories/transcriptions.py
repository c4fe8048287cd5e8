"""SQL over `transcriptions`: one row per uploaded object, moved through its states.

pending -> processing -> completed | failed. A `failed` row whose failure may pass
(every provider failed transiently) carries `retryable` (schema/009) and is taken
up again by a redelivery; a permanent failure and a completion are final. A row
left in `processing` by an invocation that died is taken up again once its lease
has run out.
"""

from __future__ import annotations

from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from talentsync.db import Connection
from talentsync.errors import NotFoundError
from talentsync.models import Provider, Segment, Transcription

COLUMNS = sql.SQL(
    "id, user_id, session_id, file_name, file_size, original_audio_path,"
    " transcript_text, confidence_score, provider, status, segments,"
    " processing_time, error_message, fallback_used, created_at, updated_at,"
    " question_id, s3_bucket, s3_key, s3_etag, attempt_count"
)


class UploadedObject(BaseModel):
    """The S3 object an answer arrived as, and who and what it belongs to."""

    bucket: str
    key: str
    etag: str
    size_bytes: int
    file_name: str
    user_id: UUID
    session_id: UUID | None
    question_id: UUID | None


class CompletedTranscript(BaseModel):
    transcript_text: str
    confidence_score: float
    provider: Provider
    segments: list[Segment]
    processing_time: float
    fallback_used: bool


class UploadReferences(BaseModel):
    """Whether the session and the question an upload's key names exist."""

    session_is_users: bool
    question_exists: bool


def find_upload_references(
    conn: Connection,
    user_id: UUID | None,
    session_id: UUID | None,
    question_id: UUID | None,
) -> UploadReferences:
    """Both checks in one round trip; an id the key did not carry is not found."""
    query = """
        SELECT
            EXISTS (
                SELECT 1 FROM sessions WHERE id = %s AND user_id = %s
            ) AS session_is_users,
            EXISTS (SELECT 1 FROM questions WHERE id = %s) AS question_exists
        """
    with conn.cursor(row_factory=class_row(UploadReferences)) as cur:
        found = cur.execute(query, (session_id, user_id, question_id)).fetchone()
    assert found is not None  # a SELECT without FROM returns one row
    return found


def insert_pending(
    conn: Connection, upload: UploadedObject, first_provider: Provider
) -> tuple[Transcription, bool]:
    """The row for this object, created `pending` on first sight; and whether new.

    `provider` is NOT NULL in the document's table, so a new row names the first
    provider of the chain; it is overwritten by whoever produces the transcript.
    """
    query = sql.SQL(
        """
        INSERT INTO transcriptions (
            user_id, session_id, question_id, file_name, file_size,
            original_audio_path, provider, s3_bucket, s3_key, s3_etag
        )
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (s3_bucket, s3_key, s3_etag) DO NOTHING
        RETURNING {}
        """
    ).format(COLUMNS)
    params = (
        upload.user_id,
        upload.session_id,
        upload.question_id,
        upload.file_name,
        upload.size_bytes,
        f"s3://{upload.bucket}/{upload.key}",
        first_provider.value,
        upload.bucket,
        upload.key,
        upload.etag,
    )
    with conn.cursor(row_factory=class_row(Transcription)) as cur:
        created = cur.execute(query, params).fetchone()
    if created is not None:
        return created, True

    existing = get_by_object(conn, upload.bucket, upload.key, upload.etag)
    assert existing is not None  # the conflicting row is visible to this statement
    return existing, False


def get_transcription(conn: Connection, transcription_id: UUID) -> Transcription | None:
    query = sql.SQL("SELECT {} FROM transcriptions WHERE id = %s").format(COLUMNS)
    with conn.cursor(row_factory=class_row(Transcription)) as cur:
        return cur.execute(query, (transcription_id,)).fetchone()


def get_user_transcription(
    conn: Connection, user_id: UUID, transcription_id: UUID
) -> Transcription | None:
    """The transcription if the user uploaded it; None for anyone else's."""
    query = sql.SQL(
        "SELECT {} FROM transcriptions WHERE id = %s AND user_id = %s"
    ).format(COLUMNS)
    with conn.cursor(row_factory=class_row(Transcription)) as cur:
        return cur.execute(query, (transcription_id, user_id)).fetchone()


def list_user_session_transcriptions(
    conn: Connection, user_id: UUID, session_id: UUID
) -> list[Transcription]:
    """The user's uploads to the session, oldest first."""
    query = sql.SQL(
        """
        SELECT {} FROM transcriptions
        WHERE session_id = %s AND user_id = %s
        ORDER BY created_at, id
        """
    ).format(COLUMNS)
    with conn.cursor(row_factory=class_row(Transcription)) as cur:
        return cur.execute(query, (session_id, user_id)).fetchall()


def get_by_object(
    conn: Connection, bucket: str, key: str, etag: str
) -> Transcription | None:
    query = sql.SQL(
        "SELECT {} FROM transcriptions"
        " WHERE s3_bucket = %s AND s3_key = %s AND s3_etag = %s"
    ).format(COLUMNS)
    with conn.cursor(row_factory=class_row(Transcription)) as cur:
        return cur.execute(query, (bucket, key, etag)).fetchone()


def claim_for_processing(
    conn: Connection, transcription_id: UUID, lease_seconds: int
) -> Transcription | None:
    """Move the row to `processing` if it may be worked on now; None when not.

    A row is claimable when `pending`, `failed` with `retryable` set, or
    `processing` for longer than `lease_seconds` (its invocation died: the lease
    is longer than the function's timeout, so a live one is never overtaken).
    SKIP LOCKED makes concurrent deliveries of the same object return None at
    once instead of queueing behind the holder.
    """
    query = sql.SQL(
        """
        UPDATE transcriptions
        SET status = 'processing',
            attempt_count = attempt_count + 1,
            error_message = NULL,
            retryable = FALSE,
            updated_at = NOW()
        WHERE id = (
            SELECT id FROM transcriptions
            WHERE id = %s
              AND (
                  status = 'pending'
                  OR (status = 'failed' AND retryable)
                  OR (status = 'processing'
                      AND updated_at < NOW() - make_interval(secs => %s))
              )
            FOR UPDATE SKIP LOCKED
        )
        RETURNING {}
        """
    ).format(COLUMNS)
    with conn.cursor(row_factory=class_row(Transcription)) as cur:
        return cur.execute(query, (transcription_id, lease_seconds)).fetchone()


def mark_completed(
    conn: Connection, transcription_id: UUID, transcript: CompletedTranscript
) -> Transcription:
    query = sql.SQL(
        """
        UPDATE transcriptions
        SET status = 'completed',
            transcript_text = %s,
            confidence_score = %s,
            provider = %s,
            segments = %s,
            processing_time = %s,
            fallback_used = %s,
            error_message = NULL,
            updated_at = NOW()
        WHERE id = %s
        RETURNING {}
        """
    ).format(COLUMNS)
    params = (
        transcript.transcript_text,
        transcript.confidence_score,
        transcript.provider.value,
        Jsonb([segment.model_dump() for segment in transcript.segments]),
        transcript.processing_time,
        transcript.fallback_used,
        transcription_id,
    )
    return _fetch_one(conn, query, params)


def mark_failed(
    conn: Connection,
    transcription_id: UUID,
    error_message: str,
    provider: Provider | None = None,
    processing_time: float | None = None,
    *,
    retryable: bool = False,
) -> Transcription:
    """Record a failure; the provider, when given, is the last one tried.

    `retryable` marks a failure that may pass, which a redelivery takes up again;
    without it the failure is final.
    """
    query = sql.SQL(
        """
        UPDATE transcriptions
        SET status = 'failed',
            error_message = %s,
            provider = COALESCE(%s, provider),
            processing_time = COALESCE(%s, processing_time),
            retryable = %s,
            updated_at = NOW()
        WHERE id = %s
        RETURNING {}
        """
    ).format(COLUMNS)
    provider_name = provider.value if provider else None
    params = (
        error_message,
        provider_name,
        processing_time,
        retryable,
        transcription_id,
    )
    return _fetch_one(conn, query, params)


def fail_stuck_processing(conn: Connection, older_than_seconds: int) -> list[UUID]:
    """Mark rows stuck in `processing` as failed; return their ids.

    SKIP LOCKED lets two overlapping sweeps split the rows between them instead
    of both failing (and counting) the same row. The failure is `retryable`: the
    invocation died, the upload may be fine, so a redelivery (a dead-letter
    redrive) takes the row up again.
    """
    rows = conn.execute(
        """
        UPDATE transcriptions
        SET status = 'failed',
            error_message = 'processing did not finish within '
                || %s || ' seconds; marked failed by the stuck-transcription sweep',
            retryable = TRUE,
            updated_at = NOW()
        WHERE id IN (
            SELECT id FROM transcriptions
            WHERE status = 'processing'
              AND updated_at < NOW() - make_interval(secs => %s)
            FOR UPDATE SKIP LOCKED
        )
        RETURNING id
        """,
        (str(older_than_seconds), older_than_seconds),
    ).fetchall()
    return [row[0] for row in rows]


class ProviderOutcomes(BaseModel):
    """How the transcriptions of one provider ended, over a recent window."""

    provider: Provider
    completed: int
    failed: int
    in_progress: int


def count_outcomes_by_provider(
    conn: Connection, window_days: int
) -> list[ProviderOutcomes]:
    """Analytics: transcriptions created in the last `window_days`, by provider.

    NOTE: a failed row names only the last provider tried, so a failure counts
    against the provider that gave up last, not against every provider that
    failed on the way.
    """
    with conn.cursor(row_factory=class_row(ProviderOutcomes)) as cur:
        cur.execute(
            """
            SELECT
                provider,
                COUNT(*) FILTER (WHERE status = 'completed') AS completed,
                COUNT(*) FILTER (WHERE status = 'failed') AS failed,
                COUNT(*) FILTER (WHERE status IN ('pending', 'processing'))
                    AS in_progress
            FROM transcriptions
            WHERE created_at >= NOW() - make_interval(days => %s)
            GROUP BY provider
            ORDER BY provider
            """,
            (window_days,),
        )
        return cur.fetchall()


def _fetch_one(
    conn: Connection, query: sql.Composed, params: tuple[object, ...]
) -> Transcription:
    with conn.cursor(row_factory=class_row(Transcription)) as cur:
        row = cur.execute(query, params).fetchone()
    if row is None:
        raise NotFoundError("transcription not found")
    return row
