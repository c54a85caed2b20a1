package store

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// Sentinel errors callers branch on.
var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a concurrent writer changed the rows first (for
	// example two session starts consumed the same generated question); the
	// caller may retry.
	ErrConflict = errors.New("store: concurrent update conflict")
	// ErrAlreadyDone means an analysis result was already stored for the
	// attempt; the second writer's result is discarded.
	ErrAlreadyDone = errors.New("store: analysis already stored")
)

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

func now() time.Time { return time.Now().UTC().Round(time.Microsecond) }

func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// Page limits a listing: at most Limit rows after skipping Offset. The zero
// Page lists everything, as the seed did.
type Page struct {
	Limit, Offset int
}

func (p Page) sql() string {
	if p.Limit <= 0 && p.Offset <= 0 {
		return ""
	}
	limit := p.Limit
	if limit <= 0 {
		// An offset alone: both engines need some LIMIT before OFFSET and
		// spell "no limit" differently.
		limit = math.MaxInt32
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(p.Offset, 0))
}
