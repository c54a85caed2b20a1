package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/store"
)

// liveServerEnv carries the test knobs of a server process started by
// TestLiveUploadSurvivesKill (the test binary re-executed); the rest of its configuration
// comes from the environment, as `nevermind serve` reads it.
const liveServerEnv = "NEVERMIND_LIVE_SERVER"

type liveServerKnobs struct {
	// AnalysisDelay holds each analysis's result back this long.
	AnalysisDelay time.Duration
	// ResultWait replaces liveResultWait.
	ResultWait time.Duration
	// HoldValidation holds every recording's validation for ever.
	HoldValidation bool
}

// TestLiveServerProcess is not a test of its own: it is the server process
// TestLiveUploadSurvivesKill starts and kills. It runs what `nevermind serve` runs, with
// the fake analysis and question writer in place of the SDK's.
func TestLiveServerProcess(t *testing.T) {
	raw := os.Getenv(liveServerEnv)
	if raw == "" {
		t.Skip("runs only as the server process of TestLiveUploadSurvivesKill")
	}
	var k liveServerKnobs
	if err := json.Unmarshal([]byte(raw), &k); err != nil {
		t.Fatal(err)
	}
	liveResultWait = k.ResultWait
	cfg, err := ConfigFromEnv(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Analyzer = &fakePipeline{delay: k.AnalysisDelay}
	if k.HoldValidation {
		cfg.MediaValidator = &blockingValidator{entered: make(chan struct{}, 1), release: make(chan struct{})}
	}
	cfg.Evaluator, cfg.Generator = fakeLLM{}, fakeLLM{}
	cfg.Logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// liveServer is one server process on a database and live directory that outlive it.
type liveServer struct {
	t                     *testing.T
	db, live, media, addr string
	cmd                   *exec.Cmd
}

// start runs a server process on s's files and address (any free port the first time)
// and returns once it listens.
func (s *liveServer) start(k liveServerKnobs) {
	t := s.t
	knobs, _ := json.Marshal(k)
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLiveServerProcess$")
	cmd.Env = append(os.Environ(), liveServerEnv+"="+string(knobs), "DATABASE_URL="+s.db, "NEVERMIND_LIVE_DIR="+s.live,
		"NEVERMIND_MEDIA_DIR="+s.media, "NEVERMIND_ADDR="+addr, "SUPABASE_JWT_SECRET="+testSecret,
		"SUPABASE_JWKS_URL=", "SUPABASE_URL=", "SUPABASE_SERVICE_ROLE_KEY=", "SUPABASE_KEY=", "NEVERMIND_PUBLIC_URL=")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s.cmd = cmd
	listening := make(chan string, 1)
	go func() {
		// The log: the address it listens on, and warnings for whoever reads the test's
		// output.
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var line struct{ Level, Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				listening <- line.Addr
			} else if line.Level != "INFO" {
				fmt.Fprintf(os.Stderr, "server process: %s\n", sc.Bytes())
			}
		}
	}()
	select {
	case s.addr = <-listening:
	case <-time.After(30 * time.Second):
		t.Fatal("the server process did not start listening within 30 s")
	}
}

// kill ends the process with SIGKILL: no handler, deferred call or shutdown runs.
func (s *liveServer) kill() {
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatal(err)
	}
	s.cmd.Wait()
}

func (s *liveServer) url() string { return "http://" + s.addr }

// killDuringLastPATCH sends the first half of rec, then the rest as the last PATCH, and
// kills the process once killNow says so, before that PATCH is answered.
func (s *liveServer) killDuringLastPATCH(c tusClient, url string, rec []byte, killNow func() bool) {
	t := s.t
	half := len(rec) / 2
	if r := c.patch(url, 0, rec[:half], false); r.status != http.StatusNoContent {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	replied := make(chan tusReply, 1)
	go func() { replied <- c.patch(url, int64(half), rec[half:], true) }()
	for deadline := time.Now().Add(10 * time.Second); !killNow(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the last PATCH never reached the point of the kill")
		}
	}
	s.kill()
	if r := <-replied; r.status != -1 {
		t.Fatalf("the last PATCH was answered before the kill: %d %s", r.status, r.body)
	}
}

// uploadMeta reads an upload's metadata from its .info file, as tusd wrote it.
func (s *liveServer) uploadMeta(url string) map[string]string {
	var info struct{ MetaData map[string]string }
	b, err := os.ReadFile(filepath.Join(s.live, url[strings.LastIndex(url, "/")+1:]+".info"))
	if err == nil {
		err = json.Unmarshal(b, &info)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return info.MetaData
}

// A server process killed with SIGKILL in the middle of a live answer, and started again
// on the same database, live directory and address, takes the client's resumed upload:
// the recording is stored byte for byte and gets exactly one result. The client does only
// what a client does: it resumes the upload (HEAD, then the rest) and asks for feedback.
//
//   - mid-answer: after two acknowledged chunks, while the third is half sent;
//   - while the last PATCH is being stored: every byte is on disk and the attempt is begun
//     but not finished (its validation is held). The client's resume finds the upload
//     complete; tusd alone would answer it 204 without an attempt, and the recording would
//     never become one;
//   - before the last acknowledgement: the attempt is stored and its live analysis (held
//     back) running, and the reply waits for it. The resume must name the attempt;
//   - after the last acknowledgement: as before, but the client has its attempt. No River
//     job was queued for it, since the live analysis was to store the result: the
//     restarted server must find it and analyse the recording from storage.
func TestLiveUploadSurvivesKill(t *testing.T) {
	rec := recording(t)
	// The killed process's analysis would take a minute; the restarted one's is immediate.
	for _, tc := range []struct {
		name  string
		first liveServerKnobs
		// complete says every byte was stored before the kill: the restarted server
		// makes the attempt before the client comes back.
		complete bool
		// upload sends the answer up to the kill and returns the attempt the server
		// acknowledged, if it did.
		upload func(t *testing.T, s *liveServer, c tusClient, url string) int64
	}{
		{"mid-answer", liveServerKnobs{AnalysisDelay: time.Minute, ResultWait: 5 * time.Second}, false, func(t *testing.T, s *liveServer, c tusClient, url string) int64 {
			chunk := len(rec) / 4
			for i := range 2 {
				if r := c.patch(url, int64(i*chunk), rec[i*chunk:(i+1)*chunk], false); r.status != http.StatusNoContent {
					t.Fatalf("PATCH %d: %d %s", i, r.status, r.body)
				}
			}
			// The third chunk's body streams; the kill lands once half of it is on disk.
			body, send := io.Pipe()
			replied := make(chan tusReply, 1)
			go func() {
				replied <- c.send(http.MethodPatch, url, body, int64(chunk), map[string]string{
					"Content-Type": "application/offset+octet-stream", "Upload-Offset": fmt.Sprint(2 * chunk)})
			}()
			if _, err := send.Write(rec[2*chunk : 2*chunk+chunk/2]); err != nil {
				t.Fatal(err)
			}
			stored := filepath.Join(s.live, url[strings.LastIndex(url, "/")+1:])
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
				if fi, err := os.Stat(stored); err == nil && fi.Size() == int64(2*chunk+chunk/2) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("half of the third chunk never reached the disk")
				}
			}
			s.kill()
			send.Close()
			if r := <-replied; r.status != -1 {
				t.Fatalf("the PATCH cut by the kill was answered: %d %s", r.status, r.body)
			}
			return 0
		}},
		{"last-chunk-being-stored", liveServerKnobs{AnalysisDelay: time.Minute, HoldValidation: true}, true, func(t *testing.T, s *liveServer, c tusClient, url string) int64 {
			s.killDuringLastPATCH(c, url, rec, func() bool { return s.uploadMeta(url)["attempt_id"] != "" })
			return 0
		}},
		{"before-last-ack", liveServerKnobs{AnalysisDelay: time.Minute, ResultWait: time.Minute}, true, func(t *testing.T, s *liveServer, c tusClient, url string) int64 {
			db, err := store.Open(t.Context(), s.db)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			s.killDuringLastPATCH(c, url, rec, func() bool {
				return countRows(t, db, fmt.Sprintf("SELECT count(*) FROM analysis_jobs WHERE status = '%s'", store.JobRunning)) == 1
			})
			return 0
		}},
		{"after-last-ack", liveServerKnobs{AnalysisDelay: time.Minute, ResultWait: 0}, true, func(t *testing.T, s *liveServer, c tusClient, url string) int64 {
			aid := liveAttempt(t, sendLive(t, c, url, rec, 0, 3))
			s.kill()
			return aid
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := &liveServer{t: t, db: "sqlite:" + filepath.Join(dir, "nevermind.db"), live: filepath.Join(dir, "live"), media: filepath.Join(dir, "media")}
			s.start(tc.first)
			e := &testEnv{t: t, http: &httptest.Server{URL: s.url()}} // its requests go to the process
			_, sid := e.seedFlow(userAlice)
			c := tusClient{t: t, base: s.url(), token: token(t, userAlice)}
			url := createLive(t, c, sid)
			aid := tc.upload(t, s, c, url)
			killedAt := time.Now()

			s.start(liveServerKnobs{ResultWait: 5 * time.Second})
			if tc.complete {
				all := e.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), userAlice, nil)
				if list, _ := all.json(t)["attempts"].([]any); len(list) != 1 {
					t.Errorf("attempts before the client came back: %s, want the one", all.body)
				}
			}
			if aid == 0 {
				offset, final := resume(t, c, url, rec)
				if final.status != http.StatusNoContent {
					t.Fatalf("resume at %d after the restart: %d %s", offset, final.status, final.body)
				}
				aid = liveAttempt(t, final)
			}
			feedback := e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil)
			expect(t, feedback, 200, "")
			t.Logf("feedback %v after the kill", time.Since(killedAt).Round(10*time.Millisecond))

			video := e.do("GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), userAlice, nil)
			expect(t, video, 200, "")
			resp, err := http.Get(video.json(t)["video_url"].(string))
			if err != nil {
				t.Fatal(err)
			}
			replay, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !bytes.Equal(replay, rec) {
				t.Fatalf("the stored recording: %d, %d bytes of %d, identical %v", resp.StatusCode, len(replay), len(rec), bytes.Equal(replay, rec))
			}
			checkSameAsOneShot(t, e, sid, feedback, rec)
			// One object for each of the two attempts: nothing the killed process wrote
			// is left behind.
			var objects []string
			filepath.WalkDir(s.media, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					objects = append(objects, path)
				}
				return err
			})
			if len(objects) != 2 {
				t.Errorf("recordings in storage: %v, want the live attempt's and the one-shot's", objects)
			}

			s.kill()
			db, err := store.Open(t.Context(), s.db)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			job, err := db.Job(t.Context(), aid)
			if err != nil || job.Status != store.JobDone {
				t.Fatalf("analysis of the attempt: %+v, %v; want done", job, err)
			}
			t.Logf("analysis done after %d tries", job.Tries)
			q1 := fmt.Sprintf("SELECT count(*) FROM attempts a JOIN session_question q ON q.id = a.session_question_id WHERE a.session_id = %d AND q.order_no = 1", sid)
			for _, q := range []string{q1,
				fmt.Sprintf("SELECT count(*) FROM attempt_analysis WHERE attempt_id = %d", aid),
				fmt.Sprintf("SELECT count(*) FROM feedback_summary WHERE attempt_id = %d", aid)} {
				if n := countRows(t, db, q); n != 1 {
					t.Errorf("%s = %d, want 1", q, n)
				}
			}
		})
	}
}
