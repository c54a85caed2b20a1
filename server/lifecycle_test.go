package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/store"
)

// Two databases over one bucket hand out the same session and attempt ids.
// An upload that fails on the second must delete only what it wrote, never
// the first one's recording under the same ids.
func TestFailedUploadKeepsOthersObjects(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			first := newEnv(t, d, envOptions{noWorker: true})
			second := newEnv(t, d, envOptions{noWorker: true, mutate: func(c *Config) {
				c.SupabaseURL, c.MediaValidator = first.fake.URL, &rejectingValidator{}
			}})
			_, sid1 := first.seedFlow(userAlice)
			_, sid2 := second.seedFlow(userAlice)
			if sid1 != sid2 {
				t.Fatalf("session ids %d and %d: the test needs the same ids", sid1, sid2)
			}
			r := first.upload(sid1, 1, userAlice, []byte(webmFile))
			expect(t, r, 200, "")
			kept := r.json(t)["video_url"].(string)

			// Too short for the validator: stored, then rejected and cleaned up.
			r = second.upload(sid2, 1, userAlice, []byte(webmFile[:40]))
			if _, ok := first.fake.Object(bucket, kept); !ok {
				t.Fatalf("the failed upload deleted %s, which the other database's upload wrote", kept)
			}
			if r.status != 415 || !strings.Contains(string(r.body), "invalid_media") {
				t.Fatalf("second upload: %d %s", r.status, r.body)
			}
			if n := first.fake.Count(bucket); n != 1 {
				t.Fatalf("%d objects in the bucket, want only the first upload's", n)
			}
		})
	}
}

// A process killed mid-analysis (SQLite, zero-config) leaves its River job
// "running", maybe an attempt still "uploading" with a temporary file, and
// maybe an analysis row whose job was never enqueued. The next start
// requeues the analyses at once, instead of River's rescue after twice the
// job timeout, and removes the unfinished upload.
func TestStartRecoversWhatACrashLeft(t *testing.T) {
	media := t.TempDir()
	cfg := Config{DatabaseURL: dbtest.URL(t, store.SQLite), MediaDir: media, JWTSecret: testSecret,
		JobTimeout: 10 * time.Minute, SyncWait: 15 * time.Second, Analyzer: &fakePipeline{}, Generator: fakeLLM{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	crashed, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, srv: crashed, http: httptest.NewServer(crashed.Handler())}
	_, sid := e.seedFlow(userAlice)
	ctx := t.Context()
	var aids [2]int64
	for i := range aids {
		r := e.upload(sid, i+1, userAlice, []byte(webmFile))
		expect(t, r, 200, "")
		aids[i] = num(t, r.json(t)["attempt_id"])
	}
	running, err := crashed.db.Job(ctx, aids[0])
	if err != nil {
		t.Fatal(err)
	}
	lost, err := crashed.db.Job(ctx, aids[1])
	if err != nil {
		t.Fatal(err)
	}
	sq, err := crashed.db.SessionQuestionByOrder(ctx, sid, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The state SIGKILL leaves: the first analysis mid-run, the second row
	// without its River job, an upload that never finished.
	for _, q := range []string{
		fmt.Sprintf("UPDATE river_job SET state = 'running', attempt = 1 WHERE id = %d", *running.RiverJobID),
		fmt.Sprintf("UPDATE analysis_jobs SET status = 'running', tries = 1 WHERE attempt_id = %d", aids[0]),
		fmt.Sprintf("DELETE FROM river_job WHERE id = %d", *lost.RiverJobID),
	} {
		if _, err := crashed.db.Bun.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	if err := crashed.db.BeginAttempt(ctx, &store.Attempt{SessionID: sid, SessionQuestionID: sq.ID}); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(media, "sessions", fmt.Sprint(sid), ".tmp-0123456789abcdef")
	if err := os.WriteFile(tmp, []byte("half a recording"), 0o640); err != nil {
		t.Fatal(err)
	}
	e.http.Close()
	crashed.Close()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = l.Addr().String()
	l.Close()
	restarted, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- restarted.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	base := "http://" + cfg.Addr
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			t.Fatal("server did not start:", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	e = &testEnv{t: t, srv: restarted}
	for _, aid := range aids {
		req := e.request("GET", fmt.Sprintf("%s/api/feedback/%d/voice-feedback?attempt_id=%d", base, sid, aid), nil)
		req.Header.Set("Authorization", "Bearer "+token(t, userAlice))
		expect(t, e.send(req), 200, "")
	}
	var uploading int
	if err := restarted.db.Bun.NewRaw("SELECT count(*) FROM attempts WHERE status = 'uploading'").Scan(ctx, &uploading); err != nil || uploading != 0 {
		t.Fatalf("%d unfinished uploads left, %v", uploading, err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("temporary file of the unfinished upload: %v", err)
	}
}

// On either database, the periodic sweep finds analyses whose River job
// will never run (gone, or discarded after its worker died on the last try)
// and queues them again, or fails them once their tries are used up.
func TestSweepRequeuesLostJobs(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{noWorker: true})
			_, sid := e.seedFlow(userAlice)
			ctx := t.Context()
			var jobs [3]*store.AnalysisJob
			for i := range jobs {
				r := e.upload(sid, 1, userAlice, []byte(webmFile))
				expect(t, r, 200, "")
				j, err := e.srv.db.Job(ctx, num(t, r.json(t)["attempt_id"]))
				if err != nil {
					t.Fatal(err)
				}
				jobs[i] = j
			}
			// 0: River discarded it mid-run; 1: the same on its third try;
			// 2: alive and queued, to be left alone.
			for _, q := range []string{
				fmt.Sprintf("UPDATE river_job SET state = 'discarded', finalized_at = CURRENT_TIMESTAMP WHERE id IN (%d, %d)", *jobs[0].RiverJobID, *jobs[1].RiverJobID),
				fmt.Sprintf("UPDATE analysis_jobs SET status = 'running', tries = 1 WHERE attempt_id = %d", jobs[0].AttemptID),
				fmt.Sprintf("UPDATE analysis_jobs SET status = 'running', tries = 3 WHERE attempt_id = %d", jobs[1].AttemptID),
			} {
				if _, err := e.srv.db.Bun.ExecContext(ctx, q); err != nil {
					t.Fatal(q, err)
				}
			}
			now := time.Now()
			e.srv.sweep(ctx, now.Add(-e.srv.uploadLifetime()), now)
			requeued, _ := e.srv.db.Job(ctx, jobs[0].AttemptID)
			var state string
			if err := e.srv.db.Bun.NewRaw("SELECT state FROM river_job WHERE id = ?", requeued.RiverJobID).Scan(ctx, &state); err != nil {
				t.Fatal(err)
			}
			if requeued.Status != store.JobQueued || *requeued.RiverJobID == *jobs[0].RiverJobID || state != "available" {
				t.Fatalf("lost job: status %s, river job %d (was %d) %s", requeued.Status, *requeued.RiverJobID, *jobs[0].RiverJobID, state)
			}
			if failed, _ := e.srv.db.Job(ctx, jobs[1].AttemptID); failed.Status != store.JobFailed || failed.Error == nil {
				t.Fatalf("lost job on its last try: %+v", failed)
			}
			if alive, _ := e.srv.db.Job(ctx, jobs[2].AttemptID); alive.Status != store.JobQueued || *alive.RiverJobID != *jobs[2].RiverJobID {
				t.Fatalf("live job touched: %+v", alive)
			}
		})
	}
}

// Deleting an account (profile status "deleted") stops its signed replay
// links at once, and the next sweep removes its recordings and every row
// they belong to; another user's data stays.
func TestDeletedAccountIsPurged(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			media := t.TempDir()
			e := newEnv(t, d, envOptions{noWorker: true, mutate: func(c *Config) {
				c.SupabaseURL, c.SupabaseKey, c.MediaDir = "", "", media
			}})
			ctx := t.Context()
			replay := func(user string) (sid int64, url string) {
				_, sid = e.seedFlow(user)
				r := e.upload(sid, 1, user, []byte(webmFile))
				expect(t, r, 200, "")
				aid := num(t, r.json(t)["attempt_id"])
				r = e.do("GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), user, nil)
				expect(t, r, 200, "")
				return sid, r.json(t)["video_url"].(string)
			}
			get := func(url string) int {
				resp, err := http.Get(url)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			aliceSid, aliceURL := replay(userAlice)
			bobSid, bobURL := replay(userBob)
			if get(aliceURL) != 200 {
				t.Fatal("the replay link does not work to begin with")
			}
			p, err := e.srv.db.Profile(ctx, userAlice)
			if err != nil {
				t.Fatal(err)
			}
			p.Status = store.ProfileDeleted
			if err := e.srv.db.SaveProfile(ctx, p); err != nil {
				t.Fatal(err)
			}
			if status := get(aliceURL); status != http.StatusNotFound {
				t.Fatalf("a deleted account's replay link answers %d", status)
			}

			now := time.Now()
			e.srv.sweep(ctx, now.Add(-e.srv.uploadLifetime()), now.Add(-lostJobGrace))
			count := func(q string, args ...any) int {
				var n int
				if err := e.srv.db.Bun.NewRaw(q, args...).Scan(ctx, &n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			for _, table := range []string{"sessions", "attempts", "media_asset", "analysis_jobs"} {
				col := "session_id"
				if table == "sessions" {
					col = "id"
				}
				if n := count("SELECT count(*) FROM "+table+" WHERE "+col+" = ?", aliceSid); n != 0 {
					t.Errorf("%d %s rows of the deleted account left", n, table)
				}
			}
			for _, table := range []string{"content", "resume"} {
				if n := count("SELECT count(*) FROM "+table+" WHERE user_id = ?", userAlice); n != 0 {
					t.Errorf("%d %s rows of the deleted account left", n, table)
				}
			}
			var files []string
			_ = filepath.WalkDir(media, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					files = append(files, path)
				}
				return err
			})
			if len(files) != 1 || !strings.Contains(files[0], fmt.Sprintf("sessions/%d/", bobSid)) {
				t.Errorf("media left after the purge: %v, want only Bob's recording", files)
			}
			if get(bobURL) != 200 || count("SELECT count(*) FROM attempts WHERE session_id = ?", bobSid) != 1 {
				t.Error("the purge touched another user's data")
			}
			expect(t, e.do("GET", "/api/auth/me", userAlice, nil), 403, `{"detail":"account_deleted"}`)
		})
	}
}
