CREATE TABLE subscriber_preferences (
    id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    template_id TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX subscriber_preferences_by_subscriber ON subscriber_preferences (subscriber_id, template_id);
