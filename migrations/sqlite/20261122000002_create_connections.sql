-- Provider connections, their encrypted secrets, pending OAuth states, and the
-- per-object counts and sync runs the sync engine fills in.
CREATE TABLE connections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    account_id TEXT NOT NULL,
    account_name TEXT NOT NULL DEFAULT '',
    account_user TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('connected', 'missing_scopes', 'needs_reauth', 'degraded', 'disconnected')),
    scopes_granted TEXT NOT NULL DEFAULT '',
    connected_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    connected_at BIGINT NOT NULL,
    access_expires_at BIGINT,
    refresh_lock_until BIGINT,
    refresh_failures BIGINT NOT NULL DEFAULT 0,
    retry_after BIGINT,
    last_error TEXT,
    last_error_at BIGINT,
    last_sync_at BIGINT,
    auto_sync BIGINT NOT NULL DEFAULT 1 CHECK (auto_sync IN (0, 1)),
    purge_requested BIGINT NOT NULL DEFAULT 0 CHECK (purge_requested IN (0, 1)),
    disconnected_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX connections_account_key ON connections (org_id, provider, account_id);

CREATE TABLE connection_secrets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL,
    field TEXT NOT NULL,
    key_id TEXT NOT NULL,
    ciphertext TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX connection_secrets_field_key ON connection_secrets (connection_id, field);
CREATE INDEX connection_secrets_key_idx ON connection_secrets (key_id);

CREATE TABLE oauth_states (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    state_hash TEXT NOT NULL,
    provider TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key_id TEXT,
    verifier_ciphertext TEXT,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX oauth_states_hash_key ON oauth_states (state_hash);

CREATE TABLE connection_object_counts (
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object TEXT NOT NULL,
    count BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (connection_id, object)
);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    status TEXT NOT NULL,
    items BIGINT NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX sync_runs_connection_idx ON sync_runs (connection_id, started_at);
