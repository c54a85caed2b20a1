-- Tables the seed lacked: one analysis job per attempt (the primary key is
-- what makes "exactly one analysis per attempt" hold even when River's own
-- uniqueness is bypassed) and the full per-modality payloads, so problem
-- sections and timelines are no longer thrown away as the seed did.
CREATE TABLE analysis_jobs (
    attempt_id BIGINT PRIMARY KEY REFERENCES attempts (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    status VARCHAR(20) NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress {{.Float}} NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    error TEXT,
    tries INTEGER NOT NULL DEFAULT 0,
    river_job_id BIGINT,
    options {{.JSON}} NOT NULL DEFAULT {{.EmptyJSON}},
    created_at {{.TS}} NOT NULL,
    updated_at {{.TS}} NOT NULL,
    started_at {{.TS}},
    finished_at {{.TS}}
);
--bun:split
CREATE INDEX analysis_jobs_session_id_idx ON analysis_jobs (session_id);
--bun:split
CREATE TABLE attempt_analysis (
    attempt_id BIGINT PRIMARY KEY REFERENCES attempts (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    voice {{.JSON}},
    pose {{.JSON}},
    expression {{.JSON}},
    combined {{.JSON}},
    created_at {{.TS}} NOT NULL
);
