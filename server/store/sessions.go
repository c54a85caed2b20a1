package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
)

// CreateSession inserts the session and its ordered questions (basic ones
// first, numbered from 1) and marks the generated questions used, all in one
// transaction. If another session consumed one of the generated questions
// meanwhile it returns ErrConflict and writes nothing.
func (db *DB) CreateSession(ctx context.Context, s *Session, basic []BasicQuestion, generated []GeneratedQuestion) ([]SessionQuestion, error) {
	var sqs []SessionQuestion
	err := db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := now()
		s.CreatedAt = t
		if s.StartedAt.IsZero() {
			s.StartedAt = t
		}
		if _, err := tx.NewInsert().Model(s).Exec(ctx); err != nil {
			return err
		}
		order := 0
		add := func(typ string, id int64) {
			order++
			o := order
			sqs = append(sqs, SessionQuestion{SessionID: s.ID, QuestionType: typ, QuestionID: id, OrderNo: &o, CreatedAt: t})
		}
		for _, q := range basic {
			add(QuestionBasic, q.ID)
		}
		ids := make([]int64, 0, len(generated))
		for _, q := range generated {
			add(QuestionGenerated, q.ID)
			ids = append(ids, q.ID)
		}
		if len(ids) > 0 {
			res, err := tx.NewUpdate().Model((*GeneratedQuestion)(nil)).Set("is_used = ?", true).
				Where("id IN (?) AND is_used = ?", bun.List(ids), false).Exec(ctx)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != int64(len(ids)) {
				return ErrConflict
			}
		}
		if len(sqs) > 0 {
			if _, err := tx.NewInsert().Model(&sqs).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrConflict) {
		return nil, fmt.Errorf("store: create session: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("store: create session: %w", err)
	}
	return sqs, nil
}

// Session loads one session.
func (db *DB) Session(ctx context.Context, id int64) (*Session, error) {
	s := new(Session)
	if err := db.Bun.NewSelect().Model(s).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "session")
	}
	return s, nil
}

// ListSessions returns the user's sessions of a content, newest first.
func (db *DB) ListSessions(ctx context.Context, userID string, contentID int64, page Page) ([]Session, error) {
	var ss []Session
	q := db.Bun.NewSelect().Model(&ss).Where("user_id = ? AND content_id = ?", userID, contentID).
		OrderExpr("created_at DESC, id DESC")
	if page.Limit > 0 {
		q = q.Limit(int64(page.Limit))
	}
	if page.Offset > 0 {
		q = q.Offset(int64(page.Offset))
	}
	err := q.Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	return ss, nil
}

// QuestionCounts returns how many questions each of the sessions has; a
// session without any is absent from the map.
func (db *DB) QuestionCounts(ctx context.Context, sessionIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(sessionIDs))
	if len(sessionIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SessionID int64 `bun:"session_id"`
		N         int   `bun:"n"`
	}
	err := db.Bun.NewRaw(`SELECT session_id, COUNT(*) AS n FROM session_question WHERE session_id IN (?) GROUP BY session_id`,
		bun.In(sessionIDs)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: question counts: %w", err)
	}
	for _, r := range rows {
		out[r.SessionID] = r.N
	}
	return out, nil
}

// SaveSessionStatus persists status, started_at and ended_at.
func (db *DB) SaveSessionStatus(ctx context.Context, s *Session) error {
	t := now()
	s.UpdatedAt = &t
	res, err := db.Bun.NewUpdate().Model(s).Column("status", "started_at", "ended_at", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return mustAffect(res, "session")
}

// SessionQuestions returns the session's questions by order_no with their
// text and type resolved from the bank or the generated questions.
func (db *DB) SessionQuestions(ctx context.Context, sessionID int64) ([]SessionQuestionText, error) {
	var rows []SessionQuestionText
	err := db.Bun.NewRaw(`SELECT sq.*, COALESCE(bq.text, gq.text) AS text, COALESCE(bq.label, gq.type) AS type
		FROM session_question sq`+questionTextJoin+`
		WHERE sq.session_id = ? ORDER BY sq.order_no, sq.id`, sessionID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: session questions: %w", err)
	}
	return rows, nil
}

// SessionQuestionByOrder finds the session's question with this 1-based
// order number.
func (db *DB) SessionQuestionByOrder(ctx context.Context, sessionID int64, orderNo int) (*SessionQuestion, error) {
	sq := new(SessionQuestion)
	if err := db.Bun.NewSelect().Model(sq).Where("session_id = ? AND order_no = ?", sessionID, orderNo).Scan(ctx); err != nil {
		return nil, notFound(err, "session question")
	}
	return sq, nil
}
