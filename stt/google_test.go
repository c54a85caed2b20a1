package stt

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// fakeGoogle speaks Speech-to-Text v1 REST (speech:recognize,
// speech:longrunningrecognize, operations/{name}) and the OAuth 2.0
// JWT-bearer token endpoint, with Google's error envelope
// {"error":{code,message,status}}. It verifies the RS256 assertion with the
// service account's public key, enforces the one-minute limit of
// synchronous recognize and the 10 MB inline limit, and invents one word per
// voiced region of the audio it receives.
type fakeGoogle struct {
	mu          sync.Mutex
	public      *rsa.PublicKey
	email       string
	apiKey      string
	tokenURL    string
	issued      int
	failures    []int
	opPolls     map[string]int
	ops         map[string]googleRequest
	recognised  []googleRequest
	longRunning int
	opError     *googleStatus
	revoked     map[string]bool // access tokens answered with 401
}

func googleError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

func (f *fakeGoogle) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"unsupported_grant_type","error_description":"Invalid grant_type"}`)
		return
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(r.PostForm.Get("assertion"), claims, func(*jwt.Token) (any, error) { return f.public, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(f.tokenURL), jwt.WithIssuer(f.email), jwt.WithExpirationRequired())
	if err != nil || claims["scope"] != googleScope {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"Invalid JWT Signature. (%v)"}`, err)
		return
	}
	f.mu.Lock()
	f.issued++
	n := f.issued
	f.mu.Unlock()
	fmt.Fprintf(w, `{"access_token":"ya29.token-%d","expires_in":3599,"token_type":"Bearer"}`, n)
}

func (f *fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		f.token(w, r)
		return
	}
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	revoked := f.revoked[bearer]
	f.mu.Unlock()
	authorised := (strings.HasPrefix(bearer, "ya29.token-") && !revoked) ||
		(f.apiKey != "" && r.Header.Get("X-Goog-Api-Key") == f.apiKey)
	if !authorised {
		googleError(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
		return
	}
	f.mu.Lock()
	if len(f.failures) > 0 {
		code := f.failures[0]
		f.failures = f.failures[1:]
		f.mu.Unlock()
		googleError(w, code, map[int]string{429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}[code], "transient")
		return
	}
	f.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && (r.URL.Path == "/v1/speech:recognize" || r.URL.Path == "/v1/speech:longrunningrecognize"):
		var req googleRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			googleError(w, 400, "INVALID_ARGUMENT", "Invalid JSON payload received. "+err.Error())
			return
		}
		if len(req.Audio.Content) > 10<<20 {
			googleError(w, 400, "INVALID_ARGUMENT", "Request payload size exceeds the limit: 10485760 bytes.")
			return
		}
		audio, err := decodeWAV(req.Audio.Content)
		if err != nil || req.Config.Encoding != "LINEAR16" || req.Config.SampleRateHertz != audio.SampleRate {
			googleError(w, 400, "INVALID_ARGUMENT", fmt.Sprintf("bad audio or config: %v", err))
			return
		}
		if req.Config.LanguageCode != "ko-KR" && req.Config.LanguageCode != "en-US" {
			googleError(w, 400, "INVALID_ARGUMENT", "Invalid recognition 'config': bad language code.")
			return
		}
		if strings.HasSuffix(r.URL.Path, ":recognize") {
			if audio.Duration() > 60 {
				googleError(w, 400, "INVALID_ARGUMENT", "Sync input too long. For audio longer than 1 min use LongRunningRecognize with a 'uri' parameter.")
				return
			}
			f.mu.Lock()
			f.recognised = append(f.recognised, req)
			f.mu.Unlock()
			json.NewEncoder(w).Encode(googleResults(audio, req.Config.LanguageCode))
			return
		}
		f.mu.Lock()
		f.longRunning++
		name := fmt.Sprint(7000 + f.longRunning)
		f.ops[name] = req
		f.mu.Unlock()
		fmt.Fprintf(w, `{"name":%q}`, name)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/operations/"):
		name := strings.TrimPrefix(r.URL.Path, "/v1/operations/")
		f.mu.Lock()
		req, ok := f.ops[name]
		f.opPolls[name]++
		polls := f.opPolls[name]
		f.mu.Unlock()
		if !ok {
			googleError(w, 404, "NOT_FOUND", "Operation not found: "+name)
			return
		}
		meta := map[string]any{"@type": "type.googleapis.com/google.cloud.speech.v1.LongRunningRecognizeMetadata", "progressPercent": min(50*polls, 100)}
		if polls < 2 {
			json.NewEncoder(w).Encode(map[string]any{"name": name, "metadata": meta})
			return
		}
		if f.opError != nil {
			json.NewEncoder(w).Encode(map[string]any{"name": name, "metadata": meta, "done": true, "error": f.opError})
			return
		}
		audio, _ := decodeWAV(req.Audio.Content)
		resp := googleResults(audio, req.Config.LanguageCode)
		resp["@type"] = "type.googleapis.com/google.cloud.speech.v1.LongRunningRecognizeResponse"
		json.NewEncoder(w).Encode(map[string]any{"name": name, "metadata": meta, "done": true, "response": resp})
	default:
		googleError(w, 404, "NOT_FOUND", "Method not found.")
	}
}

// googleResults makes one result per 10 s of audio, with one word per voiced
// region inside it, times as protobuf duration strings.
func googleResults(a Audio, lang string) map[string]any {
	var results []any
	regions := voicedRegions(a)
	for start := 0.0; start < a.Duration(); start += 10 {
		end := min(start+10, a.Duration())
		var words []any
		var text []string
		for i, reg := range regions {
			if reg[0] >= start && reg[0] < end {
				w := fmt.Sprintf("단어%d", i)
				text = append(text, w)
				words = append(words, map[string]any{"startTime": fmt.Sprintf("%.3fs", reg[0]), "endTime": fmt.Sprintf("%.3fs", reg[1]), "word": w, "confidence": 0.9})
			}
		}
		if len(words) == 0 {
			continue
		}
		results = append(results, map[string]any{
			"alternatives":  []any{map[string]any{"transcript": strings.Join(text, " ") + ".", "confidence": 0.92, "words": words}},
			"resultEndTime": fmt.Sprintf("%.3fs", end), "languageCode": strings.ToLower(lang),
		})
	}
	return map[string]any{"results": results, "totalBilledTime": fmt.Sprintf("%ds", int(a.Duration())+1)}
}

// newFakeGoogle starts the fake and writes a service-account key file for it.
func newFakeGoogle(t *testing.T) (*fakeGoogle, *httptest.Server, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeGoogle{public: &key.PublicKey, email: "stt@nevermind-test.iam.gserviceaccount.com", opPolls: map[string]int{}, ops: map[string]googleRequest{}, revoked: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.tokenURL = srv.URL + "/token"
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyJSON, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "nevermind-test", "private_key_id": "abc123",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": f.email, "token_uri": f.tokenURL,
	})
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, keyJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	return f, srv, path
}

func TestGoogleRecognizeWithServiceAccount(t *testing.T) {
	audio := speech(t, "ko", "저는 팀 프로젝트에서 결제 모듈을 맡았습니다", 25)
	f, srv, keyPath := newFakeGoogle(t)
	g, err := NewGoogle(GoogleConfig{KeyFile: keyPath, Endpoint: srv.URL, HTTPClient: fastRetryClient(), PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := g.Transcribe(context.Background(), audio, Options{Language: "ko"})
		if err != nil {
			t.Fatal(err)
		}
		want := voicedRegions(audio)
		if len(got.Words) != len(want) || len(want) < 3 {
			t.Fatalf("%d words, want %d", len(got.Words), len(want))
		}
		for i, w := range got.Words {
			if w.Start != float64(int(want[i][0]*1000+0.5))/1000 || w.Confidence != 0.9 {
				t.Errorf("word %d: %+v, want start %.3f", i, w, want[i][0])
			}
		}
		if got.Language != "ko" || !strings.HasPrefix(got.Text, "단어0 단어1") || got.Segments[0].Confidence != 0.92 {
			t.Errorf("transcript %+v", got)
		}
	}
	if f.issued != 1 {
		t.Errorf("%d tokens issued for two calls, want the cached one reused", f.issued)
	}
	// A token revoked before its expiry: one 401, a fresh token, success.
	f.revoked["ya29.token-1"] = true
	if _, err := g.Transcribe(context.Background(), audio, Options{Language: "ko"}); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if f.issued != 2 {
		t.Errorf("%d tokens issued, want a second after the revocation", f.issued)
	}
	req := f.recognised[0]
	if !req.Config.EnableAutomaticPunctuation || !req.Config.EnableWordTimeOffsets || req.Config.LanguageCode != "ko-KR" {
		t.Errorf("config %+v", req.Config)
	}
	if f.longRunning != 0 {
		t.Errorf("short audio used longrunningrecognize")
	}
}

// Beyond 60 s the seed failed; here the long-running API is used, its
// operation polled, and long audio split under the inline limit.
func TestGoogleLongRunningBeyondOneMinute(t *testing.T) {
	one := speech(t, "en", "I led the migration of our payment service to Kubernetes, and we cut deployment time from two hours to ten minutes.", 20)
	var long []float32
	for len(long) < 80*16000 {
		long = append(long, one.Samples...)
		long = append(long, make([]float32, 8000)...)
	}
	audio := Audio{Samples: long, SampleRate: 16000}
	f, srv, keyPath := newFakeGoogle(t)
	g, err := NewGoogle(GoogleConfig{KeyFile: keyPath, Endpoint: srv.URL, HTTPClient: fastRetryClient(), PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Transcribe(context.Background(), audio, Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if f.longRunning != 1 || len(f.recognised) != 0 {
		t.Fatalf("%d long-running and %d sync calls, want 1 and 0", f.longRunning, len(f.recognised))
	}
	if n := len(voicedRegions(audio)); len(got.Words) != n {
		t.Fatalf("%d words, want %d", len(got.Words), n)
	}
	if last := got.Words[len(got.Words)-1]; last.End < 75 || got.Language != "en" {
		t.Fatalf("last word ends at %.1f s (language %q), want the whole 80 s covered", last.End, got.Language)
	}
	if len(got.Segments) < 8 {
		t.Errorf("%d segments, want one per 10 s result", len(got.Segments))
	}

	f.opError = &googleStatus{Code: 3, Message: "Invalid audio", Status: "INVALID_ARGUMENT"}
	if _, err := g.Transcribe(context.Background(), audio, Options{Language: "en"}); !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "Invalid audio") {
		t.Fatalf("failed operation: %v, want ErrBadRequest with its message", err)
	}
}

func TestGoogleAPIKeyAndErrors(t *testing.T) {
	audio := Audio{Samples: append(make([]float32, 1600), tone(8000, 0.5)...), SampleRate: 16000}
	ctx := context.Background()
	f, srv, keyPath := newFakeGoogle(t)
	f.apiKey = "AIza-test"
	newG := func(cfg GoogleConfig) *Google {
		cfg.Endpoint, cfg.HTTPClient, cfg.PollInterval = srv.URL, fastRetryClient(), time.Millisecond
		g, err := NewGoogle(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}

	got, err := newG(GoogleConfig{APIKey: "AIza-test"}).Transcribe(ctx, audio, Options{})
	if err != nil || len(got.Words) != 1 {
		t.Fatalf("API key: %v, %+v", err, got)
	}

	_, err = newG(GoogleConfig{APIKey: "AIza-wrong"}).Transcribe(ctx, audio, Options{})
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "UNAUTHENTICATED") {
		t.Errorf("wrong API key: %v", err)
	}

	// A key signed by someone else: the token endpoint refuses the JWT.
	_, _, otherKey := newFakeGoogle(t)
	other, _ := os.ReadFile(otherKey)
	var sa map[string]string
	json.Unmarshal(other, &sa)
	sa["token_uri"], sa["client_email"] = f.tokenURL, f.email
	forged, _ := json.Marshal(sa)
	_, err = newG(GoogleConfig{CredentialsJSON: forged}).Transcribe(ctx, audio, Options{})
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("forged key: %v, want ErrUnauthorized invalid_grant", err)
	}

	_, err = newG(GoogleConfig{KeyFile: keyPath}).Transcribe(ctx, audio, Options{Language: "xx-YY"})
	if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "language code") {
		t.Errorf("bad language: %v", err)
	}

	f.failures = []int{429, 503}
	if _, err = newG(GoogleConfig{KeyFile: keyPath}).Transcribe(ctx, audio, Options{}); err != nil {
		t.Errorf("after 429 and 503: %v, want success", err)
	}
	f.failures = []int{500, 500, 500, 500}
	if _, err = newG(GoogleConfig{KeyFile: keyPath}).Transcribe(ctx, audio, Options{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("persistent 500: %v, want ErrUnavailable", err)
	}

	for name, cfg := range map[string]GoogleConfig{
		"nothing":     {},
		"both":        {APIKey: "k", KeyFile: keyPath},
		"missing":     {KeyFile: filepath.Join(t.TempDir(), "absent.json")},
		"not json":    {CredentialsJSON: []byte("hello")},
		"user key":    {CredentialsJSON: []byte(`{"type":"authorized_user","client_id":"x"}`)},
		"bad pem":     {CredentialsJSON: []byte(`{"type":"service_account","client_email":"a@b","private_key":"nope"}`)},
		"bad address": {APIKey: "k", Endpoint: "speech.googleapis.com"},
	} {
		if _, err := NewGoogle(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

// Concurrent calls share one transcriber: one token exchange, all succeed.
func TestGoogleConcurrentCallsShareToken(t *testing.T) {
	f, srv, keyPath := newFakeGoogle(t)
	g, err := NewGoogle(GoogleConfig{KeyFile: keyPath, Endpoint: srv.URL, HTTPClient: fastRetryClient()})
	if err != nil {
		t.Fatal(err)
	}
	audio := Audio{Samples: append(make([]float32, 1600), tone(8000, 0.5)...), SampleRate: 16000}
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			_, err := g.Transcribe(context.Background(), audio, Options{Language: "en"})
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if f.issued != 1 {
		t.Errorf("%d token exchanges for concurrent calls, want 1", f.issued)
	}
}

func TestGoogleTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	client := fastRetryClient()
	client.Timeout = 100 * time.Millisecond
	g, err := NewGoogle(GoogleConfig{APIKey: "k", Endpoint: srv.URL, HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Transcribe(context.Background(), Audio{Samples: make([]float32, 160), SampleRate: 16000}, Options{})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("hung server: %v, want ErrUnavailable after the client timeout", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err = g.Transcribe(ctx, Audio{Samples: make([]float32, 160), SampleRate: 16000}, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v, want context.Canceled", err)
	}
}
