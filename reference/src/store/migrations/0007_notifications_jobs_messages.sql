CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX notifications_by_environment ON notifications (environment_id, created_at);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX jobs_by_transaction ON jobs (environment_id, transaction_id);
CREATE INDEX jobs_by_notification ON jobs (notification_id);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX messages_by_subscriber ON messages (environment_id, subscriber_id, channel);
CREATE INDEX messages_by_transaction ON messages (environment_id, transaction_id);
CREATE TABLE execution_details (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    job_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX execution_details_by_notification ON execution_details (notification_id, subscriber_id);
CREATE INDEX execution_details_by_job ON execution_details (job_id);
