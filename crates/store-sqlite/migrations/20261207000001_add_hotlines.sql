-- The joint hotline (seed 003): several municipalities run one phone line.
-- A hotline is its own tenant: its members (with join and leave dates and
-- kind), opening hours, staffing and service-level settings, queue names,
-- its own roles (administrator, steering-group reader), the roster of
-- staffed shifts, the price rules of its cost sharing, issued statements
-- (never changed: a correction is a new statement) and its calls, imported
-- file by file. Set-up is written through audited set-up changes.
CREATE TABLE hotlines (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    agents_at_a_time INTEGER NOT NULL CHECK (agents_at_a_time BETWEEN 1 AND 500),
    shift_minutes INTEGER NOT NULL CHECK (shift_minutes BETWEEN 15 AND 1440),
    service_seconds INTEGER NOT NULL CHECK (service_seconds BETWEEN 1 AND 3600),
    service_percent INTEGER NOT NULL CHECK (service_percent BETWEEN 1 AND 100),
    short_abandon_seconds INTEGER NOT NULL CHECK (short_abandon_seconds BETWEEN 0 AND 600),
    discount_percent INTEGER NOT NULL CHECK (discount_percent BETWEEN 0 AND 100),
    discount_months INTEGER NOT NULL CHECK (discount_months BETWEEN 0 AND 120),
    created_at TEXT NOT NULL
);

CREATE TABLE hotline_queues (
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    name TEXT NOT NULL,
    PRIMARY KEY (hotline_id, name)
);

CREATE TABLE hotline_members (
    id INTEGER PRIMARY KEY,
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    kind TEXT NOT NULL CHECK (kind IN ('bemander', 'betaler')),
    joined_on TEXT NOT NULL,
    left_on TEXT,
    CHECK (left_on IS NULL OR left_on > joined_on),
    UNIQUE (hotline_id, municipality_code, joined_on)
);
CREATE INDEX hotline_members_municipality ON hotline_members (municipality_code);

-- weekday 1 = Monday ... 7 = Sunday; times 'HH:MM', Danish local time.
CREATE TABLE hotline_opening_hours (
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    PRIMARY KEY (hotline_id, weekday)
);

CREATE TABLE hotline_roles (
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('admin', 'reader')),
    PRIMARY KEY (hotline_id, user_id, role)
);
CREATE INDEX hotline_roles_user ON hotline_roles (user_id);

-- The price per citizen per month in thousandths of a krone, the credit
-- per staffed hour in øre, from a date.
CREATE TABLE hotline_prices (
    id INTEGER PRIMARY KEY,
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    valid_from TEXT NOT NULL,
    price_millikr INTEGER NOT NULL CHECK (price_millikr >= 0),
    credit_ore_per_hour BIGINT NOT NULL CHECK (credit_ore_per_hour >= 0),
    note TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    UNIQUE (hotline_id, valid_from)
);

-- One staffed shift: a member's agents on the line from start to end.
CREATE TABLE hotline_shifts (
    id INTEGER PRIMARY KEY,
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    agents INTEGER NOT NULL CHECK (agents BETWEEN 1 AND 500),
    note TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX hotline_shifts_time ON hotline_shifts (hotline_id, starts_at);

-- An issued statement: the whole of it (every input and line) as JSON,
-- its amount due in øre (negative: to receive). A correction names the
-- statement it corrects. Never updated, never deleted.
CREATE TABLE hotline_statements (
    id INTEGER PRIMARY KEY,
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    first_month TEXT NOT NULL,
    last_month TEXT NOT NULL,
    amount_ore BIGINT NOT NULL,
    body TEXT NOT NULL,
    corrects BIGINT REFERENCES hotline_statements (id),
    reason TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE INDEX hotline_statements_member ON hotline_statements (hotline_id, municipality_code, id);
CREATE TRIGGER hotline_statements_never_change BEFORE UPDATE ON hotline_statements
BEGIN
    SELECT RAISE(ABORT, 'an issued statement never changes: issue a correction');
END;
CREATE TRIGGER hotline_statements_never_go BEFORE DELETE ON hotline_statements
BEGIN
    SELECT RAISE(ABORT, 'an issued statement is never deleted: issue a correction');
END;

-- One imported file of calls. The fingerprint recognises the same file
-- loaded again.
CREATE TABLE hotline_call_batches (
    id INTEGER PRIMARY KEY,
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    calls BIGINT NOT NULL,
    already_stored BIGINT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    UNIQUE (hotline_id, fingerprint)
);

-- Times in seconds since 1970 (UTC). A call is stored once: the phone
-- system's id, queue and arrival recognise it in a later file.
CREATE TABLE hotline_calls (
    id INTEGER PRIMARY KEY,
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    batch_id BIGINT NOT NULL REFERENCES hotline_call_batches (id),
    call_id TEXT NOT NULL,
    queue TEXT NOT NULL,
    arrived_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT,
    outcome TEXT NOT NULL,
    agent TEXT,
    transferred BOOLEAN NOT NULL,
    UNIQUE (hotline_id, call_id, queue, arrived_at)
);
CREATE INDEX hotline_calls_time ON hotline_calls (hotline_id, arrived_at);
