package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/storage"
	"github.com/nevermind-ai/nevermind/server/store"
)

// flakyStorage sits in front of the fake Supabase Storage and answers 500
// to the next failNext requests, counting every request by kind.
type flakyStorage struct {
	failNext atomic.Int64
	mu       sync.Mutex
	seen     map[string]int
}

func (f *flakyStorage) kind(r *http.Request) string {
	switch {
	case strings.Contains(r.URL.Path, "/object/sign/"):
		return "sign"
	case r.Method == http.MethodPost:
		return "put"
	case r.Method == http.MethodGet:
		return "get"
	case r.Method == http.MethodDelete:
		return "delete"
	}
	return r.Method
}

func (f *flakyStorage) count(kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[kind]
}

func (f *flakyStorage) reset(fail int64) {
	f.mu.Lock()
	f.seen = map[string]int{}
	f.mu.Unlock()
	f.failNext.Store(fail)
}

func newFlakyStorage(t *testing.T, target string) (*flakyStorage, string) {
	u, _ := url.Parse(target)
	proxy := httputil.NewSingleHostReverseProxy(u)
	f := &flakyStorage{seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.seen[f.kind(r)]++
		f.mu.Unlock()
		if f.failNext.Add(-1) >= 0 {
			http.Error(w, `{"statusCode":"500","error":"internal","message":"injected failure"}`, http.StatusInternalServerError)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// TestStorageFaults: Supabase Storage answering 500. Downloads, signing and
// deletes are retried with backoff and succeed once the storage recovers; an
// upload (a stream, which cannot be replayed) fails at once with a clear
// error, and leaves neither an attempt row nor an object; a storage that stays
// down gives a clear error after SupabaseTries tries.
func TestStorageFaults(t *testing.T) {
	var flaky *flakyStorage
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) {
		flaky, c.SupabaseURL = newFlakyStorage(t, c.SupabaseURL)
		// The analysis's download must happen when the test injects its
		// failures, not right after the upload.
		c.AnalyzeOnRequest = true
	}})
	_, sid := e.seedFlow(userAlice)

	// Storage down during an upload.
	flaky.reset(100)
	expect(t, e.upload(sid, 1, userAlice, webmHeader()), 500, `{"detail":"Upload failed: storage error"}`)
	if n := flaky.count("put"); n != 1 {
		t.Fatalf("the upload stream was sent %d times", n)
	}
	if n := flaky.count("delete"); n != storage.SupabaseTries {
		t.Fatalf("cleanup delete tried %d times, want %d", n, storage.SupabaseTries)
	}
	var rows int
	if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM attempts").Scan(t.Context(), &rows); err != nil || rows != 0 {
		t.Fatalf("attempt rows after a failed upload: %d, %v", rows, err)
	}
	if n := e.fake.Count(bucket); n != 0 {
		t.Fatalf("%d objects after a failed upload", n)
	}

	// Storage back: the upload works.
	flaky.reset(0)
	r := e.upload(sid, 1, userAlice, webmHeader())
	expect(t, r, 200, "")
	aid := num(t, r.json(t)["attempt_id"])
	videoPath := fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid)

	// Two failures, then success: the signed URL is returned after retries.
	flaky.reset(2)
	r = e.do("GET", videoPath, userAlice, nil)
	expect(t, r, 200, "")
	if n := flaky.count("sign"); n != 3 {
		t.Fatalf("sign requests = %d, want 3 (two failures, one success)", n)
	}

	// Storage stays down: a clear error after SupabaseTries tries.
	flaky.reset(100)
	expect(t, e.do("GET", videoPath, userAlice, nil), 500, `{"detail":"internal_server_error: sign video URL"}`)
	if n := flaky.count("sign"); n != storage.SupabaseTries {
		t.Fatalf("sign requests = %d, want %d", n, storage.SupabaseTries)
	}

	// The worker's download fails twice and is retried: the analysis sees the
	// uploaded bytes (its scores come from their hash) and completes once.
	flaky.reset(2)
	r = e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil)
	expect(t, r, 200, "")
	if n := flaky.count("get"); n != 3 {
		t.Fatalf("downloads = %d, want 3", n)
	}
	want := scoresFromBytes(webmHeader())
	metrics := r.json(t)["metrics"].([]any)
	for i, id := range []string{"tremor", "pause", "tone", "speed"} {
		m := metrics[i].(map[string]any)
		if m["id"] != id || m["score"] != want[i] {
			t.Fatalf("%s = %v, want %v from the uploaded bytes", id, m["score"], want[i])
		}
	}
	job, err := e.srv.awaitJob(t.Context(), aid, 10*time.Second)
	if err != nil || job.Status != store.JobDone || e.pipeline.calls.Load() != 1 {
		t.Fatalf("job %+v, %v, %d pipeline runs", job, err, e.pipeline.calls.Load())
	}
}
