package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/auth"
	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/storage/supabasetest"
	"github.com/nevermind-ai/nevermind/server/store"
)

const (
	testSecret   = "test-jwt-secret-test-jwt-secret-0123456789"
	serviceKey   = "service-role-key"
	bucket       = "interview_media_asset"
	userAlice    = "11111111-1111-4111-8111-111111111111"
	userBob      = "22222222-2222-4222-8222-222222222222"
	recordingEnv = "NEVERMIND_TEST_RECORDING"
)

// fakePipeline stands in for interview.Pipeline. These internal tests
// cannot use servertest.Analyzer, since servertest imports this package, and
// need more than it offers: scores derived from the SHA-256 of the recording
// bytes the server streams to it, so a test can recompute the expected
// values and see that the real bytes reached the analysis, and the
// voice-only, silent, failing and slow pipelines below.
type fakePipeline struct {
	// voiceOnly mimics a pipeline without vision: no pose or expression.
	voiceOnly bool
	// silent mimics a recording without speech: no voice, no transcript.
	silent bool
	// noSTT mimics a pipeline without a speech-to-text backend.
	noSTT bool
	calls atomic.Int64
	// calibration is the last AnalysisInput.Calibration seen.
	calibration atomic.Pointer[Calibration]
	delay       time.Duration
	failFor     atomic.Int64 // fail this many calls first
}

func scoresFromBytes(data []byte) [8]float64 {
	sum := sha256.Sum256(data)
	var out [8]float64
	for i := range out {
		out[i] = 40 + float64(int(sum[i])%61) // 40..100
	}
	return out
}

func (f *fakePipeline) Analyze(ctx context.Context, in AnalysisInput) (*Analysis, error) {
	f.calls.Add(1)
	f.calibration.Store(in.Calibration)
	media := in.Media
	if in.Cue != nil {
		media = &cueEveryKB{r: in.Media, cue: in.Cue}
	}
	data, err := io.ReadAll(media)
	if err != nil {
		return nil, err
	}
	if in.Progress != nil {
		in.Progress(0.5)
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if in.Question == "" {
		return nil, fmt.Errorf("fake pipeline: the server did not pass the question text")
	}
	if f.failFor.Add(-1) >= 0 {
		return nil, fmt.Errorf("fake pipeline: induced failure")
	}
	sc := scoresFromBytes(data)
	total := (sc[0] + sc[1] + sc[2] + sc[3]) / 4
	voicePayload, _ := json.Marshal(map[string]any{"total_score": int(total), "summary": "전반적으로 안정적.", "metrics": []any{}, "grouped": map[string]any{}})
	gaze := sc[4] / 100
	face, _ := json.Marshal(map[string]any{"overall_score": sc[5], "expression_analysis": map[string]any{
		"head_eye_gaze_rate": map[string]any{"value": gaze, "rating": "양호"}}, "feedback_summary": "정면 주시율은 양호합니다."})
	if f.silent {
		return &Analysis{Unavailable: map[string]string{"voice": "the recording has no usable speech",
			"transcript": "the recording has no usable speech", "pose": "no video", "expression": "no video"}}, nil
	}
	if f.voiceOnly {
		return &Analysis{
			Voice:       &VoiceResult{Total: total, Tremor: sc[0], Pause: sc[1], Tone: sc[2], Speed: sc[3], Payload: voicePayload},
			Unavailable: map[string]string{"pose": "vision analysis is not available", "expression": "vision analysis is not available"},
		}, nil
	}
	return &Analysis{
		Voice:      &VoiceResult{Total: total, Tremor: sc[0], Pause: sc[1], Tone: sc[2], Speed: sc[3], Payload: voicePayload},
		Pose:       &PoseResult{Overall: (sc[5] + sc[6] + sc[7]) / 3, Shoulder: sc[5], HeadTilt: sc[6], Hand: sc[7], ProblemSections: json.RawMessage(`{"shoulder":[[0.5,1.5]],"head_tilt":[],"hand":[]}`)},
		Face:       &FaceResult{Overall: sc[5], Gaze: gaze, BlinkStability: 0, MouthDelta: -0.01, Payload: face},
		Transcript: fmt.Sprintf("녹음 %d바이트", len(data)),
		Combined:   json.RawMessage(`{"overall":70,"timeline":[{"start":0.5,"end":1.5,"issue":"shoulder"}]}`),
		Reports: map[string]string{"ko": fmt.Sprintf("<!DOCTYPE html><title>보고서</title><p>%d바이트", len(data)),
			"en": fmt.Sprintf("<!DOCTYPE html><title>Report</title><p>%d bytes", len(data))},
	}, nil
}

// cueEveryKB gives a live cue each time another kilobyte of the recording has been read,
// so tests can see the analysis keep pace with a live upload.
type cueEveryKB struct {
	r    io.Reader
	cue  func(json.RawMessage)
	read int
}

func (c *cueEveryKB) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	before := c.read
	c.read += n
	if c.read/1024 > before/1024 {
		c.cue(json.RawMessage(fmt.Sprintf(`{"kind":"read","bytes":%d}`, c.read)))
	}
	return n, err
}

// Transcribes implements TranscriptReporter.
func (f *fakePipeline) Transcribes() bool { return !f.noSTT }

// fakeLLM stands in for the questions package's generator and evaluator.
type fakeLLM struct{}

func (fakeLLM) GenerateQuestions(_ context.Context, qas []QA) ([]Question, error) {
	var out []Question
	for i, qa := range qas {
		out = append(out, Question{Text: fmt.Sprintf("%s 경험에서 맡은 역할은? (%d)", qa.Question, i), Type: "job"},
			Question{Text: fmt.Sprintf("그 결과를 수치로 설명해 주세요. (%d)", i), Type: "job"},
			Question{Text: fmt.Sprintf("협업 중 갈등은 어떻게 풀었나요? (%d)", i), Type: "soft"})
	}
	return out, nil
}

func (fakeLLM) EvaluateAnswer(_ context.Context, answer string) (map[string]any, error) {
	return map[string]any{"overall_summary": fmt.Sprintf("답변 길이는 %d자입니다.", len([]rune(answer)))}, nil
}

type testEnv struct {
	t        testing.TB
	srv      *Server
	http     *httptest.Server
	fake     *supabasetest.Server
	pipeline *fakePipeline
}

type envOptions struct {
	mutate     func(*Config)
	noWorker   bool
	noPipeline bool
}

func newEnv(t testing.TB, d store.Dialect, o envOptions) *testEnv {
	t.Helper()
	fake := supabasetest.NewServer(serviceKey, bucket)
	t.Cleanup(fake.Close)
	e := &testEnv{t: t, fake: fake, pipeline: &fakePipeline{}}
	cfg := Config{
		DatabaseURL: dbtest.URL(t, d), MigrateOnStart: true, JWTSecret: testSecret,
		SupabaseURL: fake.URL, SupabaseKey: serviceKey, SyncWait: 20 * time.Second,
		Evaluator: fakeLLM{}, Generator: fakeLLM{}, MaxUploadBytes: 1 << 20,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if !o.noPipeline {
		cfg.Analyzer = e.pipeline
	}
	if o.mutate != nil {
		o.mutate(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	ctx, cancel := context.WithCancel(context.Background())
	// Cleanups run last-in first-out: the worker stops before the HTTP
	// server, which closes before the database.
	t.Cleanup(func() {
		cancel()
		srv.Close()
	})
	e.http = httptest.NewServer(srv.Handler())
	t.Cleanup(e.http.Close)
	if !o.noWorker {
		worker, err := newQueue(srv.db, srv.cfg, srv.runner, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := worker.start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stopCtx, c := context.WithTimeout(context.Background(), 10*time.Second)
			defer c()
			if err := worker.stop(stopCtx); err != nil {
				t.Errorf("stop worker: %v", err)
			}
		})
	}
	return e
}

func token(t testing.TB, sub string) string {
	t.Helper()
	tok, err := auth.SignHS256([]byte(testSecret), auth.TokenOptions{Subject: sub, Email: sub[:4] + "@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type reply struct {
	status int
	body   []byte
	header http.Header
}

func (r reply) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("reply %d is not a JSON object: %s", r.status, r.body)
	}
	return m
}

func (e *testEnv) do(method, path, user string, body any) reply {
	e.t.Helper()
	req := e.request(method, e.http.URL+path, body)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+token(e.t, user))
	}
	return e.send(req)
}

func (e *testEnv) request(method, url string, body any) *http.Request {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func (e *testEnv) send(req *http.Request) reply {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply{resp.StatusCode, b, resp.Header}
}

func (e *testEnv) upload(sessionID int64, index int, user string, data []byte) reply {
	e.t.Helper()
	return e.uploadTo(e.http.URL, sessionID, index, token(e.t, user), data)
}

func (e *testEnv) uploadTo(base string, sessionID int64, index int, bearer string, data []byte) reply {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "answer.webm")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/sessions/%d/recordings/%d", base, sessionID, index), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+bearer)
	return e.send(req)
}

func expect(t testing.TB, r reply, status int, body string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if body == "" {
		return
	}
	var got, want any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatalf("bad expectation %s: %v", body, err)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("body\n got %s\nwant %s", g, w)
	}
}

// recording returns a short WebM (VP8 + Opus) made with the ffmpeg CLI:
//
//	ffmpeg -f lavfi -i sine=frequency=220:duration=1.5 \
//	       -f lavfi -i testsrc=size=96x72:rate=10:duration=1.5 \
//	       -c:v libvpx -b:v 200k -c:a libopus -shortest out.webm
//
// The test is skipped when ffmpeg is missing.
func recording(t testing.TB) []byte {
	t.Helper()
	if p := os.Getenv(recordingEnv); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not installed (apt-get install ffmpeg); it makes the test recording")
	}
	out := filepath.Join(t.TempDir(), "answer.webm")
	cmd := exec.Command(ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "sine=frequency=220:duration=1.5",
		"-f", "lavfi", "-i", "testsrc=size=96x72:rate=10:duration=1.5",
		"-c:v", "libvpx", "-b:v", "200k", "-c:a", "libopus", "-shortest", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("ffmpeg cannot make a VP8/Opus WebM here: %v: %s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func num(t testing.TB, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%v is not a number", v)
	}
	return int64(f)
}

// seedFlow creates a content with a cover letter for user and starts a
// session, returning content and session ids.
func (e *testEnv) seedFlow(user string) (contentID, sessionID int64) {
	e.t.Helper()
	r := e.do("POST", "/api/interviews/contents", user, map[string]any{"company": "카카오", "role": "백엔드", "interview_date": "2026-12-24"})
	expect(e.t, r, 200, "")
	contentID = num(e.t, r.json(e.t)["content"].(map[string]any)["id"])
	r = e.do("POST", "/api/interviews/resume", user, map[string]any{"content_id": contentID, "items": []any{
		map[string]any{"question": "지원 동기", "answer": "트래픽이 많은 서비스를 만들고 싶습니다. 캐시로 응답 시간을 40% 줄였습니다."}}})
	expect(e.t, r, 200, "")
	r = e.do("POST", fmt.Sprintf("/api/sessions/%d/start", contentID), user, map[string]any{"practice_type": "job"})
	expect(e.t, r, 200, "")
	sessionID = num(e.t, r.json(e.t)["session_id"])
	return contentID, sessionID
}

func roundHalfEven(v float64) float64 { return math.RoundToEven(v) }

func roundTo2(v float64) float64 { return math.Round(v*100) / 100 }

func nan() float64 { return math.NaN() }

func httptestServer(t *testing.T, s *Server) string {
	h := httptest.NewServer(s.Handler())
	t.Cleanup(h.Close)
	return h.URL
}
