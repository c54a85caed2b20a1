package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// ListContents returns the user's contents, newest first, with the number of
// sessions and of sessions marked done.
func (db *DB) ListContents(ctx context.Context, userID string, page Page) ([]ContentSummary, error) {
	var rows []ContentSummary
	err := db.Bun.NewRaw(`SELECT c.*,
		(SELECT count(*) FROM sessions s WHERE s.content_id = c.id AND s.status = 'done') AS completed_sessions,
		(SELECT count(*) FROM sessions s WHERE s.content_id = c.id) AS total_sessions
		FROM content c WHERE c.user_id = ? ORDER BY c.id DESC`+page.sql(), userID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("store: list contents: %w", err)
	}
	return rows, nil
}

// CreateContent inserts c and fills its id.
func (db *DB) CreateContent(ctx context.Context, c *Content) error {
	c.CreatedAt = now()
	if _, err := db.Bun.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("store: create content: %w", err)
	}
	return nil
}

// Content loads one content row.
func (db *DB) Content(ctx context.Context, id int64) (*Content, error) {
	c := new(Content)
	if err := db.Bun.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "content")
	}
	return c, nil
}

// AddResume stores one cover-letter version. When version is 0 the next
// version for (content, user) is used. Items get their ids filled in.
func (db *DB) AddResume(ctx context.Context, contentID int64, userID string, version int, items []ResumeItem) (int, error) {
	err := db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if version == 0 {
			// Two requests reading MAX(version) at once would both take the
			// next one. SQLite's single connection serialises transactions;
			// PostgreSQL needs a lock per (content, user) until commit.
			if db.Dialect == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`,
					fmt.Sprintf("resume:%d:%s", contentID, userID)); err != nil {
					return err
				}
			}
			var maxVersion int
			if err := tx.NewRaw(`SELECT COALESCE(MAX(version), 0) FROM resume WHERE content_id = ? AND user_id = ?`,
				contentID, userID).Scan(ctx, &maxVersion); err != nil {
				return err
			}
			version = maxVersion + 1
		}
		t := now()
		for i := range items {
			items[i].ContentID, items[i].UserID, items[i].Version, items[i].CreatedAt = contentID, userID, version, t
		}
		_, err := tx.NewInsert().Model(&items).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: add resume: %w", err)
	}
	return version, nil
}

// ResumeQAs returns every non-empty cover-letter item of the content written
// by the user, oldest first: the Q&A a session start writes new questions
// from when the content has too few unused generated ones.
func (db *DB) ResumeQAs(ctx context.Context, contentID int64, userID string) ([]ResumeItem, error) {
	var items []ResumeItem
	err := db.Bun.NewSelect().Model(&items).
		Where("content_id = ? AND user_id = ?", contentID, userID).
		Where("question <> '' AND answer <> ''").OrderExpr("id ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: resume Q&A: %w", err)
	}
	return items, nil
}
