-- Personal accounts (issue 4): one-time links for invitations and password
-- resets, the time of a user's last login, and one row per distinct grant.
-- Only a link token's SHA-256 is stored, like session tokens, so a leaked
-- table opens nothing. The SQLite migration of the same name holds the same.
CREATE TABLE user_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX user_tokens_user ON user_tokens (user_id);

ALTER TABLE users ADD COLUMN last_login_at TIMESTAMPTZ;

CREATE UNIQUE INDEX user_roles_distinct ON user_roles
    (user_id, role, COALESCE(municipality_code, 0), COALESCE(unit_id, 0));
