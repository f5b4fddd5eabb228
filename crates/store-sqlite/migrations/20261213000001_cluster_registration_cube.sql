-- The registration cube kept in its key's order (WITHOUT ROWID), as the
-- week and channel cubes already are. As a rowid table it was two B-trees:
-- the rows, and the index of its primary key beside them. A report that
-- reads many cells (a national pivot by municipality and task) walked the
-- index and looked each cell up in the rows; every registration typed in
-- the tool wrote both. Clustered, it is one B-tree, read in key order, and
-- a save writes one tree fewer. Nothing else changes: the same columns and
-- key, the same cells (copied as they are), and the triggers on
-- `registrations` that keep it (last written in `add_hotline_registrations`)
-- name it as before. The copy runs once: 1.1 s for the 852 734 cells of a
-- 1M demo (docs/performance.md).
--
-- The rename leaves those triggers as they are written (legacy rename):
-- they name `registration_cube`, which is the clustered table once renamed.
-- PostgreSQL's migration of the same name changes nothing: its tables are
-- heaps, and the cube's key is already an index beside it.

CREATE TABLE registration_cube_clustered (
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
) WITHOUT ROWID;

INSERT INTO registration_cube_clustered SELECT municipality_code, day, iso_year, iso_week,
    unit_id, task_id, channel_code, inquiry_type_code, completion_code, form, source, is_test,
    inquiries, row_count, duration_sum, duration_count
FROM registration_cube ORDER BY municipality_code, day, unit_id, task_id, channel_code,
    inquiry_type_code, completion_code, form, source, is_test;

DROP TABLE registration_cube;

PRAGMA legacy_alter_table = ON;
ALTER TABLE registration_cube_clustered RENAME TO registration_cube;
PRAGMA legacy_alter_table = OFF;
