-- The data model of the whole KOMHEN 2.0 method (../shared/METHOD.md).
-- Why one migration: this is the first schema; later changes get their own.
-- Every tenant row carries municipality_code, first in its keys and indexes,
-- so that the registration tables can later be distributed by municipality.
-- The PostgreSQL migration of the same name holds the same model; here
-- ids are SQLite rowids, timestamps ISO-8601 text, dates YYYY-MM-DD text.

-- Reference data ------------------------------------------------------------

CREATE TABLE regions (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE municipalities (
    code INTEGER PRIMARY KEY CHECK (code BETWEEN 101 AND 999),
    name TEXT NOT NULL,
    region_code INTEGER NOT NULL REFERENCES regions (code),
    landsdel TEXT NOT NULL,
    iso_3166_2 TEXT NOT NULL,
    test_mode BOOLEAN NOT NULL DEFAULT FALSE,
    test_mode_until TEXT
);

CREATE TABLE municipality_populations (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    year INTEGER NOT NULL,
    population BIGINT NOT NULL CHECK (population >= 0),
    PRIMARY KEY (municipality_code, year)
);

CREATE TABLE channels (
    code TEXT PRIMARY KEY,
    label_da TEXT NOT NULL,
    label_en TEXT NOT NULL,
    medium TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    form_applicable BOOLEAN NOT NULL,
    digital BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE inquiry_types (
    code TEXT PRIMARY KEY,
    label_da TEXT NOT NULL,
    label_en TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('transaction', 'information')),
    sort_order INTEGER NOT NULL
);

CREATE TABLE completions (
    code TEXT PRIMARY KEY,
    label_da TEXT NOT NULL,
    label_en TEXT NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE kle_entries (
    number TEXT PRIMARY KEY,
    level TEXT NOT NULL CHECK (level IN ('main_group', 'group', 'topic')),
    title TEXT NOT NULL,
    parent_number TEXT,
    retired BOOLEAN NOT NULL DEFAULT FALSE
);

-- Tasks: national (municipality_code NULL) or a municipality's own.
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    kle_number TEXT NOT NULL,
    code_kind TEXT NOT NULL CHECK (code_kind IN ('main_group', 'group', 'topic', 'pseudo')),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE UNIQUE INDEX tasks_national_kle ON tasks (kle_number) WHERE municipality_code IS NULL;
CREATE UNIQUE INDEX tasks_local_kle_name ON tasks (municipality_code, kle_number, name)
    WHERE municipality_code IS NOT NULL;

-- A task package is the catalogue of one counting season.
CREATE TABLE task_packages (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_da TEXT NOT NULL,
    name_en TEXT NOT NULL,
    season TEXT NOT NULL CHECK (season IN ('spring', 'autumn')),
    year INTEGER NOT NULL,
    description_da TEXT NOT NULL DEFAULT ''
);

CREATE TABLE task_package_tasks (
    task_package_id BIGINT NOT NULL REFERENCES task_packages (id),
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    mandatory BOOLEAN NOT NULL,
    PRIMARY KEY (task_package_id, task_id)
);

CREATE TABLE channel_prices (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    channel_code TEXT NOT NULL REFERENCES channels (code),
    valid_from TEXT NOT NULL,
    price_ore BIGINT NOT NULL CHECK (price_ore >= 0),
    source_note TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX channel_prices_national ON channel_prices (channel_code, valid_from)
    WHERE municipality_code IS NULL;
CREATE UNIQUE INDEX channel_prices_local ON channel_prices (municipality_code, channel_code, valid_from)
    WHERE municipality_code IS NOT NULL;

-- Organisation and people ---------------------------------------------------

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    UNIQUE (municipality_code, name)
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    department_id BIGINT REFERENCES departments (id),
    name TEXT NOT NULL,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    last_login_at TEXT
);
CREATE INDEX units_municipality ON units (municipality_code, department_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);

-- A national administrator has no municipality; a unit lead names a unit.
CREATE TABLE user_roles (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('national_admin', 'coordinator', 'unit_lead', 'analyst')),
    unit_id BIGINT REFERENCES units (id),
    CHECK ((role = 'national_admin') = (municipality_code IS NULL) OR role = 'analyst'),
    CHECK (role <> 'unit_lead' OR unit_id IS NOT NULL)
);
CREATE INDEX user_roles_user ON user_roles (user_id);
CREATE INDEX user_roles_municipality ON user_roles (municipality_code);

CREATE TABLE unit_tasks (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    task_id BIGINT NOT NULL REFERENCES tasks (id),
    PRIMARY KEY (municipality_code, unit_id, task_id)
);

-- Questions: the national optional parameters (code set, no municipality,
-- no task) and extra questions of a task, national or local.
CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    code TEXT UNIQUE,
    task_id BIGINT REFERENCES tasks (id),
    label_da TEXT NOT NULL,
    label_en TEXT NOT NULL,
    answer_kind TEXT NOT NULL CHECK (answer_kind IN ('choice', 'text', 'number')),
    sort_order INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX questions_municipality ON questions (municipality_code, task_id);

CREATE TABLE question_options (
    id INTEGER PRIMARY KEY,
    question_id BIGINT NOT NULL REFERENCES questions (id),
    code TEXT NOT NULL,
    label_da TEXT NOT NULL,
    label_en TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    UNIQUE (question_id, code)
);

CREATE TABLE unit_questions (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    question_id BIGINT NOT NULL REFERENCES questions (id),
    PRIMARY KEY (municipality_code, unit_id, question_id)
);

-- Periods -------------------------------------------------------------------

-- National periods have no municipality; a municipality may add its own.
CREATE TABLE counting_periods (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    season TEXT CHECK (season IN ('spring', 'autumn')),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    mandatory BOOLEAN NOT NULL,
    submission_deadline TEXT NOT NULL,
    task_package_id BIGINT REFERENCES task_packages (id),
    published_at TEXT,
    CHECK (starts_on <= ends_on AND ends_on <= submission_deadline)
);
CREATE UNIQUE INDEX counting_periods_national ON counting_periods (starts_on, ends_on)
    WHERE municipality_code IS NULL;

CREATE TABLE period_participations (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    period_id BIGINT NOT NULL REFERENCES counting_periods (id),
    PRIMARY KEY (municipality_code, period_id)
);

CREATE TABLE period_units (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    period_id BIGINT NOT NULL REFERENCES counting_periods (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (municipality_code, period_id, unit_id)
);

-- Data ----------------------------------------------------------------------

-- Every file, API batch, central load and demo load is one batch, so it can
-- be recognised by its SHA-256, shown, replaced or removed whole.
CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    row_count BIGINT NOT NULL DEFAULT 0,
    rejected_count BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('loading', 'committed', 'replaced', 'deleted', 'failed')),
    errors TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX import_batches_municipality ON import_batches (municipality_code, kind, sha256);

CREATE TABLE registrations (
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
    source TEXT NOT NULL CHECK (source IN ('tool', 'paper', 'upload', 'api', 'central')),
    import_batch_id BIGINT REFERENCES import_batches (id),
    is_test BOOLEAN NOT NULL DEFAULT FALSE,
    idempotency_key TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX registrations_municipality_day ON registrations (municipality_code, day);
CREATE INDEX registrations_unit_time ON registrations (municipality_code, unit_id, registered_at);
CREATE INDEX registrations_batch ON registrations (import_batch_id);
CREATE UNIQUE INDEX registrations_idempotency ON registrations (municipality_code, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE registration_answers (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES questions (id),
    option_id BIGINT REFERENCES question_options (id),
    value_text TEXT,
    PRIMARY KEY (municipality_code, registration_id, question_id)
);

-- Total counts: all inquiries on a channel for a date range, from the
-- municipality's own systems; and the nationally delivered totals
-- (website sessions, borger.dk logins, NemID issued) with no channel.
CREATE TABLE total_counts (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    measure TEXT NOT NULL CHECK (measure IN ('inquiries', 'website_sessions', 'borgerdk_logins', 'nemid_issued')),
    channel_code TEXT REFERENCES channels (code),
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    count BIGINT NOT NULL CHECK (count >= 0),
    source TEXT NOT NULL,
    import_batch_id BIGINT REFERENCES import_batches (id),
    created_at TEXT NOT NULL,
    CHECK (from_day <= to_day),
    CHECK ((measure = 'inquiries') = (channel_code IS NOT NULL))
);
CREATE INDEX total_counts_municipality ON total_counts (municipality_code, measure, channel_code, from_day);

-- Append-only: who changed which set-up data, before and after.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    at TEXT NOT NULL
);
CREATE INDEX audit_log_municipality ON audit_log (municipality_code, at);
