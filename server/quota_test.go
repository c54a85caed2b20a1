package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
)

// uploadReply is an upload's reply with its Retry-After header.
func (e *testEnv) uploadReply(sessionID int64, index int, user string, data []byte) (reply, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "answer.webm")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/sessions/%d/recordings/%d", e.http.URL, sessionID, index), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token(e.t, user))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, body, resp.Header}, resp.Header.Get("Retry-After")
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// One user streams at most MaxUploadsPerUser uploads at once (another user
// from the same address is not affected), and has at most
// MaxQueuedJobsPerUser analyses queued or running: an upload or a request
// that would queue one more is 429 with Retry-After, joining a queued one is
// not.
func TestPerUserLimits(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{noWorker: true, mutate: func(c *Config) {
				c.MaxUploadsPerUser, c.MaxQueuedJobsPerUser, c.MinBodyRate, c.BodyIdleTimeout = 1, 2, 1, 5*time.Second
			}})
			_, sid := e.seedFlow(userAlice)
			_, bobSid := e.seedFlow(userBob)
			ct, prefix := multipartPrefix()
			held := make(chan slowResult, 1)
			go func() {
				held <- slowPost(t, e.http.URL, fmt.Sprintf("/api/sessions/%d/recordings/1", sid), token(t, userAlice), ct, prefix,
					50*time.Millisecond, 2*time.Second)
			}()
			waitFor(t, "the slow upload to hold Alice's slot", func() bool {
				e.srv.userUploads.mu.Lock()
				defer e.srv.userUploads.mu.Unlock()
				return e.srv.userUploads.held[userAlice] == 1
			})
			r, after := e.uploadReply(sid, 1, userAlice, []byte(webmFile))
			expect(t, r, http.StatusTooManyRequests, `{"detail":"too_many_uploads: at most 1 of yours at once"}`)
			if after != "10" {
				t.Errorf("Retry-After %q", after)
			}
			expect(t, e.upload(bobSid, 1, userBob, []byte(webmFile)), 200, "")
			<-held
			waitFor(t, "Alice's slot to come back", func() bool {
				e.srv.userUploads.mu.Lock()
				defer e.srv.userUploads.mu.Unlock()
				return e.srv.userUploads.held[userAlice] == 0
			})

			// Each upload queues its analysis; nothing works them here.
			var aids []int64
			for range 2 {
				r := e.upload(sid, 1, userAlice, []byte(webmFile))
				expect(t, r, 200, "")
				aids = append(aids, num(t, r.json(t)["attempt_id"]))
			}
			r, after = e.uploadReply(sid, 1, userAlice, []byte(webmFile))
			expect(t, r, http.StatusTooManyRequests, `{"detail":"too_many_analyses: 2 of yours are queued or running; at most 2 at once"}`)
			if after != "30" {
				t.Errorf("Retry-After %q", after)
			}
			// Bob's queue is his own; a route that joins Alice's queued job is served.
			expect(t, e.upload(bobSid, 1, userBob, []byte(webmFile)), 200, "")
			expect(t, e.do("POST", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aids[0]), userAlice, nil), 202, "")
		})
	}
}

// With analyses queued on request, the request that would queue a third
// is the one refused.
func TestPerUserJobLimitOnRequest(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d, envOptions{noWorker: true, mutate: func(c *Config) {
				c.MaxQueuedJobsPerUser, c.AnalyzeOnRequest = 2, true
			}})
			_, sid := e.seedFlow(userAlice)
			var aids []int64
			for range 3 {
				r := e.upload(sid, 1, userAlice, []byte(webmFile))
				expect(t, r, 200, "")
				aids = append(aids, num(t, r.json(t)["attempt_id"]))
			}
			for i, aid := range aids {
				req := e.request("POST", fmt.Sprintf("%s/api/analysis/sessions/%d/attempts/%d", e.http.URL, sid, aid), nil)
				req.Header.Set("Authorization", "Bearer "+token(t, userAlice))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if i < 2 {
					expect(t, reply{resp.StatusCode, body, resp.Header}, 202, "")
					continue
				}
				expect(t, reply{resp.StatusCode, body, resp.Header}, http.StatusTooManyRequests,
					`{"detail":"too_many_analyses: 2 of yours are queued or running; at most 2 at once"}`)
				if got := resp.Header.Get("Retry-After"); got != "30" {
					t.Errorf("Retry-After %q", got)
				}
			}
		})
	}
}

// blockingValidator holds every validation until release is closed.
type blockingValidator struct {
	entered chan struct{}
	release chan struct{}
}

func (v *blockingValidator) ValidateMedia(ctx context.Context, r io.Reader) (MediaInfo, error) {
	v.entered <- struct{}{}
	<-v.release
	_, err := io.Copy(io.Discard, r)
	return MediaInfo{HasAudio: true, HasVideo: true, Duration: time.Second}, err
}

// With every validation slot busy past the wait, an upload is 503 with
// Retry-After and leaves nothing behind; once a slot frees, uploads pass.
func TestValidationsAreBounded(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			v := &blockingValidator{entered: make(chan struct{}, 4), release: make(chan struct{})}
			e := newEnv(t, d, envOptions{noWorker: true, mutate: func(c *Config) {
				c.MaxValidations, c.MediaValidator, c.MaxUploadsPerUser = 1, v, 4
			}})
			e.srv.validationWait = 0
			_, sid := e.seedFlow(userAlice)
			first := make(chan reply, 1)
			go func() { first <- e.upload(sid, 1, userAlice, []byte(webmFile)) }()
			<-v.entered
			r, after := e.uploadReply(sid, 1, userAlice, []byte(webmFile))
			expect(t, r, http.StatusServiceUnavailable, `{"detail":"validation_busy: all 1 recording checks are busy; upload again later"}`)
			if after != "30" {
				t.Errorf("Retry-After %q", after)
			}
			if n := e.fake.Count(bucket); n != 1 {
				t.Errorf("%d objects in storage while the first upload validates, want its 1", n)
			}
			close(v.release)
			expect(t, <-first, 200, "")
			expect(t, e.upload(sid, 1, userAlice, []byte(webmFile)), 200, "")
		})
	}
}
