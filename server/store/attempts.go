package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// BeginAttempt inserts an attempt in the "uploading" state so the recording
// can be stored under its id.
func (db *DB) BeginAttempt(ctx context.Context, a *Attempt) error {
	t := now()
	status := AttemptUploading
	zero := 0.0
	a.StartedAt, a.EndedAt, a.CreatedAt, a.Status, a.DurationSec = t, &t, t, &status, &zero
	if _, err := db.Bun.NewInsert().Model(a).Exec(ctx); err != nil {
		return fmt.Errorf("store: begin attempt: %w", err)
	}
	return nil
}

// FinishAttempt records the uploaded media and marks the attempt ok in one
// transaction.
func (db *DB) FinishAttempt(ctx context.Context, a *Attempt, assets []MediaAsset) error {
	err := db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		for i := range assets {
			assets[i].CreatedAt = t
		}
		if len(assets) > 0 {
			if _, err := tx.NewInsert().Model(&assets).Exec(ctx); err != nil {
				return err
			}
		}
		status := AttemptOK
		a.Status = &status
		_, err := tx.NewUpdate().Model(a).Column("status", "duration_sec", "ended_at").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: finish attempt: %w", err)
	}
	return nil
}

// DeleteAttempt removes an attempt whose upload failed.
func (db *DB) DeleteAttempt(ctx context.Context, id int64) error {
	if _, err := db.Bun.NewDelete().Model((*Attempt)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("store: delete attempt: %w", err)
	}
	return nil
}

// Attempt loads a finished attempt that belongs to the session.
func (db *DB) Attempt(ctx context.Context, sessionID, attemptID int64) (*Attempt, error) {
	a := new(Attempt)
	err := db.Bun.NewSelect().Model(a).Where("id = ? AND session_id = ?", attemptID, sessionID).
		Where("status IS NULL OR status <> ?", AttemptUploading).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "attempt")
	}
	return a, nil
}

// AttemptRow is an attempt with its question text and stored scores, for
// listings.
type AttemptRow struct {
	Attempt
	ContentID    int64    `bun:"content_id"`
	QuestionText *string  `bun:"question_text"`
	OrderNo      *int     `bun:"order_no"`
	OverallVoice *float64 `bun:"overall_voice"`
	OverallFace  *float64 `bun:"overall_face"`
	OverallPose  *float64 `bun:"overall_pose"`
	Tremor       *float64 `bun:"tremor"`
	Blank        *float64 `bun:"blank"`
	Tone         *float64 `bun:"tone"`
	Speed        *float64 `bun:"speed"`
	Gaze         *float64 `bun:"gaze"`
	EyeBlink     *float64 `bun:"eye_blink"`
	Mouth        *float64 `bun:"mouth"`
	Shoulder     *float64 `bun:"shoulder"`
	Head         *float64 `bun:"head"`
	Hand         *float64 `bun:"hand"`
	Comment      *string  `bun:"comment"`
}

const attemptRowSelect = `SELECT a.*, s.content_id, sq.order_no, COALESCE(bq.text, gq.text) AS question_text,
	fs.overall_voice, fs.overall_face, fs.overall_pose, fs.tremor, fs.blank, fs.tone, fs.speed,
	fs.gaze, fs.eye_blink, fs.mouth, fs.shoulder, fs.head, fs.hand, fs.comment
	FROM attempts a
	JOIN sessions s ON s.id = a.session_id
	JOIN session_question sq ON sq.id = a.session_question_id` + questionTextJoin + `
	LEFT JOIN feedback_summary fs ON fs.session_id = a.session_id AND fs.attempt_id = a.id
	WHERE (a.status IS NULL OR a.status <> 'uploading')`

// SessionAttempts lists the session's finished attempts by start time.
func (db *DB) SessionAttempts(ctx context.Context, sessionID int64) ([]AttemptRow, error) {
	var rows []AttemptRow
	err := db.Bun.NewRaw(attemptRowSelect+` AND a.session_id = ? ORDER BY a.started_at, a.id`, sessionID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: session attempts: %w", err)
	}
	return rows, nil
}

// UserAttempts lists all of the user's finished attempts, oldest first,
// optionally limited to one content (contentID 0 means all).
func (db *DB) UserAttempts(ctx context.Context, userID string, contentID int64) ([]AttemptRow, error) {
	var rows []AttemptRow
	q := attemptRowSelect + ` AND s.user_id = ?`
	args := []any{userID}
	if contentID != 0 {
		q += ` AND s.content_id = ?`
		args = append(args, contentID)
	}
	if err := db.Bun.NewRaw(q+` ORDER BY a.started_at, a.id`, args...).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("store: user attempts: %w", err)
	}
	return rows, nil
}

// LatestMedia returns the newest media asset of the attempt whose kind is one
// of kinds.
func (db *DB) LatestMedia(ctx context.Context, sessionID, attemptID int64, kinds ...int) (*MediaAsset, error) {
	m := new(MediaAsset)
	err := db.Bun.NewSelect().Model(m).Where("session_id = ? AND attempt_id = ?", sessionID, attemptID).
		Where("kind IN (?)", bun.List(kinds)).OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "media asset")
	}
	return m, nil
}

// SetTranscript stores the attempt's transcript.
func (db *DB) SetTranscript(ctx context.Context, attemptID int64, text string) error {
	_, err := db.Bun.NewUpdate().Model((*Attempt)(nil)).Set("stt_text = ?", text).Where("id = ?", attemptID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: set transcript: %w", err)
	}
	return nil
}
