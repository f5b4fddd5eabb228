-- The yearly cycle (issue "The yearly cycle", item 1): a national period's
-- deadlines per kind of data beside the submission deadline of
-- registrations and system extracts (counting_periods): the total counts'
-- own date, and the central deliveries' approval and load dates.
CREATE TABLE period_deadlines (
    period_id BIGINT NOT NULL REFERENCES counting_periods (id),
    kind TEXT NOT NULL CHECK (kind IN ('totals', 'central_approval', 'central_load')),
    due_on DATE NOT NULL,
    PRIMARY KEY (period_id, kind)
);
