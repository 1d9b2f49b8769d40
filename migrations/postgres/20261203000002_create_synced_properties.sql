-- Properties a measurable names (a sum's "mrr", a portal's custom
-- "monthly_recurring_revenue") beyond those every sync reads. A name seen
-- for the first time is 'pending': the sync re-reads that kind's records
-- from the start (a targeted backfill, resumable through the kind's cursor)
-- and marks it 'complete' once the kind has been read through.
CREATE TABLE synced_properties (
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object TEXT NOT NULL,
    name TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'complete')),
    requested_at BIGINT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (connection_id, object, name)
);

-- The connected portal's property definitions per object
-- (GET /crm/v3/properties/{object}), so the measurable editor can say when
-- a named property does not exist and which names are closest.
CREATE TABLE provider_properties (
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT '',
    custom BIGINT NOT NULL DEFAULT 0 CHECK (custom IN (0, 1)),
    synced_at BIGINT NOT NULL,
    PRIMARY KEY (connection_id, object, name)
);
