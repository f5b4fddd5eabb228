-- The registration cube: inquiries summed per municipality, day, unit,
-- task, channel, inquiry type, completion, form, source and test flag,
-- maintained as registrations are written, so every report reads a table
-- many times smaller than the registrations (the report engine's fast path;
-- it falls back on the registrations for hours and median durations).
--
-- How it stays equal to the registrations that count (`VISIBLE` in
-- queries.rs), which the conformance suite checks after every kind of write:
-- - a registration typed in the tool or paper-free (no batch) is added and
--   removed by the triggers below, in the same statement;
-- - a batch's rows are added when the batch is committed and taken out when
--   it is deleted or replaced, by the store in the same transaction as the
--   status change (`commit_batch`, `delete_batch`);
-- - keys are never NULL (so ON CONFLICT matches): no unit is 0, no inquiry
--   type or completion is '', the form is -1 (none), 0 (no) or 1 (yes).
-- Cells whose rows all went are deleted. The other backend's migration of
-- the same name holds the same table; only the trigger syntax differs.

CREATE TABLE registration_cube (
    municipality_code INTEGER NOT NULL,
    day TEXT NOT NULL,
    iso_year INTEGER NOT NULL,
    iso_week INTEGER NOT NULL,
    unit_id BIGINT NOT NULL,
    task_id BIGINT NOT NULL,
    channel_code TEXT NOT NULL,
    inquiry_type_code TEXT NOT NULL,
    completion_code TEXT NOT NULL,
    form INTEGER NOT NULL,
    source TEXT NOT NULL,
    is_test BOOLEAN NOT NULL,
    inquiries BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    duration_sum BIGINT NOT NULL,
    duration_count BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, day, unit_id, task_id, channel_code, inquiry_type_code,
        completion_code, form, source, is_test)
);

INSERT INTO registration_cube SELECT r.municipality_code, r.day, r.iso_year, r.iso_week, COALESCE(r.unit_id, 0), r.task_id, r.channel_code, COALESCE(r.inquiry_type_code, ''), COALESCE(r.completion_code, ''), CASE WHEN r.has_form IS NULL THEN -1 WHEN r.has_form THEN 1 ELSE 0 END, r.source, r.is_test, CAST(SUM(r.quantity) AS BIGINT), COUNT(*),
    CAST(SUM(COALESCE(r.duration_ms, 0)) AS BIGINT), COUNT(r.duration_ms)
FROM registrations r WHERE r.import_batch_id IS NULL OR r.import_batch_id IN
    (SELECT id FROM import_batches WHERE status = 'committed')
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;

CREATE TRIGGER registrations_cube_insert AFTER INSERT ON registrations
WHEN NEW.import_batch_id IS NULL
BEGIN
    INSERT INTO registration_cube VALUES (NEW.municipality_code, NEW.day, NEW.iso_year, NEW.iso_week, COALESCE(NEW.unit_id, 0), NEW.task_id, NEW.channel_code, COALESCE(NEW.inquiry_type_code, ''), COALESCE(NEW.completion_code, ''), CASE WHEN NEW.has_form IS NULL THEN -1 WHEN NEW.has_form THEN 1 ELSE 0 END, NEW.source, NEW.is_test, NEW.quantity, 1, COALESCE(NEW.duration_ms, 0), CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (municipality_code, day, unit_id, task_id, channel_code, inquiry_type_code, completion_code, form, source, is_test) DO UPDATE SET inquiries = registration_cube.inquiries + excluded.inquiries,
        row_count = registration_cube.row_count + 1,
        duration_sum = registration_cube.duration_sum + excluded.duration_sum,
        duration_count = registration_cube.duration_count + excluded.duration_count;
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
