package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind/server/store"
)

// The frontend reads problem_sections as one list of {start_sec, end_sec,
// issue}; the analysis stores them per body part.
func TestProblemSectionsList(t *testing.T) {
	stored := `{"shoulder":[[3.2,4],[0.4,1.1]],"head_tilt":[[0.4,2]],"hand":[[1.5,1.9]]}`
	got, err := problemSections(&store.AttemptAnalysis{Pose: &stored})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	want := `[{"start_sec":0.4,"end_sec":1.1,"issue":"어깨가 수평을 벗어났습니다.","part":"shoulder"},` +
		`{"start_sec":0.4,"end_sec":2,"issue":"고개가 기울어 있습니다.","part":"head_tilt"},` +
		`{"start_sec":1.5,"end_sec":1.9,"issue":"손이 어깨 위로 올라왔습니다.","part":"hand"},` +
		`{"start_sec":3.2,"end_sec":4,"issue":"어깨가 수평을 벗어났습니다.","part":"shoulder"}]`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	for _, empty := range []*store.AttemptAnalysis{nil, {}, {Pose: ptrTo("null")}, {Pose: ptrTo(`{"shoulder":[]}`)}} {
		if got, err := problemSections(empty); err != nil || got == nil || len(got) != 0 {
			t.Errorf("%+v: %v, %v (want an empty list)", empty, got, err)
		}
	}
	if _, err := problemSections(&store.AttemptAnalysis{Pose: ptrTo(`{"shoulder":[[1]]`)}); err == nil || !strings.Contains(err.Error(), "problem sections") {
		t.Errorf("a broken stored document: %v", err)
	}
}

func ptrTo[T any](v T) *T { return &v }

// Without a recogniser the STT route says so instead of "no speech"; "no
// speech" is kept for a recording whose voice analysis found none.
func TestSTTTellsTheTruth(t *testing.T) {
	rec := webmHeader()
	e := newEnv(t, store.SQLite, envOptions{})
	e.pipeline.noSTT = true
	_, sid := e.seedFlow(userAlice)
	aid := num(t, e.upload(sid, 1, userAlice, rec).json(t)["attempt_id"])
	r := e.do("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), userAlice, map[string]any{"attempt_id": aid})
	expect(t, r, 503, "")
	msg, _ := r.json(t)["detail"].(string)
	for _, want := range []string{"stt_not_configured", "OPENAI_API_KEY", "OPENAI_BASE_URL", "GOOGLE_STT_KEY_PATH", "NEVERMIND_STT"} {
		if !strings.Contains(msg, want) {
			t.Errorf("503 detail %q does not name %s", msg, want)
		}
	}

	e = newEnv(t, store.SQLite, envOptions{})
	e.pipeline.silent = true
	_, sid = e.seedFlow(userAlice)
	aid = num(t, e.upload(sid, 1, userAlice, rec).json(t)["attempt_id"])
	expect(t, e.do("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), userAlice, map[string]any{"attempt_id": aid}), 400,
		`{"detail":"No speech detected in audio file"}`)
}

// The frontend shows an error's detail to the user; huma's problem JSON
// carries what was wrong there, not only in the "errors" list.
func TestProblemDetailSaysWhatIsWrong(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true})
	_, sid := e.seedFlow(userAlice)
	for _, tc := range []struct{ query, want string }{
		{"attempt_id=x", "validation failed: query.attempt_id: invalid integer"},
		{"attempt_id=1&blink_limit_per_min=500&frame_stride=0", "validation failed: query.blink_limit_per_min: expected number <= 120; query.frame_stride: expected number >= 1"},
		{"attempt_id=1&baseline_seconds=NaN", "validation failed: query.baseline_seconds: expected a finite number"},
		{"", "validation failed: query.attempt_id: required query parameter is missing"},
	} {
		r := e.do("GET", fmt.Sprintf("/api/feedback/%d/expression-feedback?%s", sid, tc.query), userAlice, nil)
		var problem struct {
			Status int    `json:"status"`
			Detail string `json:"detail"`
			Errors []any  `json:"errors"`
		}
		if err := json.Unmarshal(r.body, &problem); err != nil || r.status != 422 || problem.Status != 422 {
			t.Fatalf("%s: %d %s", tc.query, r.status, r.body)
		}
		if problem.Detail != tc.want || len(problem.Errors) == 0 {
			t.Errorf("%s: detail %q, want %q (errors %v)", tc.query, problem.Detail, tc.want, problem.Errors)
		}
	}
}
