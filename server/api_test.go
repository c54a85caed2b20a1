package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind/server/auth"
	"github.com/nevermind-ai/nevermind/server/store"
)

func TestAuthAndProfiles(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	unauthorized := `{"detail":"unauthorized"}`
	expect(t, e.do("GET", "/api/auth/me", "", nil), 401, unauthorized)
	for _, header := range []string{"Basic abc", "Bearer", "Bearer not-a-jwt"} {
		req, _ := http.NewRequest("GET", e.http.URL+"/api/auth/me", nil)
		req.Header.Set("Authorization", header)
		expect(t, e.send(req), 401, unauthorized)
	}
	other, _ := auth.SignHS256([]byte("a-different-secret-a-different-secret"), auth.TokenOptions{Subject: userAlice})
	expired, _ := auth.SignHS256([]byte(testSecret), auth.TokenOptions{Subject: userAlice, TTL: -time.Hour})
	for _, tok := range []string{other, expired} {
		req, _ := http.NewRequest("GET", e.http.URL+"/api/auth/me", nil)
		req.Header.Set("Authorization", "bearer "+tok)
		expect(t, e.send(req), 401, unauthorized)
	}

	// The first request creates the profile; updates persist (seed bug 7).
	expect(t, e.do("GET", "/api/me/profile", userAlice, nil), 200,
		`{"id":"`+userAlice+`","display_name":null,"status":"active","profile_meta":{}}`)
	r := e.do("PATCH", "/api/auth/profile", userAlice, map[string]any{"display_name": "  김지원  "})
	expect(t, r, 200, "")
	if r.json(t)["display_name"] != "김지원" {
		t.Fatalf("patch = %s", r.body)
	}
	expect(t, e.do("PUT", "/api/me/profile", userAlice, map[string]any{"profile_meta": map[string]any{"goal": "backend"}}), 200,
		`{"id":"`+userAlice+`","display_name":"김지원","status":"active","profile_meta":{"goal":"backend"}}`)
	expect(t, e.do("GET", "/api/me/profile", userAlice, nil), 200,
		`{"id":"`+userAlice+`","display_name":"김지원","status":"active","profile_meta":{"goal":"backend"}}`)
	if r := e.do("PATCH", "/api/auth/profile", userAlice, map[string]any{"status": "blocked"}); r.status != 422 {
		t.Fatalf("a user blocking themselves: %d %s", r.status, r.body)
	}
	expect(t, e.do("POST", "/api/auth/logout", "", nil), 204, "")

	// A blocked profile is refused everywhere.
	p, err := e.srv.db.Profile(t.Context(), userAlice)
	if err != nil {
		t.Fatal(err)
	}
	p.Status = store.ProfileBlocked
	if err := e.srv.db.SaveProfile(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	expect(t, e.do("GET", "/api/auth/me", userAlice, nil), 403, `{"detail":"account_blocked"}`)
	expect(t, e.do("GET", "/api/interviews/contents", userAlice, nil), 403, `{"detail":"account_blocked"}`)
	expect(t, e.upload(1, 1, userAlice, []byte("x")), 403, `{"detail":"account_blocked"}`)
}

// TestOtherUsersIDsAre404 checks that every route answers another user's
// ids exactly like missing ones, never with their data.
func TestOtherUsersIDsAre404(t *testing.T) {
	// Analysis on request, so that Alice's upload starts none and any analysis counted below
	// is one Bob's requests started.
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) { c.AnalyzeOnRequest = true }})
	rec := recording(t)
	cid, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, rec)
	expect(t, r, 200, "")
	aid := num(t, r.json(t)["attempt_id"])

	cases := []struct {
		method, path string
		body         any
		want         string
	}{
		{"POST", "/api/interviews/resume", map[string]any{"content_id": cid, "items": []any{map[string]any{"question": "q"}}}, `{"detail":{"message":"content_not_found"}}`},
		{"POST", "/api/interviews/question", map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "q", "a": "a"}}}, `{"detail":{"message":"content_not_found"}}`},
		{"POST", fmt.Sprintf("/api/interviews/%d/question-plan", cid), map[string]any{}, `{"detail":{"message":"interview_not_found"}}`},
		{"GET", fmt.Sprintf("/api/interviews/%d/question-plan/preview?mode=job", cid), nil, `{"detail":{"message":"interview_not_found"}}`},
		{"GET", fmt.Sprintf("/api/interviews/%d/practice-plan", cid), nil, `{"detail":{"message":"interview_not_found"}}`},
		{"POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{}, `{"detail":{"message":"interview_not_found","detail":"The interview(content) with the specified ID does not exist"}}`},
		{"GET", fmt.Sprintf("/api/sessions/%d", sid), nil, `{"detail":"session_not_found"}`},
		{"PATCH", fmt.Sprintf("/api/sessions/%d/status", sid), map[string]any{"status": "done"}, `{"detail":"session_not_found"}`},
		{"POST", fmt.Sprintf("/api/stt/sessions/%d", sid), map[string]any{"attempt_id": aid}, `{"detail":"Session not found"}`},
		{"POST", fmt.Sprintf("/api/answer-eval/sessions/%d?attempt_id=%d", sid, aid), map[string]any{"answer_text": "x"}, `{"detail":"Session not found"}`},
		{"GET", fmt.Sprintf("/api/answer-eval/sessions/%d/attempts/%d", sid, aid), nil, `{"detail":"Session not found"}`},
		{"GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), nil, `{"detail":"Session not found"}`},
		{"POST", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), nil, `{"detail":"Session not found"}`},
		{"GET", fmt.Sprintf("/api/feedback/%d/pose-feedback?attempt_id=%d", sid, aid), nil, `{"detail":"session_not_found"}`},
		{"POST", fmt.Sprintf("/api/analysis/pose/start?session_id=%d&attempt_id=%d", sid, aid), nil, `{"detail":"session_not_found"}`},
		{"GET", fmt.Sprintf("/api/feedback/%d/expression-feedback?attempt_id=%d", sid, aid), nil, `{"detail":"session_not_found"}`},
		{"GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), nil, `{"detail":"session_not_found"}`},
		{"GET", fmt.Sprintf("/api/feedback/%d/attempts/%d/combined", sid, aid), nil, `{"detail":"session_not_found"}`},
		{"GET", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), nil, `{"detail":"session_not_found"}`},
		{"POST", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), nil, `{"detail":"session_not_found"}`},
		{"GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), nil, `{"detail":"session_not_found"}`},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			expect(t, e.do(c.method, c.path, userBob, c.body), 404, c.want)
		})
	}
	expect(t, e.upload(sid, 1, userBob, rec), 404, `{"detail":"session_not_found"}`)
	expect(t, e.do("GET", fmt.Sprintf("/api/sessions?content_id=%d", cid), userBob, nil), 200, `[]`)
	expect(t, e.do("GET", "/api/interviews/contents", userBob, nil), 200, `[]`)
	// An attempt of another session of the same user is not found either
	// (seed bug 3).
	_, sid2 := e.seedFlow(userAlice)
	expect(t, e.do("POST", fmt.Sprintf("/api/answer-eval/sessions/%d?attempt_id=%d", sid2, aid), userAlice, map[string]any{"answer_text": "x"}), 404, `{"detail":"Attempt not found"}`)
	if n := e.pipeline.calls.Load(); n != 0 {
		t.Fatalf("Bob's requests started %d analyses", n)
	}
}

func TestValidationMessages(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	u := userAlice
	bad := func(d string) string { return `{"detail":{"message":"invalid_request_body","detail":"` + d + `"}}` }
	cases := []struct {
		method, path string
		body         any
		status       int
		want         string
	}{
		{"POST", "/api/interviews/contents", map[string]any{"role": "dev"}, 400, bad("company is required")},
		{"POST", "/api/interviews/contents", map[string]any{"company": "  ", "role": "dev"}, 400, bad("company is required")},
		{"POST", "/api/interviews/contents", map[string]any{"company": "A", "role": 3}, 400, bad("role is required")},
		{"POST", "/api/interviews/contents", map[string]any{"company": strings.Repeat("가", 101), "role": "dev"}, 400, bad("company and role must be at most 100 characters")},
		{"POST", "/api/interviews/contents", map[string]any{"company": "A", "role": "dev", "role_category": "x"}, 400, bad("role_category must be int or null")},
		{"POST", "/api/interviews/contents", map[string]any{"company": "A", "role": "dev", "role_category": 1.5}, 400, bad("role_category must be int or null")},
		{"POST", "/api/interviews/contents", map[string]any{"company": "A", "role": "dev", "interview_date": "24/12/2026"}, 400, `{"detail":{"message":"invalid_date_format"}}`},
		{"POST", "/api/interviews/resume", map[string]any{"content_id": "1"}, 400, bad("content_id must be int")},
		{"POST", "/api/interviews/resume", map[string]any{"content_id": 999}, 404, `{"detail":{"message":"content_not_found"}}`},
		{"POST", "/api/interviews/question", map[string]any{"content_id": 1}, 400, bad("qas is required and must be a list")},
		{"POST", "/api/interviews/question", map[string]any{"qas": []any{}}, 400, bad("content_id is required and must be an integer")},
		{"PATCH", "/api/sessions/999/status", map[string]any{"status": "x"}, 404, `{"detail":"session_not_found"}`},
		{"GET", "/api/interviews/999/question-plan/preview", nil, 404, `{"detail":{"message":"interview_not_found"}}`},
	}
	for _, c := range cases {
		expect(t, e.do(c.method, c.path, u, c.body), c.status, c.want)
	}
	// Content without an interview date is accepted now (seed bug 10).
	r := e.do("POST", "/api/interviews/contents", u, map[string]any{"company": "토스", "role": "서버 개발자", "role_category": nil})
	expect(t, r, 200, "")
	c := r.json(t)["content"].(map[string]any)
	if c["interview_date"] != nil || c["role_category"] != 0.0 || c["jd_text"] != "" {
		t.Fatalf("content = %s", r.body)
	}
	cid := num(t, c["id"])
	// A long Korean cover-letter question no longer overflows varchar(50).
	longQ := strings.Repeat("지원 동기와 입사 후 포부를 구체적으로 작성해 주세요. ", 5)
	r = e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "items": []any{map[string]any{"question": longQ, "answer": "열심히"}}})
	expect(t, r, 200, "")
	expect(t, e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "items": []any{}}), 400, bad("items must be a non-empty array"))
	expect(t, e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "items": []any{"x"}}), 400, `{"detail":{"message":"invalid_resume_item"}}`)
	expect(t, e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "version": 0, "items": []any{map[string]any{"question": "q"}}}), 400, bad("version must be positive int"))
	expect(t, e.do("POST", "/api/interviews/resume", u, map[string]any{"content_id": cid, "items": []any{map[string]any{"answer": "a"}}}), 400, `{"detail":{"message":"invalid_resume_item","detail":"question is required"}}`)
	expect(t, e.do("POST", "/api/interviews/question", u, map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "x"}}}), 400, `{"detail":{"message":"invalid_qa_format","detail":"Each QA must have 'q' and 'a' fields"}}`)
	expect(t, e.do("POST", fmt.Sprintf("/api/interviews/%d/question-plan", cid), u, map[string]any{"mode": "tech"}), 400, bad("mode must be one of ['job','soft']"))
	expect(t, e.do("POST", fmt.Sprintf("/api/interviews/%d/question-plan", cid), u, map[string]any{"count": 11}), 400, bad("count must be between 1 and 10"))
	r = e.do("POST", fmt.Sprintf("/api/interviews/%d/question-plan", cid), u, map[string]any{"mode": "soft", "count": 4})
	expect(t, r, 200, "")
	if plan := r.json(t); len(plan["generated_questions"].([]any)) != 4 || strings.HasPrefix(plan["generated_questions"].([]any)[0].(string), "Sample") {
		t.Fatalf("question plan = %s", r.body)
	}
	expect(t, e.do("GET", fmt.Sprintf("/api/interviews/%d/question-plan/preview?mode=both", cid), u, nil), 200,
		`{"message":"plan_preview","plan":{"mode":"both","goal_id":"goal_both_focus","tip_ids":["tip_example","tip_star","tip_followup"]}}`)
	expect(t, e.do("GET", fmt.Sprintf("/api/interviews/%d/question-plan/preview?mode=tech", cid), u, nil), 400,
		`{"detail":{"message":"invalid_request_query","detail":"mode must be one of ['job','soft','both']"}}`)
	for range 17 {
		e.do("GET", fmt.Sprintf("/api/interviews/%d/question-plan/preview", cid), u, nil)
	}
	expect(t, e.do("GET", fmt.Sprintf("/api/interviews/%d/question-plan/preview", cid), u, nil), 429,
		`{"detail":{"message":"rate_limited","detail":"Too many previews."}}`)
	expect(t, e.do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), u, map[string]any{"practice_type": "tech"}), 400, bad("practice_type must be one of ['job','soft']"))
	expect(t, e.do("POST", "/api/sessions/7/sessions/start", "", nil), 200, `{"message":"use /api/sessions/{content_id}/start"}`)
	r = e.do("GET", "/api/feedback/1/expression-feedback?attempt_id=1&frame_stride=11", u, nil)
	if r.status != 422 {
		t.Fatalf("frame_stride=11: %d %s", r.status, r.body)
	}
}
