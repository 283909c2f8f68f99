CREATE TABLE workflow_overrides (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX workflow_overrides_by_pair ON workflow_overrides (environment_id, workflow_id, tenant_id);
