-- A counter per municipality, raised by every change to what its units may
-- register (tasks assigned, questions and options, the national catalogue
-- and code lists). The registration tool keeps each unit's catalogue in
-- memory and reads this one number with the session, so a save needs no
-- catalogue queries and never validates against stale set-up, on any number
-- of servers. The other backend's migration of the same name is identical.
ALTER TABLE municipalities ADD COLUMN setup_version BIGINT NOT NULL DEFAULT 0;
