-- 009: tell a failure that may pass from one that will not.
--
-- A transcription fails for good when the upload itself is wrong (bad key, not
-- audio, too large, not the user's session) or every provider rejected it; it
-- fails for now when every provider failed for reasons that may pass (timeouts,
-- throttling, vendor outages). Both end as status 'failed' with an error_message,
-- as the data model wants; this flag lets a redelivery of the same S3 event take
-- up the second kind again while treating the first as final.

ALTER TABLE transcriptions
    ADD COLUMN retryable BOOLEAN NOT NULL DEFAULT FALSE;
