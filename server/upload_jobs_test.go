package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

func TestUploadRejections(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	u := userAlice
	_, sid := e.seedFlow(u)
	webmHead := []byte{0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'}

	big := append(append([]byte{}, webmHead...), bytes.Repeat([]byte{0}, 2<<20)...)
	r := e.upload(sid, 1, u, big)
	if r.status != 413 || !strings.Contains(string(r.body), "file_too_large") {
		t.Fatalf("oversized upload: %d %s", r.status, r.body)
	}
	expect(t, e.upload(sid, 1, u, []byte("just some text, not a recording")), 415,
		`{"detail":"unsupported_media_type: expected an audio or video recording, got text/plain"}`)
	expect(t, e.upload(sid, 1, u, nil), 415, `{"detail":"unsupported_media_type: the file is empty"}`)
	expect(t, e.upload(sid, 9, u, webmHead), 400, `{"detail":"invalid_question_index_for_session"}`)

	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/sessions/%d/recordings/1", e.http.URL, sid), strings.NewReader("--x--\r\n"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Authorization", "Bearer "+token(t, u))
	if r := e.send(req); r.status != 422 {
		t.Fatalf("missing file: %d %s", r.status, r.body)
	}
	// Nothing of the rejected uploads remains.
	if n := e.fake.Count(bucket); n != 0 {
		t.Fatalf("%d objects left in storage", n)
	}
	var n int
	if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM attempts").Scan(t.Context(), &n); err != nil || n != 0 {
		t.Fatalf("attempt rows left: %d, %v", n, err)
	}
	expect(t, e.upload(sid, 1, u, webmHead), 200, "")
	if n := e.fake.Count(bucket); n != 1 {
		t.Fatalf("%d objects after a good upload", n)
	}
}

// TestOneAnalysisUnderConcurrentRequests fires 50 feedback requests for the
// same attempt at once: exactly one River job and one pipeline run.
func TestOneAnalysisUnderConcurrentRequests(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{})
			e.pipeline.delay = 300 * time.Millisecond
			rec := recording(t)
			_, sid := e.seedFlow(userAlice)
			r := e.upload(sid, 1, userAlice, rec)
			expect(t, r, 200, "")
			aid := num(t, r.json(t)["attempt_id"])
			paths := []string{"/api/feedback/%d/voice-feedback?attempt_id=%d", "/api/feedback/%d/expression-feedback?attempt_id=%d", "/api/feedback/%d/pose-feedback?attempt_id=%d"}
			var wg sync.WaitGroup
			replies := make([]reply, 50)
			for i := range replies {
				wg.Go(func() {
					method, path := "GET", paths[i%len(paths)]
					if i%7 == 0 {
						method, path = "POST", paths[0] // the voice POST may also (re)run an analysis
					}
					replies[i] = e.do(method, fmt.Sprintf(path, sid, aid), userAlice, nil)
				})
			}
			wg.Wait()
			for i, r := range replies {
				if r.status != 200 && r.status != 202 {
					t.Fatalf("request %d: %d %s", i, r.status, r.body)
				}
			}
			job, err := e.srv.awaitJob(t.Context(), aid, 20*time.Second)
			if err != nil || job.Status != store.JobDone || job.Tries != 1 {
				t.Fatalf("job = %+v, %v", job, err)
			}
			if n := e.pipeline.calls.Load(); n != 1 {
				t.Fatalf("pipeline ran %d times, want 1", n)
			}
			var riverJobs int
			if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM river_job WHERE kind = ?", analyzeArgs{}.Kind()).Scan(t.Context(), &riverJobs); err != nil {
				t.Fatal(err)
			}
			if riverJobs != 1 {
				t.Fatalf("%d River jobs, want 1", riverJobs)
			}
		})
	}
}

func TestAnalysisFailures(t *testing.T) {
	t.Run("no pipeline", func(t *testing.T) {
		e := newEnv(t, store.SQLite, envOptions{noPipeline: true})
		_, sid := e.seedFlow(userAlice)
		r := e.upload(sid, 1, userAlice, recording(t))
		aid := num(t, r.json(t)["attempt_id"])
		expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil), 500,
			`{"detail":"voice_analysis_failed: server: no analysis pipeline configured"}`)
		r = e.do("GET", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), userAlice, nil)
		if st := r.json(t); st["status"] != "failed" || st["tries"] != 1.0 {
			t.Fatalf("status = %s", r.body)
		}
	})
	t.Run("retried after a failure", func(t *testing.T) {
		e := newEnv(t, store.SQLite, envOptions{})
		e.pipeline.failFor.Store(1)
		_, sid := e.seedFlow(userAlice)
		r := e.upload(sid, 1, userAlice, recording(t))
		aid := num(t, r.json(t)["attempt_id"])
		expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil), 200, "")
		job, _ := e.srv.db.Job(t.Context(), aid)
		if job.Tries != 2 || e.pipeline.calls.Load() != 2 {
			t.Fatalf("tries %d, calls %d; want 2 and 2", job.Tries, e.pipeline.calls.Load())
		}
	})
}

func TestNaNNeverStored(t *testing.T) {
	_, err := toStoreResult(analyzeArgs{AttemptID: 1, SessionID: 1}, &Analysis{Voice: &VoiceResult{Total: 80, Tremor: nan()}})
	if err == nil || !strings.Contains(err.Error(), "tremor is NaN") {
		t.Fatalf("NaN accepted: %v", err)
	}
	if _, err = toStoreResult(analyzeArgs{}, &Analysis{Combined: []byte(`{"overall": NaN}`)}); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

func TestServiceEndpoints(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	expect(t, e.do("GET", "/healthz", "", nil), 200, `{"ok":true}`)
	expect(t, e.do("GET", "/readyz", "", nil), 200, `{"ok":true,"database":"ok"}`)
	r := e.do("GET", "/openapi.json", "", nil)
	expect(t, r, 200, "")
	paths := r.json(t)["paths"].(map[string]any)
	for _, p := range []string{"/api/sessions/{session_id}/recordings/{question_index}", "/api/feedback/{session_id}/voice-feedback", "/api/interviews/{content_id}/question-plan/preview"} {
		if paths[p] == nil {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
	if v := r.json(t)["openapi"]; v != "3.1.0" {
		t.Errorf("openapi version %v", v)
	}
	for _, p := range []string{"/openapi.yaml", "/openapi-3.0.json"} {
		if r := e.do("GET", p, "", nil); r.status != 200 || len(r.body) < 1000 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if paths["/api/sessions/{content_id}/sessions/start"] != nil {
		t.Error("the hidden legacy route is in the OpenAPI document")
	}
	r = e.do("GET", "/docs", "", nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte("/docs/assets/web-components.min.js")) || bytes.Contains(r.body, []byte("unpkg")) {
		t.Fatalf("/docs: %d %s", r.status, r.body)
	}
	if r = e.do("GET", "/docs/assets/web-components.min.js", "", nil); r.status != 200 || len(r.body) < 1<<20 {
		t.Fatalf("docs asset: %d, %d bytes", r.status, len(r.body))
	}
	r = e.do("GET", "/metrics", "", nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`nevermind_http_requests_total{method="GET",route="/docs",status="200"} 1`)) ||
		!bytes.Contains(r.body, []byte(`nevermind_analysis_jobs{status="done"} 0`)) {
		t.Fatalf("/metrics: %s", r.body)
	}
	req, _ := http.NewRequest("OPTIONS", e.http.URL+"/api/auth/me", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("CORS preflight headers: %v", resp.Header)
	}
}

func TestDevModeToken(t *testing.T) {
	srv, err := New(Config{DatabaseURL: dbtest.URL(t, store.SQLite), MigrateOnStart: true, MediaDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.DevToken() == "" {
		t.Fatal("no dev token without a configured secret")
	}
	req, _ := http.NewRequest("GET", httptestServer(t, srv)+"/api/auth/me", nil)
	req.Header.Set("Authorization", "Bearer "+srv.DevToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("dev token: %d", resp.StatusCode)
	}
}
