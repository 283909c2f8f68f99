-- A topic membership has its own id, as Novu's topic-subscriber documents do: the membership
-- read answers it as `_id`. Memberships made before this migration get one on the spot.
ALTER TABLE topic_subscribers ADD COLUMN id TEXT;
UPDATE topic_subscribers SET id = lower(hex(randomblob(12))) WHERE id IS NULL;
