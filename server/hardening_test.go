package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// Unknown methods and raw paths must not become metric labels: each distinct
// label set is kept for the life of the process.
func TestMetricsLabelsAreBounded(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	for i := range 20 {
		method := fmt.Sprintf("X%dY%s", i, strings.Repeat("M", 2000))
		req, _ := http.NewRequest(method, e.http.URL+"/api/auth/me", nil)
		e.send(req)
		e.do("GET", fmt.Sprintf("/api/sessions/%d", 900000+i), userAlice, nil)
		e.do("GET", fmt.Sprintf("/no/such/path/%d", 900000+i), "", nil)
	}
	r := e.do("GET", "/metrics", "", nil)
	expect(t, r, 200, "")
	body := string(r.body)
	if strings.Contains(body, "MMMM") || strings.Contains(body, "/90000") {
		t.Fatalf("/metrics holds a client-chosen label:\n%.2000s", body)
	}
	if !strings.Contains(body, `method="other",route="unmatched"`) {
		t.Fatalf("unknown methods are not counted as other:\n%.2000s", body)
	}
	if !strings.Contains(body, `route="/api/sessions/{session_id}"`) {
		t.Fatalf("routes are not labelled by pattern:\n%.2000s", body)
	}
	if len(body) > 64<<10 {
		t.Fatalf("/metrics is %d bytes after 60 requests", len(body))
	}
}

// A timestamp outside years 1–9999 (after applying its offset) or a NaN
// query value is the client's error on both databases, and cannot make a
// session unreadable.
func TestTimestampAndNumberBounds(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{noWorker: true})
			cid, sid := e.seedFlow(userAlice)
			path := fmt.Sprintf("/api/sessions/%d/status", sid)
			for _, ts := range []string{"9999-12-31T23:59:00-23:59", "10000-01-01T00:00:00Z", "0000-06-01T00:00:00Z", "0001-01-01T00:00:00+01:00"} {
				r := e.do("PATCH", path, userAlice, map[string]any{"started_at": ts})
				expect(t, r, 400, `{"detail":"Invalid started_at. Must be ISO 8601"}`)
				r = e.do("PATCH", path, userAlice, map[string]any{"ended_at": ts})
				expect(t, r, 400, `{"detail":"Invalid ended_at. Must be ISO 8601"}`)
			}
			// The extremes that stay in range are stored and read back.
			r := e.do("PATCH", path, userAlice, map[string]any{"started_at": "0001-01-01T00:00:00Z", "ended_at": "9999-12-31T23:59:59Z"})
			expect(t, r, 200, "")
			expect(t, e.do("GET", fmt.Sprintf("/api/sessions/%d", sid), userAlice, nil), 200, "")
			expect(t, e.do("GET", fmt.Sprintf("/api/sessions?content_id=%d", cid), userAlice, nil), 200, "")
			expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), userAlice, nil), 200, "")

			r = e.do("POST", "/api/interviews/contents", userAlice, map[string]any{"company": "c", "role": "r", "interview_date": "0000-01-01"})
			expect(t, r, 400, "")

			for _, v := range []string{"NaN", "nan", "Inf", "-Inf", "+Infinity"} {
				r = e.do("GET", fmt.Sprintf("/api/feedback/%d/expression-feedback?attempt_id=1&baseline_seconds=%s", sid, v), userAlice, nil)
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "baseline_seconds") {
					t.Errorf("baseline_seconds=%s: %d %s", v, r.status, r.body)
				}
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	for _, path := range []string{"/api/auth/me", "/healthz", "/no/such"} {
		resp, err := http.Get(e.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
}

// A PostgreSQL deployment with no JWT secret or JWKS must not start with a
// development token unless asked to.
func TestNoAuthOutsideDevMode(t *testing.T) {
	url := dbtest.URL(t, store.Postgres)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := New(Config{DatabaseURL: url, MigrateOnStart: true, MediaDir: t.TempDir(), Logger: quiet})
	if !errors.Is(err, errNoAuth) {
		t.Fatalf("New without auth on PostgreSQL: %v, want errNoAuth", err)
	}
	cfg, err := ConfigFromEnv(func(k string) string {
		return map[string]string{"DATABASE_URL": url, "NEVERMIND_DEV_AUTH": "1"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.MediaDir, cfg.Logger = t.TempDir(), quiet
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.DevToken() == "" {
		t.Fatal("explicit dev mode gave no token")
	}
}

// A rejected token's claims are client-controlled and can be huge; the log
// line about it must stay small.
func TestRejectedTokenLogIsBounded(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	}})
	huge := token(t, userAlice)
	parts := strings.Split(huge, ".")
	// A payload that is not JSON makes the error quote it.
	parts[1] = strings.Repeat("QUFB", 200_000)
	req, _ := http.NewRequest("GET", e.http.URL+"/api/auth/me", nil)
	req.Header.Set("Authorization", "Bearer "+strings.Join(parts, "."))
	expect(t, e.send(req), 401, `{"detail":"unauthorized"}`)
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "token rejected") && len(line) > 1024 {
			t.Fatalf("log line of %d bytes", len(line))
		}
	}
	if !strings.Contains(logs.String(), "token rejected") {
		t.Fatal("the rejection was not logged")
	}
}

func TestSQLiteFileIsOwnerOnly(t *testing.T) {
	path := t.TempDir() + "/private.db"
	db, err := store.Open(t.Context(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
}

// Concurrent saves without a version each get their own.
func TestResumeVersionsAreAtomic(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{noWorker: true})
			cid, _ := e.seedFlow(userAlice)
			const n = 12
			versions := make([]int64, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					r := e.do("POST", "/api/interviews/resume", userAlice, map[string]any{"content_id": cid,
						"items": []any{map[string]any{"question": fmt.Sprintf("q%d", i), "answer": "a"}}})
					if r.status == 200 {
						versions[i] = num(t, r.json(t)["version"])
					}
				})
			}
			wg.Wait()
			seen := map[int64]bool{}
			for _, v := range versions {
				if v == 0 || seen[v] {
					t.Fatalf("versions %v: missing or repeated", versions)
				}
				seen[v] = true
			}
		})
	}
}
