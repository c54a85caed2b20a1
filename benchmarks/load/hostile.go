package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// hostileScenario uploads, for ten users at once, the hostile file: 1.4 MB of
// 6 kb/s Opus holding 29 minutes, which the validator must decode whole. It reports the
// API's resident memory and what each upload was answered.
func hostileScenario(srv *server, secret []byte, work string) error {
	data, err := makeMedia(filepath.Join(work, "hostile.webm"),
		"-f", "lavfi", "-i", "anoisesrc=d=1740:c=pink:r=48000:a=0.2", "-ac", "1", "-c:a", "libopus", "-b:a", "6k", "-f", "webm")
	if err != nil {
		return err
	}
	const n = 10
	clients := make([]client, n)
	sessions := make([]int64, n)
	for i := range clients {
		clients[i] = srv.client(secret, fmt.Sprintf("44444444-4444-4444-8444-%012d", i))
		if sessions[i], err = clients[i].session(); err != nil {
			return err
		}
	}
	pid := srv.pid()
	_, baseline := rssKB(pid)
	peak := sampleRSS(pid)
	start := time.Now()
	answers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			status, body, err := clients[i].upload(sessions[i], "answer.webm", bytes.NewReader(data), int64(len(data)))
			switch {
			case err != nil:
				answers[i] = err.Error()
			case status == 200:
				answers[i] = "200"
			default:
				var e struct{ Detail string }
				_ = json.Unmarshal(body, &e)
				code, _, _ := strings.Cut(e.Detail, ":")
				answers[i] = fmt.Sprintf("%d %s", status, code)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	top := peak()
	_, hwm := rssKB(pid)
	fmt.Printf("hostile uploads: %d users × %.2f MB (29 min of 6 kb/s Opus) at once in %v: %s\n", n, float64(len(data))/1e6,
		elapsed.Round(time.Millisecond), tally(answers))
	fmt.Printf("  API RSS: %d MB before, peak %d MB while validating (sampled every 20 ms; high-water mark %d MB); load average %s\n",
		baseline/1024, top/1024, hwm/1024, loadavg())
	return nil
}

// makeMedia runs the ffmpeg CLI with args and the output path out, and returns the file.
func makeMedia(out string, args ...string) ([]byte, error) {
	cmd := exec.Command("ffmpeg", append(append([]string{"-hide_banner", "-loglevel", "error", "-y"}, args...), out)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg (apt-get install ffmpeg): %v %s", err, msg)
	}
	return os.ReadFile(out)
}

// sampleRSS samples pid's resident memory every 20 ms until the returned function is
// called, which returns the peak in kB.
func sampleRSS(pid int) func() int64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if rss, _ := rssKB(pid); rss > peak.Load() {
				peak.Store(rss)
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return peak.Load()
	}
}

// tally counts equal answers: "8 × 200, 2 × 503 validation_busy".
func tally(answers []string) string {
	counts := map[string]int{}
	for _, a := range answers {
		counts[a]++
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d × %s", counts[k], k))
	}
	return strings.Join(parts, ", ")
}

// slowScenario opens 300 connections that trickle: 100 authenticated uploads, 100
// unauthenticated POSTs and 100 requests whose headers never end, each sending one byte a
// second. Each second for 45 s it counts the connections the server still holds and times
// a normal request.
func slowScenario(srv *server, secret []byte) error {
	c := srv.client(secret, user)
	sid, err := c.session()
	if err != nil {
		return err
	}
	addr := strings.TrimPrefix(srv.base, "http://")
	const each = 100
	multipartHead := "--xx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.webm\"\r\n\r\n\x1a\x45\xdf\xa3"
	kinds := []struct {
		name, head string
	}{
		{"uploads", fmt.Sprintf("POST /api/sessions/%d/recordings/1 HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n"+
			"Content-Type: multipart/form-data; boundary=xx\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n",
			sid, addr, c.bearer, len(multipartHead), multipartHead)},
		{"unauthenticated POSTs", fmt.Sprintf("POST /api/interviews/contents HTTP/1.1\r\nHost: %s\r\n"+
			"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n", addr)},
		{"unfinished headers", fmt.Sprintf("GET /api/interviews/contents HTTP/1.1\r\nHost: %s\r\nX-Slow: ", addr)},
	}
	held := make([]atomic.Int64, len(kinds))
	refused := make([]atomic.Int64, len(kinds))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for k, kind := range kinds {
		for range each {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				return err
			}
			held[k].Add(1)
			wg.Go(func() {
				defer conn.Close()
				closed := make(chan struct{})
				go func() {
					defer close(closed)
					br := bufio.NewReader(conn)
					if resp, err := http.ReadResponse(br, nil); err == nil {
						if resp.StatusCode == http.StatusTooManyRequests {
							refused[k].Add(1)
						}
						_, _ = io.Copy(io.Discard, br)
					}
				}()
				defer func() { held[k].Add(-1) }()
				if _, err := io.WriteString(conn, kind.head); err != nil {
					return
				}
				tick := time.NewTicker(time.Second)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-closed:
						return
					case <-tick.C:
						b := "1\r\nx\r\n"
						if k == 2 {
							b = "x"
						}
						if _, err := io.WriteString(conn, b); err != nil {
							<-closed
							return
						}
					}
				}
			})
		}
	}
	fmt.Printf("slow clients: %d connections per kind, one byte a second each; held by the server after\n", each)
	start := time.Now()
	for _, at := range []time.Duration{time.Second, 5 * time.Second, 11 * time.Second, 20 * time.Second, 31 * time.Second, 45 * time.Second} {
		time.Sleep(time.Until(start.Add(at)))
		t0 := time.Now()
		status, _, err := c.do("GET", "/api/interviews/contents", nil, "")
		took := time.Since(t0)
		var line []string
		for k, kind := range kinds {
			line = append(line, fmt.Sprintf("%s %d", kind.name, held[k].Load()))
		}
		fmt.Printf("  %4.0f s: %s; a normal GET: %d in %v (%v)\n", at.Seconds(), strings.Join(line, ", "), status,
			took.Round(100*time.Microsecond), err)
	}
	close(stop)
	wg.Wait()
	var line []string
	for k, kind := range kinds {
		line = append(line, fmt.Sprintf("%s %d", kind.name, refused[k].Load()))
	}
	fmt.Printf("  answered 429 at once: %s; API RSS %d MB; load average %s\n", strings.Join(line, ", "), func() int64 {
		rss, _ := rssKB(srv.pid())
		return rss / 1024
	}(), loadavg())
	return nil
}

// orphanScenario is the zero-config single process (SQLite, in-process worker) killed with
// SIGKILL while it analyses a 20-second recording, then started again: how long until the
// analysis is done, measured from the kill and from the restarted server's readiness.
func orphanScenario(bin, work string, secret []byte) error {
	data, err := makeMedia(filepath.Join(work, "answer.webm"),
		"-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25", "-f", "lavfi", "-i", "sine=frequency=200",
		"-t", "20", "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1M", "-c:a", "libopus")
	if err != nil {
		return err
	}
	env := []string{"DATABASE_URL=sqlite:" + filepath.Join(work, "orphan.db"), "SUPABASE_JWT_SECRET=" + string(hexBytes(secret)),
		"NEVERMIND_MEDIA_DIR=" + filepath.Join(work, "orphan-media")}
	srv, err := startServer(bin, work, env)
	if err != nil {
		return err
	}
	c := srv.client(secret, user)
	sid, err := c.session()
	if err != nil {
		srv.stop()
		return err
	}
	status, body, err := c.upload(sid, "answer.webm", bytes.NewReader(data), int64(len(data)))
	if err != nil || status != 200 {
		srv.stop()
		return fmt.Errorf("upload: %d %s %v", status, body, err)
	}
	var up struct {
		AttemptID int64 `json:"attempt_id"`
	}
	_ = json.Unmarshal(body, &up)
	jobStatus := func(c client) (string, float64) {
		var j struct {
			Status   string
			Progress float64
		}
		_, b, err := c.do("GET", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, up.AttemptID), nil, "")
		if err == nil {
			_ = json.Unmarshal(b, &j)
		}
		return j.Status, j.Progress
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if st, progress := jobStatus(c); st == "running" && progress > 0.1 {
			break
		} else if st == "done" || time.Now().After(deadline) {
			srv.stop()
			return fmt.Errorf("the analysis did not stay running long enough to be killed (%s)", st)
		}
	}
	srv.stop() // SIGKILL mid-analysis
	killed := time.Now()
	srv, err = startServer(bin, work, env)
	if err != nil {
		return err
	}
	defer srv.stop()
	ready := time.Now()
	c = srv.client(secret, user)
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		st, _ := jobStatus(c)
		if st == "done" {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the orphaned analysis was not done 5 minutes after the restart (%s)", st)
		}
	}
	done := time.Now()
	fmt.Printf("orphaned job (SQLite, SIGKILL mid-analysis of a 20 s VP8+Opus answer): done %v after the kill, "+
		"%v after the restarted server was ready (its start took %v); load average %s\n",
		done.Sub(killed).Round(10*time.Millisecond), done.Sub(ready).Round(10*time.Millisecond),
		ready.Sub(killed).Round(10*time.Millisecond), loadavg())
	return nil
}
