-- Login throttling per login and client address (issue 12). Counting
-- failures per login name alone let anyone lock a unit's shared login for
-- the whole unit with five wrong passwords; now one address's failures
-- hold back only that address. login_failures (per name) is replaced.
-- The PostgreSQL migration of the same name holds the same tables.

DROP TABLE login_failures;

-- Failed logins in a row of one login name from one address (an IPv4
-- address or an IPv6 /64), and until when that pair must wait. A success
-- deletes the row; rows without failures lately are pruned.
CREATE TABLE login_throttles (
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at TEXT NOT NULL,
    locked_until TEXT,
    PRIMARY KEY (login, address)
);
-- The spray limit counts an address's failing logins within a window.
CREATE INDEX login_throttles_address ON login_throttles (address, last_failure_at);

-- An address that failed against too many logins, held back as a whole.
CREATE TABLE address_locks (
    address TEXT PRIMARY KEY,
    locked_until TEXT NOT NULL
);
