package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/store"
)

// workerProcessEnv carries the configuration of a worker process started by
// TestKill9WorkerMidAnalysis (the test binary re-executed).
const workerProcessEnv = "NEVERMIND_FAULT_WORKER"

type workerProcessConfig struct {
	DatabaseURL, SupabaseURL, SupabaseKey, JWTSecret string
	JobTimeout, Delay                                time.Duration
}

// TestFaultWorkerProcess is not a test of its own: it is the body of the
// worker process TestKill9WorkerMidAnalysis starts and kills.
func TestFaultWorkerProcess(t *testing.T) {
	raw := os.Getenv(workerProcessEnv)
	if raw == "" {
		t.Skip("runs only as the worker process of TestKill9WorkerMidAnalysis")
	}
	var c workerProcessConfig
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	w, err := NewWorker(Config{DatabaseURL: c.DatabaseURL, SupabaseURL: c.SupabaseURL, SupabaseKey: c.SupabaseKey,
		JWTSecret: c.JWTSecret, JobTimeout: c.JobTimeout, Analyzer: &fakePipeline{delay: c.Delay},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestKill9WorkerMidAnalysis starts a worker process, lets it take an
// analysis job, kills it with SIGKILL in the middle of the analysis, starts a
// second worker process, and expects the job to be rescued and completed by
// the second one: status done, two tries, exactly one result row.
func TestKill9WorkerMidAnalysis(t *testing.T) {
	if os.Getenv(faultsEnv) == "" {
		t.Skipf("starts and kills worker processes (about 30 s); set %s=1 (benchmarks/load/faults.sh)", faultsEnv)
	}
	const jobTimeout = 4 * time.Second
	e := newEnv(t, store.Postgres, envOptions{noWorker: true, mutate: func(c *Config) { c.JobTimeout = jobTimeout }})
	_, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, webmHeader())
	expect(t, r, 200, "")
	aid := num(t, r.json(t)["attempt_id"])

	start := func(delay time.Duration) *exec.Cmd {
		cfg, _ := json.Marshal(workerProcessConfig{DatabaseURL: e.srv.cfg.DatabaseURL, SupabaseURL: e.srv.cfg.SupabaseURL,
			SupabaseKey: e.srv.cfg.SupabaseKey, JWTSecret: testSecret, JobTimeout: jobTimeout, Delay: delay})
		cmd := exec.Command(os.Args[0], "-test.run=^TestFaultWorkerProcess$")
		cmd.Env = append(os.Environ(), workerProcessEnv+"="+string(cfg))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	// The first worker's analysis would take a minute: it is killed long
	// before.
	first := start(time.Minute)
	expect(t, e.do("POST", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), userAlice, nil), 202, "")
	deadline := time.Now().Add(30 * time.Second)
	for {
		job, err := e.srv.db.Job(t.Context(), aid)
		if err != nil {
			t.Fatal(err)
		}
		if job.Status == store.JobRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first worker never started the job: %+v", job)
		}
		time.Sleep(20 * time.Millisecond)
	}
	killedAt := time.Now()
	if err := first.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	first.Wait()

	start(0)
	job, err := e.srv.awaitJob(t.Context(), aid, 120*time.Second)
	if err != nil || job.Status != store.JobDone {
		t.Fatalf("job after the kill: %+v, %v", job, err)
	}
	t.Logf("job done %v after the kill, tries %d", time.Since(killedAt).Round(100*time.Millisecond), job.Tries)
	if job.Tries != 2 {
		t.Fatalf("tries = %d, want 2 (the killed worker's and the rescuer's)", job.Tries)
	}
	for _, table := range []string{"attempt_analysis", "feedback_summary"} {
		var n int
		if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM "+table+" WHERE attempt_id = ?", aid).Scan(t.Context(), &n); err != nil || n != 1 {
			t.Fatalf("%s rows for the attempt = %d, %v; want exactly 1", table, n, err)
		}
	}
}
