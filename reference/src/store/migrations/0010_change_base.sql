-- The entity as it was before the first write a pending change records (`{}` for a create):
-- each later write replaces the change's differences with those from this base to the entity
-- as it now is, as Novu recomputes a pending change from what was promoted.
ALTER TABLE changes ADD COLUMN base TEXT;
-- The list pages pending or promoted changes newest first.
CREATE INDEX changes_by_age ON changes (environment_id, enabled, created_at);
