package server

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nevermind-ai/nevermind/server/store"
)

// This file is the auth attack matrix of issue 9 in one place: every kind of
// bad token against a route served by huma, the streaming upload route
// (served outside huma) and the local media route; blocked and deleted
// accounts; and another user's ids for each kind of resource.

const (
	attackIssuer   = "https://proj.supabase.co/auth/v1"
	attackAudience = "authenticated"
)

// attackClaims are valid claims for user, changed by mod.
func attackClaims(user string, mod func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"sub": user, "iss": attackIssuer, "aud": attackAudience, "email": "a@example.com",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if mod != nil {
		mod(c)
	}
	return c
}

func signWith(t *testing.T, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// attackJWKS serves one P-256 key as kid "k1" and returns the private key,
// the JWKS document and the public key in the encodings an attacker might
// try as an HMAC secret.
func attackJWKS(t *testing.T) (key *ecdsa.PrivateKey, url string, publicForms map[string][]byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := key.PublicKey.ECDH()
	raw := pub.Bytes()
	enc := base64.RawURLEncoding.EncodeToString
	doc, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "k1", "x": enc(raw[1:33]), "y": enc(raw[33:])}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
	t.Cleanup(srv.Close)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	jwk, _ := json.Marshal(map[string]string{"kty": "EC", "crv": "P-256", "x": enc(raw[1:33]), "y": enc(raw[33:])})
	return key, srv.URL, map[string][]byte{
		"raw point":  raw,
		"PKIX DER":   der,
		"PEM":        pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"JWK":        jwk,
		"JWKS":       doc,
		"x (base64)": []byte(enc(raw[1:33])),
	}
}

// TestAuthAttackMatrix sends every kind of bad credential to three kinds of
// route and expects the seed's 401 from all of them; the valid tokens of both
// signing families are accepted, and blocked or deleted accounts get 403.
func TestAuthAttackMatrix(t *testing.T) {
	ecKey, jwksURL, publicForms := attackJWKS(t)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	mediaDir := t.TempDir()
	e := newEnv(t, store.SQLite, envOptions{noWorker: true, mutate: func(c *Config) {
		c.JWKSURL, c.Issuer, c.Audience = jwksURL, attackIssuer, attackAudience
		c.SupabaseURL, c.SupabaseKey, c.MediaDir = "", "", mediaDir
	}})
	secret := []byte(testSecret)
	hs := func(mod func(jwt.MapClaims)) string {
		return signWith(t, jwt.SigningMethodHS256, secret, "", attackClaims(userAlice, mod))
	}
	es := func(mod func(jwt.MapClaims)) string {
		return signWith(t, jwt.SigningMethodES256, ecKey, "k1", attackClaims(userAlice, mod))
	}
	validHS, validES := hs(nil), es(nil)

	// Alice's session and upload exist, so an accepted token would reach real
	// data rather than a 404.
	_, sid := seedFlowWith(e, "Bearer "+validHS)
	r := e.uploadAuth(sid, 1, "Bearer "+validHS, "answer.webm", webmHeader())
	expect(t, r, 200, "")

	noneToken := signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", attackClaims(userAlice, nil))
	// "alg":"none" with a signature part carried over from a valid token.
	noneWithSig := noneToken + validHS[strings.LastIndex(validHS, ".")+1:]
	// A valid signature over Alice's claims, with the payload swapped for
	// Bob's.
	parts := strings.Split(validHS, ".")
	parts[1] = strings.Split(hs(func(c jwt.MapClaims) { c["sub"] = userBob }), ".")[1]
	swapped := strings.Join(parts, ".")

	headers := map[string]string{
		"missing":                         "",
		"malformed: Basic scheme":         "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:pw")),
		"malformed: Bearer without token": "Bearer",
		"malformed: not a JWT":            "Bearer not-a-jwt",
		"malformed: two parts":            "Bearer " + validHS[:strings.LastIndex(validHS, ".")],
		"malformed: garbage signature":    "Bearer " + validHS[:strings.LastIndex(validHS, ".")+1] + "AAAA",
		"malformed: token twice":          "Bearer " + validHS + " " + validHS,
		"malformed: payload swapped":      "Bearer " + swapped,
		"expired (beyond the leeway)":     "Bearer " + hs(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }),
		"no exp":                          "Bearer " + hs(func(c jwt.MapClaims) { delete(c, "exp") }),
		"not yet valid (nbf)":             "Bearer " + hs(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(5 * time.Minute).Unix() }),
		"issued in the future (iat)":      "Bearer " + hs(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(5 * time.Minute).Unix() }),
		"wrong issuer":                    "Bearer " + hs(func(c jwt.MapClaims) { c["iss"] = "https://evil.example/auth/v1" }),
		"no issuer":                       "Bearer " + hs(func(c jwt.MapClaims) { delete(c, "iss") }),
		"wrong audience":                  "Bearer " + hs(func(c jwt.MapClaims) { c["aud"] = "anon" }),
		"no audience":                     "Bearer " + hs(func(c jwt.MapClaims) { delete(c, "aud") }),
		"sub not a UUID":                  "Bearer " + hs(func(c jwt.MapClaims) { c["sub"] = "admin" }),
		"alg none":                        "Bearer " + noneToken,
		"alg none with a signature":       "Bearer " + noneWithSig,
		"HS512 with the secret":           "Bearer " + signWith(t, jwt.SigningMethodHS512, secret, "", attackClaims(userAlice, nil)),
		"HS256 with a wrong secret":       "Bearer " + signWith(t, jwt.SigningMethodHS256, []byte("not-the-secret-not-the-secret-0123"), "", attackClaims(userAlice, nil)),
		"ES256 with an unknown kid":       "Bearer " + signWith(t, jwt.SigningMethodES256, ecKey, "k2", attackClaims(userAlice, nil)),
		"ES256 by another key, no kid":    "Bearer " + signWith(t, jwt.SigningMethodES256, otherKey, "", attackClaims(userAlice, nil)),
		"ES256 by another key, known kid": "Bearer " + signWith(t, jwt.SigningMethodES256, otherKey, "k1", attackClaims(userAlice, nil)),
		"ES256 expired":                   "Bearer " + es(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }),
		"ES256 wrong audience":            "Bearer " + es(func(c jwt.MapClaims) { c["aud"] = "anon" }),
	}
	for form, pub := range publicForms {
		headers["HS256 keyed with the JWKS public key ("+form+")"] = "Bearer " + signWith(t, jwt.SigningMethodHS256, pub, "k1", attackClaims(userAlice, nil))
	}

	routes := []struct {
		name string
		send func(authorization string) reply
	}{
		{"huma route", func(a string) reply { return e.sendAuth("GET", "/api/interviews/contents", a, nil) }},
		{"feedback route", func(a string) reply {
			return e.sendAuth("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), a, nil)
		}},
		{"upload route", func(a string) reply { return e.uploadAuth(sid, 1, a, "answer.webm", webmHeader()) }},
	}
	for name, h := range headers {
		for _, rt := range routes {
			t.Run(name+"/"+rt.name, func(t *testing.T) {
				expect(t, rt.send(h), 401, `{"detail":"unauthorized"}`)
			})
		}
	}
	// The valid tokens of both families reach the data. A token without a
	// kid is valid when its signature verifies with a published key.
	noKid := signWith(t, jwt.SigningMethodES256, ecKey, "", attackClaims(userAlice, nil))
	for name, tok := range map[string]string{"HS256": validHS, "ES256": validES, "ES256 without a kid": noKid} {
		r := e.sendAuth("GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), "Bearer "+tok, nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"attempt_id"`) {
			t.Fatalf("valid %s token: %d %s", name, r.status, r.body)
		}
	}
	// Nothing a rejected request sent was stored: one attempt (the setup's).
	var n int
	if err := e.srv.db.Bun.NewRaw("SELECT count(*) FROM attempts").Scan(t.Context(), &n); err != nil || n != 1 {
		t.Fatalf("attempt rows = %d, %v", n, err)
	}

	// Blocked and deleted accounts: 403 on every kind of route, with a valid
	// token.
	for _, status := range []string{store.ProfileBlocked, store.ProfileDeleted} {
		p, err := e.srv.db.Profile(t.Context(), userAlice)
		if err != nil {
			t.Fatal(err)
		}
		p.Status = status
		if err := e.srv.db.SaveProfile(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		want := `{"detail":"account_` + status + `"}`
		for _, rt := range routes {
			expect(t, rt.send("Bearer "+validES), 403, want)
		}
		expect(t, e.sendAuth("GET", "/api/auth/me", "Bearer "+validHS, nil), 403, want)
	}
}

// sendAuth sends a request with the Authorization header as given (none when
// empty).
func (e *testEnv) sendAuth(method, path, authorization string, body any) reply {
	e.t.Helper()
	req := e.request(method, e.http.URL+path, body)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return e.send(req)
}

// uploadAuth uploads data as the multipart file field with the given file
// name and Authorization header (none when empty).
func (e *testEnv) uploadAuth(sessionID int64, index int, authorization, filename string, data []byte) reply {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/sessions/%d/recordings/%d", e.http.URL, sessionID, index), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return e.send(req)
}

// seedFlowWith is seedFlow with an explicit Authorization header.
func seedFlowWith(e *testEnv, authorization string) (contentID, sessionID int64) {
	e.t.Helper()
	r := e.sendAuth("POST", "/api/interviews/contents", authorization, map[string]any{"company": "네이버", "role": "검색", "interview_date": "2026-12-24"})
	expect(e.t, r, 200, "")
	contentID = num(e.t, r.json(e.t)["content"].(map[string]any)["id"])
	r = e.sendAuth("POST", "/api/interviews/resume", authorization, map[string]any{"content_id": contentID, "items": []any{
		map[string]any{"question": "지원 동기", "answer": "검색 품질을 높이고 싶습니다."}}})
	expect(e.t, r, 200, "")
	r = e.sendAuth("POST", fmt.Sprintf("/api/sessions/%d/start", contentID), authorization, map[string]any{"practice_type": "job"})
	expect(e.t, r, 200, "")
	return contentID, num(e.t, r.json(e.t)["session_id"])
}

// TestCrossUserMatrix: Bob, authenticated, asks for Alice's content,
// session, attempt, media and feedback after her analysis has finished. Each
// reply must be a 404 byte-for-byte equal to the reply for an id that does
// not exist, so it reveals neither data nor existence, and must not contain
// any of Alice's values.
func TestCrossUserMatrix(t *testing.T) {
	mediaDir := t.TempDir()
	e := newEnv(t, store.SQLite, envOptions{mutate: func(c *Config) {
		c.SupabaseURL, c.SupabaseKey, c.MediaDir = "", "", mediaDir
	}})
	cid, sid := e.seedFlow(userAlice)
	r := e.upload(sid, 1, userAlice, webmHeader())
	expect(t, r, 200, "")
	aid := num(t, r.json(t)["attempt_id"])
	// Alice's analysis completes, so every feedback route has data to leak.
	r = e.do("GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), userAlice, nil)
	expect(t, r, 200, "")
	r = e.do("POST", fmt.Sprintf("/api/stt/sessions/%d", sid), userAlice, map[string]any{"attempt_id": aid})
	expect(t, r, 200, "")
	transcript := r.json(t)["transcript"].(string)
	r = e.do("GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), userAlice, nil)
	expect(t, r, 200, "")
	videoURL := strings.TrimPrefix(r.json(t)["video_url"].(string), e.http.URL)
	secrets := []string{"카카오", "백엔드", "지원 동기", transcript, "attempt_" + fmt.Sprint(aid)}

	const missing = 999999
	type probe struct {
		resource, method, path string
		body                   any
	}
	probes := func(cid, sid, aid int64) []probe {
		return []probe{
			{"content", "POST", "/api/interviews/resume", map[string]any{"content_id": cid, "items": []any{map[string]any{"question": "q"}}}},
			{"content", "POST", "/api/interviews/question", map[string]any{"content_id": cid, "qas": []any{map[string]any{"q": "q", "a": "a"}}}},
			{"content", "POST", fmt.Sprintf("/api/interviews/%d/question-plan", cid), map[string]any{}},
			{"content", "GET", fmt.Sprintf("/api/interviews/%d/practice-plan", cid), nil},
			{"content", "POST", fmt.Sprintf("/api/sessions/%d/start", cid), map[string]any{}},
			{"session", "GET", fmt.Sprintf("/api/sessions/%d", sid), nil},
			{"session", "PATCH", fmt.Sprintf("/api/sessions/%d/status", sid), map[string]any{"status": "done"}},
			{"session", "GET", fmt.Sprintf("/api/feedback/%d/attempts/all", sid), nil},
			{"attempt", "POST", fmt.Sprintf("/api/stt/sessions/%d", sid), map[string]any{"attempt_id": aid}},
			{"attempt", "GET", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), nil},
			{"attempt", "POST", fmt.Sprintf("/api/analysis/sessions/%d/attempts/%d", sid, aid), nil},
			{"attempt", "POST", fmt.Sprintf("/api/answer-eval/sessions/%d?attempt_id=%d", sid, aid), map[string]any{"answer_text": "x"}},
			{"media", "GET", fmt.Sprintf("/api/feedback/sessions/%d/attempts/%d/video", sid, aid), nil},
			{"feedback", "GET", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), nil},
			{"feedback", "POST", fmt.Sprintf("/api/feedback/%d/voice-feedback?attempt_id=%d", sid, aid), nil},
			{"feedback", "GET", fmt.Sprintf("/api/feedback/%d/pose-feedback?attempt_id=%d", sid, aid), nil},
			{"feedback", "POST", fmt.Sprintf("/api/analysis/pose/start?session_id=%d&attempt_id=%d", sid, aid), nil},
			{"feedback", "GET", fmt.Sprintf("/api/feedback/%d/expression-feedback?attempt_id=%d", sid, aid), nil},
			{"feedback", "GET", fmt.Sprintf("/api/feedback/%d/attempts/%d/combined", sid, aid), nil},
			{"feedback", "GET", fmt.Sprintf("/api/answer-eval/sessions/%d/attempts/%d", sid, aid), nil},
		}
	}
	real, absent := probes(cid, sid, aid), probes(missing, missing, missing)
	for i, p := range real {
		t.Run(p.resource+" "+p.method+" "+p.path, func(t *testing.T) {
			got := e.do(p.method, p.path, userBob, p.body)
			ref := e.do(absent[i].method, absent[i].path, userBob, absent[i].body)
			if got.status != 404 {
				t.Fatalf("status %d, want 404: %s", got.status, got.body)
			}
			if got.status != ref.status || !bytes.Equal(got.body, ref.body) {
				t.Fatalf("another user's id is distinguishable from a missing one:\n own %d %s\nnone %d %s", got.status, got.body, ref.status, ref.body)
			}
			for _, s := range secrets {
				if strings.Contains(string(got.body), s) {
					t.Fatalf("reply leaks %q: %s", s, got.body)
				}
			}
		})
	}
	// The upload route (outside huma) into Alice's session.
	expect(t, e.upload(sid, 1, userBob, webmHeader()), 404, `{"detail":"session_not_found"}`)
	expect(t, e.upload(missing, 1, userBob, webmHeader()), 404, `{"detail":"session_not_found"}`)
	// Lists filter by owner.
	expect(t, e.do("GET", fmt.Sprintf("/api/sessions?content_id=%d", cid), userBob, nil), 200, `[]`)
	expect(t, e.do("GET", "/api/interviews/contents", userBob, nil), 200, `[]`)
	expect(t, e.do("GET", "/api/history", userBob, nil), 200, "")
	if strings.Contains(string(e.do("GET", "/api/history", userBob, nil).body), "카카오") {
		t.Fatal("Bob's history lists Alice's interview")
	}

	// Media: the signed URL is bound to its object and expiry. Bob cannot
	// reuse Alice's signature for another key, extend it, or escape the
	// media directory.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, []byte) {
		resp, err := noRedirect.Get(e.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, body := get(videoURL); code != 200 || !bytes.Equal(body, webmHeader()) {
		t.Fatalf("Alice's own signed URL: %d %q", code, body)
	}
	keyPart, query, _ := strings.Cut(videoURL, "?")
	for name, path := range map[string]string{
		"unsigned":                 keyPart,
		"signature for another id": strings.Replace(keyPart, fmt.Sprintf("attempt_%d", aid), fmt.Sprintf("attempt_%d", aid+1), 1) + "?" + query,
		"expiry extended":          keyPart + "?" + strings.Replace(query, "expires=", "expires=9", 1),
		"dot-dot":                  "/media/sessions/../../../../etc/passwd?" + query,
		"encoded dot-dot":          "/media/sessions/%2e%2e/%2e%2e/etc/passwd?" + query,
		"absolute":                 "/media//etc/passwd?" + query,
	} {
		code, body := get(path)
		// A dot-dot path is redirected to its clean form by net/http's
		// ServeMux, which is outside /media; anything but 3xx/4xx is a leak.
		if code < 300 || code >= 500 || bytes.Contains(body, webmHeader()) || bytes.Contains(body, []byte("root:")) {
			t.Errorf("%s: %d %q", name, code, body)
		}
	}
}
