-- Hotline calls registered in the registration tool (issue "The joint
-- hotline", item 2): a new source 'hotline', and the link of each such
-- registration to its line, the answering unit and the outcome.
--
-- SQLite cannot change a CHECK constraint in place, so the registrations
-- table is rebuilt the way SQLite documents (create, copy, drop, rename,
-- then its indexes and triggers again), inside the migration's
-- transaction. Foreign keys cannot be switched off inside a transaction,
-- so dropping the old table cascades into registration_answers: the
-- answers are kept aside first and put back after (the ids are copied).
-- The indexes and triggers below are those of add_registration_cube,
-- add_registration_channel_cube and add_registrations_municipality_id:
-- a change to them changes these too.
CREATE TEMP TABLE kept_answers AS SELECT * FROM registration_answers;
CREATE TABLE registrations_hotline (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    unit_id BIGINT REFERENCES units (id),
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    channel_code TEXT NOT NULL REFERENCES channels (code),
    inquiry_type_code TEXT REFERENCES inquiry_types (code),
    completion_code TEXT REFERENCES completions (code),
    has_form BOOLEAN,
    registered_at TEXT NOT NULL,
    day TEXT NOT NULL,
    iso_year INTEGER NOT NULL,
    iso_week INTEGER NOT NULL,
    hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
    duration_ms BIGINT CHECK (duration_ms >= 0),
    quantity BIGINT NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    source TEXT NOT NULL CHECK (source IN ('tool', 'paper', 'upload', 'api', 'central', 'hotline')),
    import_batch_id BIGINT REFERENCES import_batches (id),
    is_test BOOLEAN NOT NULL DEFAULT FALSE,
    idempotency_key TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO registrations_hotline SELECT * FROM registrations;
DROP TABLE registrations;
ALTER TABLE registrations_hotline RENAME TO registrations;
CREATE INDEX registrations_batch ON registrations (import_batch_id);
CREATE UNIQUE INDEX registrations_idempotency ON registrations (municipality_code, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX registrations_municipality_day ON registrations (municipality_code, day);
CREATE INDEX registrations_municipality_id ON registrations (municipality_code, id);
CREATE INDEX registrations_unit_time ON registrations (municipality_code, unit_id, registered_at);
CREATE TRIGGER registrations_channel_cube_delete AFTER DELETE ON registrations
WHEN OLD.import_batch_id IS NULL
BEGIN
    UPDATE registration_channel_cube SET inquiries = inquiries - OLD.quantity, row_count = row_count - 1,
        duration_sum = duration_sum - COALESCE(OLD.duration_ms, 0),
        duration_count = duration_count - CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END
        WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND channel_code = OLD.channel_code AND is_test = OLD.is_test;
    DELETE FROM registration_channel_cube WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND channel_code = OLD.channel_code AND is_test = OLD.is_test AND row_count = 0;
END;
CREATE TRIGGER registrations_channel_cube_insert AFTER INSERT ON registrations
WHEN NEW.import_batch_id IS NULL
BEGIN
    INSERT INTO registration_channel_cube VALUES (NEW.municipality_code, NEW.day, NEW.iso_year, NEW.iso_week, NEW.channel_code, NEW.is_test, NEW.quantity, 1, COALESCE(NEW.duration_ms, 0), CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (municipality_code, day, channel_code, is_test) DO UPDATE SET inquiries = registration_channel_cube.inquiries + excluded.inquiries,
        row_count = registration_channel_cube.row_count + 1,
        duration_sum = registration_channel_cube.duration_sum + excluded.duration_sum,
        duration_count = registration_channel_cube.duration_count + excluded.duration_count;
END;
CREATE TRIGGER registrations_channel_cube_update AFTER UPDATE ON registrations
WHEN OLD.import_batch_id IS NULL AND NEW.import_batch_id IS NULL
BEGIN
    UPDATE registration_channel_cube SET inquiries = inquiries - OLD.quantity, row_count = row_count - 1,
        duration_sum = duration_sum - COALESCE(OLD.duration_ms, 0),
        duration_count = duration_count - CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END
        WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND channel_code = OLD.channel_code AND is_test = OLD.is_test;
    DELETE FROM registration_channel_cube WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND channel_code = OLD.channel_code AND is_test = OLD.is_test AND row_count = 0;
    INSERT INTO registration_channel_cube VALUES (NEW.municipality_code, NEW.day, NEW.iso_year, NEW.iso_week, NEW.channel_code, NEW.is_test, NEW.quantity, 1, COALESCE(NEW.duration_ms, 0), CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (municipality_code, day, channel_code, is_test) DO UPDATE SET inquiries = registration_channel_cube.inquiries + excluded.inquiries,
        row_count = registration_channel_cube.row_count + 1,
        duration_sum = registration_channel_cube.duration_sum + excluded.duration_sum,
        duration_count = registration_channel_cube.duration_count + excluded.duration_count;
END;
CREATE TRIGGER registrations_cube_delete AFTER DELETE ON registrations
WHEN OLD.import_batch_id IS NULL
BEGIN
    UPDATE registration_cube SET inquiries = inquiries - OLD.quantity, row_count = row_count - 1,
        duration_sum = duration_sum - COALESCE(OLD.duration_ms, 0),
        duration_count = duration_count - CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END
        WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND unit_id = COALESCE(OLD.unit_id, 0) AND task_id = OLD.task_id AND channel_code = OLD.channel_code AND inquiry_type_code = COALESCE(OLD.inquiry_type_code, '') AND completion_code = COALESCE(OLD.completion_code, '') AND form = CASE WHEN OLD.has_form IS NULL THEN -1 WHEN OLD.has_form THEN 1 ELSE 0 END AND source = OLD.source AND is_test = OLD.is_test;
    DELETE FROM registration_cube WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND unit_id = COALESCE(OLD.unit_id, 0) AND task_id = OLD.task_id AND channel_code = OLD.channel_code AND inquiry_type_code = COALESCE(OLD.inquiry_type_code, '') AND completion_code = COALESCE(OLD.completion_code, '') AND form = CASE WHEN OLD.has_form IS NULL THEN -1 WHEN OLD.has_form THEN 1 ELSE 0 END AND source = OLD.source AND is_test = OLD.is_test AND row_count = 0;
END;
CREATE TRIGGER registrations_cube_insert AFTER INSERT ON registrations
WHEN NEW.import_batch_id IS NULL
BEGIN
    INSERT INTO registration_cube VALUES (NEW.municipality_code, NEW.day, NEW.iso_year, NEW.iso_week, COALESCE(NEW.unit_id, 0), NEW.task_id, NEW.channel_code, COALESCE(NEW.inquiry_type_code, ''), COALESCE(NEW.completion_code, ''), CASE WHEN NEW.has_form IS NULL THEN -1 WHEN NEW.has_form THEN 1 ELSE 0 END, NEW.source, NEW.is_test, NEW.quantity, 1, COALESCE(NEW.duration_ms, 0), CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (municipality_code, day, unit_id, task_id, channel_code, inquiry_type_code, completion_code, form, source, is_test) DO UPDATE SET inquiries = registration_cube.inquiries + excluded.inquiries,
        row_count = registration_cube.row_count + 1,
        duration_sum = registration_cube.duration_sum + excluded.duration_sum,
        duration_count = registration_cube.duration_count + excluded.duration_count;
END;
CREATE TRIGGER registrations_cube_update AFTER UPDATE ON registrations
WHEN OLD.import_batch_id IS NULL AND NEW.import_batch_id IS NULL
BEGIN
    UPDATE registration_cube SET inquiries = inquiries - OLD.quantity, row_count = row_count - 1,
        duration_sum = duration_sum - COALESCE(OLD.duration_ms, 0),
        duration_count = duration_count - CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END
        WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND unit_id = COALESCE(OLD.unit_id, 0) AND task_id = OLD.task_id AND channel_code = OLD.channel_code AND inquiry_type_code = COALESCE(OLD.inquiry_type_code, '') AND completion_code = COALESCE(OLD.completion_code, '') AND form = CASE WHEN OLD.has_form IS NULL THEN -1 WHEN OLD.has_form THEN 1 ELSE 0 END AND source = OLD.source AND is_test = OLD.is_test;
    DELETE FROM registration_cube WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND unit_id = COALESCE(OLD.unit_id, 0) AND task_id = OLD.task_id AND channel_code = OLD.channel_code AND inquiry_type_code = COALESCE(OLD.inquiry_type_code, '') AND completion_code = COALESCE(OLD.completion_code, '') AND form = CASE WHEN OLD.has_form IS NULL THEN -1 WHEN OLD.has_form THEN 1 ELSE 0 END AND source = OLD.source AND is_test = OLD.is_test AND row_count = 0;
    INSERT INTO registration_cube VALUES (NEW.municipality_code, NEW.day, NEW.iso_year, NEW.iso_week, COALESCE(NEW.unit_id, 0), NEW.task_id, NEW.channel_code, COALESCE(NEW.inquiry_type_code, ''), COALESCE(NEW.completion_code, ''), CASE WHEN NEW.has_form IS NULL THEN -1 WHEN NEW.has_form THEN 1 ELSE 0 END, NEW.source, NEW.is_test, NEW.quantity, 1, COALESCE(NEW.duration_ms, 0), CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (municipality_code, day, unit_id, task_id, channel_code, inquiry_type_code, completion_code, form, source, is_test) DO UPDATE SET inquiries = registration_cube.inquiries + excluded.inquiries,
        row_count = registration_cube.row_count + 1,
        duration_sum = registration_cube.duration_sum + excluded.duration_sum,
        duration_count = registration_cube.duration_count + excluded.duration_count;
END;

INSERT INTO registration_answers SELECT * FROM kept_answers;
DROP TABLE kept_answers;

-- A unit of a member municipality that answers the line: what it registers
-- is a hotline call, stored once, with the caller's municipality.
CREATE TABLE hotline_units (
    unit_id BIGINT PRIMARY KEY REFERENCES units (id),
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id),
    added_at TEXT NOT NULL
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
    day TEXT NOT NULL
);
CREATE INDEX hotline_registrations_line_day ON hotline_registrations (hotline_id, day);
CREATE INDEX hotline_registrations_unit_day ON hotline_registrations (unit_id, day);

