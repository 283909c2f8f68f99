-- The change lists read only the changes filed under none (`parent_id IS NULL`), newest first,
-- a page at a time: with `parent_id` in the index, the rows a page skips are never read.
CREATE INDEX changes_listed ON changes (environment_id, enabled, parent_id, created_at);
