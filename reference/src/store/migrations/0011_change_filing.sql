-- A change may be filed under another one (Novu's `_parentId`): the new default layout's
-- change goes under the change of the layout that stopped being the default. A filed change
-- is neither listed nor counted, and applying its parent applies it first.
ALTER TABLE changes ADD COLUMN parent_id TEXT;
-- The entity as the change last recorded it: once the change is promoted, the state the next
-- change of the same entity and type is the difference from (Novu aggregates the promoted
-- changes of that type).
ALTER TABLE changes ADD COLUMN after TEXT;
CREATE INDEX changes_by_parent ON changes (environment_id, parent_id);
