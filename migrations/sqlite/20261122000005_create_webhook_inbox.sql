-- Webhook work accepted but not synced yet. Written by the webhook request
-- in the same transaction as its delivery ids (after verification, before
-- the 2xx), claimed by one sync run at a time with a lease that expires
-- (a crashed replica's claim frees itself), deleted when that run succeeds.
CREATE TABLE webhook_inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    work TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_inbox_connection_idx ON webhook_inbox (connection_id, claimed_until);
CREATE INDEX webhook_inbox_claim_idx ON webhook_inbox (claimed_by);
