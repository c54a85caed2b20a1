package sdk_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/internal/testmedia"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/server"
	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
	"github.com/nevermind-ai/nevermind/server/servertest"
	"github.com/nevermind-ai/nevermind/server/store"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/vision"
)

// frontendOrigin is where the original React frontend runs (Vite's dev server).
const frontendOrigin = "http://localhost:5173"

// browser calls the API as the frontend does from another origin: every request carries
// a bearer token, so the browser sends a CORS preflight first and only reads a response
// that allows its origin.
type browser struct {
	t     testing.TB
	base  string
	token string
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body as one object, or fails the test.
func (r reply) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not a JSON object (%d): %s", r.status, r.body)
	}
	return m
}

// call sends one request the way fetch() does with a JSON body (or a multipart one when
// contentType says so), after the preflight, and checks both CORS answers.
func (b browser) call(method, path, contentType string, body []byte) reply {
	b.t.Helper()
	requested := "authorization"
	if contentType != "" && !strings.HasPrefix(contentType, "multipart/form-data") {
		requested += ",content-type"
	}
	pre, _ := http.NewRequest(http.MethodOptions, b.base+path, nil)
	pre.Header.Set("Origin", frontendOrigin)
	pre.Header.Set("Access-Control-Request-Method", method)
	pre.Header.Set("Access-Control-Request-Headers", requested)
	r := b.send(pre)
	if r.status/100 != 2 || !allowsOrigin(r.header) ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Methods"), method) ||
		!strings.Contains(strings.ToLower(r.header.Get("Access-Control-Allow-Headers")), requested) {
		b.t.Fatalf("preflight of %s %s refused: %d %v", method, path, r.status, r.header)
	}

	req, _ := http.NewRequest(method, b.base+path, bytes.NewReader(body))
	req.Header.Set("Origin", frontendOrigin)
	req.Header.Set("Authorization", "Bearer "+b.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	r = b.send(req)
	if !allowsOrigin(r.header) {
		b.t.Fatalf("%s %s: the browser may not read the response (headers %v)", method, path, r.header)
	}
	return r
}

func allowsOrigin(h http.Header) bool {
	o := h.Get("Access-Control-Allow-Origin")
	return o == "*" || o == frontendOrigin
}

func (b browser) send(req *http.Request) reply {
	b.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, data}
}

// jsonCall sends body as JSON and wants status; it returns the decoded object.
func (b browser) jsonCall(method, path string, body any, status int) map[string]any {
	b.t.Helper()
	var data []byte
	ct := ""
	if body != nil {
		data, _ = json.Marshal(body)
		ct = "application/json"
	}
	r := b.call(method, path, ct, data)
	if r.status != status {
		b.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, status)
	}
	return r.json(b.t)
}

// jsonList is jsonCall for a route that answers a JSON array.
func (b browser) jsonList(path string) []map[string]any {
	b.t.Helper()
	r := b.call(http.MethodGet, path, "", nil)
	var list []map[string]any
	if r.status != 200 || json.Unmarshal(r.body, &list) != nil {
		b.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return list
}

// upload posts a recording as the practice room does: FormData with the Blob as "file".
func (b browser) upload(sid int64, index int, rec []byte) map[string]any {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", fmt.Sprintf("answer_%d.webm", index))
	fw.Write(rec)
	mw.Close()
	r := b.call(http.MethodPost, fmt.Sprintf("/api/sessions/%d/recordings/%d", sid, index), mw.FormDataContentType(), buf.Bytes())
	if r.status != 200 {
		b.t.Fatalf("upload %d: %d %s", index, r.status, r.body)
	}
	return r.json(b.t)
}

// pose polls the pose route as the feedback page does, until it answers 200.
func (b browser) pose(sid, aid int64) map[string]any {
	b.t.Helper()
	path := fmt.Sprintf("/api/feedback/%d/pose-feedback?attempt_id=%d", sid, aid)
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		r := b.call(http.MethodGet, path, "", nil)
		switch r.status {
		case 200:
			return r.json(b.t)
		case 202:
			if m := r.json(b.t); m["status"] != "pending" && m["status"] != "running" {
				b.t.Fatalf("pose 202 without a pending status: %s", r.body)
			}
		default:
			b.t.Fatalf("pose: %d %s", r.status, r.body)
		}
	}
	b.t.Fatal("pose feedback never arrived")
	return nil
}

// answer is what the candidate says in the tests' recordings (about 13 s).
var answer = []testmedia.Segment{
	{Text: "저는 결제 시스템의 장애를 줄이기 위해 모니터링을 새로 만들었습니다.", Voice: "ko", Rate: 150},
	{Silence: 1},
	{Text: "그 결과 장애 대응 시간이 삼십 분에서 오 분으로 줄었습니다.", Voice: "ko", Rate: 150},
}

// frontendRecording makes one answer as the practice room records it: a face on camera
// and Korean speech, VP9 + Opus WebM.
func frontendRecording(t testing.TB, segments []testmedia.Segment) []byte {
	t.Helper()
	if !testmedia.Available() {
		t.Skip(testmedia.ErrToolMissing)
	}
	path, err := testmedia.Make(t.TempDir(), testmedia.Recording{Format: "webm", VP9: true, Picture: astronaut(t), Segments: segments})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// frontendServer starts the server as `nevermind serve` wires it, with the full pipeline
// (voice, face, posture, and transcripts from a local Whisper server), on d; analyzeOnRequest
// is NEVERMIND_ANALYZE_ON_UPLOAD=0.
func frontendServer(t testing.TB, d store.Dialect, va *vision.Analyzer, analyzeOnRequest bool) browser {
	t.Helper()
	ws := newLocalWhisper(t, "저는 결제 시스템의 장애를 줄이기 위해 모니터링을 새로 만들었습니다.")
	env := map[string]string{"OPENAI_API_KEY": "local", "OPENAI_BASE_URL": ws.URL}
	tr, err := stt.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ts := servertest.New(t, wired(&interview.Pipeline{Vision: va, Transcriber: tr}), func(c *server.Config) {
		c.DatabaseURL, c.MigrateOnStart, c.RunWorker = dbtest.URL(t, d), true, true
		c.AnalyzeOnRequest = analyzeOnRequest
	})
	return browser{t: t, base: ts.URL, token: ts.Token("0a4b5c6d-1111-4222-8333-944455556666")}
}

// TestFrontendWalk replays the original frontend's calls, in its order, against the real
// server on each database: dashboard, new interview content with a cover letter, practice
// room (five answers, each uploaded when it ends), processing screen (transcript then
// evaluation for each answer, one after another), feedback page (voice, posture and
// expression per answer, attempts/all, the replay), history. Every field the frontend
// reads is checked for presence and type, and the values for agreement across routes.
func TestFrontendWalk(t *testing.T) {
	rec := frontendRecording(t, answer)
	va, err := vision.New(vision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			b := frontendServer(t, d, va, false)

			// Dashboard.
			if me := b.jsonCall("GET", "/api/auth/me", nil, 200); me["id"] != "0a4b5c6d-1111-4222-8333-944455556666" {
				t.Fatalf("me = %v", me)
			}
			if list := b.jsonList("/api/interviews/contents"); len(list) != 0 {
				t.Fatalf("a new user's contents: %v", list)
			}

			// New interview content: company, role, date, then the cover letter.
			created := b.jsonCall("POST", "/api/interviews/contents", map[string]any{
				"company": "토스", "role": "백엔드 개발자", "interview_date": "2026-12-24", "jd_text": "Go, PostgreSQL"}, 200)
			cid := int64(created["content"].(map[string]any)["id"].(float64))
			resume := b.jsonCall("POST", "/api/interviews/resume", map[string]any{"content_id": cid, "items": []any{
				map[string]any{"question": "지원 동기를 작성해 주세요", "answer": "결제 장애를 줄이는 일을 해 왔습니다."},
				map[string]any{"question": "협업 경험", "answer": "모니터링을 팀과 함께 새로 만들었습니다."},
				map[string]any{"question": "성장 과정", "answer": "작은 서비스부터 운영했습니다."}}}, 200)
			if resume["created_count"] != 3.0 {
				t.Fatalf("resume: created_count %v (the page toasts \"자기소개서 N개 항목이 등록되었습니다\")", resume["created_count"])
			}
			gen := b.jsonCall("POST", "/api/interviews/question", map[string]any{"content_id": cid, "qas": []any{
				map[string]any{"q": "지원 동기", "a": "결제 장애를 줄이는 일을 해 왔습니다."}}}, 200)
			if n, _ := gen["generated_count"].(float64); n < 2 {
				t.Fatalf("questions: %v", gen)
			}

			// Practice room: the session, then one upload per question as each answer ends.
			start := b.jsonCall("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{"practice_type": "job"}, 200)
			sid := int64(start["session_id"].(float64))
			questions := start["questions"].([]any)
			if len(questions) != 5 {
				t.Fatalf("start: %v", start)
			}
			b.jsonCall("PATCH", fmt.Sprintf("/api/sessions/%d/status", sid), map[string]any{"status": "running"}, 200)
			var attempts []int64
			questionText := map[int64]string{}
			for _, q := range questions {
				q := q.(map[string]any)
				n := int(q["order_no"].(float64))
				text, _ := q["text"].(string)
				if text == "" {
					t.Fatalf("question without text: %v", q)
				}
				up := b.upload(sid, n, rec)
				if up["success"] != true || up["question_index"] != float64(n) {
					t.Fatalf("upload %d: %v", n, up)
				}
				aid := int64(up["attempt_id"].(float64))
				attempts = append(attempts, aid)
				questionText[aid] = text
			}
			b.jsonCall("PATCH", fmt.Sprintf("/api/sessions/%d/status", sid), map[string]any{
				"status": "done", "ended_at": time.Now().UTC().Format(time.RFC3339)}, 200)

			// Processing screen: transcript, then evaluation, one answer after another.
			for _, aid := range attempts {
				tr := b.jsonCall("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), map[string]any{"attempt_id": aid}, 200)
				transcript, _ := tr["transcript"].(string)
				if !strings.Contains(transcript, "장애") || tr["attempt_id"] != float64(aid) {
					t.Fatalf("stt: %v", tr)
				}
				ev := b.jsonCall("POST", fmt.Sprintf("/api/answer-eval/sessions/%d?attempt_id=%d", sid, aid), map[string]any{"answer_text": transcript}, 200)
				if summary, _ := ev["result"].(map[string]any)["overall_summary"].(string); summary == "" {
					t.Fatalf("evaluation without overall_summary: %v", ev)
				}
			}

			// Feedback page.
			for _, aid := range attempts {
				voice := b.jsonCall("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), nil, 200)
				if voice["attempt_id"] != float64(aid) {
					t.Fatalf("voice attempt_id %v, want %d (the page matches replays to answers by it)", voice["attempt_id"], aid)
				}
				checkScore(t, "voice total_score", voice["total_score"])
				metrics := voice["metrics"].([]any)
				var ids []string
				for _, m := range metrics {
					m := m.(map[string]any)
					ids = append(ids, m["id"].(string))
					checkScore(t, "voice "+m["id"].(string), m["score"])
					if m["label"] == "" || m["level"] == nil {
						t.Errorf("voice metric without label or level: %v", m)
					}
				}
				if !slices.Equal(ids, []string{"tremor", "pause", "tone", "speed"}) {
					t.Errorf("voice metrics %v", ids)
				}
				if s, _ := voice["summary"].(string); s == "" {
					t.Errorf("voice without summary: %v", voice)
				}

				pose := b.pose(sid, aid)
				checkScore(t, "pose overall_score", pose["overall_score"])
				for _, part := range []string{"overall", "shoulder", "head_tilt", "hand"} {
					p := pose["pose_analysis"].(map[string]any)[part].(map[string]any)
					checkScore(t, "pose "+part, p["value"])
					if r, _ := p["rating"].(string); !slices.Contains([]string{"양호", "보통", "미흡"}, r) {
						t.Errorf("pose %s rating %v", part, p["rating"])
					}
				}
				checkProblemSections(t, pose["problem_sections"])

				face := b.jsonCall("GET", fmt.Sprintf("/api/feedback/%d/expression-feedback?attempt_id=%d", sid, aid), nil, 200)
				if face["message"] != "expression_analysis_success" {
					t.Fatalf("expression: %v", face)
				}
				checkScore(t, "expression overall_score", face["overall_score"])
				ea := face["expression_analysis"].(map[string]any)
				for _, k := range []string{"head_eye_gaze_rate", "blink_stability", "mouth_delta"} {
					m := ea[k].(map[string]any)
					if _, ok := m["value"].(float64); !ok || m["rating"] == nil {
						t.Errorf("expression %s: %v", k, m)
					}
				}
				if s, _ := face["feedback_summary"].(string); s == "" {
					t.Errorf("expression without feedback_summary: %v", face)
				}

				video := b.jsonCall("GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), nil, 200)
				checkReplay(t, video, len(rec))
			}

			all := b.jsonCall("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), nil, 200)
			listed := all["attempts"].([]any)
			if len(listed) != len(attempts) {
				t.Fatalf("attempts/all lists %d attempts, want %d", len(listed), len(attempts))
			}
			for i, a := range listed {
				a := a.(map[string]any)
				aid := int64(a["attempt_id"].(float64))
				if aid != attempts[i] || a["question_text"] != questionText[aid] {
					t.Errorf("attempts/all[%d]: attempt %v, question %v; want %d, %q", i, a["attempt_id"], a["question_text"], attempts[i], questionText[aid])
				}
				checkScore(t, "attempts/all voice", a["voice"].(map[string]any)["total_score"])
				checkScore(t, "attempts/all posture", a["posture"].(map[string]any)["overall_score"])
				checkScore(t, "attempts/all expression", a["expression"].(map[string]any)["overall_score"])
				checkProblemSections(t, a["posture"].(map[string]any)["problem_sections"])
				ae := a["answer_eval"].(map[string]any)
				if s, _ := ae["stt_text"].(string); !strings.Contains(s, "장애") || ae["evaluation_comment"] == nil {
					t.Errorf("attempts/all answer_eval: %v", ae)
				}
			}

			// History.
			sessions := b.jsonList(fmt.Sprintf("/api/sessions?content_id=%d", cid))
			if len(sessions) != 1 || sessions[0]["question_count"] != 5.0 || sessions[0]["status"] != "done" {
				t.Fatalf("sessions: %v (the page shows \"• N개 질문\")", sessions)
			}
			contents := b.jsonList("/api/interviews/contents")
			if len(contents) != 1 || contents[0]["completed_sessions"] != 1.0 || contents[0]["total_sessions"] != 1.0 {
				t.Fatalf("contents: %v", contents)
			}
		})
	}
}

// checkScore wants a number in 0..100, as every score the page draws is.
func checkScore(t *testing.T, what string, v any) {
	t.Helper()
	if f, ok := v.(float64); !ok || f < 0 || f > 100 {
		t.Errorf("%s = %v, want a number in 0..100", what, v)
	}
}

// checkProblemSections wants the list of {start_sec, end_sec, issue} the page draws.
func checkProblemSections(t *testing.T, v any) {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Errorf("problem_sections = %v, want a list", v)
		return
	}
	for _, s := range list {
		s := s.(map[string]any)
		start, ok1 := s["start_sec"].(float64)
		end, ok2 := s["end_sec"].(float64)
		issue, _ := s["issue"].(string)
		if !ok1 || !ok2 || end < start || issue == "" {
			t.Errorf("problem section %v", s)
		}
	}
}

// checkReplay fetches the replay as a <video> element on the frontend's page does: from
// the absolute URL, a byte range at a time.
func checkReplay(t *testing.T, video map[string]any, size int) {
	t.Helper()
	raw, _ := video["video_url"].(string)
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || video["expires_in"] != 3600.0 {
		t.Fatalf("video: %v", video)
	}
	req, _ := http.NewRequest(http.MethodGet, raw, nil)
	req.Header.Set("Origin", frontendOrigin)
	req.Header.Set("Range", "bytes=100-")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Type") != "video/webm" || len(body) != size-100 {
		t.Fatalf("replay: %d %s, %d bytes of %d", resp.StatusCode, resp.Header.Get("Content-Type"), len(body), size-100)
	}
}

// BenchmarkLastUploadToResults measures what a candidate waits for after the last answer:
// from its upload to every result route having answered 200 with data, the calls in the
// frontend's order (transcript, then evaluation, for each answer one after another; then
// voice, posture, expression and the replay for each, and attempts/all). Five answers of
// 10 s (one sentence and a pause) are uploaded 10 s apart, as they end while the candidate
// records the next. at_upload is the default, where the server analyses each answer during
// the next one; on_request is NEVERMIND_ANALYZE_ON_UPLOAD=0, the seed's way. Only the wait
// after the last upload is timed (ns/op); an iteration takes about a minute, so run it with
// -benchtime=2x.
func BenchmarkLastUploadToResults(b *testing.B) {
	rec := frontendRecording(b, []testmedia.Segment{answer[0], {Silence: 3.5}})
	va, err := vision.New(vision.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name             string
		analyzeOnRequest bool
	}{{"at_upload", false}, {"on_request", true}} {
		b.Run(mode.name, func(b *testing.B) {
			lastUploadToResults(b, frontendServer(b, store.SQLite, va, mode.analyzeOnRequest), rec)
		})
	}
}

func lastUploadToResults(b *testing.B, br browser, rec []byte) {
	const recordingTime = 10 * time.Second
	created := br.jsonCall("POST", "/api/interviews/contents", map[string]any{"company": "토스", "role": "백엔드"}, 200)
	cid := int64(created["content"].(map[string]any)["id"].(float64))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		br.jsonCall("POST", "/api/interviews/question", map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "지원 동기", "a": "장애를 줄였습니다."}}}, 200)
		start := br.jsonCall("POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{"practice_type": "job"}, 200)
		sid := int64(start["session_id"].(float64))
		var attempts []int64
		for n := 1; n <= 5; n++ {
			time.Sleep(recordingTime)
			attempts = append(attempts, int64(br.upload(sid, n, rec)["attempt_id"].(float64)))
		}
		b.StartTimer()

		br.jsonCall("PATCH", fmt.Sprintf("/api/sessions/%d/status", sid), map[string]any{"status": "done"}, 200)
		for _, aid := range attempts {
			tr := br.jsonCall("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), map[string]any{"attempt_id": aid}, 200)
			br.jsonCall("POST", fmt.Sprintf("/api/answer-eval/sessions/%d?attempt_id=%d", sid, aid), map[string]any{"answer_text": tr["transcript"]}, 200)
		}
		for _, aid := range attempts {
			br.jsonCall("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), nil, 200)
			br.pose(sid, aid)
			br.jsonCall("GET", fmt.Sprintf("/api/feedback/%d/expression-feedback?attempt_id=%d", sid, aid), nil, 200)
			br.jsonCall("GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), nil, 200)
		}
		all := br.jsonCall("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), nil, 200)
		for _, a := range all["attempts"].([]any) {
			if a.(map[string]any)["voice"] == nil || a.(map[string]any)["posture"] == nil || a.(map[string]any)["expression"] == nil {
				b.Fatalf("attempts/all without results: %v", a)
			}
		}
	}
}
