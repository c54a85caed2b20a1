package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// TestRunSingleMachine runs the server as `nevermind serve` does with no
// configuration besides the database: SQLite, local storage, a dev token,
// migrations and the in-process worker; then shuts it down.
func TestRunSingleMachine(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pipeline := &fakePipeline{}
	srv, err := New(Config{DatabaseURL: dbtest.URL(t, store.SQLite), MediaDir: t.TempDir(), Addr: addr,
		Analyzer: pipeline, Generator: fakeLLM{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	base := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatal("server did not start:", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	e := &testEnv{t: t, srv: srv}
	do := func(method, path string, body any) reply {
		req := e.request(method, base+path, body)
		req.Header.Set("Authorization", "Bearer "+srv.DevToken())
		return e.send(req)
	}
	r := do("POST", "/api/interviews/contents", map[string]any{"company": "라인", "role": "iOS"})
	cid := num(t, r.json(t)["content"].(map[string]any)["id"])
	do("POST", "/api/interviews/resume", map[string]any{"content_id": cid, "items": []any{map[string]any{"question": "동기", "answer": "앱을 만들었습니다."}}})
	r = do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{})
	expect(t, r, 200, "")
	sid := num(t, r.json(t)["session_id"])
	r = e.uploadTo(base, sid, 1, srv.DevToken(), recording(t))
	expect(t, r, 200, "")
	aid := num(t, r.json(t)["attempt_id"])
	expect(t, do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), nil), 200, "")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
