package sdk_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/server/servertest"
	"github.com/nevermind-ai/nevermind/vision"
)

// BenchmarkLiveAnswer sends a 60 s VP9 + Opus answer to the real server as the practice
// page does — a chunk every second, at the pace it is recorded — and reports:
//
//   - stop-to-feedback-s: from sending the last chunk to the combined feedback route
//     answering with the stored result (the goal is 1 s on two cores);
//   - cue-lag-p95-s: how long after the moment it is about each live cue arrived;
//   - cpu-vs-oneshot: the server's CPU time for the live answer over that of uploading
//     the same file whole and analysing it (the goal is at most 1.1), each less what the
//     idle server spends in the same time (River polling SQLite: idle-cpu-per-min-s);
//     cpu-live-s and cpu-oneshot-s are the two.
//
// Chunk k holds what the muxer wrote for the k-th second of the recording, as
// MediaRecorder's one-second timeslice hands it over (see secondChunks). An iteration takes
// about 80 s; run it with -benchtime=1x.
func BenchmarkLiveAnswer(b *testing.B) {
	var segments []testmedia.Segment
	for len(segments) < 14 {
		segments = append(segments, answer[0], testmedia.Segment{Silence: 4}, answer[2], testmedia.Segment{Silence: 1.5})
	}
	rec := frontendRecording(b, segments[:13]) // about 60 s
	ends := secondChunks(b, rec)
	va, err := vision.New(vision.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ts := servertest.New(b, wired(&interview.Pipeline{Vision: va}))
	br := browser{t: b, base: ts.URL, token: ts.Token("0a4b5c6d-1111-4222-8333-944455556666")}
	created := br.jsonCall("POST", "/api/interviews/contents", map[string]any{"company": "토스", "role": "백엔드"}, 200)
	cid := int64(created["content"].(map[string]any)["id"].(float64))

	// What the server costs doing nothing, to subtract from both paths.
	idle0 := cpuTime()
	time.Sleep(10 * time.Second)
	idlePerSecond := (cpuTime() - idle0) / 10

	var stopToFeedback, cpuRatio, liveCPUs, oneCPUs float64
	var lags []float64
	b.ResetTimer()
	for range b.N {
		br.jsonCall("POST", "/api/interviews/question", map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "지원 동기", "a": "장애를 줄였습니다."}}}, 200)
		sid := int64(br.jsonCall("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{}, 200)["session_id"].(float64))

		cpu0, wall0 := cpuTime(), time.Now()
		aid, stop, cueLags := liveAnswer(b, br, sid, rec, ends)
		for {
			fb := br.jsonCall("GET", fmt.Sprintf("/api/feedback/%d/attempts/%d/combined", sid, aid), nil, 200)
			if fb["analysis"].(map[string]any)["status"] == "done" {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		stopToFeedback += time.Since(stop).Seconds()
		liveCPU := cpuTime() - cpu0 - idlePerSecond*time.Since(wall0).Seconds()
		lags = append(lags, cueLags...)

		cpu0, wall0 = cpuTime(), time.Now()
		up := br.upload(sid, 2, rec)
		br.jsonCall("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, int64(up["attempt_id"].(float64))), nil, 200)
		oneCPU := cpuTime() - cpu0 - idlePerSecond*time.Since(wall0).Seconds()
		cpuRatio += liveCPU / oneCPU
		liveCPUs, oneCPUs = liveCPUs+liveCPU, oneCPUs+oneCPU
	}
	b.ReportMetric(idlePerSecond*60, "idle-cpu-per-min-s")
	b.ReportMetric(stopToFeedback/float64(b.N), "stop-to-feedback-s")
	b.ReportMetric(cpuRatio/float64(b.N), "cpu-vs-oneshot")
	b.ReportMetric(liveCPUs/float64(b.N), "cpu-live-s")
	b.ReportMetric(oneCPUs/float64(b.N), "cpu-oneshot-s")
	if len(lags) > 0 {
		slices.Sort(lags)
		b.ReportMetric(lags[(len(lags)*95+99)/100-1], "cue-lag-p95-s")
		b.ReportMetric(float64(len(lags))/float64(b.N), "cues/op")
	}
}

// liveAnswer streams rec as an answer to question 1, chunk i (rec[ends[i-1]:ends[i]]) one
// second after chunk i-1, and returns the attempt, when the last chunk was sent, and each
// cue's lag behind the moment it is about.
func liveAnswer(b *testing.B, br browser, sid int64, rec []byte, ends []int) (int64, time.Time, []float64) {
	b.Helper()
	tus := func(method, url string, body []byte, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+br.token)
		req.Header.Set("Tus-Resumable", "1.0.0")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	meta := "session_id " + base64.StdEncoding.EncodeToString([]byte(strconv.FormatInt(sid, 10))) + ",question_index " + base64.StdEncoding.EncodeToString([]byte("1"))
	resp := tus("POST", br.base+"/api/live/uploads/", nil, map[string]string{"Upload-Defer-Length": "1", "Upload-Metadata": meta})
	url := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusCreated || url == "" {
		b.Fatalf("create: %d", resp.StatusCode)
	}
	if !strings.HasPrefix(url, "http") {
		url = br.base + url
	}
	started := time.Now()
	lags := make(chan []float64, 1)
	var last *http.Response
	var stop time.Time
	for i, off := 0, 0; off < len(rec); i, off = i+1, ends[i] {
		// Chunk i is what the recorder has after i+1 seconds.
		time.Sleep(time.Until(started.Add(time.Duration(i+1) * time.Second)))
		end := ends[i]
		hdr := map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.Itoa(off)}
		if end == len(rec) {
			hdr["Upload-Length"] = strconv.Itoa(len(rec))
			stop = time.Now() // the candidate pressed stop; the recorder's last chunk goes
		}
		last = tus("PATCH", url, rec[off:end], hdr)
		if last.StatusCode != http.StatusNoContent {
			b.Fatalf("PATCH at %d: %d", off, last.StatusCode)
		}
		if i == 0 {
			go func() { lags <- cueLags(br, url, started) }()
		}
	}
	aid, err := strconv.ParseInt(last.Header.Get("Nevermind-Attempt-Id"), 10, 64)
	if err != nil {
		b.Fatalf("the last PATCH named no attempt: %v", last.Header)
	}
	return aid, stop, <-lags
}

// cueLags reads the upload's events until the end and returns each cue's delay behind
// the moment of the recording it is about (recording time 0 is when recording started).
func cueLags(br browser, url string, started time.Time) []float64 {
	req, _ := http.NewRequest("GET", url+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+br.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var out []float64
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if e, ok := strings.CutPrefix(line, "event: "); ok {
			event = e
		} else if data, ok := strings.CutPrefix(line, "data: "); ok && event == "cue" {
			var cue interview.Cue
			if json.Unmarshal([]byte(data), &cue) == nil {
				out = append(out, time.Since(started).Seconds()-cue.Time)
			}
		}
	}
	return out
}

// secondChunks splits rec as MediaRecorder with a one-second timeslice does: chunk k
// (k = 1, 2, …) ends where the first packet of second k begins, so it holds what was
// recorded in second k-1. It returns each chunk's end offset, the last being len(rec).
// Equal byte shares would not do: speech takes more bytes than silence, so after a stretch
// of speech they would run up to a second behind the recording.
func secondChunks(b *testing.B, rec []byte) []int {
	path := filepath.Join(b.TempDir(), "answer.webm")
	if err := os.WriteFile(path, rec, 0o644); err != nil {
		b.Fatal(err)
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "packet=pts_time,pos", "-of", "csv=p=0", path).Output()
	if err != nil {
		b.Fatalf("ffprobe: %v", err)
	}
	var ends []int
	for _, line := range strings.Fields(string(out)) {
		pts, pos, ok := strings.Cut(strings.TrimSuffix(line, ","), ",")
		t, err1 := strconv.ParseFloat(pts, 64)
		p, err2 := strconv.Atoi(pos)
		if !ok || err1 != nil || err2 != nil {
			b.Fatalf("ffprobe: packet line %q", line)
		}
		// Packets come in file order; the first one at or after second k+1 ends chunk k.
		for float64(len(ends)+1) <= t && (len(ends) == 0 || ends[len(ends)-1] < p) {
			ends = append(ends, p)
		}
	}
	if len(ends) == 0 {
		b.Fatal("ffprobe found no packets")
	}
	return append(ends, len(rec))
}

// cpuTime is this process's user + system CPU time in seconds.
func cpuTime() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
