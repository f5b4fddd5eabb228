-- Hotline calls registered in the registration tool (issue "The joint
-- hotline", item 2): a new source 'hotline', and the link of each such
-- registration to its line, the answering unit and the outcome.
ALTER TABLE registrations DROP CONSTRAINT registrations_source_check;
-- The new check only widens the old one: added without a scan under the
-- table's exclusive lock, then validated under a lighter one.
ALTER TABLE registrations ADD CONSTRAINT registrations_source_check
    CHECK (source IN ('tool', 'paper', 'upload', 'api', 'central', 'hotline')) NOT VALID;
ALTER TABLE registrations VALIDATE CONSTRAINT registrations_source_check;

-- A unit of a member municipality that answers the line: what it registers
-- is a hotline call, stored once, with the caller's municipality.
CREATE TABLE hotline_units (
    unit_id BIGINT PRIMARY KEY REFERENCES units (id),
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    added_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX hotline_units_hotline ON hotline_units (hotline_id);

-- A registered hotline call: the registration (in the caller's
-- municipality, unit NULL, source 'hotline'), the line and the unit that
-- answered it, and the call's outcome. Undoing the registration removes it.
CREATE TABLE hotline_registrations (
    registration_id BIGINT PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    outcome TEXT NOT NULL CHECK (outcome IN ('loest_straks', 'henvist_fremmoede', 'henvist_andet')),
    day DATE NOT NULL
);
CREATE INDEX hotline_registrations_line_day ON hotline_registrations (hotline_id, day);
CREATE INDEX hotline_registrations_unit_day ON hotline_registrations (unit_id, day);
