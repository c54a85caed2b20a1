package stt

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/internal/httpretry"
)

// GoogleKeyPathEnv is the environment variable the original backend reads for
// the service-account key file; the CLI and server pass its value as
// GoogleConfig.KeyFile.
const GoogleKeyPathEnv = "GOOGLE_STT_KEY_PATH"

// Google Speech-to-Text v1 limits that shape the requests: synchronous
// recognize takes at most one minute of audio, and inline content of any
// request is capped at 10 MB.
const (
	googleSyncLimit      = 60 * time.Second
	googleInlineRawLimit = 7 << 20 // raw WAV bytes; base64 makes ~9.3 MB
	googleScope          = "https://www.googleapis.com/auth/cloud-platform"
)

// GoogleConfig configures [NewGoogle]. Set exactly one of KeyFile,
// CredentialsJSON or APIKey.
type GoogleConfig struct {
	// KeyFile is the path of a service-account JSON key, as created in the
	// Cloud console.
	KeyFile string
	// CredentialsJSON is the content of such a key, for callers that keep it
	// in a secret store rather than a file.
	CredentialsJSON []byte
	// APIKey is a Cloud API key restricted to the Speech API.
	APIKey string
	// Endpoint is the API root; "" means https://speech.googleapis.com.
	Endpoint string
	// Model selects a recognition model ("latest_long", "default"…);
	// "" lets Google choose, as the original backend did.
	Model string
	// PollInterval is how often a long-running operation is polled; zero
	// means 2 s.
	PollInterval time.Duration
	// HTTPClient sends the requests, including the OAuth token exchange. nil
	// means a client with a 2-minute timeout over an [httpretry.Transport].
	HTTPClient *http.Client
}

// Google transcribes with Google Cloud Speech-to-Text v1 REST: recognize for
// audio up to 60 s, longrunningrecognize beyond, with automatic punctuation,
// word time offsets and word confidence. Create it with [NewGoogle]; it is
// safe for concurrent use.
type Google struct {
	endpoint string
	model    string
	poll     time.Duration
	http     *http.Client
	apiKey   string
	tokens   *tokenSource // nil when an API key is used
}

// NewGoogle returns a Google Speech-to-Text transcriber.
func NewGoogle(cfg GoogleConfig) (*Google, error) {
	g := &Google{model: cfg.Model, poll: cfg.PollInterval, http: cfg.HTTPClient, apiKey: strings.TrimSpace(cfg.APIKey)}
	if g.poll <= 0 {
		g.poll = 2 * time.Second
	}
	if g.http == nil {
		g.http = &http.Client{Timeout: 2 * time.Minute, Transport: &httpretry.Transport{}}
	}
	endpoint, err := apiBase(cfg.Endpoint, "https://speech.googleapis.com")
	if err != nil {
		return nil, err
	}
	g.endpoint = strings.TrimSuffix(endpoint, "/v1")

	creds := cfg.CredentialsJSON
	if cfg.KeyFile != "" {
		if creds, err = os.ReadFile(cfg.KeyFile); err != nil {
			return nil, fmt.Errorf("stt: %w: reading Google service-account key: %w", ErrConfig, err)
		}
	}
	switch {
	case len(creds) > 0 && g.apiKey != "":
		return nil, fmt.Errorf("stt: %w: set a service-account key or an API key, not both", ErrConfig)
	case len(creds) > 0:
		if g.tokens, err = newTokenSource(creds, g.http); err != nil {
			return nil, err
		}
	case g.apiKey == "":
		return nil, fmt.Errorf("stt: %w: Google Speech needs a service-account key (%s) or an API key", ErrConfig, GoogleKeyPathEnv)
	}
	return g, nil
}

// Transcribe implements [Transcriber]. Language "ko" (or "", which Google
// cannot detect) is sent as ko-KR and "en" as en-US; a full BCP-47 tag such
// as "en-GB" is sent as it is.
func (g *Google) Transcribe(ctx context.Context, audio Audio, opts Options) (*Transcript, error) {
	if err := audio.validate(); err != nil {
		return nil, err
	}
	lang := googleLanguage(opts.Language)
	out := &Transcript{Duration: audio.Duration(), Words: []nevermind.Word{}, Segments: []Segment{}}
	maxSamples := (googleInlineRawLimit - 44) / 2
	for i, piece := range splitAtPauses(audio, maxSamples) {
		part, err := g.recognise(ctx, piece.Audio, lang)
		if err != nil {
			return nil, fmt.Errorf("stt: google: piece %d at %.1f s: %w", i+1, piece.Offset, err)
		}
		out.appendShifted(part, piece.Offset)
	}
	if out.Language == "" {
		out.Language = normaliseLanguage(lang)
	}
	return out, nil
}

func googleLanguage(l string) string {
	switch strings.ToLower(strings.TrimSpace(l)) {
	case "", "auto", "ko", "ko-kr":
		return "ko-KR"
	case "en", "en-us":
		return "en-US"
	}
	return l
}

type googleRequest struct {
	Config struct {
		Encoding                   string `json:"encoding"`
		SampleRateHertz            int    `json:"sampleRateHertz"`
		AudioChannelCount          int    `json:"audioChannelCount"`
		LanguageCode               string `json:"languageCode"`
		EnableAutomaticPunctuation bool   `json:"enableAutomaticPunctuation"`
		EnableWordTimeOffsets      bool   `json:"enableWordTimeOffsets"`
		EnableWordConfidence       bool   `json:"enableWordConfidence"`
		Model                      string `json:"model,omitempty"`
	} `json:"config"`
	Audio struct {
		Content []byte `json:"content"` // encoding/json writes base64
	} `json:"audio"`
}

type googleResponse struct {
	Results []struct {
		Alternatives []struct {
			Transcript string  `json:"transcript"`
			Confidence float64 `json:"confidence"`
			Words      []struct {
				StartTime  string  `json:"startTime"`
				EndTime    string  `json:"endTime"`
				Word       string  `json:"word"`
				Confidence float64 `json:"confidence"`
			} `json:"words"`
		} `json:"alternatives"`
		ResultEndTime string `json:"resultEndTime"`
		LanguageCode  string `json:"languageCode"`
	} `json:"results"`
}

type googleOperation struct {
	Name     string          `json:"name"`
	Done     bool            `json:"done"`
	Error    *googleStatus   `json:"error"`
	Response *googleResponse `json:"response"`
}

type googleStatus struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
}

func (g *Google) recognise(ctx context.Context, audio Audio, lang string) (*Transcript, error) {
	var req googleRequest
	req.Config.Encoding = "LINEAR16"
	req.Config.SampleRateHertz = audio.SampleRate
	req.Config.AudioChannelCount = 1
	req.Config.LanguageCode = lang
	req.Config.EnableAutomaticPunctuation = true
	req.Config.EnableWordTimeOffsets = true
	req.Config.EnableWordConfidence = true
	req.Config.Model = g.model
	req.Audio.Content = EncodeWAV(audio)

	var resp googleResponse
	if audio.Duration() <= googleSyncLimit.Seconds() {
		if err := g.call(ctx, http.MethodPost, "/v1/speech:recognize", req, &resp); err != nil {
			return nil, err
		}
		return resp.transcript(audio.Duration())
	}
	var op googleOperation
	if err := g.call(ctx, http.MethodPost, "/v1/speech:longrunningrecognize", req, &op); err != nil {
		return nil, err
	}
	for !op.Done {
		if op.Name == "" {
			return nil, fmt.Errorf("stt: %w: long-running operation has no name", ErrUnavailable)
		}
		timer := time.NewTimer(g.poll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, context.Cause(ctx)
		case <-timer.C:
		}
		name := op.Name
		op = googleOperation{}
		if err := g.call(ctx, http.MethodGet, "/v1/operations/"+url.PathEscape(name), nil, &op); err != nil {
			return nil, err
		}
	}
	if op.Error != nil {
		return nil, grpcError(op.Error)
	}
	if op.Response == nil {
		return nil, fmt.Errorf("stt: %w: operation %s finished without a response", ErrUnavailable, op.Name)
	}
	return op.Response.transcript(audio.Duration())
}

func (r *googleResponse) transcript(duration float64) (*Transcript, error) {
	t := &Transcript{}
	var texts []string
	prevEnd := 0.0
	for _, res := range r.Results {
		if len(res.Alternatives) == 0 {
			continue
		}
		alt := res.Alternatives[0]
		seg := Segment{Text: strings.TrimSpace(alt.Transcript), Start: prevEnd, Confidence: clamp01(alt.Confidence)}
		end, err := parseGoogleDuration(res.ResultEndTime)
		if err != nil {
			return nil, err
		}
		for i, w := range alt.Words {
			start, err := parseGoogleDuration(w.StartTime)
			if err != nil {
				return nil, err
			}
			stop, err := parseGoogleDuration(w.EndTime)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				seg.Start = start
			}
			t.Words = append(t.Words, nevermind.Word{Text: w.Word, Start: start, End: stop, Confidence: clamp01(w.Confidence)})
		}
		if res.ResultEndTime == "" {
			end = duration
		}
		seg.End = end
		prevEnd = end
		if seg.Text != "" {
			texts = append(texts, seg.Text)
			t.Segments = append(t.Segments, seg)
		}
		if t.Language == "" {
			t.Language = normaliseLanguage(res.LanguageCode)
		}
	}
	t.Text = strings.Join(texts, " ")
	return t, nil
}

// parseGoogleDuration reads protobuf JSON durations such as "1.300s".
func parseGoogleDuration(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "s"), 64)
	if err != nil || !strings.HasSuffix(s, "s") {
		return 0, fmt.Errorf("stt: %w: malformed duration %q in response", ErrUnavailable, s)
	}
	return v, nil
}

// call sends one JSON request and decodes the JSON answer into out. A 401
// with a cached OAuth token drops the token and tries once more with a
// fresh one, since Google may revoke a token before its stated expiry.
func (g *Google) call(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		status, data, err := g.send(ctx, method, path, payload)
		if err != nil {
			return err
		}
		if status == http.StatusUnauthorized && g.tokens != nil && attempt == 0 {
			g.tokens.invalidate()
			continue
		}
		if status != http.StatusOK {
			var envelope struct {
				Error googleStatus `json:"error"`
			}
			msg := strings.TrimSpace(string(data))
			if json.Unmarshal(data, &envelope) == nil && envelope.Error.Message != "" {
				msg = envelope.Error.Status + ": " + envelope.Error.Message
			}
			return nevermind.RemoteError("stt", status, fmt.Errorf("google speech %s %s: %s", method, path, msg))
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("stt: %w: decoding google speech response: %w", ErrUnavailable, err)
		}
		return nil
	}
}

// send performs one authenticated request and returns the status and body.
func (g *Google) send(ctx context.Context, method, path string, payload []byte) (int, []byte, error) {
	var reader io.Reader
	if payload != nil {
		reader = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.endpoint+path, reader)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.tokens != nil {
		token, err := g.tokens.token(ctx)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
	} else {
		req.Header.Set("X-Goog-Api-Key", g.apiKey)
	}
	resp, err := g.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil, context.Cause(ctx)
		}
		return 0, nil, fmt.Errorf("stt: %w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("stt: %w: reading response: %w", ErrUnavailable, err)
	}
	return resp.StatusCode, data, nil
}

// grpcError maps a failed operation's google.rpc.Status to a sentinel.
func grpcError(s *googleStatus) error {
	err := fmt.Errorf("google speech operation failed: %s (code %d): %s", s.Status, s.Code, s.Message)
	switch s.Code {
	case 3, 11: // INVALID_ARGUMENT, OUT_OF_RANGE
		return fmt.Errorf("stt: %w: %w", ErrBadRequest, err)
	case 7, 16: // PERMISSION_DENIED, UNAUTHENTICATED
		return fmt.Errorf("stt: %w: %w", ErrUnauthorized, err)
	case 8: // RESOURCE_EXHAUSTED
		return fmt.Errorf("stt: %w: %w", ErrRateLimited, err)
	}
	return fmt.Errorf("stt: %w: %w", ErrUnavailable, err)
}

// serviceAccount is the part of a service-account JSON key that the OAuth
// JWT-bearer flow needs.
type serviceAccount struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	TokenURI     string `json:"token_uri"`
}

// tokenSource exchanges a self-signed RS256 JWT for an OAuth access token
// (RFC 7523) and caches it until a minute before it expires.
type tokenSource struct {
	account serviceAccount
	key     *rsa.PrivateKey
	http    *http.Client

	mu      sync.Mutex
	access  string
	expires time.Time
}

func newTokenSource(creds []byte, client *http.Client) (*tokenSource, error) {
	var sa serviceAccount
	if err := json.Unmarshal(creds, &sa); err != nil {
		return nil, fmt.Errorf("stt: %w: Google key is not JSON: %w", ErrConfig, err)
	}
	if sa.Type != "service_account" || sa.ClientEmail == "" || sa.PrivateKey == "" {
		return nil, fmt.Errorf("stt: %w: Google key is not a service-account key (type %q)", ErrConfig, sa.Type)
	}
	if sa.TokenURI == "" {
		sa.TokenURI = "https://oauth2.googleapis.com/token"
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(sa.PrivateKey))
	if err != nil {
		return nil, fmt.Errorf("stt: %w: Google key's private_key: %w", ErrConfig, err)
	}
	return &tokenSource{account: sa, key: key, http: client}, nil
}

// invalidate forgets the cached token so the next call fetches a new one.
func (ts *tokenSource) invalidate() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.access = ""
}

func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.access != "" && time.Now().Before(ts.expires) {
		return ts.access, nil
	}
	now := time.Now()
	assertion := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss":   ts.account.ClientEmail,
		"scope": googleScope,
		"aud":   ts.account.TokenURI,
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
	})
	if ts.account.PrivateKeyID != "" {
		assertion.Header["kid"] = ts.account.PrivateKeyID
	}
	signed, err := assertion.SignedString(ts.key)
	if err != nil {
		return "", fmt.Errorf("stt: %w: signing token request: %w", ErrConfig, err)
	}
	form := url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":  {signed},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.account.TokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("stt: %w: token_uri: %w", ErrConfig, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ts.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		return "", fmt.Errorf("stt: %w: OAuth token exchange: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken      string `json:"access_token"`
		ExpiresIn        int    `json:"expires_in"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	decodeErr := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body)
	switch {
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		// RFC 6749 §5.2: invalid_grant, invalid_client… all mean the key is
		// not accepted.
		return "", fmt.Errorf("stt: %w: OAuth token exchange for %s: %s: %s", ErrUnauthorized, ts.account.ClientEmail, body.Error, body.ErrorDescription)
	case resp.StatusCode != http.StatusOK:
		return "", nevermind.RemoteError("stt", resp.StatusCode, fmt.Errorf("OAuth token exchange: HTTP %d %s", resp.StatusCode, body.Error))
	case decodeErr != nil || body.AccessToken == "":
		return "", fmt.Errorf("stt: %w: OAuth token response has no access_token", ErrUnavailable)
	}
	ts.access = body.AccessToken
	ts.expires = now.Add(time.Duration(body.ExpiresIn)*time.Second - time.Minute)
	return ts.access, nil
}
