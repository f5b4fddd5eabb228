-- Sessions and login throttling for the registration tool (issue 3).
-- Sessions are stored in the database (not in memory) so that several
-- servers can share them and a restart does not log a counter out.
-- The PostgreSQL migration of the same name holds the same tables.

-- A session of a unit (shared login) or of a personal user. The cookie holds
-- a random token; only its SHA-256 is stored, so a leaked table opens nothing.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    unit_id BIGINT REFERENCES units (id),
    user_id BIGINT REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    CHECK ((unit_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed logins per login name, for throttling; old rows are pruned.
CREATE TABLE login_failures (
    login TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures (login, failed_at);
