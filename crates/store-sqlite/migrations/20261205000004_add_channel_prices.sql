-- Channel prices grow into what the channel economics need: a price may
-- be for one task of a channel, found from time (minutes per inquiry, in
-- hundredths, times the staff's cost per hour, kept for the reckoning),
-- with its source and year, marked as an example (the demo's), and who set
-- it when. National (municipality_code NULL) and a municipality's own,
-- which wins from its own date. Prices stay in øre, so costs sum exactly.
-- Written through audited set-up changes. Rows kept: amounts as they were.
CREATE TABLE channel_prices_v2 (
    id INTEGER PRIMARY KEY,
    municipality_code INTEGER REFERENCES municipalities (code),
    channel_code TEXT NOT NULL REFERENCES channels (code),
    task_id BIGINT REFERENCES tasks (id),
    valid_from TEXT NOT NULL,
    price_ore BIGINT NOT NULL CHECK (price_ore >= 0),
    basis TEXT NOT NULL CHECK (basis IN ('amount', 'time')),
    minutes_hundredths BIGINT,
    hourly_cost_ore BIGINT,
    source TEXT NOT NULL,
    source_year INTEGER NOT NULL,
    example BOOLEAN NOT NULL DEFAULT FALSE,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    CHECK ((basis = 'time') = (minutes_hundredths IS NOT NULL AND hourly_cost_ore IS NOT NULL))
);
INSERT INTO channel_prices_v2 (id, municipality_code, channel_code, valid_from, price_ore, basis,
    source, source_year, set_by, set_at)
SELECT id, municipality_code, channel_code, valid_from, price_ore, 'amount', source_note,
    CAST(substr(valid_from, 1, 4) AS INTEGER), 'opgradering', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM channel_prices;
DROP TABLE channel_prices;
ALTER TABLE channel_prices_v2 RENAME TO channel_prices;
CREATE UNIQUE INDEX channel_prices_key
    ON channel_prices (COALESCE(municipality_code, 0), channel_code, COALESCE(task_id, 0), valid_from);
