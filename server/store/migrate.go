package store

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun/migrate"
)

// dialectTypes fills the placeholders of the SQL migrations, so one file per
// migration serves both engines.
type dialectTypes struct {
	PK        string
	UUID      string
	TS        string
	JSON      string
	EmptyJSON string
	Float     string
	Now       string
	// Score and Duration are the seed's numeric(5,2) and numeric(8,2); on
	// SQLite they are REAL, because NUMERIC affinity turns 80.0 into the
	// integer 80.
	Score    string
	Duration string
}

func (db *DB) dialectTypes() dialectTypes {
	if db.Dialect == Postgres {
		return dialectTypes{
			PK: "BIGSERIAL PRIMARY KEY", UUID: "UUID", TS: "TIMESTAMPTZ", JSON: "JSONB",
			EmptyJSON: "'{}'::jsonb", Float: "DOUBLE PRECISION", Now: "now()",
			Score: "NUMERIC(5, 2)", Duration: "NUMERIC(8, 2)",
		}
	}
	return dialectTypes{
		PK: "INTEGER PRIMARY KEY AUTOINCREMENT", UUID: "TEXT", TS: "TIMESTAMP", JSON: "TEXT",
		EmptyJSON: "'{}'", Float: "REAL", Now: "CURRENT_TIMESTAMP",
		Score: "REAL", Duration: "REAL",
	}
}

// MigrationStatus describes one migration for `nevermind migrate status`.
type MigrationStatus struct {
	// Name is the migration's version, e.g. "20261125000001".
	Name string
	// Comment is the human part of the file name, e.g. "seed_schema".
	Comment string
	// Applied reports whether the migration has run on this database.
	Applied bool
	// Group is the batch the migration was applied in (0 when not applied).
	Group int64
}

func (db *DB) migrator() (*migrate.Migrator, error) {
	migrations := migrate.NewMigrations()
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	if err := migrations.Discover(sub); err != nil {
		return nil, fmt.Errorf("store: discover migrations: %w", err)
	}
	return migrate.NewMigrator(db.Bun, migrations,
		migrate.WithTemplateData(db.dialectTypes()),
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTableName("nevermind_migrations"),
		migrate.WithLocksTableName("nevermind_migration_locks"),
	), nil
}

// MigrateUp applies every pending migration as one group and returns the
// names applied (empty when the schema was already current).
func (db *DB) MigrateUp(ctx context.Context) ([]string, error) {
	m, err := db.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: init migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("store: lock migrations: %w", err)
	}
	defer m.Unlock(ctx) //nolint:errcheck // the lock row is removed on the next success
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate up: %w", err)
	}
	return names(group), nil
}

// MigrateDown rolls back the last applied group and returns the names rolled
// back (empty when nothing was applied).
func (db *DB) MigrateDown(ctx context.Context) ([]string, error) {
	m, err := db.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: init migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("store: lock migrations: %w", err)
	}
	defer m.Unlock(ctx) //nolint:errcheck // see MigrateUp
	group, err := m.Rollback(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate down: %w", err)
	}
	return names(group), nil
}

// MigrationStatus lists every known migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	m, err := db.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("store: init migrations: %w", err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(ms))
	for _, mig := range ms {
		out = append(out, MigrationStatus{Name: mig.Name, Comment: mig.Comment, Applied: mig.IsApplied(), Group: mig.GroupID})
	}
	return out, nil
}

func names(group *migrate.MigrationGroup) []string {
	if group == nil || group.IsZero() {
		return nil
	}
	out := make([]string, 0, len(group.Migrations))
	for _, mig := range group.Migrations {
		out = append(out, mig.Name+"_"+mig.Comment)
	}
	return out
}
