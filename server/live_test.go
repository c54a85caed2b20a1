package server

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// tusClient speaks the tus 1.0 client side, as the practice page does.
type tusClient struct {
	t     testing.TB
	base  string
	token string
}

type tusReply struct {
	status int
	header http.Header
	body   string
}

func (c tusClient) send(method, url string, body io.Reader, length int64, hdr map[string]string) tusReply {
	c.t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Tus-Resumable", "1.0.0")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return tusReply{status: -1, body: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return tusReply{resp.StatusCode, resp.Header, string(b)}
}

// create starts a deferred-length upload of an answer; more holds further metadata
// keys and values.
func (c tusClient) create(sessionID int64, index string, more ...string) tusReply {
	c.t.Helper()
	meta := "session_id " + base64.StdEncoding.EncodeToString([]byte(strconv.FormatInt(sessionID, 10))) +
		",question_index " + base64.StdEncoding.EncodeToString([]byte(index))
	for i := 0; i+1 < len(more); i += 2 {
		meta += "," + more[i] + " " + base64.StdEncoding.EncodeToString([]byte(more[i+1]))
	}
	return c.send(http.MethodPost, c.base+livePath, nil, 0, map[string]string{"Upload-Defer-Length": "1", "Upload-Metadata": meta})
}

// patch appends data at offset; last also declares the length, ending the upload.
func (c tusClient) patch(url string, offset int64, data []byte, last bool) tusReply {
	c.t.Helper()
	hdr := map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": strconv.FormatInt(offset, 10)}
	if last {
		hdr["Upload-Length"] = strconv.FormatInt(offset+int64(len(data)), 10)
	}
	return c.send(http.MethodPatch, url, bytes.NewReader(data), int64(len(data)), hdr)
}

func (c tusClient) offset(url string) int64 {
	c.t.Helper()
	r := c.send(http.MethodHead, url, nil, 0, nil)
	if r.status != http.StatusOK {
		c.t.Fatalf("HEAD %s: %d %s", url, r.status, r.body)
	}
	n, err := strconv.ParseInt(r.header.Get("Upload-Offset"), 10, 64)
	if err != nil {
		c.t.Fatalf("HEAD without Upload-Offset: %v", r.header)
	}
	return n
}

// events reads an upload's Server-Sent Events until the stream ends.
func (c tusClient) events(url string) <-chan []sse {
	out := make(chan []sse, 1)
	req, _ := http.NewRequest(http.MethodGet, url+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		c.t.Fatalf("events: %v %v", err, resp)
	}
	go func() {
		defer resp.Body.Close()
		var got []sse
		var cur sse
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				cur.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				cur.data = strings.TrimPrefix(line, "data: ")
			case line == "" && cur.event != "":
				cur.at = time.Now()
				got = append(got, cur)
				cur = sse{}
			}
		}
		out <- got
	}()
	return out
}

type sse struct {
	event, data string
	at          time.Time
}

// sendLive uploads rec[from:] in n chunks, a short pause between them as MediaRecorder's
// timeslices would make, the last one ending the upload, and returns the final reply.
func sendLive(t *testing.T, c tusClient, url string, rec []byte, from, n int) tusReply {
	t.Helper()
	step := (len(rec) - from + n - 1) / n
	var r tusReply
	for off := from; off < len(rec); off += step {
		end := min(off+step, len(rec))
		r = c.patch(url, int64(off), rec[off:end], end == len(rec))
		if r.status != http.StatusNoContent {
			t.Fatalf("PATCH at %d: %d %s", off, r.status, r.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

// createLive starts a live upload for question 1 of the session and returns its URL.
func createLive(t *testing.T, c tusClient, sid int64) string {
	t.Helper()
	created := c.create(sid, "1")
	loc := created.header.Get("Location")
	if created.status != http.StatusCreated || loc == "" {
		t.Fatalf("create: %d %v %s", created.status, created.header, created.body)
	}
	if !strings.HasPrefix(loc, "http") {
		loc = c.base + loc
	}
	return loc
}

// liveAttempt checks the final reply and returns the attempt it names.
func liveAttempt(t *testing.T, r tusReply) int64 {
	t.Helper()
	aid, err := strconv.ParseInt(r.header.Get(attemptHeader), 10, 64)
	if err != nil {
		t.Fatalf("final PATCH without %s: %v %s", attemptHeader, r.header, r.body)
	}
	return aid
}

// checkStoredOnce checks that the attempt holds exactly rec, that one analysis ran (the
// live one), and that its feedback is what a one-shot upload of the same bytes gets.
func checkStoredOnce(t *testing.T, e *testEnv, sid, aid int64, rec []byte) {
	t.Helper()
	m, err := e.srv.db.LatestMedia(t.Context(), sid, aid, store.MediaVideo, store.MediaAudio)
	if err != nil {
		t.Fatal(err)
	}
	obj, ok := e.fake.Object(bucket, m.StorageURL)
	if !ok || !bytes.Equal(obj.Data, rec) || *m.SizeBytes != int64(len(rec)) {
		t.Fatalf("stored recording: %v, %d bytes of %d, identical %v", ok, len(obj.Data), len(rec), bytes.Equal(obj.Data, rec))
	}
	live := e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil)
	expect(t, live, 200, "")
	if n := e.pipeline.calls.Load(); n != 1 {
		t.Errorf("%d analyses ran for one live answer, want 1", n)
	}
	checkSameAsOneShot(t, e, sid, live, rec)
}

// checkSameAsOneShot checks that a live attempt's voice feedback is what a one-shot upload
// of the same bytes (to question 2) gets: its analysis read the whole recording.
func checkSameAsOneShot(t *testing.T, e *testEnv, sid int64, live reply, rec []byte) {
	t.Helper()
	up := e.upload(sid, 2, userAlice, rec)
	expect(t, up, 200, "")
	oneShot := e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, num(t, up.json(t)["attempt_id"])), userAlice, nil)
	expect(t, oneShot, 200, "")
	liveDoc, oneDoc := live.json(t), oneShot.json(t)
	delete(liveDoc, "attempt_id")
	delete(oneDoc, "attempt_id")
	if a, b := fmt.Sprint(liveDoc), fmt.Sprint(oneDoc); a != b {
		t.Errorf("live feedback differs from the one-shot upload's:\n%s\n%s", a, b)
	}
}

// A live upload becomes the same attempt, recording and result a one-shot upload of the
// same bytes makes, analysed once, while cues stream to the page as the bytes arrive.
func TestLiveUploadBecomesAttempt(t *testing.T) {
	rec := recording(t)
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{mutate: func(c *Config) { c.LiveDir = t.TempDir() }})
			_, sid := e.seedFlow(userAlice)
			c := tusClient{t: t, base: e.http.URL, token: token(t, userAlice)}
			url := createLive(t, c, sid)
			// The first PATCH starts the analysis; the page listens from then on.
			if r := c.patch(url, 0, rec[:1024], false); r.status != http.StatusNoContent {
				t.Fatalf("first PATCH: %d %s", r.status, r.body)
			}
			events := c.events(url)
			beforeLast := time.Now()
			final := sendLive(t, c, url, rec, 1024, 8)
			aid := liveAttempt(t, final)
			got := <-events

			var cues int
			for _, ev := range got[:len(got)-1] {
				if ev.event != "cue" {
					t.Errorf("event %q %s before the end", ev.event, ev.data)
				}
				if ev.at.Before(beforeLast) || strings.Contains(ev.data, fmt.Sprintf(`"bytes":%d}`, len(rec))) {
					continue
				}
				cues++
			}
			if cues == 0 {
				t.Errorf("no cue arrived while the upload was under way: %v", got)
			}
			last := got[len(got)-1]
			if last.event != "attempt" || last.data != fmt.Sprintf(`{"attempt_id":%d,"session_id":%d}`, aid, sid) {
				t.Errorf("last event %q %s", last.event, last.data)
			}
			checkStoredOnce(t, e, sid, aid, rec)
			// A client whose last PATCH's reply was lost asks again and is told the same
			// attempt: the finished upload stays a while for it.
			analyses := e.pipeline.calls.Load()
			if got := c.offset(url); got != int64(len(rec)) {
				t.Errorf("after the end the server has %d bytes, want %d", got, len(rec))
			}
			if again := c.patch(url, int64(len(rec)), nil, true); again.status != http.StatusNoContent || liveAttempt(t, again) != aid {
				t.Errorf("the last PATCH again: %d %v %s, want 204 with attempt %d", again.status, again.header, again.body, aid)
			}
			if n := e.pipeline.calls.Load(); n != analyses {
				t.Errorf("the last PATCH again ran %d more analyses", n-analyses)
			}
			e.http.Close()
			e.srv.Close()
			if entries, _ := os.ReadDir(e.srv.cfg.LiveDir); len(entries) != 0 {
				t.Errorf("the live upload's files stayed after the server closed: %v", entries)
			}
		})
	}
}

// brokenBody sends n bytes and then fails, as a connection that drops mid-chunk.
type brokenBody struct {
	data []byte
	n    int
}

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.n == 0 {
		return 0, errors.New("the network went away")
	}
	k := copy(p, b.data[:b.n])
	b.data, b.n = b.data[k:], b.n-k
	return k, nil
}

// resume finishes an upload from wherever the server has it, as tus-js-client does after a
// failed request: ask for the offset (HEAD) and send the rest, at once, and again after
// each of its default retry delays (0, 1, 3, 5 s) while the answer is 409 (the offset moved
// on: a request of a broken connection stored its bytes meanwhile) or 423 (a later request
// took the upload over). Any other answer is the server's last word; so is the last try's.
func resume(t *testing.T, c tusClient, url string, rec []byte) (offset int64, final tusReply) {
	t.Helper()
	for _, delay := range []time.Duration{0, 0, time.Second, 3 * time.Second, 5 * time.Second} {
		time.Sleep(delay)
		offset = c.offset(url)
		if offset > int64(len(rec)) {
			t.Fatalf("the server claims %d bytes of %d", offset, len(rec))
		}
		final = c.patch(url, offset, rec[offset:], true)
		if final.status != http.StatusConflict && final.status != http.StatusLocked {
			break
		}
		t.Logf("resume at %d: %d %s; asking again", offset, final.status, final.body)
	}
	return offset, final
}

// A connection cut mid-chunk, at any point, resumes from the last byte the server stored:
// the recording is byte-identical and gets one result. The client resumes at once, as
// tus-js-client's first retry does; the request the cut leaves on the server may reach the
// upload after the resume did, and the resume may then have to ask again (409), but it
// must never be refused for good nor spoil the client's next request. When the cut chunk
// was the last one it declared the length, and its resume declares it again, as the
// practice page does.
func TestLiveUploadResumesAfterCut(t *testing.T) {
	rec := recording(t)
	for _, cut := range []int{100, len(rec) / 3, len(rec) - 10} {
		for _, last := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/last=%v", cut, last), func(t *testing.T) {
				e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) { c.LiveDir = t.TempDir() }})
				_, sid := e.seedFlow(userAlice)
				c := tusClient{t: t, base: e.http.URL, token: token(t, userAlice)}
				url := createLive(t, c, sid)
				// One PATCH with the whole recording whose connection breaks after cut bytes.
				hdr := map[string]string{"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
				if last {
					hdr["Upload-Length"] = strconv.Itoa(len(rec))
				}
				if r := c.send(http.MethodPatch, url, &brokenBody{data: rec, n: cut}, int64(len(rec)), hdr); r.status != -1 {
					t.Fatalf("the cut PATCH was answered: %d %s", r.status, r.body)
				}
				offset, final := resume(t, c, url, rec)
				if offset > int64(cut) {
					t.Fatalf("the server claims %d bytes of the %d sent", offset, cut)
				}
				if final.status != http.StatusNoContent {
					t.Fatalf("resume at %d: %d %s", offset, final.status, final.body)
				}
				checkStoredOnce(t, e, sid, liveAttempt(t, final), rec)
			})
		}
	}
}

// A server closed mid-answer (a graceful stop, as a deploy does) and started again on the
// same database and live directory takes the resumed upload; exactly one result appears.
// TestLiveUploadSurvivesKill kills the process instead.
func TestLiveUploadSurvivesRestart(t *testing.T) {
	rec := recording(t)
	live := t.TempDir()
	first := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) { c.LiveDir = live }})
	_, sid := first.seedFlow(userAlice)
	c := tusClient{t: t, base: first.http.URL, token: token(t, userAlice)}
	url := createLive(t, c, sid)
	half := len(rec) / 2
	if r := c.patch(url, 0, rec[:half], false); r.status != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	dbURL := first.srv.cfg.DatabaseURL
	first.http.CloseClientConnections()
	first.http.Close()
	first.srv.Close()

	second := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) { c.LiveDir = live; c.DatabaseURL = dbURL }})
	c.base = second.http.URL
	url = second.http.URL + url[len(first.http.URL):]
	if got := c.offset(url); got != int64(half) {
		t.Fatalf("after the restart the server has %d bytes, want %d", got, half)
	}
	final := sendLive(t, c, url, rec, half, 2)
	checkStoredOnce(t, second, sid, liveAttempt(t, final), rec)
	if n := first.pipeline.calls.Load(); n > 1 {
		t.Errorf("the killed server ran %d analyses", n)
	}
}

// Live uploads are held to the one-shot upload's rules: a token, the caller's own session
// and question, the size limit and recordings only, checked as the bytes arrive.
func TestLiveUploadRules(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) { c.LiveDir = t.TempDir() }})
	_, sid := e.seedFlow(userAlice)
	alice := tusClient{t: t, base: e.http.URL, token: token(t, userAlice)}
	bob := tusClient{t: t, base: e.http.URL, token: token(t, userBob)}
	anonymous := tusClient{t: t, base: e.http.URL}

	if r := anonymous.create(sid, "1"); r.status != http.StatusUnauthorized {
		t.Errorf("create without a token: %d %s", r.status, r.body)
	}
	if r := bob.create(sid, "1"); r.status != http.StatusNotFound || !strings.Contains(r.body, "session_not_found") {
		t.Errorf("create on another user's session: %d %s", r.status, r.body)
	}
	if r := alice.create(sid, "9"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "invalid_question_index_for_session") {
		t.Errorf("create for a question the session lacks: %d %s", r.status, r.body)
	}
	if r := alice.create(sid, "one"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "invalid_upload_metadata") {
		t.Errorf("create with bad metadata: %d %s", r.status, r.body)
	}

	url := createLive(t, alice, sid)
	rec := webmHeader()
	if r := alice.patch(url, 0, rec, false); r.status != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	for _, r := range []tusReply{
		bob.send(http.MethodHead, url, nil, 0, nil),
		bob.patch(url, int64(len(rec)), []byte("x"), false),
		bob.send(http.MethodGet, url+"/events", nil, 0, nil),
		bob.send(http.MethodDelete, url, nil, 0, nil),
	} {
		if r.status != http.StatusNotFound || r.body != "" && !strings.Contains(r.body, "upload_not_found") {
			t.Errorf("Bob on Alice's upload: %d %s", r.status, r.body)
		}
	}
	if got := alice.offset(url); got != int64(len(rec)) {
		t.Errorf("Bob's requests changed Alice's upload: offset %d", got)
	}
	if r := alice.patch(url, int64(len(rec)), make([]byte, e.srv.cfg.MaxUploadBytes), false); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a chunk past the size limit: %d %s", r.status, r.body)
	}

	text := createLive(t, alice, sid)
	notes := bytes.Repeat([]byte("these are my notes, not a recording. "), 20)
	if r := alice.patch(text, 0, notes, false); r.status != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	if r := alice.patch(text, int64(len(notes)), []byte("more"), true); r.status != http.StatusUnsupportedMediaType || !strings.Contains(r.body, "unsupported_media_type") {
		t.Errorf("a text upload: %d %s", r.status, r.body)
	}
	all := e.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), userAlice, nil)
	if list, _ := all.json(t)["attempts"].([]any); len(list) != 0 {
		t.Errorf("attempts exist after refused uploads: %s", all.body)
	}
}

// The sweeper removes a live upload nobody finished once no upload could still be under
// way, and keeps a recent one for its candidate to resume.
func TestSweepRemovesAbandonedLiveUploads(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, noPipeline: true, mutate: func(c *Config) { c.LiveDir = t.TempDir() }})
	_, sid := e.seedFlow(userAlice)
	c := tusClient{t: t, base: e.http.URL, token: token(t, userAlice)}
	old, recent := createLive(t, c, sid), createLive(t, c, sid)
	for _, u := range []string{old, recent} {
		if r := c.patch(u, 0, webmHeader(), false); r.status != http.StatusNoContent {
			t.Fatalf("PATCH: %d %s", r.status, r.body)
		}
	}
	oldID := old[strings.LastIndex(old, "/")+1:]
	long := time.Now().Add(-e.srv.uploadLifetime() - time.Minute)
	if err := os.Chtimes(e.srv.cfg.LiveDir+"/"+oldID, long, long); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e.srv.sweep(t.Context(), now, now)
	if r := c.send(http.MethodHead, old, nil, 0, nil); r.status != http.StatusNotFound {
		t.Errorf("the abandoned upload is still there: %d", r.status)
	}
	if got := c.offset(recent); got != int64(len(webmHeader())) {
		t.Errorf("the recent upload lost its bytes: offset %d", got)
	}
}

// A live upload's calibration, like the one-shot upload's field, reaches the analysis and
// is stored on the attempt; a malformed one is refused before any byte is sent.
func TestLiveUploadCalibration(t *testing.T) {
	rec := recording(t)
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) { c.LiveDir = t.TempDir() }})
	_, sid := e.seedFlow(userAlice)
	c := tusClient{t: t, base: e.http.URL, token: token(t, userAlice)}
	for _, bad := range []string{"4-1", "x", "-1-2"} {
		if r := c.create(sid, "1", "calibration", bad); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "invalid_calibration") {
			t.Errorf("calibration %q: %d %s, want 422 invalid_calibration", bad, r.status, r.body)
		}
	}
	created := c.create(sid, "1", "calibration", "0.5-2")
	url := created.header.Get("Location")
	if created.status != http.StatusCreated || url == "" {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	if !strings.HasPrefix(url, "http") {
		url = e.http.URL + url
	}
	aid := liveAttempt(t, sendLive(t, c, url, rec, 0, 3))
	if got := e.pipeline.calibration.Load(); got == nil || *got != (Calibration{0.5, 2}) {
		t.Errorf("the analysis got calibration %v, want 0.5-2", got)
	}
	a, err := e.srv.db.Attempt(t.Context(), sid, aid)
	if err != nil {
		t.Fatal(err)
	}
	if a.CalibrationStart == nil || *a.CalibrationStart != 0.5 || a.CalibrationEnd == nil || *a.CalibrationEnd != 2 {
		t.Errorf("stored calibration %v-%v, want 0.5-2", a.CalibrationStart, a.CalibrationEnd)
	}
}

// A PATCH whose body stalls (a connection that died without a word) holds its upload until
// a HEAD, the client's first step to resume, takes the upload over at once: the HEAD gets
// the offset of what arrived, the stalled request 423, which tells a client that is still
// there to ask again, and the resume completes the recording byte for byte.
func TestLiveUploadHeadTakesOverAStalledPatch(t *testing.T) {
	rec := recording(t)
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) { c.LiveDir = t.TempDir() }})
	_, sid := e.seedFlow(userAlice)
	c := tusClient{t: t, base: e.http.URL, token: token(t, userAlice)}
	url := createLive(t, c, sid)
	body, send := io.Pipe()
	defer send.Close()
	stalled := make(chan tusReply, 1)
	go func() {
		stalled <- c.send(http.MethodPatch, url, body, int64(len(rec)), map[string]string{
			"Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
	}()
	const sent = 1000
	if _, err := send.Write(rec[:sent]); err != nil {
		t.Fatal(err)
	}
	stored := e.srv.cfg.LiveDir + "/" + url[strings.LastIndex(url, "/")+1:]
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if fi, err := os.Stat(stored); err == nil && fi.Size() == sent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first bytes never reached the disk")
		}
	}
	if got := c.offset(url); got != sent {
		t.Errorf("HEAD beside a stalled PATCH: offset %d, want %d", got, sent)
	}
	if r := <-stalled; r.status != http.StatusLocked || !strings.Contains(r.body, "upload_taken_over") {
		t.Errorf("the stalled PATCH, taken over: %d %s; want 423", r.status, r.body)
	}
	final := c.patch(url, sent, rec[sent:], true)
	if final.status != http.StatusNoContent {
		t.Fatalf("resume: %d %s", final.status, final.body)
	}
	checkStoredOnce(t, e, sid, liveAttempt(t, final), rec)
}
