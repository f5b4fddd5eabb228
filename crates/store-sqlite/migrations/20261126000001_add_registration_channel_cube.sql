-- The registration cube folded to municipality, day, channel and test flag.
-- The cube keeps every coded column, so once a period holds a million
-- registrations it has nearly a cell per row (849 478 cells for 1 059 017
-- rows in `komhen demo --size 1M`) and a national report reads almost as
-- much as the registrations. Reports by channel, direction, medium or
-- digital per municipality and day (the figures page's channels by
-- direction, the portal's digital share and ranking) need no other column
-- and read this table instead: 36 934 cells for the same demo, and it grows
-- with days and municipalities, not with registrations.
--
-- It stays equal to the cube the same way the cube stays equal to the
-- registrations (see `add_registration_cube`): a registration without a
-- batch is added and removed by the triggers below, in the same statement;
-- a batch's rows are added and taken out by the store together with the
-- cube (`cube_apply`), one grouped statement for the whole batch. Cells
-- whose rows all went are deleted.
-- The other backend's migration of the same name holds the same table; only
-- the trigger syntax differs, and here the table is WITHOUT ROWID, so a scan
-- reads the cells in key order with no lookups.

CREATE TABLE registration_channel_cube (
    municipality_code INTEGER NOT NULL,
    day TEXT NOT NULL,
    iso_year INTEGER NOT NULL,
    iso_week INTEGER NOT NULL,
    channel_code TEXT NOT NULL,
    is_test BOOLEAN NOT NULL,
    inquiries BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    duration_sum BIGINT NOT NULL,
    duration_count BIGINT NOT NULL,
    PRIMARY KEY (municipality_code, day, channel_code, is_test)
) WITHOUT ROWID;

INSERT INTO registration_channel_cube SELECT municipality_code, day, iso_year, iso_week,
    channel_code, is_test, CAST(SUM(inquiries) AS BIGINT), CAST(SUM(row_count) AS BIGINT),
    CAST(SUM(duration_sum) AS BIGINT), CAST(SUM(duration_count) AS BIGINT)
FROM registration_cube GROUP BY municipality_code, day, iso_year, iso_week, channel_code, is_test;

CREATE TRIGGER registrations_channel_cube_insert AFTER INSERT ON registrations
WHEN NEW.import_batch_id IS NULL
BEGIN
    INSERT INTO registration_channel_cube VALUES (NEW.municipality_code, NEW.day, NEW.iso_year, NEW.iso_week, NEW.channel_code, NEW.is_test, NEW.quantity, 1, COALESCE(NEW.duration_ms, 0), CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (municipality_code, day, channel_code, is_test) DO UPDATE SET inquiries = registration_channel_cube.inquiries + excluded.inquiries,
        row_count = registration_channel_cube.row_count + 1,
        duration_sum = registration_channel_cube.duration_sum + excluded.duration_sum,
        duration_count = registration_channel_cube.duration_count + excluded.duration_count;
END;

CREATE TRIGGER registrations_channel_cube_delete AFTER DELETE ON registrations
WHEN OLD.import_batch_id IS NULL
BEGIN
    UPDATE registration_channel_cube SET inquiries = inquiries - OLD.quantity, row_count = row_count - 1,
        duration_sum = duration_sum - COALESCE(OLD.duration_ms, 0),
        duration_count = duration_count - CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END
        WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND channel_code = OLD.channel_code AND is_test = OLD.is_test;
    DELETE FROM registration_channel_cube WHERE municipality_code = OLD.municipality_code AND day = OLD.day AND channel_code = OLD.channel_code AND is_test = OLD.is_test AND row_count = 0;
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
