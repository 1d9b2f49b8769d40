-- Scorecards: sections, measurables (definition as JSON), effective-dated
-- goals, the precomputed weekly values pages read, manual entries and
-- overrides, their audit trail, and a note per cell.
CREATE TABLE scorecards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX scorecards_org_idx ON scorecards (org_id);

CREATE TABLE scorecard_sections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX scorecard_sections_name_key ON scorecard_sections (scorecard_id, name);

CREATE TABLE measurables (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    scorecard_id BIGINT NOT NULL REFERENCES scorecards (id) ON DELETE CASCADE,
    section_id BIGINT NOT NULL REFERENCES scorecard_sections (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    person_id BIGINT REFERENCES people (id) ON DELETE SET NULL,
    unit TEXT NOT NULL CHECK (unit IN ('count', 'currency', 'percent', 'duration')),
    decimals BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX measurables_scorecard_idx ON measurables (scorecard_id, position);
CREATE INDEX measurables_org_idx ON measurables (org_id);

CREATE TABLE measurable_goals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    measurable_id BIGINT NOT NULL REFERENCES measurables (id) ON DELETE CASCADE,
    effective_from TEXT NOT NULL,
    goal TEXT,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX measurable_goals_measurable_idx ON measurable_goals (measurable_id, effective_from);

CREATE TABLE measurable_weeks (
    measurable_id BIGINT NOT NULL REFERENCES measurables (id) ON DELETE CASCADE,
    week TEXT NOT NULL,
    value DOUBLE PRECISION,
    computed_at BIGINT NOT NULL,
    shown BIGINT NOT NULL DEFAULT 0 CHECK (shown IN (0, 1)),
    first_shown_value DOUBLE PRECISION,
    PRIMARY KEY (measurable_id, week)
);

CREATE TABLE measurable_entries (
    measurable_id BIGINT NOT NULL REFERENCES measurables (id) ON DELETE CASCADE,
    week TEXT NOT NULL,
    value DOUBLE PRECISION,
    reason TEXT NOT NULL DEFAULT '',
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (measurable_id, week)
);

CREATE TABLE measurable_notes (
    measurable_id BIGINT NOT NULL REFERENCES measurables (id) ON DELETE CASCADE,
    week TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (measurable_id, week)
);

CREATE TABLE measurable_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    measurable_id BIGINT NOT NULL,
    week TEXT,
    action TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason TEXT NOT NULL DEFAULT '',
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    user_name TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX measurable_audit_cell_idx ON measurable_audit (measurable_id, week, at);
