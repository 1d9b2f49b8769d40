-- First-run setup happens once. Its one row (id fixed to 1) is inserted in the
-- transaction that creates the first organisation and admin, so a second,
-- concurrent setup finds it taken and rolls back whole. A database that
-- already has users was set up before this table existed.
CREATE TABLE first_run (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    completed_at BIGINT NOT NULL
);
INSERT INTO first_run (id, completed_at)
SELECT 1, created_at FROM users ORDER BY created_at, id LIMIT 1;
