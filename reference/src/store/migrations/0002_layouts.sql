CREATE TABLE layouts (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX layouts_by_environment ON layouts (environment_id, identifier);
