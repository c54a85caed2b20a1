package server

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Config configures a Server. The zero value is a working development server:
// SQLite in ./nevermind.db, recordings in ./data/media, a random JWT secret
// (see Server.DevToken) and no analysis pipeline.
type Config struct {
	// DatabaseURL is DATABASE_URL: postgres://…, the seed's
	// postgresql+psycopg2://…, or sqlite:path. Empty means sqlite:nevermind.db.
	DatabaseURL string
	// MigrateOnStart applies pending migrations (ours and River's) in New.
	// Zero: off for PostgreSQL (run `nevermind migrate up` before deploying);
	// a SQLite database, private to this process, is always migrated.
	MigrateOnStart bool

	// Addr is the listen address for Run. Empty means ":8000"; PORT sets
	// ":$PORT" as on Render.
	Addr string
	// PublicURL is the server's external URL (scheme://host[:port][/prefix]),
	// the origin of signed replay URLs of the local storage backend. Empty
	// means the origin each request reached (see TrustedProxies).
	PublicURL string
	// TrustedProxies lists the IP addresses or CIDR prefixes of reverse
	// proxies whose X-Forwarded-Proto and X-Forwarded-Host are believed when
	// PublicURL is empty. Empty: those headers are ignored.
	TrustedProxies []string
	// CORSOrigins lists allowed origins; empty means every origin, as the
	// seed did (without credentials).
	CORSOrigins []string

	// JWTSecret is SUPABASE_JWT_SECRET (HS256). JWKSURL is SUPABASE_JWKS_URL
	// (ES256/RS256). With neither, New generates a development secret and
	// token (see Server.DevToken) on SQLite, or with DevAuth; on PostgreSQL
	// without DevAuth it refuses to start.
	JWTSecret string
	JWKSURL   string
	// DevAuth (NEVERMIND_DEV_AUTH=1) allows the development token on a
	// PostgreSQL database when neither JWTSecret nor JWKSURL is set.
	DevAuth bool
	// Issuer (SUPABASE_ISSUER) and Audience (SUPABASE_JWT_AUDIENCE) are
	// enforced when not empty.
	Issuer   string
	Audience string
	// JWTLeeway is the clock-skew allowance; zero means 30 s.
	JWTLeeway time.Duration

	// SupabaseURL (SUPABASE_URL) and SupabaseKey (SUPABASE_SERVICE_ROLE_KEY,
	// else SUPABASE_KEY) select Supabase Storage; when either is empty,
	// recordings go to MediaDir.
	SupabaseURL string
	SupabaseKey string
	// VideoBucket is SUPABASE_VIDEO_BUCKET; empty means
	// "interview_media_asset". Every storage operation uses it.
	VideoBucket string
	// MediaDir is the local storage directory; empty means "data/media".
	MediaDir string
	// LiveDir holds live uploads while they arrive (NEVERMIND_LIVE_DIR); empty
	// means "data/live". Each finished one moves to storage.
	LiveDir string
	// MediaSigningKey signs local download URLs; empty means random per
	// process.
	MediaSigningKey string
	// MaxUploadBytes limits one recording; zero means 200 MiB.
	MaxUploadBytes int64
	// MinBodyRate is the slowest average rate, in bytes per second, at which
	// a request body may arrive once the first BodyIdleTimeout has passed;
	// a slower one is cut off (408 on uploads) and its connection closed.
	// Zero means 16 KiB/s (128 kbit/s).
	MinBodyRate int64
	// BodyIdleTimeout is the longest a request body may pause, and the grace
	// before MinBodyRate applies. Zero means 30 s.
	BodyIdleTimeout time.Duration
	// MaxUploadsPerClient bounds the uploads streaming at once from one
	// client address (see TrustedProxies); more answer 429 with Retry-After
	// before their body is read. Zero means 4.
	MaxUploadsPerClient int
	// MaxUploadsPerUser bounds one user's uploads streaming at once, the same
	// way. Zero means 2.
	MaxUploadsPerUser int
	// MaxQueuedJobsPerUser bounds one user's analyses queued or running; an
	// upload or request that would queue another answers 429 with
	// Retry-After. Zero means 10.
	MaxQueuedJobsPerUser int
	// MaxValidations bounds the MediaValidator runs at once in this process;
	// an upload that finds them all busy for 10 s answers 503 with
	// Retry-After. Zero means 2.
	MaxValidations int

	// SyncWait is how long the routes the seed served synchronously (voice,
	// expression, STT) wait for the analysis before answering 202 with a
	// status URL. Zero means 60 s; negative means do not wait.
	SyncWait time.Duration
	// JobTimeout bounds one analysis; zero means 10 minutes. A job whose
	// worker died is retried after twice this time.
	JobTimeout time.Duration
	// Workers is the number of analyses this process runs at once when it
	// works jobs (Run with RunWorker, or Worker). Zero means 2.
	Workers int
	// RunWorker makes Run also process analysis jobs in-process (the
	// single-machine setup). Zero: off on PostgreSQL, where API replicas only
	// enqueue and `nevermind worker` processes run the jobs; on SQLite Run
	// always works jobs, since no other process shares the database.
	RunWorker bool

	// AnalyzeOnRequest defers an attempt's analysis until a feedback, STT
	// or analysis route asks for it, as the seed did. Zero: the analysis is
	// queued as soon as the recording is stored, so each answer is analysed
	// while the candidate records the next and the routes join the running
	// job; feedback is then ready about when the last answer ends.
	AnalyzeOnRequest bool

	// Analyzer runs analyses (interview.Pipeline). Nil: analysis routes
	// answer 503 and jobs fail with a clear message.
	Analyzer Analyzer
	// MediaValidator checks uploads (media.Open). Nil: content sniffing only.
	MediaValidator MediaValidator
	// Evaluator grades answers. Nil: the answer-evaluation POST answers 503.
	Evaluator AnswerEvaluator
	// Generator writes questions from cover letters. Nil: question
	// generation answers 503 and session start uses existing questions only.
	Generator QuestionGenerator

	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Version is shown in the OpenAPI document; empty means "dev".
	Version string
}

// ConfigFromEnv reads the seed's environment variable names plus ours
// (NEVERMIND_*), using getenv (os.Getenv in production). Interfaces
// (Analyzer, Evaluator…) are left for the caller to set.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:     getenv("DATABASE_URL"),
		PublicURL:       getenv("NEVERMIND_PUBLIC_URL"),
		JWTSecret:       getenv("SUPABASE_JWT_SECRET"),
		JWKSURL:         getenv("SUPABASE_JWKS_URL"),
		Issuer:          getenv("SUPABASE_ISSUER"),
		Audience:        getenv("SUPABASE_JWT_AUDIENCE"),
		SupabaseURL:     getenv("SUPABASE_URL"),
		SupabaseKey:     getenv("SUPABASE_SERVICE_ROLE_KEY"),
		VideoBucket:     getenv("SUPABASE_VIDEO_BUCKET"),
		MediaDir:        getenv("NEVERMIND_MEDIA_DIR"),
		LiveDir:         getenv("NEVERMIND_LIVE_DIR"),
		MediaSigningKey: getenv("NEVERMIND_MEDIA_SIGNING_KEY"),
		Addr:            getenv("NEVERMIND_ADDR"),
		DevAuth:         getenv("NEVERMIND_DEV_AUTH") == "1" || getenv("NEVERMIND_DEV_AUTH") == "true",
	}
	if c.SupabaseKey == "" {
		c.SupabaseKey = getenv("SUPABASE_KEY")
	}
	if port := getenv("PORT"); port != "" && c.Addr == "" {
		c.Addr = ":" + port
	}
	c.CORSOrigins = splitList(getenv("NEVERMIND_CORS_ORIGINS"))
	c.TrustedProxies = splitList(getenv("NEVERMIND_TRUSTED_PROXIES"))
	var errs []error
	durations := []struct {
		env string
		dst *time.Duration
	}{{"NEVERMIND_SYNC_WAIT", &c.SyncWait}, {"NEVERMIND_JOB_TIMEOUT", &c.JobTimeout}, {"NEVERMIND_JWT_LEEWAY", &c.JWTLeeway},
		{"NEVERMIND_BODY_IDLE_TIMEOUT", &c.BodyIdleTimeout}}
	for _, d := range durations {
		if v := getenv(d.env); v != "" {
			parsed, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", d.env, v, err))
			}
			*d.dst = parsed
		}
	}
	switch v := strings.ToLower(getenv("NEVERMIND_ANALYZE_ON_UPLOAD")); v {
	case "", "1", "true":
	case "0", "false":
		c.AnalyzeOnRequest = true
	default:
		errs = append(errs, fmt.Errorf("NEVERMIND_ANALYZE_ON_UPLOAD=%q: want 1, true, 0 or false", v))
	}
	if v := getenv("NEVERMIND_MAX_UPLOAD_MB"); v != "" {
		mb, err := strconv.ParseInt(v, 10, 64)
		if err != nil || mb <= 0 {
			errs = append(errs, fmt.Errorf("NEVERMIND_MAX_UPLOAD_MB=%q: want a positive integer", v))
		}
		c.MaxUploadBytes = mb << 20
	}
	if v := getenv("NEVERMIND_MIN_BODY_RATE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("NEVERMIND_MIN_BODY_RATE=%q: want a positive number of bytes per second", v))
		}
		c.MinBodyRate = n
	}
	counts := []struct {
		env string
		dst *int
	}{{"NEVERMIND_WORKERS", &c.Workers}, {"NEVERMIND_MAX_UPLOADS_PER_CLIENT", &c.MaxUploadsPerClient},
		{"NEVERMIND_MAX_UPLOADS_PER_USER", &c.MaxUploadsPerUser}, {"NEVERMIND_MAX_QUEUED_JOBS_PER_USER", &c.MaxQueuedJobsPerUser},
		{"NEVERMIND_MAX_VALIDATIONS", &c.MaxValidations}}
	for _, n := range counts {
		if v := getenv(n.env); v != "" {
			parsed, err := strconv.Atoi(v)
			if err != nil || parsed <= 0 {
				errs = append(errs, fmt.Errorf("%s=%q: want a positive integer", n.env, v))
			}
			*n.dst = parsed
		}
	}
	return c, errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:nevermind.db"
	}
	if c.Addr == "" {
		c.Addr = ":8000"
	}
	if c.VideoBucket == "" {
		c.VideoBucket = "interview_media_asset"
	}
	if c.MediaDir == "" {
		c.MediaDir = "data/media"
	}
	if c.LiveDir == "" {
		c.LiveDir = "data/live"
	}
	if c.MaxUploadBytes == 0 {
		c.MaxUploadBytes = 200 << 20
	}
	if c.MinBodyRate == 0 {
		c.MinBodyRate = 16 << 10
	}
	if c.BodyIdleTimeout <= 0 {
		c.BodyIdleTimeout = 30 * time.Second
	}
	if c.MaxUploadsPerClient == 0 {
		c.MaxUploadsPerClient = 4
	}
	if c.MaxUploadsPerUser == 0 {
		c.MaxUploadsPerUser = 2
	}
	if c.MaxQueuedJobsPerUser == 0 {
		c.MaxQueuedJobsPerUser = 10
	}
	if c.MaxValidations == 0 {
		c.MaxValidations = 2
	}
	if c.SyncWait == 0 {
		c.SyncWait = 60 * time.Second
	}
	if c.JobTimeout == 0 {
		c.JobTimeout = 10 * time.Minute
	}
	if c.Workers == 0 {
		c.Workers = 2
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	return c
}

// splitList splits a comma-separated environment variable, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
