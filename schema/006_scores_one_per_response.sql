-- 006: one score per response.
--
-- ScoreAnswer may be retried; the unique key makes the insert idempotent and the
-- unique index also serves the document's lookups by response_id.

ALTER TABLE scores
    ADD CONSTRAINT scores_response_id_key UNIQUE (response_id);
