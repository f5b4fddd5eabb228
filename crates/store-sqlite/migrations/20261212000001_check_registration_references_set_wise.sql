-- The same model as PostgreSQL's migration of this name: no registration
-- refers to a row that does not exist, and no referenced row can be removed
-- while a registration refers to it. SQLite keeps its foreign keys for
-- this: they check each row in the same process, about 12 % of an import's
-- time here (docs/performance.md, "Importing a codebook file"), where
-- PostgreSQL ran each as a query of its own. Nothing changes on SQLite.
SELECT 1;
