-- Field work through the hub, automatic (docs/hub.md, "Field work through the hub"): the owning
-- desk re-offers a task whenever it changes, saying whether it is still open and still takeable
-- through the hub; a lock whose package the owning desk no longer honours (the task was released
-- or reassigned there) is released, and the task can be taken again.
ALTER TABLE field_offers ADD COLUMN open BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE field_offers ADD COLUMN takeable BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE field_offers ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE field_locks ADD COLUMN released_at TIMESTAMPTZ;
CREATE INDEX field_offers_takeable ON field_offers (offered_at) WHERE open AND takeable;
CREATE INDEX field_locks_holder ON field_locks (holder_desk);
