-- Total counts (issue: intake of totals) are kept as batches: an entry in
-- the form, a CSV file, a phone system's call records or a central
-- delivery is one `import_batches` row, so it can be listed and deleted
-- whole; its totals are found by batch. And each municipality's mapping of
-- its phone system (Asterisk CDR): rules saying which calls are incoming
-- and which outgoing, tried in the order added. The PostgreSQL migration
-- of the same name holds the same.
CREATE INDEX total_counts_batch ON total_counts (import_batch_id);

CREATE TABLE cdr_rules (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    field TEXT NOT NULL CHECK (field IN ('dcontext', 'channel', 'dstchannel', 'src', 'dst')),
    matching TEXT NOT NULL CHECK (matching IN ('equals', 'prefix')),
    pattern TEXT NOT NULL CHECK (length(pattern) BETWEEN 1 AND 200),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    created_at TEXT NOT NULL
);
CREATE INDEX cdr_rules_municipality ON cdr_rules (municipality_code, id);
