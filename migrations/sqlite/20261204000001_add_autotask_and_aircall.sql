-- Autotask and Aircall as sources.
--
-- A connection may carry its own API base: Autotask serves each database
-- from a zone its zone-information call names at connect time.
ALTER TABLE connections ADD COLUMN api_base TEXT;

-- Aircall calls join the activities (kind 'aircall_call'). SQLite cannot
-- change a CHECK constraint, so the table is rebuilt with the wider one.
CREATE TABLE activities_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'note', 'email', 'task', 'fathom_meeting', 'aircall_call')),
    external_id TEXT NOT NULL,
    owner_external_id TEXT,
    occurred_at BIGINT,
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    start_at BIGINT,
    end_at BIGINT,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    call_direction TEXT,
    call_status TEXT,
    call_disposition TEXT,
    disposition_label TEXT,
    duration_ms BIGINT,
    activity_type TEXT,
    meeting_outcome TEXT,
    email_direction TEXT,
    task_status TEXT,
    external_attendees BIGINT NOT NULL DEFAULT 0,
    url TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);


INSERT INTO activities_rebuilt SELECT * FROM activities;
DROP TABLE activities;
ALTER TABLE activities_rebuilt RENAME TO activities;
CREATE UNIQUE INDEX activities_external_key ON activities (connection_id, kind, external_id);
CREATE INDEX activities_owner_idx ON activities (org_id, kind, owner_external_id, occurred_at);
CREATE INDEX activities_occurred_idx ON activities (org_id, kind, occurred_at);

-- Autotask tickets. owner_external_id is the assigned resource's id; queue
-- and status keep Autotask's picklist values, their labels beside them
-- (from the entity's field information) so a filter can name either.
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    ticket_number TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    status TEXT,
    status_label TEXT,
    queue TEXT,
    queue_label TEXT,
    owner_external_id TEXT,
    remote_created_at BIGINT,
    completed_at BIGINT,
    remote_updated_at BIGINT,
    url TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tickets_external_key ON tickets (connection_id, external_id);
CREATE INDEX tickets_created_idx ON tickets (org_id, remote_created_at);
CREATE INDEX tickets_completed_idx ON tickets (org_id, completed_at);
CREATE INDEX tickets_owner_idx ON tickets (org_id, owner_external_id);

-- Autotask time entries. owner_external_id is the resource's id;
-- occurred_at is noon UTC of the date worked, so the entry lands on that
-- calendar date in every time zone from UTC-11 to UTC+11.
CREATE TABLE time_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    owner_external_id TEXT,
    ticket_external_id TEXT,
    title TEXT NOT NULL DEFAULT '',
    occurred_at BIGINT,
    hours_worked DOUBLE PRECISION,
    billable BIGINT NOT NULL DEFAULT 0 CHECK (billable IN (0, 1)),
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    properties TEXT NOT NULL DEFAULT '{}',
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX time_entries_external_key ON time_entries (connection_id, external_id);
CREATE INDEX time_entries_occurred_idx ON time_entries (org_id, occurred_at);
CREATE INDEX time_entries_owner_idx ON time_entries (org_id, owner_external_id, occurred_at);
