-- 005: one response per transcription.
--
-- Step Functions may run RecordResponse more than once for the same
-- transcription (task retries, a restarted execution). A unique, referencing
-- column lets the insert be `ON CONFLICT (transcription_id) DO NOTHING` instead of
-- check-then-insert. The id also stays inside transcription_data, as the document
-- embeds it there.

ALTER TABLE responses
    ADD COLUMN transcription_id UUID REFERENCES transcriptions (id) ON DELETE CASCADE;

ALTER TABLE responses
    ADD CONSTRAINT responses_transcription_id_key UNIQUE (transcription_id);
