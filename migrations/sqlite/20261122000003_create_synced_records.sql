-- What the sync engine copies from HubSpot and Fathom, normalised.
--
-- Every synced row is keyed by (connection_id, kind/object, external_id) so a
-- re-sync is an idempotent upsert, carries org_id for scoping, keeps the
-- provider's raw properties as JSON text next to the columns measurables
-- filter on, and is never removed on an upstream delete: deleted = 1 instead,
-- so the scorecard can recompute the weeks the record touched.

-- Calls, meetings, notes, emails and tasks from HubSpot and meetings recorded
-- in Fathom. owner_external_id is the HubSpot owner id, or for Fathom the
-- recorder's lower-cased email.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'note', 'email', 'task', 'fathom_meeting')),
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
CREATE UNIQUE INDEX activities_external_key ON activities (connection_id, kind, external_id);
CREATE INDEX activities_owner_idx ON activities (org_id, kind, owner_external_id, occurred_at);
CREATE INDEX activities_occurred_idx ON activities (org_id, kind, occurred_at);

-- Fathom transcripts (JSON array) and summaries (markdown), fetched per
-- recording after the meeting itself.
CREATE TABLE recording_contents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    transcript TEXT,
    summary TEXT,
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX recording_contents_external_key ON recording_contents (connection_id, external_id);

-- Deals; closed_won comes from the stage's pipeline metadata (closed with
-- probability 1.0), mrr is hs_mrr when HubSpot computed one, else amount.
CREATE TABLE deals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    pipeline TEXT,
    stage TEXT,
    closed_won BIGINT NOT NULL DEFAULT 0 CHECK (closed_won IN (0, 1)),
    amount DOUBLE PRECISION,
    hs_mrr DOUBLE PRECISION,
    mrr DOUBLE PRECISION,
    close_date BIGINT,
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    owner_external_id TEXT,
    deal_type TEXT,
    url TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX deals_external_key ON deals (connection_id, external_id);
CREATE INDEX deals_close_idx ON deals (org_id, closed_won, close_date);
CREATE INDEX deals_owner_idx ON deals (org_id, owner_external_id, close_date);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT,
    job_title TEXT,
    buying_role TEXT,
    company TEXT,
    owner_external_id TEXT,
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    url TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_external_key ON contacts (connection_id, external_id);
CREATE INDEX contacts_email_idx ON contacts (org_id, email);

CREATE TABLE companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    domain TEXT,
    owner_external_id TEXT,
    remote_created_at BIGINT,
    remote_updated_at BIGINT,
    url TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX companies_external_key ON companies (connection_id, external_id);

-- HubSpot lists (by name) and the memberships of the lists measurables use.
CREATE TABLE lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    object_type_id TEXT NOT NULL DEFAULT '0-1',
    processing_type TEXT,
    size BIGINT,
    properties TEXT NOT NULL DEFAULT '{}',
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX lists_external_key ON lists (connection_id, external_id);
CREATE INDEX lists_name_idx ON lists (org_id, name);

CREATE TABLE list_memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    list_external_id TEXT NOT NULL,
    record_external_id TEXT NOT NULL,
    added_at BIGINT,
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX list_memberships_external_key ON list_memberships (connection_id, list_external_id, record_external_id);
CREATE INDEX list_memberships_record_idx ON list_memberships (org_id, record_external_id);

-- Engagement -> contact and deal -> contact links (kinds as in activities,
-- plus 'deal' and 'contact').
CREATE TABLE associations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    from_kind TEXT NOT NULL,
    from_external_id TEXT NOT NULL,
    to_kind TEXT NOT NULL,
    to_external_id TEXT NOT NULL,
    label TEXT,
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX associations_external_key ON associations (connection_id, from_kind, from_external_id, to_kind, to_external_id);
CREATE INDEX associations_to_idx ON associations (org_id, to_kind, to_external_id);

-- Provider users: HubSpot owners (external_id = owner id) and Fathom
-- recorders (external_id = lower-cased email).
CREATE TABLE owners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    email TEXT,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    properties TEXT NOT NULL DEFAULT '{}',
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX owners_external_key ON owners (connection_id, external_id);
CREATE INDEX owners_email_idx ON owners (org_id, email);

CREATE TABLE pipelines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object_type TEXT NOT NULL DEFAULT 'deals',
    external_id TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    display_order BIGINT NOT NULL DEFAULT 0,
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX pipelines_external_key ON pipelines (connection_id, object_type, external_id);

CREATE TABLE pipeline_stages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    pipeline_external_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    display_order BIGINT NOT NULL DEFAULT 0,
    probability DOUBLE PRECISION,
    is_closed BIGINT NOT NULL DEFAULT 0 CHECK (is_closed IN (0, 1)),
    closed_won BIGINT NOT NULL DEFAULT 0 CHECK (closed_won IN (0, 1)),
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX pipeline_stages_external_key ON pipeline_stages (connection_id, pipeline_external_id, external_id);

-- Call outcomes: GUID -> label, from GET /calling/v1/dispositions.
CREATE TABLE call_dispositions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    label TEXT NOT NULL,
    deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    synced_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX call_dispositions_external_key ON call_dispositions (connection_id, external_id);

-- Tally people (the rows of a scorecard's "who"), linked to provider users.
CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX people_email_key ON people (org_id, email);

-- One provider user (owner row) links to at most one person. source 'auto'
-- came from the email match, 'manual' from a manager; a manual link with no
-- person means "not a person" and stops auto-matching it again.
CREATE TABLE person_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    external_id TEXT NOT NULL,
    person_id BIGINT REFERENCES people (id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('auto', 'manual')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX person_links_external_key ON person_links (connection_id, external_id);
CREATE INDEX person_links_person_idx ON person_links (org_id, person_id);

-- Where each object's incremental sync resumes; written in the same
-- transaction as the records it covers.
CREATE TABLE sync_cursors (
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object TEXT NOT NULL,
    cursor TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (connection_id, object)
);

-- Per-connection sync settings and the run lease (one run per connection,
-- across replicas: taken by a conditional UPDATE on lease_until).
CREATE TABLE sync_settings (
    connection_id BIGINT NOT NULL PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    backfill_weeks BIGINT NOT NULL DEFAULT 26,
    lists TEXT NOT NULL DEFAULT '[]',
    next_run_at BIGINT,
    lease_owner TEXT,
    lease_run_id BIGINT,
    lease_until BIGINT,
    updated_at BIGINT NOT NULL
);

-- Run history: the connect branch's sync_runs gains the trigger, counters and
-- progress; per-object counts live in sync_run_objects.
ALTER TABLE sync_runs ADD COLUMN triggered_by TEXT NOT NULL DEFAULT 'schedule';
ALTER TABLE sync_runs ADD COLUMN api_calls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN throttled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN objects_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN objects_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN heartbeat_at BIGINT;
CREATE INDEX sync_runs_status_idx ON sync_runs (status, heartbeat_at);

CREATE TABLE sync_run_objects (
    run_id BIGINT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object TEXT NOT NULL,
    added BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    deleted BIGINT NOT NULL DEFAULT 0,
    done BIGINT NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, object)
);
CREATE INDEX sync_run_objects_connection_idx ON sync_run_objects (connection_id);

-- Webhook deliveries already handled (HubSpot eventId, Fathom webhook-id).
CREATE TABLE webhook_deliveries (
    provider TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, delivery_id)
);
CREATE INDEX webhook_deliveries_received_idx ON webhook_deliveries (received_at);
