package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// enqueueProcessEnv carries the configuration of the server process started
// by TestKillBeforeJobCommit (the test binary re-executed).
const enqueueProcessEnv = "NEVERMIND_FAULT_ENQUEUE"

type enqueueProcessConfig struct {
	DatabaseURL, SupabaseURL, SupabaseKey string
	SessionID, AttemptID                  int64
}

// TestFaultEnqueueProcess is not a test of its own: it is the body of the
// server process TestKillBeforeJobCommit starts. It asks for an attempt's
// analysis and kills itself with SIGKILL inside the transaction that queues
// it.
func TestFaultEnqueueProcess(t *testing.T) {
	raw := os.Getenv(enqueueProcessEnv)
	if raw == "" {
		t.Skip("runs only as the server process of TestKillBeforeJobCommit")
	}
	var c enqueueProcessConfig
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{DatabaseURL: c.DatabaseURL, SupabaseURL: c.SupabaseURL, SupabaseKey: c.SupabaseKey,
		JWTSecret: testSecret, AnalyzeOnRequest: true, Analyzer: &fakePipeline{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	beforeJobCommit = func() {
		self, err := os.FindProcess(os.Getpid())
		if err == nil {
			err = self.Kill()
		}
		if err != nil {
			panic(err)
		}
		time.Sleep(time.Minute) // until the signal lands
	}
	h := httptest.NewServer(srv.Handler())
	defer h.Close()
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/analysis/sessions/%d/attempts/%d", h.URL, c.SessionID, c.AttemptID), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token(t, userAlice))
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	t.Fatalf("the request finished (%v, %v) without reaching the commit of its job", resp, err)
}

// TestKillBeforeJobCommit starts a server process that asks for an attempt's
// analysis and dies (SIGKILL) after the analysis row and its River job are
// written, before their transaction commits. Neither may survive: a row left
// "queued" without a River job would never be analysed, and no later request
// would queue it. A request to the server still up then has the attempt
// analysed exactly once.
func TestKillBeforeJobCommit(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			e := newEnv(t, d, envOptions{mutate: func(c *Config) { c.AnalyzeOnRequest = true }})
			_, sid := e.seedFlow(userAlice)
			r := e.upload(sid, 1, userAlice, webmHeader())
			expect(t, r, 200, "")
			aid := num(t, r.json(t)["attempt_id"])

			cfg, _ := json.Marshal(enqueueProcessConfig{DatabaseURL: e.srv.cfg.DatabaseURL, SupabaseURL: e.srv.cfg.SupabaseURL,
				SupabaseKey: e.srv.cfg.SupabaseKey, SessionID: sid, AttemptID: aid})
			cmd := exec.Command(os.Args[0], "-test.run=^TestFaultEnqueueProcess$")
			cmd.Env = append(os.Environ(), enqueueProcessEnv+"="+string(cfg))
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			err := cmd.Run()
			// ExitCode is -1 for a process ended by a signal.
			if exit := (*exec.ExitError)(nil); !errors.As(err, &exit) || exit.ExitCode() != -1 {
				t.Fatalf("the server process was not killed before the commit: %v", err)
			}

			if job, err := e.srv.db.Job(ctx, aid); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("analysis row after the kill: %+v, %v; want none", job, err)
			}
			if n := countRows(t, e.srv.db, "SELECT count(*) FROM river_job"); n != 0 {
				t.Fatalf("%d River jobs after the kill, want 0", n)
			}

			expect(t, e.do("POST", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), userAlice, nil), 202, "")
			job, err := e.srv.awaitJob(ctx, aid, 60*time.Second)
			if err != nil || job.Status != store.JobDone || job.Tries != 1 {
				t.Fatalf("job after the retry: %+v, %v; want done after one try", job, err)
			}
			if n := e.pipeline.calls.Load(); n != 1 {
				t.Errorf("%d analyses, want 1", n)
			}
			for _, q := range []string{"SELECT count(*) FROM river_job", "SELECT count(*) FROM attempt_analysis", "SELECT count(*) FROM feedback_summary"} {
				if n := countRows(t, e.srv.db, q); n != 1 {
					t.Errorf("%s = %d, want 1", q, n)
				}
			}
		})
	}
}

func countRows(t *testing.T, db *store.DB, query string) int {
	t.Helper()
	var n int
	if err := db.Bun.NewRaw(query).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}
