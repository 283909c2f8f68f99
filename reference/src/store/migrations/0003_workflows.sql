CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    trigger_identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX workflows_by_trigger ON workflows (environment_id, trigger_identifier);
