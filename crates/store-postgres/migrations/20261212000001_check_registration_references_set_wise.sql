-- What a registration refers to (its municipality, unit, task, channel,
-- inquiry type, completion and batch) is guarded here by triggers and, for
-- a file's rows, by one set-wise check per chunk, instead of by seven
-- foreign keys. A foreign key checks every inserted row with a query of its
-- own; for a file of ten million rows that was 70 million queries and two
-- thirds of the import's time (docs/performance.md, "Importing a codebook
-- file"). The guarantee stays the same: no registration refers to a row
-- that does not exist, and no referenced row can be removed while a
-- registration refers to it.
--
-- 1. Rows saved one at a time (the tool, the API, corrections, a hotline's
--    calls) are checked by `registrations_references_exist` below, as the
--    foreign keys did, locking each referenced row against removal until
--    the save commits.
-- 2. A batch's rows (`import_batch_id` set) are checked by the store when a
--    chunk is stored (`check_references` in the PostgreSQL backend): every
--    distinct value of the chunk looked up once, with the same lock.
-- 3. Removing or renumbering a referenced row is refused while any
--    registration refers to it (`registrations_still_refer`).

ALTER TABLE registrations
    DROP CONSTRAINT registrations_municipality_code_fkey,
    DROP CONSTRAINT registrations_unit_id_fkey,
    DROP CONSTRAINT registrations_task_id_fkey,
    DROP CONSTRAINT registrations_channel_code_fkey,
    DROP CONSTRAINT registrations_inquiry_type_code_fkey,
    DROP CONSTRAINT registrations_completion_code_fkey,
    DROP CONSTRAINT registrations_import_batch_id_fkey;

-- One static lookup per reference rather than a loop of dynamic SQL: a row
-- saved alone is the registration tool's hot path, and static statements
-- are planned once per connection.
CREATE FUNCTION registrations_references_exist() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM municipalities WHERE code = NEW.municipality_code FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'kommune % findes ikke', NEW.municipality_code
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF NEW.unit_id IS NOT NULL THEN
        PERFORM 1 FROM units WHERE id = NEW.unit_id FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'enhed % findes ikke', NEW.unit_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    PERFORM 1 FROM tasks WHERE id = NEW.task_id FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'opgave % findes ikke', NEW.task_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM 1 FROM channels WHERE code = NEW.channel_code FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'kanal % findes ikke', NEW.channel_code
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF NEW.inquiry_type_code IS NOT NULL THEN
        PERFORM 1 FROM inquiry_types WHERE code = NEW.inquiry_type_code FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'henvendelsestype % findes ikke', NEW.inquiry_type_code
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.completion_code IS NOT NULL THEN
        PERFORM 1 FROM completions WHERE code = NEW.completion_code FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'afslutning % findes ikke', NEW.completion_code
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.import_batch_id IS NOT NULL THEN
        PERFORM 1 FROM import_batches WHERE id = NEW.import_batch_id FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'batch % findes ikke', NEW.import_batch_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

-- A batch's rows are checked set-wise by the store as each chunk is stored.
CREATE TRIGGER registrations_references_insert AFTER INSERT ON registrations
    FOR EACH ROW WHEN (NEW.import_batch_id IS NULL)
    EXECUTE FUNCTION registrations_references_exist();
-- A correction changes what any row refers to, a batch's rows included.
CREATE TRIGGER registrations_references_update AFTER UPDATE ON registrations
    FOR EACH ROW EXECUTE FUNCTION registrations_references_exist();

-- Refuses to remove (or renumber) a row while a registration refers to it,
-- as a foreign key without ON DELETE did.
CREATE FUNCTION registrations_still_refer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    used BOOLEAN;
BEGIN
    IF TG_TABLE_NAME = 'municipalities' THEN
        used := EXISTS (SELECT 1 FROM registrations WHERE municipality_code = OLD.code);
    ELSIF TG_TABLE_NAME = 'units' THEN
        used := EXISTS (SELECT 1 FROM registrations WHERE unit_id = OLD.id);
    ELSIF TG_TABLE_NAME = 'tasks' THEN
        used := EXISTS (SELECT 1 FROM registrations WHERE task_id = OLD.id);
    ELSIF TG_TABLE_NAME = 'channels' THEN
        used := EXISTS (SELECT 1 FROM registrations WHERE channel_code = OLD.code);
    ELSIF TG_TABLE_NAME = 'inquiry_types' THEN
        used := EXISTS (SELECT 1 FROM registrations WHERE inquiry_type_code = OLD.code);
    ELSIF TG_TABLE_NAME = 'completions' THEN
        used := EXISTS (SELECT 1 FROM registrations WHERE completion_code = OLD.code);
    ELSE
        used := EXISTS (SELECT 1 FROM registrations WHERE import_batch_id = OLD.id);
    END IF;
    IF used THEN
        RAISE EXCEPTION 'rækken i % kan ikke fjernes eller omnummereres: registreringer henviser til den',
            TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;

-- On each referenced table (its key column): a trigger before a row is
-- removed, and one before its key is changed.
DO $$
DECLARE
    referenced RECORD;
BEGIN
    FOR referenced IN SELECT * FROM (VALUES
        ('municipalities', 'code'), ('units', 'id'), ('tasks', 'id'), ('channels', 'code'),
        ('inquiry_types', 'code'), ('completions', 'code'), ('import_batches', 'id')
    ) AS t (tab, key) LOOP
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW '
            'EXECUTE FUNCTION registrations_still_refer()',
            referenced.tab || '_referenced_delete', referenced.tab);
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE UPDATE OF %I ON %I FOR EACH ROW '
            'WHEN (OLD.%I IS DISTINCT FROM NEW.%I) EXECUTE FUNCTION registrations_still_refer()',
            referenced.tab || '_referenced_update', referenced.key, referenced.tab,
            referenced.key, referenced.key);
    END LOOP;
END;
$$;
