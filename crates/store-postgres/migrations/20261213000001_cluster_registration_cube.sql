-- SQLite's migration of the same name keeps the registration cube in its
-- key's order (WITHOUT ROWID), one B-tree instead of the rows and an index
-- of the key beside them. PostgreSQL's tables are heaps with their indexes
-- beside them, and a report that reads many cells scans the heap (and
-- aggregates by hashing, without the sort SQLite needs), so nothing
-- changes here.
SELECT 1;
