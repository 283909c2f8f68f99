-- When a waiting job (delay, digest) resumes, in Unix milliseconds; NULL for every other
-- job. The scheduler reads the partial index; merged digest jobs are found by their leader.
-- Jobs left waiting by a server without a scheduler never resumed: they are due at once.
ALTER TABLE jobs ADD COLUMN due_at INTEGER;
UPDATE jobs SET due_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE status = 'delayed';
CREATE INDEX jobs_by_due_at ON jobs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX jobs_by_merged_digest ON jobs (json_extract(doc, '$._mergedDigestId')) WHERE status = 'merged';
