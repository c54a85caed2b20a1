package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// FaultsEnv enables the fault-injection tests that stop and start a private
// PostgreSQL server (benchmarks/load/faults.sh sets it).
const faultsEnv = "NEVERMIND_FAULTS"

// privatePostgres starts a throw-away PostgreSQL cluster on 127.0.0.1:port,
// owned by the postgres user, so a test can stop it without touching the
// shared server other tests use. It returns pg_ctl as a function.
func privatePostgres(t *testing.T, port int) (url string, pgctl func(args ...string)) {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("initdb not found (apt-get install postgresql)")
	}
	bin := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "nevermind-faultpg-")
	if err != nil {
		t.Fatal(err)
	}
	asPostgres := func(name string, args ...string) *exec.Cmd {
		if os.Geteuid() == 0 {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...)
		}
		return exec.Command(filepath.Join(bin, name), args...)
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Skipf("chown postgres: %v %s", err, out)
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := asPostgres("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	pgctl = func(args ...string) {
		t.Helper()
		cmd := asPostgres("pg_ctl", append([]string{"-D", data, "-w", "-l", filepath.Join(dir, "log"),
			"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir)}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pg_ctl %v: %v\n%s", args, err, out)
		}
	}
	pgctl("start")
	t.Cleanup(func() {
		_ = asPostgres("pg_ctl", "-D", data, "-m", "immediate", "stop").Run()
		os.RemoveAll(dir)
	})
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), pgctl
}

// TestPostgresRestartUnderLoad keeps 8 clients reading cached feedback while
// PostgreSQL is stopped for 3 s and started again. While it is down every
// reply must be a prompt 503 with a JSON body (never a 500, never a hang);
// once it is back the same server process answers 200 again.
func TestPostgresRestartUnderLoad(t *testing.T) {
	if os.Getenv(faultsEnv) == "" {
		t.Skipf("stops and starts a private PostgreSQL; set %s=1 (benchmarks/load/faults.sh)", faultsEnv)
	}
	admin, pgctl := privatePostgres(t, 55432)
	t.Setenv(dbtest.AdminURLEnv, admin)
	e := newEnv(t, store.Postgres, envOptions{})
	_, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, webmHeader())
	expect(t, r, 200, "")
	aid := num(t, r.json(t)["attempt_id"])
	path := fmt.Sprintf("%s/api/feedback/%d/voice-feedback?attempt_id=%d", e.http.URL, sid, aid)
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil), 200, "")
	bearer := "Bearer " + token(t, userAlice)

	type result struct {
		at      time.Duration
		status  int
		latency time.Duration
		detail  string
	}
	var (
		mu      sync.Mutex
		results []result
	)
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", bearer)
				t0 := time.Now()
				resp, err := client.Do(req)
				res := result{at: t0.Sub(start)}
				if err != nil {
					res.detail = err.Error()
				} else {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					res.status = resp.StatusCode
					var body struct{ Detail any }
					if resp.StatusCode != 200 && json.Unmarshal(b, &body) != nil {
						res.detail = "not JSON: " + string(b)
					} else if resp.StatusCode != 200 {
						res.detail = fmt.Sprint(body.Detail)
					}
				}
				res.latency = time.Since(t0)
				mu.Lock()
				results = append(results, res)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	time.Sleep(2 * time.Second)
	stopAt := time.Since(start)
	pgctl("-m", "fast", "stop")
	time.Sleep(3 * time.Second)
	startAt := time.Since(start)
	pgctl("start")
	upAt := time.Since(start)
	time.Sleep(5 * time.Second)
	cancel()
	wg.Wait()

	var ok, unavailable, other int
	var failLatencies []time.Duration
	firstOKAfter := time.Duration(-1)
	for _, r := range results {
		switch {
		case r.status == 200:
			ok++
			if r.at > upAt && firstOKAfter < 0 {
				firstOKAfter = r.at - upAt
			}
		case r.status == 503:
			unavailable++
			failLatencies = append(failLatencies, r.latency)
		default:
			other++
			t.Errorf("at %v: status %d %s after %v", r.at, r.status, r.detail, r.latency)
		}
	}
	slices.Sort(failLatencies)
	p99 := time.Duration(0)
	if len(failLatencies) > 0 {
		p99 = failLatencies[len(failLatencies)*99/100]
	}
	t.Logf("PostgreSQL stopped at %v, started at %v (up at %v): %d replies, %d × 200, %d × 503 (p99 %v), %d other; first 200 %v after it was up",
		stopAt, startAt, upAt, len(results), ok, unavailable, p99, other, firstOKAfter)
	if unavailable == 0 {
		t.Fatal("no 503 while PostgreSQL was down")
	}
	if p99 > time.Second {
		t.Fatalf("503s are not fast: p99 %v", p99)
	}
	if firstOKAfter < 0 {
		t.Fatal("the server never recovered")
	}
	// From 3 s after PostgreSQL is up, everything succeeds.
	for _, r := range results {
		if r.at > upAt+3*time.Second && r.status != 200 {
			t.Fatalf("at %v, %v after PostgreSQL was up: %d %s", r.at, r.at-upAt, r.status, r.detail)
		}
	}
	readyz, err := http.Get(e.http.URL + "/readyz")
	if err != nil || readyz.StatusCode != 200 {
		t.Fatalf("readyz after recovery: %v %v", readyz, err)
	}
	readyz.Body.Close()
}
