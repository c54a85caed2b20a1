// Command load measures the NEVER MIND server under load on this machine:
// the real `nevermind serve` binary, a fresh PostgreSQL database and local
// media storage, all on the loopback interface.
//
// Scenarios:
//
//	gets     N clients read one attempt's cached voice feedback for a fixed
//	         time: requests per second and latency percentiles.
//	uploads  M concurrent uploads of a large recording, streamed, while the
//	         server's resident memory is sampled every 20 ms.
//	hostile  ten users upload 29 minutes of 6 kb/s Opus (1.4 MB) at once to the API
//	         without a worker: its resident memory and the answers.
//	slow     300 connections trickle one byte a second (uploads, unauthenticated
//	         POSTs, unfinished headers): how many the server holds over 45 s.
//	orphan   zero-config SQLite `nevermind serve` killed with SIGKILL mid-analysis
//	         and started again: how long until the analysis is done.
//
// Usage (from the repository root, after `make build`):
//
//	go run ./benchmarks/load -scenario all
//	go run ./benchmarks/load -scenario gets -concurrency 32 -duration 30s
//
// The tool never talks to anything but 127.0.0.1; it creates the database
// nevermind_load_<random> on -db and drops it at the end. Test media are made
// with espeak-ng and the ffmpeg CLI.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nevermind-ai/nevermind/server/auth"
)

const user = "33333333-3333-4333-8333-333333333333"

func main() {
	var (
		bin         = flag.String("bin", "bin/nevermind", "the nevermind binary")
		admin       = flag.String("db", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL admin URL (loopback only)")
		scenario    = flag.String("scenario", "all", "gets, uploads or all (both); hostile, slow or orphan")
		concurrency = flag.Int("concurrency", 16, "clients in the gets scenario")
		duration    = flag.Duration("duration", 20*time.Second, "length of the gets scenario")
		uploads     = flag.Int("uploads", 20, "concurrent uploads")
		uploadMB    = flag.Int("upload-mb", 50, "approximate size of each upload, MB")
	)
	g := &goals{}
	flag.DurationVar(&g.maxP99, "max-p99", 20*time.Millisecond, "gets target: 99th-percentile latency")
	flag.Float64Var(&g.minRPS, "min-rps", 2000, "gets target: requests per second")
	flag.Int64Var(&g.maxRSSMB, "max-rss-mb", 300, "uploads target: server resident memory, MB")
	flag.Parse()
	if err := run(g, *bin, *admin, *scenario, *concurrency, *duration, *uploads, *uploadMB); err != nil {
		log.Fatal(err)
	}
	if g.missed > 0 {
		fmt.Printf("%d target(s) missed\n", g.missed)
		os.Exit(1)
	}
}

// goals are the targets; each scenario prints whether it met them
// and missed counts those it did not, for the exit status.
type goals struct {
	maxP99   time.Duration
	minRPS   float64
	maxRSSMB int64
	missed   int
}

func (g *goals) check(what string, ok bool) {
	verdict := "met"
	if !ok {
		verdict = "MISSED"
		g.missed++
	}
	fmt.Printf("  target %s: %s\n", what, verdict)
}

func run(g *goals, bin, admin, scenario string, concurrency int, duration time.Duration, uploads, uploadMB int) error {
	work, err := os.MkdirTemp("", "nevermind-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	secret := make([]byte, 32)
	rand.Read(secret)
	if scenario == "orphan" {
		return orphanScenario(bin, work, secret)
	}
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		return err
	}
	if cfg.Host != "127.0.0.1" && cfg.Host != "localhost" && !strings.HasPrefix(cfg.Host, "/") {
		return fmt.Errorf("refusing database host %q: loopback only", cfg.Host)
	}
	ctx := context.Background()
	dbURL, drop, err := freshDatabase(ctx, admin, cfg.Database)
	if err != nil {
		return err
	}
	defer drop()
	env := []string{"DATABASE_URL=" + dbURL, "SUPABASE_JWT_SECRET=" + string(hexBytes(secret)),
		"NEVERMIND_MEDIA_DIR=" + filepath.Join(work, "media"), "NEVERMIND_MAX_UPLOAD_MB=" + strconv.Itoa(uploadMB+16)}
	if scenario == "hostile" || scenario == "slow" {
		// The API alone, as a replica in front of separate workers: its memory is what
		// the hostile uploads and slow clients cost. Ten clients' worth of uploads at once.
		srv, err := startServer(bin, work, env, "NEVERMIND_MAX_UPLOADS_PER_CLIENT=10", "NEVERMIND_MAX_UPLOADS_PER_USER=10")
		if err != nil {
			return err
		}
		defer srv.stop()
		fmt.Printf("API pid %d on %s (no worker), PostgreSQL %s, load average %s\n", srv.pid(), srv.base, cfg.Host, loadavg())
		if scenario == "hostile" {
			return hostileScenario(srv, secret, work)
		}
		return slowScenario(srv, secret)
	}
	srv, err := startServer(bin, work, env, "-worker")
	if err != nil {
		return err
	}
	defer srv.stop()
	c := srv.client(secret, user)
	fmt.Printf("server pid %d on %s, PostgreSQL %s, load average %s\n", srv.pid(), srv.base, cfg.Host, loadavg())
	pid := srv.pid()

	if scenario == "gets" || scenario == "all" {
		if err := getsScenario(g, c, work, pid, concurrency, duration); err != nil {
			return err
		}
	}
	if scenario == "uploads" || scenario == "all" {
		if err := uploadsScenario(g, c, work, pid, uploads, uploadMB); err != nil {
			return err
		}
	}
	return nil
}

// server is a `nevermind serve` process started by startServer.
type server struct {
	cmd  *exec.Cmd
	base string
}

// startServer starts `nevermind serve -migrate` on a free loopback port with env (plus
// the process's own, without Supabase Storage) and the extra arguments (flags start
// with "-", the rest are more environment), and waits until it is ready.
func startServer(bin, work string, env []string, extra ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "-migrate", "-addr", fmt.Sprintf("127.0.0.1:%d", port)}
	env = append(append(os.Environ(), env...), "SUPABASE_URL=", "SUPABASE_SERVICE_ROLE_KEY=", "SUPABASE_KEY=")
	for _, e := range extra {
		if strings.HasPrefix(e, "-") {
			args = append(args, e)
		} else {
			env = append(env, e)
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	logPath := filepath.Join(work, fmt.Sprintf("server-%d.log", port))
	logFile, _ := os.Create(logPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	if err := waitHealthy(s.base, 60*time.Second); err != nil {
		s.stop()
		out, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("%w\n%s", err, out)
	}
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop kills the process (SIGKILL: the scenarios that need a crash use it too).
func (s *server) stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// client is an API client for subject, with a token signed by secret.
func (s *server) client(secret []byte, subject string) client {
	tok, err := auth.SignHS256(hexBytes(secret), auth.TokenOptions{Subject: subject, TTL: time.Hour})
	if err != nil {
		panic(err) // a fixed secret and subject: cannot fail
	}
	return client{base: s.base, bearer: "Bearer " + tok, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}
}

// hexBytes keeps the secret printable for the environment.
func hexBytes(b []byte) []byte { return []byte(hex.EncodeToString(b))[:32] }

type client struct {
	base, bearer string
	http         *http.Client
}

func (c client) do(method, path string, body io.Reader, contentType string) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", c.bearer)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (c client) json(method, path string, in any, out any) error {
	b, _ := json.Marshal(in)
	status, body, err := c.do(method, path, bytes.NewReader(b), "application/json")
	if err != nil {
		return err
	}
	if status != 200 {
		return fmt.Errorf("%s %s: %d %s", method, path, status, body)
	}
	if out != nil {
		return json.Unmarshal(body, out)
	}
	return nil
}

// session creates a content, a cover letter and a session; it returns the
// session id.
func (c client) session() (int64, error) {
	var content struct{ Content struct{ ID int64 } }
	if err := c.json("POST", "/api/interviews/contents", map[string]any{"company": "부하 시험", "role": "백엔드"}, &content); err != nil {
		return 0, err
	}
	cid := content.Content.ID
	if err := c.json("POST", "/api/interviews/resume", map[string]any{"content_id": cid, "items": []any{map[string]any{"question": "지원 동기", "answer": "성능을 측정하는 일을 좋아합니다."}}}, nil); err != nil {
		return 0, err
	}
	var s struct {
		SessionID int64 `json:"session_id"`
	}
	err := c.json("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{"practice_type": "job"}, &s)
	return s.SessionID, err
}

func (c client) upload(sid int64, name string, body io.Reader, size int64) (int, []byte, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", name)
		if err == nil {
			_, err = io.Copy(fw, body)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/sessions/%d/recordings/1", c.base, sid), pr)
	req.Header.Set("Authorization", c.bearer)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func getsScenario(g *goals, c client, work string, pid, concurrency int, duration time.Duration) error {
	wav := filepath.Join(work, "answer.wav")
	if out, err := exec.Command("espeak-ng", "-v", "en-us", "-s", "150", "-w", wav,
		"I enjoy measuring systems. Last year I reduced our response time by forty percent with a cache.").CombinedOutput(); err != nil {
		return fmt.Errorf("espeak-ng (apt-get install espeak-ng): %v %s", err, out)
	}
	f, err := os.Open(wav)
	if err != nil {
		return err
	}
	defer f.Close()
	sid, err := c.session()
	if err != nil {
		return err
	}
	status, body, err := c.upload(sid, "answer.wav", f, 0)
	if err != nil || status != 200 {
		return fmt.Errorf("upload: %d %s %v", status, body, err)
	}
	var up struct {
		AttemptID int64 `json:"attempt_id"`
	}
	json.Unmarshal(body, &up)
	path := fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, up.AttemptID)
	t0 := time.Now()
	for {
		status, body, err = c.do("GET", path, nil, "")
		if err != nil {
			return err
		}
		if status == 200 {
			break
		}
		if status != 202 || time.Since(t0) > 5*time.Minute {
			return fmt.Errorf("voice feedback: %d %s", status, body)
		}
	}
	fmt.Printf("gets: analysis done in %v; %d clients for %v on %s\n", time.Since(t0).Round(time.Millisecond), concurrency, duration, path)

	// Warm up the connections, then measure.
	latencies := make([][]time.Duration, concurrency)
	var failures atomic.Int64
	before := loadavg()
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range concurrency {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				t := time.Now()
				status, _, err := c.do("GET", path, nil, "")
				if err != nil || status != 200 {
					failures.Add(1)
					continue
				}
				latencies[i] = append(latencies[i], time.Since(t))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(latencies...)
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	rss, hwm := rssKB(pid)
	fmt.Printf("gets: %d ok, %d failed in %v = %.0f req/s; latency p50 %v p90 %v p99 %v max %v; server RSS %d MB (peak %d MB); load average before %s, after %s\n",
		len(all), failures.Load(), elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(),
		pct(0.50), pct(0.90), pct(0.99), pct(1), rss/1024, hwm/1024, before, loadavg())
	rps := float64(len(all)) / elapsed.Seconds()
	g.check(fmt.Sprintf("≥ %.0f req/s", g.minRPS), rps >= g.minRPS)
	g.check(fmt.Sprintf("p99 ≤ %v", g.maxP99), pct(0.99) <= g.maxP99)
	g.check("no failed request", failures.Load() == 0)
	return nil
}

func uploadsScenario(g *goals, c client, work string, pid, n, sizeMB int) error {
	// Motion JPEG at high quality in Matroska is fast to make and large;
	// the soundtrack is a tone the validator decodes. A first file measures
	// the bytes per second; the second has the length that gives sizeMB.
	rec := filepath.Join(work, "big.mkv")
	seconds := 2
	var data []byte
	for range 2 {
		cmd := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
			"-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=200",
			"-t", strconv.Itoa(seconds), "-c:v", "mjpeg", "-q:v", "2", "-c:a", "pcm_s16le", rec)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ffmpeg (apt-get install ffmpeg): %v %s", err, out)
		}
		var err error
		if data, err = os.ReadFile(rec); err != nil {
			return err
		}
		seconds = max(1, int(float64(sizeMB)*1e6/(float64(len(data))/float64(seconds))+0.5))
	}
	sessions := make([]int64, n)
	for i := range sessions {
		var err error
		if sessions[i], err = c.session(); err != nil {
			return err
		}
	}
	_, baseline := rssKB(pid)
	peak := sampleRSS(pid)
	before := loadavg()
	start := time.Now()
	statuses := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			status, body, err := c.upload(sessions[i], "answer.mkv", bytes.NewReader(data), int64(len(data)))
			if err != nil {
				statuses[i] = err.Error()
			} else if status != 200 {
				statuses[i] = fmt.Sprintf("%d %s", status, body)
			}
		})
	}
	wg.Wait()
	top := peak()
	elapsed := time.Since(start)
	var failed []string
	for _, s := range statuses {
		if s != "" {
			failed = append(failed, s)
		}
	}
	_, hwm := rssKB(pid)
	fmt.Printf("uploads: %d × %.1f MB (MJPEG 720p + PCM in Matroska) concurrently in %v, %d failed; server RSS peak while uploading %d MB (sampled every 20 ms; process high-water mark %d MB, %d MB before); load average before %s, after %s\n",
		n, float64(len(data))/1e6, elapsed.Round(time.Millisecond), len(failed), top/1024, hwm/1024, baseline/1024, before, loadavg())
	g.check(fmt.Sprintf("server RSS < %d MB", g.maxRSSMB), top/1024 < g.maxRSSMB && hwm/1024 < g.maxRSSMB)
	if len(failed) > 0 {
		return fmt.Errorf("failed uploads: %v", failed[:min(3, len(failed))])
	}
	return nil
}

func freshDatabase(ctx context.Context, admin, adminDB string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := "nevermind_load_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			log.Printf("drop %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			log.Printf("drop %s: %v", name, err)
		}
	}
	baseURL, query, _ := strings.Cut(admin, "?")
	baseURL = strings.TrimSuffix(baseURL, "/"+adminDB) + "/" + name
	if query != "" {
		baseURL += "?" + query
	}
	return baseURL, drop, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitHealthy(base string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the server did not become ready")
}

// rssKB returns the process's resident set and its high-water mark, in kB.
func rssKB(pid int) (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = v
		case "VmHWM:":
			hwm = v
		}
	}
	return rss, hwm
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
