-- The registration cube folded to the whole country per ISO week: task,
-- channel, inquiry type, completion, form and test flag, without
-- municipality, unit, day or source. National reports (an analyst's
-- pivot of tasks by channel for the country, a period's inquiry types by
-- completion) group every cell of the cube, which has nearly a cell per
-- registration (852 734 cells for 1 062 762 rows in `komhen demo --size
-- 1M`); tasks are national, so per week the country has few combinations:
-- 40 090 cells for the same demo, and the count stops growing once every
-- combination of a week occurs. A national query whose dates are whole ISO
-- weeks (the counting periods are) and that groups and filters only by
-- these columns reads this table instead (`fits_week_cube`).
--
-- It stays equal to the cube the same way the channel cube does (see
-- `add_registration_channel_cube`): triggers for a registration without a
-- batch, and one grouped statement of the store's for a whole batch
-- (`cube_apply`). Cells whose rows all went are deleted.
-- The other backend's migration of the same name holds the same table; only
-- the trigger syntax differs.

CREATE TABLE registration_week_cube (
    iso_year INTEGER NOT NULL,
    iso_week INTEGER NOT NULL,
    task_id BIGINT NOT NULL,
    channel_code TEXT NOT NULL,
    inquiry_type_code TEXT NOT NULL,
    completion_code TEXT NOT NULL,
    form INTEGER NOT NULL,
    is_test BOOLEAN NOT NULL,
    inquiries BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    duration_sum BIGINT NOT NULL,
    duration_count BIGINT NOT NULL,
    PRIMARY KEY (iso_year, iso_week, task_id, channel_code, inquiry_type_code, completion_code, form, is_test)
);

INSERT INTO registration_week_cube SELECT iso_year, iso_week, task_id, channel_code, inquiry_type_code, completion_code, form, is_test,
    CAST(SUM(inquiries) AS BIGINT), CAST(SUM(row_count) AS BIGINT),
    CAST(SUM(duration_sum) AS BIGINT), CAST(SUM(duration_count) AS BIGINT)
FROM registration_cube GROUP BY iso_year, iso_week, task_id, channel_code, inquiry_type_code, completion_code, form, is_test;

CREATE FUNCTION registrations_week_cube_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.import_batch_id IS NULL THEN
        UPDATE registration_week_cube SET inquiries = inquiries - OLD.quantity, row_count = row_count - 1,
        duration_sum = duration_sum - COALESCE(OLD.duration_ms, 0),
        duration_count = duration_count - CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END
        WHERE iso_year = OLD.iso_year AND iso_week = OLD.iso_week AND task_id = OLD.task_id AND channel_code = OLD.channel_code AND inquiry_type_code = COALESCE(OLD.inquiry_type_code, '') AND completion_code = COALESCE(OLD.completion_code, '') AND form = CASE WHEN OLD.has_form IS NULL THEN -1 WHEN OLD.has_form THEN 1 ELSE 0 END AND is_test = OLD.is_test;
    DELETE FROM registration_week_cube WHERE iso_year = OLD.iso_year AND iso_week = OLD.iso_week AND task_id = OLD.task_id AND channel_code = OLD.channel_code AND inquiry_type_code = COALESCE(OLD.inquiry_type_code, '') AND completion_code = COALESCE(OLD.completion_code, '') AND form = CASE WHEN OLD.has_form IS NULL THEN -1 WHEN OLD.has_form THEN 1 ELSE 0 END AND is_test = OLD.is_test AND row_count = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.import_batch_id IS NULL THEN
        INSERT INTO registration_week_cube VALUES (NEW.iso_year, NEW.iso_week, NEW.task_id, NEW.channel_code, COALESCE(NEW.inquiry_type_code, ''), COALESCE(NEW.completion_code, ''), CASE WHEN NEW.has_form IS NULL THEN -1 WHEN NEW.has_form THEN 1 ELSE 0 END, NEW.is_test, NEW.quantity, 1, COALESCE(NEW.duration_ms, 0), CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (iso_year, iso_week, task_id, channel_code, inquiry_type_code, completion_code, form, is_test) DO UPDATE SET inquiries = registration_week_cube.inquiries + excluded.inquiries,
        row_count = registration_week_cube.row_count + 1,
        duration_sum = registration_week_cube.duration_sum + excluded.duration_sum,
        duration_count = registration_week_cube.duration_count + excluded.duration_count;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER registrations_week_cube_insert AFTER INSERT ON registrations
    FOR EACH ROW WHEN (NEW.import_batch_id IS NULL) EXECUTE FUNCTION registrations_week_cube_change();
CREATE TRIGGER registrations_week_cube_delete AFTER DELETE ON registrations
    FOR EACH ROW WHEN (OLD.import_batch_id IS NULL) EXECUTE FUNCTION registrations_week_cube_change();
CREATE TRIGGER registrations_week_cube_update AFTER UPDATE ON registrations
    FOR EACH ROW WHEN (OLD.import_batch_id IS NULL AND NEW.import_batch_id IS NULL)
    EXECUTE FUNCTION registrations_week_cube_change();
