-- The outbox: every e-mail komhen sends (reminders before deadlines, units
-- that registered nothing, one-time password links), kept before and after
-- it is sent. mail_key makes a mail one: a job that runs twice mails once.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    mail_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    municipality_code INTEGER REFERENCES municipalities (code),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    claimed_at TEXT,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    -- The body kept is not the body sent (a one-time link left out): such a
    -- mail is sent by whoever stored it, never from the outbox.
    redacted INTEGER NOT NULL DEFAULT 0,
    given_up_at TEXT
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE sent_at IS NULL AND given_up_at IS NULL AND NOT redacted;
CREATE INDEX outbox_municipality ON outbox (municipality_code, created_at);
