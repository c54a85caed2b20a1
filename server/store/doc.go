// Package store is the server's persistence: Bun models of the seed's tables
// (user_profiles, content, resume, basic_question, generated_question,
// sessions, session_question, attempts, media_asset, feedback_summary) plus
// analysis_jobs and attempt_analysis, versioned migrations, and the queries
// the API runs. The same code runs on SQLite (pure Go, the default) and
// PostgreSQL (pgx).
//
//	db, err := store.Open(ctx, "sqlite:nevermind.db") // or postgres://…
//	defer db.Close()
//	applied, err := db.MigrateUp(ctx)
//	profile, err := db.EnsureProfile(ctx, userID)
//
// Queries return ErrNotFound for missing rows; writes that must happen once
// (an attempt's analysis result, a session's generated questions) report
// ErrAlreadyDone or ErrConflict instead of writing twice.
package store
