-- Published periods are frozen. Each publication of a national period keeps
-- the figures the public saw as a snapshot (JSON of the portal's sums, the
-- mandatory tasks' figures and the national channel mix), so a later write,
-- a new unit or new population figures cannot move them; a correction the
-- national administrator approves adds a new publication beside the first.
-- A batch with rows dated in a published period is held (stored, invisible,
-- `held_at` set) until approved; `replaces_batch_id` is the committed batch
-- it is to replace then. The other backend's migration of the same name
-- holds the same tables.
CREATE TABLE period_publications (
    id INTEGER PRIMARY KEY,
    period_id BIGINT NOT NULL REFERENCES counting_periods (id),
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    figures TEXT NOT NULL
);
CREATE INDEX period_publications_period ON period_publications (period_id, id);

ALTER TABLE import_batches ADD COLUMN held_at TEXT;
ALTER TABLE import_batches ADD COLUMN replaces_batch_id BIGINT REFERENCES import_batches (id);
