package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// Summary loads the feedback_summary row of an attempt.
func (db *DB) Summary(ctx context.Context, sessionID, attemptID int64) (*FeedbackSummary, error) {
	fs := new(FeedbackSummary)
	if err := db.Bun.NewSelect().Model(fs).Where("session_id = ? AND attempt_id = ?", sessionID, attemptID).Scan(ctx); err != nil {
		return nil, notFound(err, "feedback summary")
	}
	return fs, nil
}

// SetComment upserts the answer-evaluation comment of an attempt. The insert
// and the update are one statement, so concurrent writers cannot collide on
// the primary key (the seed read, then inserted, and two concurrent
// evaluations of one attempt failed with a duplicate key).
func (db *DB) SetComment(ctx context.Context, sessionID, attemptID int64, comment string) error {
	fs := &FeedbackSummary{SessionID: sessionID, AttemptID: attemptID, Comment: &comment}
	_, err := db.Bun.NewInsert().Model(fs).Column("session_id", "attempt_id", "comment").
		On("CONFLICT (session_id, attempt_id) DO UPDATE").Set("comment = EXCLUDED.comment").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set comment: %w", err)
	}
	return nil
}

// AnalysisResult is what one analysis writes: the score columns that are not
// nil, the payload JSON documents, and the transcript when not empty.
type AnalysisResult struct {
	SessionID, AttemptID int64
	// Scores holds feedback_summary column names → values (e.g.
	// "overall_voice", "tremor"); only these columns are written.
	Scores     map[string]float64
	Transcript string
	Voice      *string
	Pose       *string
	Expression *string
	Combined   *string
	// Unavailable says why a modality has no result.
	Unavailable map[string]string
	// Reports maps a language to the answer's HTML report.
	Reports map[string]string
}

var scoreColumns = map[string]bool{
	"overall": true, "overall_face": true, "overall_voice": true, "overall_pose": true,
	"gaze": true, "eye_blink": true, "mouth": true, "tremor": true, "blank": true,
	"tone": true, "speed": true, "shoulder": true, "head": true, "hand": true,
}

// CompleteJob writes an analysis result and marks the job done, all in one
// transaction. If the job was already done it writes nothing and returns
// ErrAlreadyDone, so exactly one result per attempt is ever stored.
func (db *DB) CompleteJob(ctx context.Context, r AnalysisResult) error {
	cols := make([]string, 0, len(r.Scores))
	for c, v := range r.Scores {
		if !scoreColumns[c] {
			return fmt.Errorf("store: complete job: unknown score column %q", c)
		}
		// numeric(5,2) holds |v| < 1000; anything else is a bug upstream and
		// must not become a database error half-way through the transaction.
		if v != v || v >= 1000 || v <= -1000 {
			return fmt.Errorf("store: complete job: score %s=%v out of range", c, v)
		}
		cols = append(cols, c)
	}
	err := db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		res, err := tx.NewUpdate().Model((*AnalysisJob)(nil)).
			Set("status = ?", JobDone).Set("progress = 1").Set("error = NULL").
			Set("finished_at = ?", t).Set("updated_at = ?", t).
			Where("attempt_id = ? AND status <> ?", r.AttemptID, JobDone).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAlreadyDone
		}
		if len(cols) > 0 {
			names := []string{"session_id", "attempt_id"}
			values := []any{r.SessionID, r.AttemptID}
			sets := make([]string, 0, len(cols))
			for _, c := range cols {
				names = append(names, c)
				values = append(values, roundTo(r.Scores[c], 2))
				sets = append(sets, c+" = EXCLUDED."+c)
			}
			q := "INSERT INTO feedback_summary (" + strings.Join(names, ", ") + ") VALUES (?" +
				strings.Repeat(", ?", len(values)-1) + ") ON CONFLICT (session_id, attempt_id) DO UPDATE SET " +
				strings.Join(sets, ", ")
			if _, err := tx.NewRaw(q, values...).Exec(ctx); err != nil {
				return err
			}
		}
		aa := &AttemptAnalysis{AttemptID: r.AttemptID, SessionID: r.SessionID, Voice: r.Voice, Pose: r.Pose,
			Expression: r.Expression, Combined: r.Combined, Unavailable: r.Unavailable, Reports: r.Reports, CreatedAt: t}
		if _, err := tx.NewInsert().Model(aa).On("CONFLICT (attempt_id) DO UPDATE").
			Set("voice = EXCLUDED.voice, pose = EXCLUDED.pose, expression = EXCLUDED.expression, combined = EXCLUDED.combined, unavailable = EXCLUDED.unavailable, reports = EXCLUDED.reports").
			Exec(ctx); err != nil {
			return err
		}
		if r.Transcript != "" {
			if _, err := tx.NewUpdate().Model((*Attempt)(nil)).Set("stt_text = ?", r.Transcript).
				Where("id = ?", r.AttemptID).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrAlreadyDone) {
		return ErrAlreadyDone
	}
	if err != nil {
		return fmt.Errorf("store: complete job: %w", err)
	}
	return nil
}

// Analysis loads the stored payloads of an attempt.
func (db *DB) Analysis(ctx context.Context, attemptID int64) (*AttemptAnalysis, error) {
	aa := new(AttemptAnalysis)
	if err := db.Bun.NewSelect().Model(aa).Where("attempt_id = ?", attemptID).Scan(ctx); err != nil {
		return nil, notFound(err, "attempt analysis")
	}
	return aa, nil
}

func roundTo(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	r := v * p
	if r < 0 {
		return -float64(int64(-r+0.5)) / p
	}
	return float64(int64(r+0.5)) / p
}
