-- A municipality's channel strategy: saved scenarios of the savings
-- simulator (the scenario is its link's query, so a saved one opens exactly
-- as shared), targets (a share of the incoming inquiries, of one task or
-- all, at least or at most a percentage by a year) and initiatives (a
-- change from a date, on a task or all). Written through audited set-up
-- changes.
CREATE TABLE savings_scenarios (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
CREATE INDEX savings_scenarios_municipality ON savings_scenarios (municipality_code, id);

CREATE TABLE strategy_targets (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    task_id BIGINT REFERENCES tasks (id),
    -- 'digital', a channel code, or 'medie:<medium>'
    subject TEXT NOT NULL,
    bound TEXT NOT NULL CHECK (bound IN ('min', 'max')),
    percent INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    by_year INTEGER NOT NULL,
    note TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX strategy_targets_municipality ON strategy_targets (municipality_code, id);

CREATE TABLE strategy_initiatives (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    task_id BIGINT REFERENCES tasks (id),
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    note TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE INDEX strategy_initiatives_municipality ON strategy_initiatives (municipality_code, id);
