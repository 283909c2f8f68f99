CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
CREATE TABLE members (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    api_key_hash TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, subscriber_id)
);
CREATE TABLE integrations (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    active INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX integrations_by_provider ON integrations (environment_id, provider_id);
CREATE TABLE topics (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, key)
);
CREATE TABLE topic_subscribers (
    topic_id TEXT NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    subscriber_id TEXT NOT NULL,
    external_subscriber_id TEXT NOT NULL,
    PRIMARY KEY (topic_id, subscriber_id)
);
CREATE INDEX topic_subscribers_by_subscriber ON topic_subscribers (subscriber_id);
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (environment_id, identifier)
);
CREATE TABLE feeds (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL
);
CREATE INDEX feeds_by_environment ON feeds (environment_id, identifier);
CREATE TABLE notification_groups (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
