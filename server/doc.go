// Package server is the NEVER MIND HTTP API: the original FastAPI service's
// routes on huma v2, Supabase authentication, persistence with Bun on SQLite
// or PostgreSQL, recordings in Supabase Storage or a local directory, and one
// analysis per recorded answer run as a River job.
//
// # Running a server
//
// The zero Config is a development server: SQLite in ./nevermind.db,
// recordings in ./data/media and a random JWT secret whose token DevToken
// returns.
//
//	cfg, err := server.ConfigFromEnv(os.Getenv) // the seed's variable names
//	cfg.Analyzer = pipelineAdapter              // interview.Pipeline, see Analyzer
//	cfg.MigrateOnStart, cfg.RunWorker = true, true
//	srv, err := server.New(cfg)
//	defer srv.Close()
//	fmt.Println("token:", srv.DevToken())
//	err = srv.Run(ctx) // until ctx ends
//
// Handler returns the http.Handler for embedding in another server or
// httptest. The API is described at /openapi.json and browsable at /docs
// without network access.
//
// # Scaling out
//
// On PostgreSQL, any number of API processes (New + Run, RunWorker false)
// enqueue analyses, and any number of Worker processes (NewWorker + Run) on
// other machines work them, sharing the database and Supabase Storage. Each
// attempt is analysed exactly once: the analysis_jobs row keyed by the
// attempt decides who enqueues and commits in one transaction with its River
// job (so a crash leaves both or neither), River's unique job is a second
// guard, and the result is written in one transaction that refuses a second
// writer.
// MigrateUp, MigrateDown and MigrationStatus back `nevermind migrate`.
//
// # Plugging in the analysis
//
// The server stores and serves results; it does not analyse. An Analyzer
// (the interview pipeline) receives each recording as a stream with the
// question text and returns the voice, pose and expression scores, the seed's
// payloads, the transcript and the combined feedback document. A
// MediaValidator (media.Open) can check uploads before they are accepted, and
// an AnswerEvaluator and a QuestionGenerator serve the LLM routes. Each is
// optional: without one, the routes that need it answer 503 or record a
// failed analysis with a clear reason.
//
// # Compatibility
//
// Routes, parameters, field names, status codes and Korean strings are the
// seed's. The deviations — fixed bugs, ownership answered as 404, 202 while
// an analysis runs, new endpoints — are listed in docs/api-compat.md.
package server
