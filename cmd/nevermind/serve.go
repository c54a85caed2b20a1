package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/sdk"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/vision"
)

// serverConfig reads the server's configuration from the environment (the original
// backend's variable names, see docs/deployment.md) and plugs in the SDK.
func serverConfig() (server.Config, error) {
	cfg, err := server.ConfigFromEnv(os.Getenv)
	if err != nil {
		return cfg, err
	}
	va, err := vision.New(vision.Options{})
	if err != nil {
		return cfg, err
	}
	p := &interview.Pipeline{Vision: va}
	switch tr, err := stt.FromEnv(os.Getenv); {
	case err == nil:
		p.Transcriber = tr
	case !errors.Is(err, stt.ErrNotConfigured):
		return cfg, err
	}
	llm, err := questions.LLMFromEnv(os.Getenv)
	if err != nil {
		return cfg, err
	}
	p.LLM = llm
	cfg.Analyzer = sdk.Analyzer{Pipeline: p}
	cfg.MediaValidator = sdk.MediaValidator{}
	cfg.Evaluator = sdk.AnswerEvaluator{LLM: llm}
	cfg.Generator = sdk.QuestionGenerator{LLM: llm}
	cfg.Version = buildVersion()
	return cfg, nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "usage: nevermind serve [flags]\n\n"+
		"Serves the API. Configuration comes from the environment (docs/deployment.md); with none it\n"+
		"uses SQLite in ./nevermind.db, recordings in ./data/media and prints a development token.", stderr)
	addr := fs.String("addr", "", "listen address (default :8000, or :$PORT)")
	migrate := fs.Bool("migrate", false, "apply pending database migrations first")
	worker := fs.Bool("worker", false, "also run analysis jobs in this process (always on with SQLite)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := serverConfig()
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	cfg.MigrateOnStart = cfg.MigrateOnStart || *migrate
	cfg.RunWorker = cfg.RunWorker || *worker
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	if tok := srv.DevToken(); tok != "" {
		fmt.Fprintf(stdout, "development mode: no SUPABASE_JWT_SECRET or SUPABASE_JWKS_URL is set.\n"+
			"Use this token for user %s:\n\n  Authorization: Bearer %s\n\n", server.DevUserID, tok)
	}
	return srv.Run(ctx)
}

func runWorker(ctx context.Context, args []string, _, stderr io.Writer) error {
	fs := newFlags("worker", "usage: nevermind worker\n\n"+
		"Runs analysis jobs from the shared PostgreSQL database (DATABASE_URL) and storage; start as many\n"+
		"as you like on as many machines.", stderr)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := serverConfig()
	if err != nil {
		return err
	}
	w, err := server.NewWorker(cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Run(ctx)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "usage: nevermind migrate up|down|status\n\n"+
		"up applies pending migrations (ours, then River's); down rolls back the last group of ours;\n"+
		"status lists them. The database is DATABASE_URL (default sqlite:nevermind.db).", stderr)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errors.New("migrate takes one of up, down, status")
	}
	cfg, err := server.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	switch rest[0] {
	case "up", "down":
		apply := server.MigrateUp
		if rest[0] == "down" {
			apply = server.MigrateDown
		}
		names, err := apply(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintln(stdout, "nothing to do")
		}
		for _, n := range names {
			fmt.Fprintf(stdout, "%s %s\n", rest[0], n)
		}
	case "status":
		list, err := server.MigrationStatus(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		for _, m := range list {
			state := "pending"
			if m.Applied {
				state = fmt.Sprintf("applied (group %d)", m.Group)
			}
			fmt.Fprintf(stdout, "%s %-24s %s\n", m.Name, m.Comment, state)
		}
	default:
		fs.Usage()
		return fmt.Errorf("unknown migrate action %q", rest[0])
	}
	return nil
}
