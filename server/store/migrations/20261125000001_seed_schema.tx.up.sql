-- The seed's tables with the constraints the original lacked:
-- lengths that fit Korean text, enum checks, cascading foreign keys and the
-- indexes the original declared. Rendered as a text/template per dialect.
CREATE TABLE user_profiles (
    id {{.UUID}} PRIMARY KEY,
    display_name VARCHAR(100),
    status VARCHAR(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'deleted')),
    profile_meta {{.JSON}} NOT NULL DEFAULT {{.EmptyJSON}},
    created_at {{.TS}} NOT NULL,
    updated_at {{.TS}} NOT NULL
);
--bun:split
CREATE TABLE content (
    id {{.PK}},
    user_id {{.UUID}} NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    company VARCHAR(100) NOT NULL,
    role VARCHAR(100) NOT NULL,
    role_category INTEGER,
    interview_date DATE,
    jd_text TEXT,
    created_at {{.TS}} NOT NULL,
    updated_at {{.TS}}
);
--bun:split
CREATE INDEX content_user_id_idx ON content (user_id);
--bun:split
CREATE TABLE resume (
    id {{.PK}},
    user_id {{.UUID}} NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    content_id BIGINT NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version > 0),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at {{.TS}} NOT NULL,
    updated_at {{.TS}}
);
--bun:split
CREATE INDEX resume_content_user_version_idx ON resume (content_id, user_id, version);
--bun:split
CREATE TABLE basic_question (
    id {{.PK}},
    label VARCHAR(20) NOT NULL CHECK (label IN ('job', 'soft')),
    text TEXT NOT NULL,
    created_at {{.TS}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX basic_question_label_text_idx ON basic_question (label, text);
--bun:split
CREATE TABLE generated_question (
    id {{.PK}},
    content_id BIGINT NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    type VARCHAR(20) NOT NULL CHECK (type IN ('job', 'soft')),
    is_used BOOLEAN NOT NULL DEFAULT FALSE,
    text TEXT NOT NULL,
    created_at {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX generated_question_content_created_idx ON generated_question (content_id, created_at);
--bun:split
CREATE TABLE sessions (
    id {{.PK}},
    user_id {{.UUID}} NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    content_id BIGINT NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    status VARCHAR(20) NOT NULL CHECK (status IN ('draft', 'running', 'done', 'canceled')),
    started_at {{.TS}} NOT NULL,
    ended_at {{.TS}},
    created_at {{.TS}} NOT NULL,
    updated_at {{.TS}},
    session_max INTEGER NOT NULL CHECK (session_max > 0)
);
--bun:split
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
--bun:split
CREATE INDEX sessions_user_started_idx ON sessions (user_id, started_at);
--bun:split
CREATE INDEX sessions_content_id_idx ON sessions (content_id);
--bun:split
CREATE TABLE session_question (
    id {{.PK}},
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    question_type VARCHAR(20) NOT NULL CHECK (question_type IN ('BASIC', 'GENERATED')),
    question_id BIGINT NOT NULL,
    order_no INTEGER CHECK (order_no > 0),
    created_at {{.TS}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX session_question_session_order_idx ON session_question (session_id, order_no);
--bun:split
CREATE INDEX session_question_type_question_idx ON session_question (question_type, question_id);
--bun:split
CREATE TABLE attempts (
    id {{.PK}},
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    session_question_id BIGINT NOT NULL REFERENCES session_question (id) ON DELETE CASCADE,
    started_at {{.TS}} NOT NULL,
    ended_at {{.TS}},
    duration_sec {{.Duration}},
    status VARCHAR(20) CHECK (status IN ('uploading', 'ok', 'aborted')),
    stt_text TEXT,
    created_at {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX attempts_session_id_idx ON attempts (session_id);
--bun:split
CREATE INDEX attempts_session_question_idx ON attempts (session_id, session_question_id);
--bun:split
CREATE INDEX attempts_session_started_idx ON attempts (session_id, started_at);
--bun:split
CREATE TABLE media_asset (
    id {{.PK}},
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    attempt_id BIGINT REFERENCES attempts (id) ON DELETE CASCADE,
    session_question_id BIGINT REFERENCES session_question (id) ON DELETE CASCADE,
    kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
    storage_url TEXT NOT NULL,
    sha256 VARCHAR(64),
    content_type VARCHAR(100),
    size_bytes BIGINT,
    created_at {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX media_asset_session_id_idx ON media_asset (session_id);
--bun:split
CREATE INDEX media_asset_attempt_id_idx ON media_asset (attempt_id);
--bun:split
CREATE INDEX media_asset_session_created_idx ON media_asset (session_id, created_at);
--bun:split
CREATE TABLE feedback_summary (
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    attempt_id BIGINT NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    overall {{.Score}},
    overall_face {{.Score}},
    overall_voice {{.Score}},
    overall_pose {{.Score}},
    gaze {{.Score}},
    eye_blink {{.Score}},
    mouth {{.Score}},
    tremor {{.Score}},
    blank {{.Score}},
    tone {{.Score}},
    speed {{.Score}},
    shoulder {{.Score}},
    head {{.Score}},
    hand {{.Score}},
    speech TEXT,
    comment TEXT,
    PRIMARY KEY (session_id, attempt_id)
);
--bun:split
CREATE INDEX feedback_summary_session_id_idx ON feedback_summary (session_id);
--bun:split
CREATE INDEX feedback_summary_attempt_id_idx ON feedback_summary (attempt_id);
