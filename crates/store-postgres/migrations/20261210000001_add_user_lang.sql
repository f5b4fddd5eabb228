-- The language a personal user chose for the pages ('da' or 'en'); NULL
-- until the user chooses. It is brought back to the browser at each login.
ALTER TABLE users ADD COLUMN lang TEXT;
