-- 004: what the transcription function needs to process each upload exactly once.
--
-- S3 delivers ObjectCreated events at least once, and Lambda retries failed
-- async invocations. The object's (bucket, key, etag) identifies one upload, so a
-- unique key on it lets `INSERT ... ON CONFLICT` turn every redelivery into the
-- same row. The question answered comes from the key and travels to the state
-- machine. attempt_count records how often processing was tried, so operators can
-- tell a flapping vendor from a first failure.

ALTER TABLE transcriptions
    ADD COLUMN s3_bucket TEXT,
    ADD COLUMN s3_key TEXT,
    ADD COLUMN s3_etag TEXT,
    ADD COLUMN question_id UUID REFERENCES questions (id) ON DELETE SET NULL,
    ADD COLUMN attempt_count INTEGER NOT NULL DEFAULT 0;

ALTER TABLE transcriptions
    ADD CONSTRAINT transcriptions_s3_object_key UNIQUE (s3_bucket, s3_key, s3_etag);
