-- A coordinator's recommendations on a period report: one text per
-- municipality and counting period, written through an audited set-up
-- change (the audit log keeps every earlier version). The other backend's
-- migration of the same name holds the same table.
CREATE TABLE period_notes (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    period_id BIGINT NOT NULL REFERENCES counting_periods (id),
    recommendations TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (municipality_code, period_id)
);
