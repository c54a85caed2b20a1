package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/server/internal/dbtest"
)

// TestSeedClientFlow drives the real server over HTTP through the original
// frontend's client flow on each database: create a content, save the
// cover letter, generate questions, start a session, upload a generated
// recording for every question, request each feedback, mark the session
// done and read the history.
func TestSeedClientFlow(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			rec := recording(t)
			e := newEnv(t, d, envOptions{})
			const u = userAlice

			expect(t, e.do("GET", "/", "", nil), 200, `{"ok":true}`)
			me := e.do("GET", "/api/auth/me", u, nil)
			expect(t, me, 200, "")
			if m := me.json(t); m["id"] != u || m["profile"].(map[string]any)["status"] != "active" {
				t.Fatalf("me = %s", me.body)
			}

			r := e.do("POST", "/api/interviews/contents", u, map[string]any{"company": " 네이버 ", "role": "백엔드 개발자", "interview_date": "2026-12-24", "jd_text": "Go"})
			expect(t, r, 200, "")
			content := r.json(t)["content"].(map[string]any)
			if r.json(t)["message"] != "content_created_successfully" || content["company"] != "네이버" || content["interview_date"] != "2026-12-24" || content["role_category"] != 0.0 {
				t.Fatalf("content = %s", r.body)
			}
			cid := num(t, content["id"])

			r = e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "items": []any{
				map[string]any{"question": "지원 동기를 작성해 주세요", "answer": "대용량 트래픽을 다루는 서비스를 만들고 싶습니다."},
				map[string]any{"question": "협업 경험", "answer": " 팀 프로젝트에서 API 설계를 맡았습니다. "}}})
			expect(t, r, 200, "")
			if m := r.json(t); m["version"] != 1.0 || m["created_count"] != 2.0 || len(m["items"].([]any)) != 2 || m["items"].([]any)[1].(map[string]any)["answer"] != "팀 프로젝트에서 API 설계를 맡았습니다." {
				t.Fatalf("resume = %s", r.body)
			}
			r = e.do("POST", "/api/interviews/question", u, map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "지원 동기", "a": "트래픽"}}})
			expect(t, r, 200, fmt.Sprintf(`{"message":"questions_generated_successfully","content_id":%d,"generated_count":3}`, cid))

			r = e.do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), u, map[string]any{"practice_type": "job"})
			expect(t, r, 200, "")
			start := r.json(t)
			qs := start["questions"].([]any)
			if start["message"] != "session_started" || start["status"] != "draft" || start["session_max"] != 5.0 || len(qs) != 5 {
				t.Fatalf("start = %s", r.body)
			}
			for i, q := range qs {
				q := q.(map[string]any)
				wantType := "BASIC"
				if i >= 3 {
					wantType = "GENERATED"
				}
				if q["order_no"] != float64(i+1) || q["question_type"] != wantType || q["type"] != "job" || q["text"] == "" {
					t.Fatalf("question %d = %v", i, q)
				}
			}
			sid := num(t, start["session_id"])

			var attempts []int64
			for i := 1; i <= 5; i++ {
				r = e.upload(sid, i, u, rec)
				expect(t, r, 200, "")
				up := r.json(t)
				aid := num(t, up["attempt_id"])
				key, _ := up["video_url"].(string)
				if !regexp.MustCompile(fmt.Sprintf(`^sessions/%d/attempt_%d-[0-9a-f]{16}\.webm$`, sid, aid)).MatchString(key) {
					t.Fatalf("upload stored as %q", key)
				}
				if up["success"] != true || up["audio_url"] != key || up["question_index"] != float64(i) {
					t.Fatalf("upload = %s", r.body)
				}
				if obj, ok := e.fake.Object(bucket, key); !ok || len(obj.Data) != len(rec) || obj.ContentType != "video/webm" {
					t.Fatalf("stored object %s: %v %d bytes", key, ok, len(obj.Data))
				}
				attempts = append(attempts, aid)
			}

			sc := scoresFromBytes(rec)
			aid := attempts[0]
			q := fmt.Sprintf("?attempt_id=%d", aid)

			r = e.do("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), u, map[string]any{"attempt_id": aid})
			wantTranscript := fmt.Sprintf("녹음 %d바이트", len(rec))
			expect(t, r, 200, fmt.Sprintf(`{"session_id":%d,"attempt_id":%d,"transcript":%q}`, sid, aid, wantTranscript))

			r = e.do("POST", fmt.Sprintf("/api/answer-eval/sessions/%d%s", sid, q), u, map[string]any{"answer_text": wantTranscript})
			expect(t, r, 200, fmt.Sprintf(`{"session_id":%d,"attempt_id":%d,"result":{"overall_summary":"답변 길이는 %d자입니다."}}`, sid, aid, len([]rune(wantTranscript))))

			r = e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback%s", sid, q), u, nil)
			expect(t, r, 200, "")
			voice := r.json(t)
			if voice["attempt_id"] != float64(aid) {
				t.Fatalf("voice GET without attempt_id: %s", r.body)
			}
			total := (sc[0] + sc[1] + sc[2] + sc[3]) / 4
			wantTotal := int(roundHalfEven(round2(total)))
			if num(t, voice["total_score"]) != int64(wantTotal) {
				t.Fatalf("voice total %v, want %d (scores %v)", voice["total_score"], wantTotal, sc)
			}
			metrics := voice["metrics"].([]any)
			if len(metrics) != 4 || metrics[0].(map[string]any)["score"] != sc[0] || metrics[1].(map[string]any)["id"] != "pause" {
				t.Fatalf("voice metrics = %s", r.body)
			}
			if !strings.HasPrefix(voice["summary"].(string), "전체적으로") {
				t.Fatalf("voice summary = %q", voice["summary"])
			}
			r = e.do("POST", fmt.Sprintf("/api/feedback/%d/voice-feedback%s", sid, q), u, nil)
			expect(t, r, 200, "")
			if full := r.json(t); full["grouped"] == nil || full["attempt_id"] != float64(aid) {
				t.Fatalf("full voice payload = %s", r.body)
			}

			r = e.do("GET", fmt.Sprintf("/api/feedback/%d/pose-feedback%s", sid, q), u, nil)
			expect(t, r, 200, "")
			pose := r.json(t)
			if pose["message"] != "pose_analysis_success" || pose["pose_analysis"].(map[string]any)["shoulder"].(map[string]any)["value"] != sc[5] {
				t.Fatalf("pose = %s", r.body)
			}
			// The frontend's shape: a list of {start_sec, end_sec, issue}.
			if ps := pose["problem_sections"].([]any); len(ps) != 1 || ps[0].(map[string]any)["start_sec"] != 0.5 ||
				ps[0].(map[string]any)["end_sec"] != 1.5 || ps[0].(map[string]any)["issue"] != "어깨가 수평을 벗어났습니다." {
				t.Fatalf("problem sections lost: %s", r.body)
			}

			r = e.do("GET", fmt.Sprintf("/api/feedback/%d/expression-feedback%s", sid, q), u, nil)
			expect(t, r, 200, "")
			expr := r.json(t)
			if expr["message"] != "expression_analysis_success" || expr["session_id"] != float64(sid) || expr["feedback_summary"] != "정면 주시율은 양호합니다." {
				t.Fatalf("expression = %s", r.body)
			}

			// The other four attempts: analysis through the explicit job API.
			for _, other := range attempts[1:] {
				r = e.do("POST", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, other), u, nil)
				if r.status != 202 && r.status != 200 {
					t.Fatalf("request analysis: %d %s", r.status, r.body)
				}
			}
			for _, other := range attempts[1:] {
				job, err := e.srv.awaitJob(t.Context(), other, e.srv.cfg.SyncWait)
				if err != nil || job.Status != "done" {
					t.Fatalf("attempt %d job = %+v, %v", other, job, err)
				}
			}
			if n := e.pipeline.calls.Load(); n != 5 {
				t.Fatalf("pipeline ran %d times for 5 attempts", n)
			}
			r = e.do("GET", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), u, nil)
			expect(t, r, 200, "")
			if st := r.json(t); st["status"] != "done" || st["progress"] != 1.0 || st["tries"] != 1.0 {
				t.Fatalf("status = %s", r.body)
			}

			r = e.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/%d/combined", sid, aid), u, nil)
			expect(t, r, 200, "")
			comb := r.json(t)
			if comb["analysis"].(map[string]any)["status"] != "done" || len(comb["timeline"].([]any)) != 1 || comb["overall_score"] == nil ||
				comb["answer_eval"].(map[string]any)["evaluation_comment"] == nil {
				t.Fatalf("combined = %s", r.body)
			}

			expect(t, e.do("PATCH", fmt.Sprintf("/api/sessions/%d/status", sid), u, map[string]any{"status": "done", "ended_at": "2026-11-25T10:00:00Z"}), 200, "")

			r = e.do("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), u, nil)
			expect(t, r, 200, "")
			all := r.json(t)["attempts"].([]any)
			if len(all) != 5 {
				t.Fatalf("attempts/all has %d attempts", len(all))
			}
			first := all[0].(map[string]any)
			exprAll := first["expression"].(map[string]any)["expression_analysis"].(map[string]any)
			if exprAll["blink_stability"].(map[string]any)["value"] != 0.0 || exprAll["blink_stability"].(map[string]any)["rating"] != "개선필요" {
				t.Fatalf("a stored zero must stay 0 with its rating: %v", exprAll)
			}
			if first["answer_eval"].(map[string]any)["stt_text"] != wantTranscript || first["voice"].(map[string]any)["summary"] != "" {
				t.Fatalf("attempts/all[0] = %v", first)
			}

			r = e.do("GET", fmt.Sprintf("/api/answer-eval/sessions/%d/attempts/%d", sid, aid), u, nil)
			expect(t, r, 200, "")
			if ev := r.json(t); ev["stt_text"] != wantTranscript || ev["question_text"] == nil || ev["scores"].(map[string]any)["overall_pose"] == nil {
				t.Fatalf("answer-eval GET = %s", r.body)
			}

			r = e.do("GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), u, nil)
			expect(t, r, 200, "")
			video := r.json(t)
			resp, err := http.Get(video["video_url"].(string))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if video["expires_in"] != 3600.0 || len(got) != len(rec) {
				t.Fatalf("signed video: %v, %d bytes", video, len(got))
			}

			r = e.do("GET", "/api/interviews/contents", u, nil)
			expect(t, r, 200, fmt.Sprintf(`[{"id":%d,"company":"네이버","role":"백엔드 개발자","interview_date":"2026-12-24","completed_sessions":1,"total_sessions":1}]`, cid))
			r = e.do("GET", fmt.Sprintf("/api/sessions?content_id=%d", cid), u, nil)
			expect(t, r, 200, "")
			var list []map[string]any
			if err := json.Unmarshal(r.body, &list); err != nil || len(list) != 1 || list[0]["question_count"] != 5.0 || list[0]["id"] != float64(sid) {
				t.Fatalf("sessions = %s", r.body)
			}
			r = e.do("GET", "/api/history", u, nil)
			expect(t, r, 200, "")
			hist := r.json(t)["contents"].([]any)[0].(map[string]any)
			if hist["attempts"] != 5.0 || hist["progress"] != 100.0 || len(hist["metrics"].([]any)) == 0 {
				t.Fatalf("history = %s", r.body)
			}
			r = e.do("GET", fmt.Sprintf("/api/history/trends?content_id=%d", cid), u, nil)
			expect(t, r, 200, "")
			if pts := r.json(t)["points"].([]any); len(pts) != 5 {
				t.Fatalf("trends = %s", r.body)
			}
			r = e.do("GET", fmt.Sprintf("/api/interviews/%d/practice-plan", cid), u, nil)
			expect(t, r, 200, "")
			if plan := r.json(t); plan["phase"] == nil || plan["days"] == nil {
				t.Fatalf("plan = %s", r.body)
			}
		})
	}
}

func round2(v float64) float64 { return roundTo2(v) }
