package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nevermind-ai/nevermind/server/store"
)

// TestJWKSTokensThroughTheServer configures the server like a Supabase
// project with asymmetric signing keys: ES256 tokens from the JWKS with
// issuer and audience checks.
func TestJWKSTokensThroughTheServer(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, _ := key.PublicKey.ECDH()
	raw := pub.Bytes()
	enc := base64.RawURLEncoding.EncodeToString
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "k1", "x": enc(raw[1:33]), "y": enc(raw[33:])}}})
	jwksSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(jwks) }))
	defer jwksSrv.Close()
	const iss = "https://proj.supabase.co/auth/v1"
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.JWTSecret, c.JWKSURL, c.Issuer, c.Audience = "", jwksSrv.URL, iss, "authenticated"
	}})
	sign := func(aud string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"sub": userBob, "iss": iss, "aud": aud,
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
		tok.Header["kid"] = "k1"
		s, _ := tok.SignedString(key)
		return s
	}
	for aud, want := range map[string]int{"authenticated": 200, "anon": 401} {
		req, _ := http.NewRequest("GET", e.http.URL+"/api/auth/me", nil)
		req.Header.Set("Authorization", "Bearer "+sign(aud))
		if r := e.send(req); r.status != want {
			t.Errorf("aud %s: %d %s", aud, r.status, r.body)
		}
	}
	if e.srv.DevToken() != "" {
		t.Error("dev token issued although a JWKS is configured")
	}
	// The HS256 secret is not configured, so HS256 tokens are refused.
	expect(t, e.do("GET", "/api/auth/me", userBob, nil), 401, `{"detail":"unauthorized"}`)
}

// rejectingValidator stands in for media.Open (the lead's cgo package).
type rejectingValidator struct{ seen int }

func (v *rejectingValidator) ValidateMedia(_ context.Context, r io.Reader) (MediaInfo, error) {
	n, _ := io.Copy(io.Discard, r)
	v.seen = int(n)
	if n < 100 {
		return MediaInfo{}, errors.New("no decodable stream")
	}
	return MediaInfo{HasAudio: true, Duration: 1500 * time.Millisecond}, nil
}

func TestLocalStorageAndMediaValidator(t *testing.T) {
	v := &rejectingValidator{}
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.SupabaseURL, c.SupabaseKey, c.MediaDir, c.MediaValidator = "", "", t.TempDir(), v
	}})
	rec := recording(t)
	_, sid := e.seedFlow(userAlice)
	webm := rec[:40] // sniffs as WebM but is no recording
	expect(t, e.upload(sid, 1, userAlice, webm), 415, `{"detail":"invalid_media: no decodable stream"}`)
	r := e.upload(sid, 1, userAlice, rec)
	expect(t, r, 200, "")
	if v.seen != len(rec) {
		t.Fatalf("validator read %d of %d bytes", v.seen, len(rec))
	}
	aid := num(t, r.json(t)["attempt_id"])
	// The validator found audio only: no video asset, so the video routes say so.
	expect(t, e.do("GET", fmt.Sprintf("/api/feedback/%d/pose-feedback?attempt_id=%d", sid, aid), userAlice, nil), 404, `{"detail":"media_not_found"}`)
	a, err := e.srv.db.Attempt(t.Context(), sid, aid)
	if err != nil || a.DurationSec == nil || *a.DurationSec != 1.5 {
		t.Fatalf("attempt = %+v, %v", a, err)
	}
	r = e.do("GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), userAlice, nil)
	expect(t, r, 200, "")
	url := r.json(t)["video_url"].(string)
	// Absolute, on the origin the request reached: the frontend plays it
	// from its own origin.
	if !strings.HasPrefix(url, e.http.URL+"/media/sessions/") {
		t.Fatalf("local signed URL %q", url)
	}
	url = strings.TrimPrefix(url, e.http.URL)
	resp, err := http.Get(e.http.URL + url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != len(rec) {
		t.Fatalf("signed download: %d, %d bytes", resp.StatusCode, len(body))
	}
	resp, _ = http.Get(e.http.URL + strings.Replace(url, "token=", "token=0", 1))
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("tampered URL: %d", resp.StatusCode)
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	env := map[string]string{"NEVERMIND_SYNC_WAIT": "soon", "NEVERMIND_MAX_UPLOAD_MB": "-1", "NEVERMIND_WORKERS": "x"}
	_, err := ConfigFromEnv(func(k string) string { return env[k] })
	for _, name := range []string{"NEVERMIND_SYNC_WAIT", "NEVERMIND_MAX_UPLOAD_MB", "NEVERMIND_WORKERS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
	if _, err := New(Config{DatabaseURL: "mysql://x"}); err == nil || !strings.Contains(err.Error(), "unsupported database URL") {
		t.Fatalf("mysql URL: %v", err)
	}
}

// failingLLM stands in for an LLM provider that is down.
type failingLLM struct{}

func (failingLLM) GenerateQuestions(context.Context, []QA) ([]Question, error) {
	return nil, errors.New("upstream 503")
}

func (failingLLM) EvaluateAnswer(context.Context, string) (map[string]any, error) {
	return nil, errors.New("upstream 503")
}

// partialLLM answers without overall_summary.
type partialLLM struct{ failingLLM }

func (partialLLM) EvaluateAnswer(context.Context, string) (map[string]any, error) {
	return map[string]any{"score": 3}, nil
}

func TestLLMFailures(t *testing.T) {
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) { c.Generator, c.Evaluator = failingLLM{}, failingLLM{} }})
	r := e.do("POST", "/api/interviews/contents", userAlice, map[string]any{"company": "A", "role": "B"})
	cid := num(t, r.json(t)["content"].(map[string]any)["id"])
	// No cover letter yet: the seed's Korean hint.
	expect(t, e.do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), userAlice, nil), 400,
		`{"detail":{"message":"resume_qas_required","detail":"먼저 이력서 기반 Q&A를 등록해 주세요."}}`)
	e.do("POST", "/api/interviews/resume", userAlice, map[string]any{"content_id": cid, "items": []any{map[string]any{"question": "q", "answer": "a"}}})
	expect(t, e.do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), userAlice, nil), 500,
		`{"detail":{"message":"question_generation_failed","detail":"Failed to generate questions from resume Q&A"}}`)
	expect(t, e.do("POST", "/api/interviews/question", userAlice, map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "q", "a": "a"}}}), 500,
		`{"detail":{"message":"question_generation_failed","detail":"the service failed"}}`)

	// Seed a session by hand to reach the evaluation routes.
	if err := e.srv.db.AddGeneratedQuestions(t.Context(), []store.GeneratedQuestion{{ContentID: cid, Type: "job", Text: "g1"}, {ContentID: cid, Type: "job", Text: "g2"}}); err != nil {
		t.Fatal(err)
	}
	r = e.do("POST", fmt.Sprintf("/api/sessions/%d/start", cid), userAlice, nil)
	sid := num(t, r.json(t)["session_id"])
	aid := num(t, e.upload(sid, 1, userAlice, recording(t)).json(t)["attempt_id"])
	path := fmt.Sprintf("/api/answer-eval/sessions/%d?attempt_id=%d", sid, aid)
	expect(t, e.do("POST", path, userAlice, map[string]any{"answer_text": "답변"}), 200,
		fmt.Sprintf(`{"session_id":%d,"attempt_id":%d,"result":{"overall_summary":"현재 답변 평가 중 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."}}`, sid, aid))
	e.srv.cfg.Evaluator = partialLLM{}
	expect(t, e.do("POST", path, userAlice, map[string]any{"answer_text": "답변"}), 200,
		fmt.Sprintf(`{"session_id":%d,"attempt_id":%d,"result":{"score":3,"overall_summary":"모델이 overall_summary 필드를 반환하지 않았습니다."}}`, sid, aid))
	e.srv.cfg.Evaluator = nil
	expect(t, e.do("POST", path, userAlice, map[string]any{"answer_text": "답변"}), 503, "")
	e.srv.cfg.Generator = nil
	expect(t, e.do("POST", "/api/interviews/question", userAlice, map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "q", "a": "a"}}}), 503, "")
}
