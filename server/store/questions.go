package store

import (
	"context"
	"fmt"
)

// AddGeneratedQuestions stores questions generated for a content.
func (db *DB) AddGeneratedQuestions(ctx context.Context, qs []GeneratedQuestion) error {
	if len(qs) == 0 {
		return nil
	}
	t := now()
	for i := range qs {
		qs[i].CreatedAt = t
	}
	if _, err := db.Bun.NewInsert().Model(&qs).Exec(ctx); err != nil {
		return fmt.Errorf("store: add generated questions: %w", err)
	}
	return nil
}

// PickBasicQuestions returns up to n random bank questions with the label.
func (db *DB) PickBasicQuestions(ctx context.Context, label string, n int) ([]BasicQuestion, error) {
	var qs []BasicQuestion
	err := db.Bun.NewSelect().Model(&qs).Where("label = ?", label).OrderExpr("random()").Limit(int64(n)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pick basic questions: %w", err)
	}
	return qs, nil
}

// PickUnusedGenerated returns up to n random unused generated questions of
// the content with the type.
func (db *DB) PickUnusedGenerated(ctx context.Context, contentID int64, typ string, n int) ([]GeneratedQuestion, error) {
	var qs []GeneratedQuestion
	q := db.Bun.NewSelect().Model(&qs).Where("content_id = ? AND is_used = ?", contentID, false)
	if typ != "" {
		q = q.Where("type = ?", typ)
	}
	if err := q.OrderExpr("random()").Limit(int64(n)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("store: pick generated questions: %w", err)
	}
	return qs, nil
}

const questionTextJoin = `
	LEFT JOIN basic_question bq ON sq.question_type = 'BASIC' AND bq.id = sq.question_id
	LEFT JOIN generated_question gq ON sq.question_type = 'GENERATED' AND gq.id = sq.question_id`

// UnusedGenerated lists a content's unused generated questions, oldest first.
func (db *DB) UnusedGenerated(ctx context.Context, contentID int64) ([]GeneratedQuestion, error) {
	var qs []GeneratedQuestion
	err := db.Bun.NewSelect().Model(&qs).Where("content_id = ? AND is_used = ?", contentID, false).OrderExpr("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unused generated questions: %w", err)
	}
	return qs, nil
}

// QuestionText returns the text of a session question, "" when it cannot be
// resolved.
func (db *DB) QuestionText(ctx context.Context, sessionQuestionID int64) (string, error) {
	return db.questionText(ctx, "sq.id = ?", sessionQuestionID)
}

// AttemptQuestion returns the text of the question an attempt answers, ""
// when it cannot be resolved.
func (db *DB) AttemptQuestion(ctx context.Context, attemptID int64) (string, error) {
	return db.questionText(ctx, "sq.id = (SELECT session_question_id FROM attempts WHERE id = ?)", attemptID)
}

// questionText resolves the text of the session question that where selects.
func (db *DB) questionText(ctx context.Context, where string, arg any) (string, error) {
	var text []string
	err := db.Bun.NewRaw(`SELECT COALESCE(bq.text, gq.text, '') FROM session_question sq`+questionTextJoin+`
		WHERE `+where, arg).Scan(ctx, &text)
	if err != nil {
		return "", fmt.Errorf("store: question text: %w", err)
	}
	if len(text) == 0 {
		return "", nil
	}
	return text[0], nil
}
