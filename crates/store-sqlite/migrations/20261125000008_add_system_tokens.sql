-- Systems that push registrations through the JSON API (POST
-- /api/v1/registrations): one bearer token per system of a municipality,
-- issued and revoked by its coordinator. Only the token's SHA-256 is stored,
-- like session and link tokens, so a leaked table opens nothing; the token's
-- row, not the request, decides the municipality written to. The PostgreSQL
-- migration of the same name holds the same. (Number 8: 5 to 7 belong to
-- features built at the same time, merged beside this one.)
CREATE TABLE system_tokens (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE INDEX system_tokens_municipality ON system_tokens (municipality_code, id);

-- An API batch is recognised by its identity (the SHA-256 of its rows and
-- client batch_id) and by its batch_id: at most one live batch of each per
-- municipality, so a request retried while the first copy is still being
-- stored can never be stored twice.
CREATE UNIQUE INDEX import_batches_api_identity ON import_batches (municipality_code, sha256)
    WHERE kind = 'api' AND status IN ('loading', 'committed');
CREATE UNIQUE INDEX import_batches_api_batch_id ON import_batches (municipality_code, file_name)
    WHERE kind = 'api' AND file_name <> '' AND status IN ('loading', 'committed');
