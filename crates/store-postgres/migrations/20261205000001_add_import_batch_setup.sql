-- The set-up an import made for its batch (a history file's task codes,
-- units and question columns the municipality lacked). It is created in one
-- transaction with the batch open; a batch deleted before it was ever
-- committed (a failed or interrupted import) takes this set-up with it, so a
-- failed import leaves nothing behind. The other backend's migration of the
-- same name holds the same table.
CREATE TABLE import_batch_setup (
    batch_id BIGINT NOT NULL REFERENCES import_batches (id),
    entity TEXT NOT NULL CHECK (entity IN ('task', 'unit', 'question')),
    entity_id BIGINT NOT NULL,
    PRIMARY KEY (batch_id, entity, entity_id)
);
