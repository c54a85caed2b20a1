package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
)

// EnsureJob creates the attempt's analysis job in the queued state unless one
// exists. created reports whether this call made it; exactly one caller ever
// does, because attempt_id is the primary key.
func (db *DB) EnsureJob(ctx context.Context, sessionID, attemptID int64, options string) (job *AnalysisJob, created bool, err error) {
	if created, err = createJob(ctx, db.Bun, sessionID, attemptID, options); err != nil {
		return nil, false, err
	}
	job, err = db.Job(ctx, attemptID)
	return job, created, err
}

// QueueJob creates the attempt's analysis job in the queued state unless one
// exists, or, with requeueFailed, moves a failed one back to queued. When it
// did either it calls enqueue in the same transaction, to put the work on the
// job queue, and records the queue's job id: the row and its queued work are
// committed together, so a crash leaves both or neither, never a queued row
// no worker will take. queued reports whether this call queued the job; an
// error from enqueue rolls everything back.
func (db *DB) QueueJob(ctx context.Context, sessionID, attemptID int64, options string, requeueFailed bool,
	enqueue func(ctx context.Context, tx *sql.Tx) (riverJobID int64, err error)) (queued bool, err error) {
	err = db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if queued, err = createJob(ctx, tx, sessionID, attemptID, options); err != nil {
			return err
		}
		if !queued && requeueFailed {
			if queued, err = requeueFailedJob(ctx, tx, attemptID); err != nil {
				return err
			}
		}
		if queued {
			id, err := enqueue(ctx, tx.Tx)
			if err != nil {
				return err
			}
			return setRiverJobID(ctx, tx, attemptID, id)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: queue analysis job: %w", err)
	}
	return queued, nil
}

// createJob inserts the attempt's queued analysis job unless one exists and
// reports whether it did.
func createJob(ctx context.Context, idb bun.IDB, sessionID, attemptID int64, options string) (bool, error) {
	t := now()
	if options == "" {
		options = "{}"
	}
	j := &AnalysisJob{AttemptID: attemptID, SessionID: sessionID, Status: JobQueued, Options: options, CreatedAt: t, UpdatedAt: t}
	res, err := idb.NewInsert().Model(j).On("CONFLICT (attempt_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: create analysis job: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: create analysis job: %w", err)
	}
	return n == 1, nil
}

// requeueFailedJob moves a failed job back to queued so a new request can
// retry it; it reports whether this call did so.
func requeueFailedJob(ctx context.Context, idb bun.IDB, attemptID int64) (bool, error) {
	res, err := idb.NewUpdate().Model((*AnalysisJob)(nil)).
		Set("status = ?", JobQueued).Set("progress = 0").Set("error = NULL").Set("updated_at = ?", now()).
		Where("attempt_id = ? AND status = ?", attemptID, JobFailed).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: requeue job: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetRiverJobID records which River job carries the analysis.
func (db *DB) SetRiverJobID(ctx context.Context, attemptID, riverJobID int64) error {
	return setRiverJobID(ctx, db.Bun, attemptID, riverJobID)
}

func setRiverJobID(ctx context.Context, idb bun.IDB, attemptID, riverJobID int64) error {
	_, err := idb.NewUpdate().Model((*AnalysisJob)(nil)).Set("river_job_id = ?", riverJobID).
		Set("updated_at = ?", now()).Where("attempt_id = ?", attemptID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set river job id: %w", err)
	}
	return nil
}

// Job loads the attempt's analysis job.
func (db *DB) Job(ctx context.Context, attemptID int64) (*AnalysisJob, error) {
	j := new(AnalysisJob)
	if err := db.Bun.NewSelect().Model(j).Where("attempt_id = ?", attemptID).Scan(ctx); err != nil {
		return nil, notFound(err, "analysis job")
	}
	return j, nil
}

// StartJob marks the job running and counts the try. It returns
// ErrAlreadyDone if the result is already stored, so a redelivered job does
// nothing.
func (db *DB) StartJob(ctx context.Context, attemptID int64) (*AnalysisJob, error) {
	t := now()
	res, err := db.Bun.NewUpdate().Model((*AnalysisJob)(nil)).
		Set("status = ?", JobRunning).Set("tries = tries + 1").Set("started_at = ?", t).Set("updated_at = ?", t).
		Where("attempt_id = ? AND status <> ?", attemptID, JobDone).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: start job: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.Job(ctx, attemptID); err != nil {
			return nil, err
		}
		return nil, ErrAlreadyDone
	}
	return db.Job(ctx, attemptID)
}

// SetJobProgress records progress in [0, 1] of a running job.
func (db *DB) SetJobProgress(ctx context.Context, attemptID int64, progress float64) error {
	if !(progress >= 0) {
		progress = 0
	}
	progress = min(progress, 1)
	_, err := db.Bun.NewUpdate().Model((*AnalysisJob)(nil)).Set("progress = ?", progress).Set("updated_at = ?", now()).
		Where("attempt_id = ? AND status = ?", attemptID, JobRunning).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: job progress: %w", err)
	}
	return nil
}

// FailJob records an error. With final=false the job goes back to queued
// (River will retry it); with final=true it is failed until a new request
// requeues it.
func (db *DB) FailJob(ctx context.Context, attemptID int64, msg string, final bool) error {
	status := JobQueued
	q := db.Bun.NewUpdate().Model((*AnalysisJob)(nil))
	if final {
		status = JobFailed
		q = q.Set("finished_at = ?", now())
	}
	_, err := q.Set("status = ?", status).Set("error = ?", msg).Set("updated_at = ?", now()).
		Where("attempt_id = ? AND status <> ?", attemptID, JobDone).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: fail job: %w", err)
	}
	return nil
}

// JobCounts returns the number of analysis jobs per status.
func (db *DB) JobCounts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Status string `bun:"status"`
		N      int    `bun:"n"`
	}
	if err := db.Bun.NewRaw(`SELECT status, count(*) AS n FROM analysis_jobs GROUP BY status`).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: job counts: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
