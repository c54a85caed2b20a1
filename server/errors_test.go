package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/server/store"
)

// lockedBuffer collects log output written from the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// leakyLLM fails the way a remote service does: its error quotes the request,
// key and all, and wraps the kind of failure.
type leakyLLM struct{ fakeLLM }

const leakedSecret = "sk-live-0123456789"

func (leakyLLM) GenerateQuestions(context.Context, []QA) ([]Question, error) {
	return nil, nevermind.RemoteError("questions", 429,
		fmt.Errorf("POST https://llm.example/v1/chat?key=%s: too many requests", leakedSecret))
}

// An unexpected failure is answered with the step that failed and nothing of
// the error itself, which goes to the log with the route.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	var logs lockedBuffer
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.Generator = leakyLLM{}
	}})
	r := e.do("POST", "/api/interviews/contents", userAlice, map[string]any{"company": "A", "role": "B"})
	cid := num(t, r.json(t)["content"].(map[string]any)["id"])

	// A remote service's failure: its kind, not its text.
	r = e.do("POST", "/api/interviews/question", userAlice, map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "q", "a": "a"}}})
	expect(t, r, 500, `{"detail":{"message":"question_generation_failed","detail":"the service is rate limiting this server; try again later"}}`)
	if strings.Contains(string(r.body), leakedSecret) {
		t.Fatalf("the body leaks the service's error: %s", r.body)
	}
	if !strings.Contains(logs.String(), leakedSecret) {
		t.Errorf("the service's error is not logged:\n%s", logs.String())
	}

	// A broken database (a table gone): the failed step only.
	if _, err := e.srv.db.Bun.ExecContext(t.Context(), "DROP TABLE basic_question"); err != nil {
		t.Fatal(err)
	}
	r = e.do("GET", fmt.Sprintf("/api/interviews/%d/practice-plan", cid), userAlice, nil)
	expect(t, r, 500, `{"detail":"internal_server_error: list attempts"}`)
	if strings.Contains(string(r.body), "no such table") {
		t.Fatalf("the body leaks the database's error: %s", r.body)
	}
	if log := logs.String(); !strings.Contains(log, "no such table: basic_question") || !strings.Contains(log, "route=practice-plan") {
		t.Errorf("the database's error is not logged with its route:\n%s", log)
	}
}

// errorReply's table: answers pass through, a database that is down is a
// 503, and an error without a step is a bare 500.
func TestErrorReply(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(&lockedBuffer{}, nil))}
	ctx := t.Context()
	overQuota := busy(429, time.Second, "too_many_analyses")
	for _, tc := range []struct {
		err  error
		want *apiError
	}{
		{errSessionNotFound, errSessionNotFound},
		{fmt.Errorf("load: %w", errInterviewNotFound), errInterviewNotFound},
		{failed("count analyses", overQuota), overQuota},
		{failed("load session", context.DeadlineExceeded), errDatabaseDown},
		{errors.New("open /var/lib/nevermind/secret: permission denied"), errInternal},
	} {
		got := s.errorReply(ctx, tc.err)
		if got.status != tc.want.status || fmt.Sprint(got.Detail) != fmt.Sprint(tc.want.Detail) {
			t.Errorf("errorReply(%v) = %d %v, want %d %v", tc.err, got.status, got.Detail, tc.want.status, tc.want.Detail)
		}
	}
}

// A failed analysis tells the client that the server's step failed, not the
// storage error, which names the object's key.
func TestAnalysisFailureDoesNotLeak(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) { c.AnalyzeOnRequest = true }})
	_, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, recording(t))
	up := r.json(t)
	key := up["video_url"].(string)
	if err := e.srv.storage.Delete(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, num(t, up["attempt_id"]))
	r = e.do("GET", path, userAlice, nil)
	expect(t, r, 500, `{"detail":"voice_analysis_failed: the server could not run the analysis"}`)
	if strings.Contains(string(r.body), key) {
		t.Fatalf("the body names the storage key: %s", r.body)
	}
}
