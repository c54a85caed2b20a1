package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/nevermind-ai/nevermind/server/storage"
	"github.com/nevermind-ai/nevermind/server/store"
)

// ErrNoAnalyzer is the failure recorded for jobs when no Analyzer is
// configured (the interview pipeline is not wired in).
var ErrNoAnalyzer = errors.New("server: no analysis pipeline configured")

// analyzeArgs is the River job of one attempt's analysis. Only attempt_id is
// part of the uniqueness hash: one job per attempt, whatever the options.
type analyzeArgs struct {
	AttemptID int64 `json:"attempt_id" river:"unique"`
	SessionID int64 `json:"session_id"`
}

func (analyzeArgs) Kind() string { return "nevermind_analyze_attempt" }

func (analyzeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// beforeJobCommit, when set, runs in enqueueTx once the River job is
// written, before the transaction (which holds the analysis row too) commits.
// Only TestKillBeforeJobCommit sets it, to kill the process there.
var beforeJobCommit func()

// jobQueue hides River's transaction type, which differs between the pgx
// (Postgres) and database/sql (SQLite) drivers.
type jobQueue interface {
	enqueue(ctx context.Context, args analyzeArgs) (int64, error)
	// enqueueTx inserts the job in tx, the store's transaction, so the job
	// exists exactly when what tx writes is committed.
	enqueueTx(ctx context.Context, tx *sql.Tx, args analyzeArgs) (int64, error)
	start(ctx context.Context) error
	stop(ctx context.Context) error
	// stopAndCancel cancels running jobs (they are retried elsewhere) and
	// stops.
	stopAndCancel(ctx context.Context) error
}

type riverQueue[TTx any] struct {
	client *river.Client[TTx]
	// inserter inserts jobs in the store's database/sql transactions: on
	// SQLite it is client itself; on PostgreSQL, where client speaks pgx, an
	// insert-only client of River's database/sql driver over the same pool.
	inserter *river.Client[*sql.Tx]
}

func (q *riverQueue[TTx]) enqueue(ctx context.Context, args analyzeArgs) (int64, error) {
	res, err := q.client.Insert(ctx, args, nil)
	if err != nil {
		return 0, fmt.Errorf("server: enqueue analysis of attempt %d: %w", args.AttemptID, err)
	}
	return res.Job.ID, nil
}

func (q *riverQueue[TTx]) enqueueTx(ctx context.Context, tx *sql.Tx, args analyzeArgs) (int64, error) {
	res, err := q.inserter.InsertTx(ctx, tx, args, nil)
	if err != nil {
		return 0, fmt.Errorf("server: enqueue analysis of attempt %d: %w", args.AttemptID, err)
	}
	if beforeJobCommit != nil {
		beforeJobCommit()
	}
	return res.Job.ID, nil
}

func (q *riverQueue[TTx]) start(ctx context.Context) error { return q.client.Start(ctx) }
func (q *riverQueue[TTx]) stop(ctx context.Context) error  { return q.client.Stop(ctx) }
func (q *riverQueue[TTx]) stopAndCancel(ctx context.Context) error {
	return q.client.StopAndCancel(ctx)
}

// sqliteWithoutListener is River's SQLite driver saying it has no listener. SQLite has no
// LISTEN/NOTIFY, and the driver's stand-in polls a table every 50 ms: two thirds of what
// an idle server spent. Without one, River polls for jobs every FetchPollInterval and
// wakes this process's workers itself when it inserts a job; with SQLite no other process
// inserts any.
type sqliteWithoutListener struct{ *riversqlite.Driver }

func (sqliteWithoutListener) SupportsListener() bool { return false }

func newQueue(db *store.DB, cfg Config, runner *analysisRunner, work bool) (jobQueue, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, runner)
	rc := &river.Config{
		Workers:              workers,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: 2 * cfg.JobTimeout,
		Logger:               cfg.Logger.With("component", "river"),
		FetchCooldown:        50 * time.Millisecond,
		FetchPollInterval:    250 * time.Millisecond,
	}
	if work {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
	}
	if db.Dialect == store.Postgres {
		q, err := newRiverQueue(riverpgxv5.New(db.Pool), rc)
		if err != nil {
			return nil, err
		}
		q.inserter, err = river.NewClient(riverdatabasesql.New(db.SQL), &river.Config{Workers: workers, Logger: rc.Logger})
		if err != nil {
			return nil, fmt.Errorf("server: river client: %w", err)
		}
		return q, nil
	}
	q, err := newRiverQueue(sqliteWithoutListener{riversqlite.New(db.SQL)}, rc)
	if err != nil {
		return nil, err
	}
	q.inserter = q.client
	return q, nil
}

func newRiverQueue[TTx any](driver riverdriver.Driver[TTx], rc *river.Config) (*riverQueue[TTx], error) {
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("server: river client: %w", err)
	}
	return &riverQueue[TTx]{client: client}, nil
}

// requeueDeadRiverJobs makes every River job in the running state available
// again. Only a process that owns the only worker may call it, before its
// worker starts: then no running job can be alive.
func requeueDeadRiverJobs(ctx context.Context, db *store.DB) (int, error) {
	res, err := db.Bun.ExecContext(ctx, "UPDATE river_job SET state = 'available' WHERE state = 'running'")
	if err != nil {
		return 0, fmt.Errorf("server: requeue dead jobs: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func migrateRiver(ctx context.Context, db *store.DB) error {
	var err error
	if db.Dialect == store.Postgres {
		err = migrateRiverWith(ctx, riverpgxv5.New(db.Pool))
	} else {
		err = migrateRiverWith(ctx, riversqlite.New(db.SQL))
	}
	if err != nil {
		return fmt.Errorf("server: river migrations: %w", err)
	}
	return nil
}

func migrateRiverWith[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// analysisRunner is the River worker: it streams the recording from storage
// into the Analyzer and stores the result in one transaction.
type analysisRunner struct {
	river.WorkerDefaults[analyzeArgs]
	db       *store.DB
	storage  storage.Storage
	analyzer Analyzer
	log      *slog.Logger
}

func (r *analysisRunner) Work(ctx context.Context, job *river.Job[analyzeArgs]) error {
	args := job.Args
	log := r.log.With("attempt_id", args.AttemptID, "river_job_id", job.ID, "try", job.Attempt)
	row, err := r.db.StartJob(ctx, args.AttemptID)
	if errors.Is(err, store.ErrAlreadyDone) {
		log.Info("analysis already stored; nothing to do")
		return nil
	}
	if errors.Is(err, store.ErrNotFound) {
		// The attempt was deleted; there is nothing to analyse any more.
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	final := job.Attempt >= job.MaxAttempts
	fail := func(err error, permanent bool) error {
		if ferr := r.db.FailJob(context.WithoutCancel(ctx), args.AttemptID, jobFailureReason(err), final || permanent); ferr != nil {
			log.Error("recording analysis failure", "error", ferr)
		}
		log.Warn("analysis failed", "error", err, "final", final || permanent)
		if permanent {
			return river.JobCancel(err)
		}
		return err
	}
	if r.analyzer == nil {
		return fail(ErrNoAnalyzer, true)
	}
	var opts AnalysisOptions
	if err := json.Unmarshal([]byte(row.Options), &opts); err != nil {
		return fail(fmt.Errorf("job options: %w", err), true)
	}
	media, err := r.db.LatestMedia(ctx, args.SessionID, args.AttemptID, store.MediaVideo, store.MediaAudio)
	if err != nil {
		return fail(fmt.Errorf("recording of attempt %d: %w", args.AttemptID, err), errors.Is(err, store.ErrNotFound))
	}
	rc, err := r.storage.Open(ctx, media.StorageURL)
	if err != nil {
		return fail(fmt.Errorf("download %s: %w", media.StorageURL, err), errors.Is(err, storage.ErrNotFound))
	}
	defer rc.Close()
	contentType := ""
	if media.ContentType != nil {
		contentType = *media.ContentType
	}
	question, err := r.db.AttemptQuestion(ctx, args.AttemptID)
	if err != nil {
		return fail(err, false)
	}
	attempt, err := r.db.Attempt(ctx, args.SessionID, args.AttemptID)
	if err != nil {
		return fail(fmt.Errorf("attempt %d: %w", args.AttemptID, err), errors.Is(err, store.ErrNotFound))
	}
	var calib *Calibration
	if attempt.CalibrationStart != nil && attempt.CalibrationEnd != nil {
		calib = &Calibration{*attempt.CalibrationStart, *attempt.CalibrationEnd}
	}
	started := time.Now()
	result, err := r.analyzer.Analyze(ctx, AnalysisInput{
		SessionID: args.SessionID, AttemptID: args.AttemptID, Media: rc, ContentType: contentType, Options: opts, Question: question, Calibration: calib,
		Progress: func(f float64) {
			if err := r.db.SetJobProgress(ctx, args.AttemptID, f); err != nil {
				log.Warn("progress", "error", err)
			}
		},
	})
	if err != nil {
		return fail(&analyzerFailure{fmt.Errorf("analysis: %w", err)}, false)
	}
	stored, err := toStoreResult(args, result)
	if err != nil {
		// A pipeline that returns NaN or broken JSON will do so again.
		return fail(&analyzerFailure{err}, true)
	}
	if err := r.db.CompleteJob(ctx, stored); err != nil {
		if errors.Is(err, store.ErrAlreadyDone) {
			log.Info("another worker stored the result first; discarding ours")
			return nil
		}
		return fail(err, false)
	}
	log.Info("analysis stored", "seconds", time.Since(started).Seconds())
	return nil
}

// toStoreResult checks an Analysis (finite scores, valid JSON) and maps it
// to feedback_summary columns and payload documents.
func toStoreResult(args analyzeArgs, a *Analysis) (store.AnalysisResult, error) {
	out := store.AnalysisResult{SessionID: args.SessionID, AttemptID: args.AttemptID, Scores: map[string]float64{}}
	if a == nil {
		return out, errors.New("analysis: nil result")
	}
	set := func(col string, v float64) error {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("analysis: %s is %v", col, v)
		}
		out.Scores[col] = v
		return nil
	}
	doc := func(name string, raw json.RawMessage) (*string, error) {
		if len(raw) == 0 {
			return nil, nil
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("analysis: %s payload is not valid JSON", name)
		}
		s := string(raw)
		return &s, nil
	}
	var errs []error
	if v := a.Voice; v != nil {
		errs = append(errs, set("overall_voice", v.Total), set("tremor", v.Tremor), set("blank", v.Pause),
			set("tone", v.Tone), set("speed", v.Speed))
		var err error
		out.Voice, err = doc("voice", v.Payload)
		errs = append(errs, err)
	}
	if p := a.Pose; p != nil {
		errs = append(errs, set("overall_pose", p.Overall), set("shoulder", p.Shoulder), set("head", p.HeadTilt), set("hand", p.Hand))
		var err error
		out.Pose, err = doc("pose", p.ProblemSections)
		errs = append(errs, err)
	}
	if f := a.Face; f != nil {
		if !f.Unavailable {
			errs = append(errs, set("overall_face", f.Overall), set("gaze", f.Gaze), set("eye_blink", f.BlinkStability),
				set("mouth", f.MouthDelta))
		}
		var err error
		out.Expression, err = doc("expression", f.Payload)
		errs = append(errs, err)
	}
	var err error
	out.Combined, err = doc("combined", a.Combined)
	errs = append(errs, err)
	out.Transcript = a.Transcript
	for k := range a.Unavailable {
		switch k {
		case "voice", "pose", "expression", "transcript":
		default:
			errs = append(errs, fmt.Errorf("analysis: unknown modality %q in Unavailable", k))
		}
	}
	out.Unavailable = a.Unavailable
	for lang := range a.Reports {
		if lang != "ko" && lang != "en" {
			errs = append(errs, fmt.Errorf("analysis: report in unknown language %q", lang))
		}
	}
	out.Reports = a.Reports
	return out, errors.Join(errs...)
}
