package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"

	"github.com/nevermind-ai/nevermind/server/store"
)

// jsonRoute is one route that reads a JSON request body.
type jsonRoute struct {
	method, path string
	// ownUser gives the request a user of its own, for the profile routes:
	// a fuzzed body may close the account, which must not lock the other
	// routes' user out.
	ownUser bool
	seed    string
}

// jsonRoutes lists every route whose request body is JSON, with the ids of
// a content, session and attempt owned by the fuzzing user.
func jsonRoutes(cid, sid, aid int64) []jsonRoute {
	return []jsonRoute{
		{"PATCH", "/api/auth/profile", true, `{"display_name":"김지원","status":"active"}`},
		{"PUT", "/api/me/profile", true, `{"display_name":"😀","status":"deleted","profile_meta":{"goal":"backend"}}`},
		{"POST", "/api/interviews/contents", false, `{"company":"카카오","role":"백엔드","interview_date":"2026-12-24","role_category":3,"jd_text":"Go"}`},
		{"POST", "/api/interviews/resume", false, fmt.Sprintf(`{"content_id":%d,"version":2,"items":[{"question":"지원 동기","answer":"캐시"}]}`, cid)},
		{"POST", fmt.Sprintf("/api/interviews/%d/question-plan", cid), false, `{"mode":"soft","count":3}`},
		{"POST", "/api/interviews/question", false, fmt.Sprintf(`{"content_id":%d,"qas":[{"q":"동기","a":"성장"}]}`, cid)},
		{"POST", fmt.Sprintf("/api/interviews/%d/sessions/start", cid), false, `{"mode":"job","count":3,"override_context":"x"}`},
		{"POST", fmt.Sprintf("/api/sessions/%d/start", cid), false, `{"practice_type":"soft"}`},
		{"PATCH", fmt.Sprintf("/api/sessions/%d/status", sid), false, `{"status":"done","started_at":"2026-01-02T03:04:05Z","ended_at":"2026-01-02 03:05:05"}`},
		{"POST", fmt.Sprintf("/api/stt/sessions/%d", sid), false, fmt.Sprintf(`{"attempt_id":%d}`, aid)},
		{"POST", fmt.Sprintf("/api/answer-eval/sessions/%d?attempt_id=%d", sid, aid), false, `{"answer_text":"저는 팀에서 캐시를 맡았습니다."}`},
	}
}

// FuzzJSONBodies sends arbitrary bytes as the body of every route that reads
// JSON, as an authenticated owner of the ids in the path. Whatever the body,
// the server must answer (no panic), never with a 5xx, and always with a
// JSON body.
//
// Run it with
//
//	go test -run '^$' -fuzz FuzzJSONBodies -fuzztime 10m -parallel 1 ./server
func FuzzJSONBodies(f *testing.F) {
	e := newEnv(f, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) { c.SyncWait = -1 }})
	cid, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, webmHeader())
	expect(f, r, 200, "")
	aid := num(f, r.json(f)["attempt_id"])
	routes := jsonRoutes(cid, sid, aid)
	handler := e.srv.Handler()
	aliceToken := "Bearer " + token(f, userAlice)
	for i, rt := range routes {
		f.Add(uint8(i), []byte(rt.seed))
	}
	f.Add(uint8(0), []byte(`{"display_name":"\u0000"}`))
	f.Add(uint8(3), []byte(`{"content_id":1e400,"items":[{"question":1}]}`))
	f.Add(uint8(8), []byte(`{"status":null,"started_at":"9999-99-99T99:99:99"}`))
	f.Add(uint8(2), []byte(`[`))
	f.Fuzz(func(t *testing.T, routeIndex uint8, body []byte) {
		rt := routes[int(routeIndex)%len(routes)]
		req := httptest.NewRequest(rt.method, rt.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", aliceToken)
		if rt.ownUser {
			sum := sha256.Sum256(body)
			u, _ := uuid.FromBytes(sum[:16])
			req.Header.Set("Authorization", "Bearer "+token(t, u.String()))
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", rt.method, rt.path, body, w.Code, w.Body.Bytes())
		}
		if w.Code != http.StatusNoContent && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s %q: %d with a body that is not JSON: %q", rt.method, rt.path, body, w.Code, w.Body.Bytes())
		}
	})
}

// webmHeader is the start of a WebM file: enough for the upload's content
// sniffing, not a decodable recording.
func webmHeader() []byte {
	return []byte{0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'}
}
