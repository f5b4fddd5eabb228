-- The municipalities a coordinator chooses to compare their municipality
-- with on the portal's benchmark page (beside the nation, the region and
-- the ten most similar by population). Written through an audited set-up
-- change that replaces the whole group. The same on both backends.
CREATE TABLE comparison_groups (
    municipality_code INTEGER NOT NULL REFERENCES municipalities (code),
    member_code INTEGER NOT NULL REFERENCES municipalities (code),
    PRIMARY KEY (municipality_code, member_code),
    CHECK (member_code <> municipality_code)
);
