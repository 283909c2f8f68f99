CREATE TABLE changes (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX changes_by_entity ON changes (environment_id, type, entity_id, enabled);
