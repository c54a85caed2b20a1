package httpretry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// flaky answers with the given statuses in order, then 200, recording bodies.
type flaky struct {
	mu       sync.Mutex
	statuses []int
	header   http.Header
	bodies   []string
	times    []time.Time
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, string(b))
	f.times = append(f.times, time.Now())
	n := len(f.bodies) - 1
	if n < len(f.statuses) {
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.statuses[n])
		io.WriteString(w, `{"error":"try later"}`)
		return
	}
	io.WriteString(w, "ok")
}

func client(t *Transport) *http.Client { return &http.Client{Transport: t} }

func TestRetriesTransientStatusesAndReplaysBody(t *testing.T) {
	for _, status := range []int{429, 500, 502, 503, 504} {
		f := &flaky{statuses: []int{status, status}}
		srv := httptest.NewServer(f)
		c := client(&Transport{MinBackoff: time.Millisecond})
		resp, err := c.Post(srv.URL, "text/plain", strings.NewReader("payload"))
		if err != nil {
			t.Fatalf("status %d: %v", status, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != 200 || string(body) != "ok" {
			t.Fatalf("status %d: got %d %q, want 200 ok", status, resp.StatusCode, body)
		}
		if len(f.bodies) != 3 {
			t.Fatalf("status %d: %d attempts, want 3", status, len(f.bodies))
		}
		for i, b := range f.bodies {
			if b != "payload" {
				t.Errorf("status %d attempt %d: body %q, want replayed payload", status, i, b)
			}
		}
	}
}

func TestDoesNotRetryClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 413} {
		f := &flaky{statuses: []int{status}}
		srv := httptest.NewServer(f)
		resp, err := client(&Transport{MinBackoff: time.Millisecond}).Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != status || len(f.bodies) != 1 {
			t.Errorf("status %d: got %d after %d attempts, want one attempt", status, resp.StatusCode, len(f.bodies))
		}
	}
}

func TestGivesUpAndReturnsLastResponse(t *testing.T) {
	f := &flaky{statuses: []int{503, 503, 503, 503, 503}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	resp, err := client(&Transport{MaxRetries: 2, MinBackoff: time.Millisecond}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.Contains(string(body), "try later") {
		t.Fatalf("got %d %q, want the server's last 503 body", resp.StatusCode, body)
	}
	if len(f.bodies) != 3 {
		t.Fatalf("%d attempts, want 1 + 2 retries", len(f.bodies))
	}
}

func TestHonoursRetryAfter(t *testing.T) {
	f := &flaky{statuses: []int{429}, header: http.Header{"Retry-After": {"1"}}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	resp, err := client(&Transport{MinBackoff: time.Millisecond}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(f.times) != 2 {
		t.Fatalf("%d attempts, want 2", len(f.times))
	}
	// The computed backoff would be about 1 ms; only Retry-After explains a
	// gap of at least a second.
	if gap := f.times[1].Sub(f.times[0]); gap < time.Second {
		t.Fatalf("retried after %v, want ≥ 1 s from Retry-After", gap)
	}
}

func TestRetryAfterBeyondCapReturnsAtOnce(t *testing.T) {
	f := &flaky{statuses: []int{429}, header: http.Header{"Retry-After": {"3600"}}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	resp, err := client(&Transport{MaxRetryAfter: time.Second}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || len(f.bodies) != 1 {
		t.Fatalf("got %d after %d attempts, want the 429 at once", resp.StatusCode, len(f.bodies))
	}
}

func TestCancelledWhileWaiting(t *testing.T) {
	f := &flaky{statuses: []int{503, 503, 503}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	go func() {
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	_, err := client(&Transport{MinBackoff: time.Hour, MaxBackoff: time.Hour}).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	}
	for _, c := range cases {
		got, ok := retryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	tr := &Transport{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	for attempt, base := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		base *= time.Millisecond
		if attempt >= 4 {
			base = time.Second
		}
		for range 20 {
			d := tr.backoff(attempt)
			if d < base*3/4 || d > base*5/4 {
				t.Fatalf("backoff(%d) = %v, want within ±25%% of %v", attempt, d, base)
			}
		}
	}
}
