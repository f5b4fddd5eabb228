-- A re-saved or re-encoded file has other bytes than the file imported
-- before, so its SHA-256 alone does not recognise it: a batch of
-- registrations also records the fingerprint of its rows as read
-- (independent of encoding, line endings, blank lines and row order), and
-- the batch pipeline looks for a committed batch with either.
ALTER TABLE import_batches ADD COLUMN fingerprint TEXT;
CREATE INDEX import_batches_fingerprint ON import_batches (municipality_code, kind, fingerprint)
    WHERE fingerprint IS NOT NULL;
