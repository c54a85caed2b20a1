package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/feedback/report"
	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/sdk"
	"github.com/nevermind-ai/nevermind/server/servertest"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// client talks to a real server over HTTP as one user.
type client struct {
	t     testing.TB
	base  string
	token string
}

func (c client) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req)
}

func (c client) upload(sessionID int64, index int, name string, data []byte) (int, map[string]any) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/sessions/%d/recordings/%d", c.base, sessionID, index), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.send(req)
}

func (c client) send(req *http.Request) (int, map[string]any) {
	c.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(data) > 0 && json.Unmarshal(data, &m) != nil {
		c.t.Fatalf("%s %s: not JSON: %s", req.Method, req.URL, data)
	}
	return resp.StatusCode, m
}

// wired sets the server up as `nevermind serve` wires it: the pipeline
// behind sdk's Analyzer, media validation, answer evaluation and question
// generation from this module, and SyncWait long enough for an analysis.
func wired(p *interview.Pipeline) servertest.Option {
	return func(c *server.Config) {
		c.Analyzer, c.MediaValidator = sdk.Analyzer{Pipeline: p}, sdk.MediaValidator{}
		c.Evaluator, c.Generator = sdk.AnswerEvaluator{}, sdk.QuestionGenerator{}
		c.SyncWait = time.Minute
	}
}

// TestServerRunsThePipeline drives the real server, wired as `nevermind serve` wires it,
// through upload and voice feedback, and checks the scores are those vocal.Analyze gives
// for the same recording.
func TestServerRunsThePipeline(t *testing.T) {
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	dir := t.TempDir()
	path, err := testmedia.Make(dir, testmedia.Recording{Format: "webm", Picture: astronaut(t), Segments: []testmedia.Segment{
		{Text: "저는 결제 시스템의 장애를 줄이기 위해 모니터링을 새로 만들었습니다.", Voice: "ko", Rate: 150},
		{Silence: 3},
		{Text: "그 결과 장애 대응 시간이 삼십 분에서 오 분으로 줄었습니다.", Voice: "ko", Rate: 150},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	va, err := vision.New(vision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts := servertest.New(t, wired(&interview.Pipeline{Vision: va}))
	c := client{t: t, base: ts.URL, token: ts.Token("0a4b5c6d-1111-4222-8333-944455556666")}

	status, content := c.do("POST", "/api/interviews/contents", map[string]any{"company": "당근", "role": "백엔드 개발자", "interview_date": "2026-12-24"})
	if status != 200 {
		t.Fatalf("create content: %d %v", status, content)
	}
	cid := int64(content["content"].(map[string]any)["id"].(float64))
	status, res := c.do("POST", "/api/interviews/question", map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "지원 동기", "a": "결제 서버 장애 대응 시간을 30분에서 5분으로 줄였습니다."}}})
	if status != 200 {
		t.Fatalf("questions: %d %v", status, res)
	}
	status, start := c.do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{"practice_type": "job"})
	if status != 200 {
		t.Fatalf("start: %d %v", status, start)
	}
	sid := int64(start["session_id"].(float64))

	status, body := c.upload(sid, 1, "notes.webm", []byte("these are my notes, not a recording"))
	if status != http.StatusUnsupportedMediaType {
		t.Errorf("text upload: %d %v, want 415", status, body)
	}
	// A WebM header followed by garbage sniffs as video, so only decoding can reject it.
	// (A recording merely cut short is accepted: a browser that crashed mid-answer
	// leaves a playable beginning, and the candidate deserves feedback on it.)
	garbage := append(append([]byte{}, rec[:40]...), bytes.Repeat([]byte{0x5a, 0xa5, 0x00, 0xff}, 4096)...)
	status, body = c.upload(sid, 1, "answer.webm", garbage)
	if detail, _ := body["detail"].(string); status != http.StatusUnsupportedMediaType || !strings.HasPrefix(detail, "invalid_media") {
		t.Errorf("WebM header with garbage: %d %v, want 415 invalid_media from media validation", status, body)
	}
	status, up := c.upload(sid, 1, "answer.webm", rec)
	if status != 200 {
		t.Fatalf("upload: %d %v", status, up)
	}
	aid := int64(up["attempt_id"].(float64))

	status, voice := c.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), nil)
	if status != 200 {
		t.Fatalf("voice feedback: %d %v", status, voice)
	}
	want := analyseDirectly(t, path)
	if got := int(voice["total_score"].(float64)); got != want.TotalScore {
		t.Errorf("served total score %d, vocal.Analyze gives %d", got, want.TotalScore)
	}
	metrics := voice["metrics"].([]any)
	for i, m := range metrics {
		if got := int(m.(map[string]any)["score"].(float64)); got != want.Metrics[i].Score {
			t.Errorf("metric %s: served %d, vocal.Analyze gives %d", want.Metrics[i].ID, got, want.Metrics[i].Score)
		}
	}
	// The astronaut faces the camera: the face and posture analyses must have run.
	status, face := c.do("GET", fmt.Sprintf("/api/feedback/%d/expression-feedback?attempt_id=%d", sid, aid), nil)
	if status != 200 || face["message"] != "expression_analysis_success" {
		t.Fatalf("expression feedback: %d %v", status, face)
	}
	gaze := face["expression_analysis"].(map[string]any)["head_eye_gaze_rate"].(map[string]any)
	if v := gaze["value"].(float64); v < 0 || v > 100 || gaze["rating"] == "" {
		t.Errorf("gaze %v", gaze)
	}
	status, pose := c.do("GET", fmt.Sprintf("/api/feedback/%d/pose-feedback?attempt_id=%d", sid, aid), nil)
	if status != 200 || pose["message"] != "pose_analysis_success" {
		t.Fatalf("pose feedback: %d %v", status, pose)
	}
	status, combined := c.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/%d/combined", sid, aid), nil)
	if status != 200 {
		t.Fatalf("combined: %d %v", status, combined)
	}
	if !strings.Contains(fmt.Sprint(combined), "overall_score") {
		t.Errorf("combined feedback lacks the overall score: %v", combined)
	}

	// The report route serves the page `nevermind analyze --html` writes for the same
	// recording, titled with the question.
	question := start["questions"].([]any)[0].(map[string]any)["text"].(string)
	direct, err := (&interview.Pipeline{Vision: va}).AnalyzeFile(t.Context(), path, interview.Options{Question: question, Series: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ko", "en"} {
		var want strings.Builder
		if err := report.HTML(&want, direct.Feedback, direct.FeedbackInput(), report.Options{Language: lang, Title: question}); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/feedback/%d/attempts/%d/report?lang=%s", ts.URL, sid, aid, lang), nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != want.String() {
			t.Errorf("%s report: %d, %d bytes; the CLI's is %d bytes and differs at byte %d", lang, resp.StatusCode, len(got), want.Len(),
				firstDifference(string(got), want.String()))
		}
	}
}

// firstDifference is the index of the first byte where a and b differ.
func firstDifference(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func astronaut(t testing.TB) string {
	t.Helper()
	path, err := testmedia.Astronaut()
	if err != nil {
		t.Skip(err)
	}
	return path
}

func analyseDirectly(t *testing.T, path string) *vocal.Report {
	t.Helper()
	d, err := media.Open(context.Background(), path, media.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pcm, err := d.Audio(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := vocal.Analyze(context.Background(), pcm, d.SampleRate(), vocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
