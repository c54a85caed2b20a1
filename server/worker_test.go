package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/store"
)

// blockingPipeline never finishes: it stands for a worker that hangs or is
// killed in the middle of an analysis.
type blockingPipeline struct{ started chan struct{} }

func (b *blockingPipeline) Analyze(ctx context.Context, in AnalysisInput) (*Analysis, error) {
	close(b.started)
	<-ctx.Done()
	return nil, ctx.Err()
}

func workerConfig(e *testEnv, a Analyzer) Config {
	cfg := e.srv.cfg
	cfg.Analyzer = a
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return cfg
}

func runWorker(t *testing.T, cfg Config) (*Worker, context.CancelFunc) {
	t.Helper()
	w, err := NewWorker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("worker did not stop")
		}
		w.Close()
	})
	return w, cancel
}

// TestRemoteWorker runs the API without any in-process worker and a
// separate Worker (as `nevermind worker` on another machine) against the
// same PostgreSQL database and Supabase Storage.
func TestRemoteWorker(t *testing.T) {
	e := newEnv(t, store.Postgres, envOptions{noWorker: true})
	rec := recording(t)
	_, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, rec)
	aid := num(t, r.json(t)["attempt_id"])
	remote := &fakePipeline{}
	runWorker(t, workerConfig(e, remote))
	r = e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil)
	expect(t, r, 200, "")
	if remote.calls.Load() != 1 || e.pipeline.calls.Load() != 0 {
		t.Fatalf("remote ran %d, API process ran %d analyses", remote.calls.Load(), e.pipeline.calls.Load())
	}
}

// TestStoppedWorkersJobCompletesElsewhere stops a worker in the middle of an
// analysis (a deploy's SIGTERM with running jobs cancelled); the job goes
// back to the queue and another worker completes it.
func TestStoppedWorkersJobCompletesElsewhere(t *testing.T) {
	e := newEnv(t, store.Postgres, envOptions{noWorker: true})
	rec := recording(t)
	_, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, rec)
	aid := num(t, r.json(t)["attempt_id"])

	hung := &blockingPipeline{started: make(chan struct{})}
	cfgA := workerConfig(e, hung)
	a, err := NewWorker(cfgA)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.queue.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = e.do("POST", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), userAlice, nil)
	expect(t, r, 202, "")
	select {
	case <-hung.started:
	case <-time.After(20 * time.Second):
		t.Fatal("worker A never started the job")
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = a.queue.stop(stopCtx) // times out: the job is still running
	if err := a.queue.stopAndCancel(context.Background()); err != nil {
		t.Fatal(err)
	}
	job, err := e.srv.db.Job(t.Context(), aid)
	if err != nil || job.Status == store.JobDone {
		t.Fatalf("after A stopped: %+v, %v", job, err)
	}

	b := &fakePipeline{}
	runWorker(t, workerConfig(e, b))
	job, err = e.srv.awaitJob(t.Context(), aid, 30*time.Second)
	if err != nil || job.Status != store.JobDone || job.Tries != 2 || b.calls.Load() != 1 {
		t.Fatalf("job after B = %+v, %v; B ran %d", job, err, b.calls.Load())
	}
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/pose-feedback?attempt_id=%d", sid, aid), userAlice, nil), 200, "")
}

// By default the upload queues the analysis; the routes join that job.
func TestAnalyzeOnUpload(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{})
	_, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 2, userAlice, recording(t))
	aid := num(t, r.json(t)["attempt_id"])
	job, err := e.srv.awaitJob(t.Context(), aid, 20*time.Second)
	if err != nil || job.Status != store.JobDone {
		t.Fatalf("job after upload = %+v, %v", job, err)
	}
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/pose-feedback?attempt_id=%d", sid, aid), userAlice, nil), 200, "")
	if n := e.pipeline.calls.Load(); n != 1 {
		t.Fatalf("pipeline ran %d times", n)
	}
}

// NEVERMIND_ANALYZE_ON_UPLOAD=0 restores the seed's behaviour: nothing runs
// until a route asks.
func TestAnalyzeOnRequest(t *testing.T) {
	for v, want := range map[string]bool{"": false, "1": false, "true": false, "0": true, "FALSE": true} {
		c, err := ConfigFromEnv(func(k string) string {
			if k == "NEVERMIND_ANALYZE_ON_UPLOAD" {
				return v
			}
			return ""
		})
		if err != nil || c.AnalyzeOnRequest != want {
			t.Errorf("NEVERMIND_ANALYZE_ON_UPLOAD=%q: AnalyzeOnRequest %v, %v", v, c.AnalyzeOnRequest, err)
		}
	}
	if _, err := ConfigFromEnv(func(k string) string { return map[string]string{"NEVERMIND_ANALYZE_ON_UPLOAD": "yes"}[k] }); err == nil {
		t.Error(`NEVERMIND_ANALYZE_ON_UPLOAD="yes" accepted`)
	}
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) { c.AnalyzeOnRequest = true }})
	_, sid := e.seedFlow(userAlice)
	aid := num(t, e.upload(sid, 1, userAlice, recording(t)).json(t)["attempt_id"])
	if st := e.do("GET", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), userAlice, nil).json(t)["status"]; st != "not_started" {
		t.Fatalf("status after upload %v, want not_started", st)
	}
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil), 200, "")
	if n := e.pipeline.calls.Load(); n != 1 {
		t.Fatalf("pipeline ran %d times", n)
	}
}

// TestKilledWorkersJobIsRescued kills a worker in the middle of an analysis
// (its database connections vanish, as when the machine dies). River's
// rescuer, run by the next leader once the dead one's lease expires, puts
// the job back after twice the job timeout, and another worker completes it.
// It takes about 20 s (River's leader lease is 15 s), so -short skips it.
func TestKilledWorkersJobIsRescued(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's 15 s leader lease; run without -short")
	}
	e := newEnv(t, store.Postgres, envOptions{noWorker: true, mutate: func(c *Config) { c.JobTimeout = 2 * time.Second }})
	_, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, recording(t))
	aid := num(t, r.json(t)["attempt_id"])

	hung := &blockingPipeline{started: make(chan struct{})}
	a, err := NewWorker(workerConfig(e, hung))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.queue.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	expect(t, e.do("POST", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), userAlice, nil), 202, "")
	select {
	case <-hung.started:
	case <-time.After(20 * time.Second):
		t.Fatal("worker A never started the job")
	}
	a.db.Close() // the machine is gone: nothing A does reaches the database any more
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = a.queue.stopAndCancel(ctx)
	})

	b := &fakePipeline{}
	runWorker(t, workerConfig(e, b))
	job, err := e.srv.awaitJob(t.Context(), aid, 90*time.Second)
	if err != nil || job.Status != store.JobDone || b.calls.Load() != 1 {
		t.Fatalf("job = %+v, %v; B ran %d", job, err, b.calls.Load())
	}
	if job.Tries != 2 {
		t.Fatalf("tries = %d, want 2 (A's and B's)", job.Tries)
	}
}

func TestUnavailableModalitiesExplained(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{})
	e.pipeline.voiceOnly = true
	_, sid := e.seedFlow(userAlice)
	aid := num(t, e.upload(sid, 1, userAlice, recording(t)).json(t)["attempt_id"])
	q := fmt.Sprintf("?attempt_id=%d", aid)
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback%s", sid, q), userAlice, nil), 200, "")
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/pose-feedback%s", sid, q), userAlice, nil), 422,
		`{"detail":"pose_analysis_unavailable: vision analysis is not available"}`)
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/expression-feedback%s", sid, q), userAlice, nil), 422,
		`{"detail":"expression_analysis_unavailable: vision analysis is not available"}`)
	// The voice analysis heard speech, so an empty transcript is the
	// recogniser's failure, not silence.
	expect(t, e.do("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), userAlice, map[string]any{"attempt_id": aid}), 422,
		`{"detail":"transcript_unavailable: the speech-to-text backend returned no words although the recording has speech"}`)
	r := e.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), userAlice, nil)
	att := r.json(t)["attempts"].([]any)[0].(map[string]any)
	if att["voice"] == nil || att["posture"] != nil || att["expression"] != nil {
		t.Fatalf("attempts/all = %s", r.body)
	}
}
