-- The website channel and central statistics (docs/website-and-central.md).
-- Why: a municipality maps paths of its website to tasks, so that visits
-- from its web analytics become WEB inquiries of those tasks; and it may
-- load its own self-service or Digital Post statistics instead of the
-- central delivery, which then leaves its rows out. Both are set-up data,
-- changed only through Store::apply with an audit entry. The PostgreSQL
-- migration of the same name holds the same model.

-- A path (normalised: lower case, no host, no query, no trailing slash) of
-- the municipality's website and the task its visits count for.
CREATE TABLE web_pages (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    path TEXT NOT NULL,
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    created_at TEXT NOT NULL,
    UNIQUE (municipality_code, path)
);

-- A channel (SLVBTJN, DOKUD) whose statistics the municipality loads
-- itself: the central load leaves its rows out.
CREATE TABLE own_statistics (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    channel_code TEXT NOT NULL REFERENCES channels (code),
    created_at TEXT NOT NULL,
    PRIMARY KEY (municipality_code, channel_code)
);
