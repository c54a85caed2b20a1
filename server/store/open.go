package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported engines.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ErrUnsupportedURL is returned by Open for a database URL whose scheme is
// neither PostgreSQL nor SQLite.
var ErrUnsupportedURL = errors.New("store: unsupported database URL")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open database: the Bun handle used for queries plus the
// driver-level handles River needs (a pgx pool on PostgreSQL, the *sql.DB on
// SQLite). It is safe for concurrent use.
type DB struct {
	// Bun runs every query of this package.
	Bun *bun.DB
	// Pool is the pgx pool on PostgreSQL and nil on SQLite.
	Pool *pgxpool.Pool
	// SQL is the database/sql handle shared by Bun (and, on SQLite, River).
	SQL *sql.DB
	// Dialect tells which engine this is.
	Dialect Dialect
}

// Open connects to the database named by rawURL:
//
//   - postgres://…, postgresql://… and the seed's SQLAlchemy form
//     postgresql+psycopg2://… open PostgreSQL through a pgx pool;
//   - sqlite:path, sqlite://path, file:path or a bare path ending in .db open
//     a SQLite file with the pure-Go driver (WAL, foreign keys on, a busy
//     timeout), limited to one connection as River's SQLite driver requires.
//
// Open pings the database before returning.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	u := strings.TrimSpace(rawURL)
	switch {
	case u == "":
		return nil, fmt.Errorf("%w: empty", ErrUnsupportedURL)
	case hasAnyPrefix(u, "postgres://", "postgresql://", "postgres+", "postgresql+"):
		return openPostgres(ctx, normalisePostgresURL(u))
	case hasAnyPrefix(u, "sqlite:", "file:") || strings.HasSuffix(u, ".db"):
		return openSQLite(ctx, u)
	default:
		return nil, fmt.Errorf("%w: %q (want postgres://… or sqlite:path)", ErrUnsupportedURL, redact(u))
	}
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// normalisePostgresURL turns SQLAlchemy's "postgresql+psycopg2://" into the
// libpq form pgx understands, so the seed's DATABASE_URL works unchanged.
func normalisePostgresURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	if base, _, hasDriver := strings.Cut(scheme, "+"); hasDriver {
		scheme = base
	}
	return scheme + "://" + rest
}

// redact hides a password in a URL so errors can be logged.
func redact(raw string) string {
	parsed, err := url.Parse(raw)
	if err != nil || parsed.User == nil {
		return raw
	}
	return parsed.Redacted()
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: parse postgres URL %q: %w", redact(dsn), err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: ping postgres %q: %w", redact(dsn), err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	return &DB{Bun: bun.NewDB(sqlDB, pgdialect.New()), Pool: pool, SQL: sqlDB, Dialect: Postgres}, nil
}

func openSQLite(ctx context.Context, u string) (*DB, error) {
	path := u
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if strings.HasPrefix(path, p) {
			path = strings.TrimPrefix(path, p)
			break
		}
	}
	path, query, _ := strings.Cut(path, "?")
	if path == "" {
		return nil, fmt.Errorf("%w: sqlite URL %q has no file path", ErrUnsupportedURL, u)
	}
	params := url.Values{}
	if query != "" {
		parsed, err := url.ParseQuery(query)
		if err != nil {
			return nil, fmt.Errorf("store: sqlite URL query %q: %w", query, err)
		}
		params = parsed
	}
	// Create the file owner-only before SQLite does (it would use 0644): it
	// holds every user's answers. SQLite gives the -wal and -shm files the
	// database file's mode.
	if !strings.HasPrefix(path, ":memory:") && params.Get("mode") != "memory" {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("store: create sqlite %q: %w", path, err)
		}
		f.Close()
	}
	for _, pragma := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)"} {
		params.Add("_pragma", pragma)
	}
	sqlDB, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %q: %w", path, err)
	}
	// River's SQLite driver needs a single connection to avoid SQLITE_BUSY,
	// and SQLite serialises writers anyway.
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetConnMaxIdleTime(0)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: ping sqlite %q: %w", path, err)
	}
	return &DB{Bun: bun.NewDB(sqlDB, sqlitedialect.New()), SQL: sqlDB, Dialect: SQLite}, nil
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Bun.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close releases the connections.
func (db *DB) Close() error {
	err := db.Bun.Close()
	if db.Pool != nil {
		db.Pool.Close()
	}
	return err
}
