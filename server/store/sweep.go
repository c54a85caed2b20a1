package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// DeleteStaleUploads removes attempts still "uploading" that were begun
// before the cutoff: their upload's process died (a crash, a lost database
// connection during cleanup) and no request will finish them.
func (db *DB) DeleteStaleUploads(ctx context.Context, before time.Time) (int, error) {
	res, err := db.Bun.NewDelete().Model((*Attempt)(nil)).
		Where("status = ? AND created_at < ?", AttemptUploading, before).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: delete stale uploads: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// liveRiverStates are the River job states in which the job will still run
// (or is running).
var liveRiverStates = []string{"available", "pending", "retryable", "running", "scheduled"}

// LostJobs lists analysis jobs that are queued or running, last updated
// before the cutoff, whose River job will never run: none was recorded (the
// process of a live analysis, which has no River job, died), it no longer
// exists, or River gave it up (discarded after its worker died on the last
// try, cancelled).
func (db *DB) LostJobs(ctx context.Context, before time.Time) ([]AnalysisJob, error) {
	var jobs []AnalysisJob
	err := db.Bun.NewSelect().Model(&jobs).
		Where("status IN (?)", bun.In([]string{JobQueued, JobRunning})).
		Where("updated_at < ?", before).
		Where("river_job_id IS NULL OR NOT EXISTS (SELECT 1 FROM river_job r WHERE r.id = ?TableAlias.river_job_id AND r.state IN (?))",
			bun.In(liveRiverStates)).
		Order("attempt_id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: lost jobs: %w", err)
	}
	return jobs, nil
}

// RequeueLostJob puts a lost job back in the queued state (see LostJobs) and
// reports whether it was still queued or running.
func (db *DB) RequeueLostJob(ctx context.Context, attemptID int64) (bool, error) {
	res, err := db.Bun.NewUpdate().Model((*AnalysisJob)(nil)).
		Set("status = ?", JobQueued).Set("progress = 0").Set("updated_at = ?", now()).
		Where("attempt_id = ? AND status IN (?)", attemptID, bun.In([]string{JobQueued, JobRunning})).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store: requeue lost job: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ActiveJobs counts the user's analyses that are queued or running.
func (db *DB) ActiveJobs(ctx context.Context, userID string) (int, error) {
	n, err := db.Bun.NewSelect().Model((*AnalysisJob)(nil)).
		Join("JOIN sessions AS s ON s.id = ?TableAlias.session_id").
		Where("s.user_id = ?", userID).
		Where("?TableAlias.status IN (?)", bun.In([]string{JobQueued, JobRunning})).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: active jobs: %w", err)
	}
	return int(n), nil
}

// DeletedAccounts lists the users whose profile is deleted but who still own
// interview content.
func (db *DB) DeletedAccounts(ctx context.Context) ([]string, error) {
	var ids []string
	err := db.Bun.NewSelect().Model((*Content)(nil)).ColumnExpr("DISTINCT ?TableAlias.user_id").
		Join("JOIN user_profiles AS p ON p.id = ?TableAlias.user_id").
		Where("p.status = ?", ProfileDeleted).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("store: deleted accounts: %w", err)
	}
	return ids, nil
}

// UserMediaKeys lists the storage keys of every recording of the user's
// sessions.
func (db *DB) UserMediaKeys(ctx context.Context, userID string) ([]string, error) {
	var keys []string
	err := db.Bun.NewSelect().Model((*MediaAsset)(nil)).ColumnExpr("DISTINCT ?TableAlias.storage_url").
		Join("JOIN sessions AS s ON s.id = ?TableAlias.session_id").
		Where("s.user_id = ?", userID).Scan(ctx, &keys)
	if err != nil {
		return nil, fmt.Errorf("store: media keys: %w", err)
	}
	return keys, nil
}

// DeleteUserContent removes the user's interview content and, by cascade,
// cover letters, sessions, attempts, media rows, analyses and feedback. The
// profile stays, so the account's tokens are still refused as deleted.
func (db *DB) DeleteUserContent(ctx context.Context, userID string) error {
	if _, err := db.Bun.NewDelete().Model((*Content)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("store: delete user content: %w", err)
	}
	return nil
}
