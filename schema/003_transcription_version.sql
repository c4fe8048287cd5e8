-- 003: the data-model document's "adding new transcription fields" migration.
--
-- Responses record which version of the embedded transcription structure they
-- hold, both as a column and inside transcription_data.

ALTER TABLE responses
ADD COLUMN IF NOT EXISTS transcription_version VARCHAR(10) DEFAULT '1.0';

UPDATE responses
SET transcription_data = transcription_data || '{"version": "1.0"}'::jsonb
WHERE transcription_data ? 'transcript_text'
AND NOT transcription_data ? 'version';
