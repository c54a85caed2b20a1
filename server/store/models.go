package store

import (
	"time"

	"github.com/uptrace/bun"
)

// Profile statuses (user_profiles.status).
const (
	ProfileActive  = "active"
	ProfileBlocked = "blocked"
	ProfileDeleted = "deleted"
)

// Session statuses (sessions.status).
const (
	SessionDraft    = "draft"
	SessionRunning  = "running"
	SessionDone     = "done"
	SessionCanceled = "canceled"
)

// Question types of session_question.question_type.
const (
	QuestionBasic     = "BASIC"
	QuestionGenerated = "GENERATED"
)

// Media kinds of media_asset.kind, as numbered by the seed.
const (
	MediaVideo = 1
	MediaImage = 2
	MediaAudio = 3
)

// Attempt statuses. "uploading" is ours: an attempt row exists while its
// recording streams to storage and is deleted if the upload fails.
const (
	AttemptUploading = "uploading"
	AttemptOK        = "ok"
	AttemptAborted   = "aborted"
)

// Analysis job statuses (analysis_jobs.status).
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Profile is a user_profiles row: our side of a Supabase auth user.
type Profile struct {
	bun.BaseModel `bun:"table:user_profiles"`

	ID          string         `bun:"id,pk,type:uuid"`
	DisplayName *string        `bun:"display_name"`
	Status      string         `bun:"status,notnull"`
	ProfileMeta map[string]any `bun:"profile_meta,type:jsonb,notnull"`
	CreatedAt   time.Time      `bun:"created_at,notnull"`
	UpdatedAt   time.Time      `bun:"updated_at,notnull"`
}

// Content is a content row: one planned interview (company, role, date).
type Content struct {
	bun.BaseModel `bun:"table:content"`

	ID            int64      `bun:"id,pk,autoincrement"`
	UserID        string     `bun:"user_id,type:uuid,notnull"`
	Company       string     `bun:"company,notnull"`
	Role          string     `bun:"role,notnull"`
	RoleCategory  *int       `bun:"role_category"`
	InterviewDate *time.Time `bun:"interview_date,type:date"`
	JDText        *string    `bun:"jd_text"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	UpdatedAt     *time.Time `bun:"updated_at"`
}

// ContentSummary is a content row with its session counts, as listed by
// GET /api/interviews/contents.
type ContentSummary struct {
	Content
	CompletedSessions int `bun:"completed_sessions"`
	TotalSessions     int `bun:"total_sessions"`
}

// ResumeItem is a resume row: one cover-letter question and answer of a
// version.
type ResumeItem struct {
	bun.BaseModel `bun:"table:resume"`

	ID        int64      `bun:"id,pk,autoincrement"`
	UserID    string     `bun:"user_id,type:uuid,notnull"`
	ContentID int64      `bun:"content_id,notnull"`
	Version   int        `bun:"version,notnull"`
	Question  string     `bun:"question,notnull"`
	Answer    string     `bun:"answer,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	UpdatedAt *time.Time `bun:"updated_at"`
}

// BasicQuestion is a basic_question row of the shared bank.
type BasicQuestion struct {
	bun.BaseModel `bun:"table:basic_question"`

	ID        int64     `bun:"id,pk,autoincrement"`
	Label     string    `bun:"label,notnull"`
	Text      string    `bun:"text,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// GeneratedQuestion is a generated_question row: a question made for one
// content from its cover letter.
type GeneratedQuestion struct {
	bun.BaseModel `bun:"table:generated_question"`

	ID        int64     `bun:"id,pk,autoincrement"`
	ContentID int64     `bun:"content_id,notnull"`
	Type      string    `bun:"type,notnull"`
	IsUsed    bool      `bun:"is_used,notnull"`
	Text      string    `bun:"text,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Session is a sessions row: one practice run over an ordered question set.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID         int64      `bun:"id,pk,autoincrement"`
	UserID     string     `bun:"user_id,type:uuid,notnull"`
	ContentID  int64      `bun:"content_id,notnull"`
	Status     string     `bun:"status,notnull"`
	StartedAt  time.Time  `bun:"started_at,notnull"`
	EndedAt    *time.Time `bun:"ended_at"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	UpdatedAt  *time.Time `bun:"updated_at"`
	SessionMax int        `bun:"session_max,notnull"`
}

// SessionQuestion is a session_question row. QuestionID points at a
// basic_question or generated_question row depending on QuestionType.
type SessionQuestion struct {
	bun.BaseModel `bun:"table:session_question"`

	ID           int64     `bun:"id,pk,autoincrement"`
	SessionID    int64     `bun:"session_id,notnull"`
	QuestionType string    `bun:"question_type,notnull"`
	QuestionID   int64     `bun:"question_id,notnull"`
	OrderNo      *int      `bun:"order_no"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
}

// SessionQuestionText is a session question with its resolved text and type.
type SessionQuestionText struct {
	SessionQuestion
	Text *string `bun:"text"`
	Type *string `bun:"type"`
}

// Attempt is an attempts row: one recorded answer to a session question.
type Attempt struct {
	bun.BaseModel `bun:"table:attempts"`

	ID                int64      `bun:"id,pk,autoincrement"`
	SessionID         int64      `bun:"session_id,notnull"`
	SessionQuestionID int64      `bun:"session_question_id,notnull"`
	StartedAt         time.Time  `bun:"started_at,notnull"`
	EndedAt           *time.Time `bun:"ended_at"`
	DurationSec       *float64   `bun:"duration_sec"`
	Status            *string    `bun:"status"`
	STTText           *string    `bun:"stt_text"`
	CreatedAt         time.Time  `bun:"created_at,notnull"`
	// CalibrationStart and CalibrationEnd, both set or both nil, bound the stretch in
	// seconds when the candidate looked into the lens on request (the upload's
	// calibration field); ours, not the seed's.
	CalibrationStart *float64 `bun:"calibration_start"`
	CalibrationEnd   *float64 `bun:"calibration_end"`
}

// MediaAsset is a media_asset row. StorageURL is the object key, not a URL,
// as in the seed.
type MediaAsset struct {
	bun.BaseModel `bun:"table:media_asset"`

	ID                int64     `bun:"id,pk,autoincrement"`
	SessionID         int64     `bun:"session_id,notnull"`
	AttemptID         *int64    `bun:"attempt_id"`
	SessionQuestionID *int64    `bun:"session_question_id"`
	Kind              int       `bun:"kind,notnull"`
	StorageURL        string    `bun:"storage_url,notnull"`
	SHA256            *string   `bun:"sha256"`
	ContentType       *string   `bun:"content_type"`
	SizeBytes         *int64    `bun:"size_bytes"`
	CreatedAt         time.Time `bun:"created_at,notnull"`
}

// FeedbackSummary is a feedback_summary row: the per-attempt scores shared by
// the voice, pose, face and answer-evaluation writers.
type FeedbackSummary struct {
	bun.BaseModel `bun:"table:feedback_summary"`

	SessionID    int64    `bun:"session_id,pk"`
	AttemptID    int64    `bun:"attempt_id,pk"`
	Overall      *float64 `bun:"overall"`
	OverallFace  *float64 `bun:"overall_face"`
	OverallVoice *float64 `bun:"overall_voice"`
	OverallPose  *float64 `bun:"overall_pose"`
	Gaze         *float64 `bun:"gaze"`
	EyeBlink     *float64 `bun:"eye_blink"`
	Mouth        *float64 `bun:"mouth"`
	Tremor       *float64 `bun:"tremor"`
	Blank        *float64 `bun:"blank"`
	Tone         *float64 `bun:"tone"`
	Speed        *float64 `bun:"speed"`
	Shoulder     *float64 `bun:"shoulder"`
	Head         *float64 `bun:"head"`
	Hand         *float64 `bun:"hand"`
	Speech       *string  `bun:"speech"`
	Comment      *string  `bun:"comment"`
}

// AnalysisJob is an analysis_jobs row: the one analysis of an attempt.
type AnalysisJob struct {
	bun.BaseModel `bun:"table:analysis_jobs"`

	AttemptID  int64      `bun:"attempt_id,pk"`
	SessionID  int64      `bun:"session_id,notnull"`
	Status     string     `bun:"status,notnull"`
	Progress   float64    `bun:"progress,notnull"`
	Error      *string    `bun:"error"`
	Tries      int        `bun:"tries,notnull"`
	RiverJobID *int64     `bun:"river_job_id"`
	Options    string     `bun:"options,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	UpdatedAt  time.Time  `bun:"updated_at,notnull"`
	StartedAt  *time.Time `bun:"started_at"`
	FinishedAt *time.Time `bun:"finished_at"`
}

// AttemptAnalysis is an attempt_analysis row: the full JSON payload each
// modality produced, kept so nothing the analysis computed is lost.
type AttemptAnalysis struct {
	bun.BaseModel `bun:"table:attempt_analysis"`

	AttemptID  int64   `bun:"attempt_id,pk"`
	SessionID  int64   `bun:"session_id,notnull"`
	Voice      *string `bun:"voice"`
	Pose       *string `bun:"pose"`
	Expression *string `bun:"expression"`
	Combined   *string `bun:"combined"`
	// Unavailable maps a modality ("voice", "pose", "expression",
	// "transcript") to why it has no result.
	Unavailable map[string]string `bun:"unavailable,type:jsonb"`
	// Reports maps a language ("ko", "en") to the answer's HTML report.
	Reports   map[string]string `bun:"reports,type:jsonb"`
	CreatedAt time.Time         `bun:"created_at,notnull"`
}
