package stt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeWhisper speaks OpenAI's POST /v1/audio/transcriptions: multipart form
// with file, model, prompt, language, response_format and
// timestamp_granularities[]; replies json or verbose_json, and errors in
// OpenAI's {"error":{message,type,code}} envelope. It checks the upload is a
// valid 16-bit mono WAV and invents one word per voiced region it hears.
type fakeWhisper struct {
	mu       sync.Mutex
	key      string
	failures []int // statuses to answer before succeeding
	requests []whisperRequest
}

type whisperRequest struct {
	Model, Prompt, Language, Format string
	Granularities                   []string
	Audio                           Audio
	Bytes                           int
}

func openAIError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": code}})
}

func (f *fakeWhisper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
		openAIError(w, 404, "invalid_request_error", "unknown_url", "Unknown request URL: "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		openAIError(w, 401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
		return
	}
	f.mu.Lock()
	if len(f.failures) > 0 {
		status := f.failures[0]
		f.failures = f.failures[1:]
		f.mu.Unlock()
		if status == 429 {
			w.Header().Set("Retry-After", "0")
			openAIError(w, 429, "requests", "rate_limit_exceeded", "Rate limit reached for requests")
			return
		}
		openAIError(w, status, "server_error", "", "The server had an error while processing your request.")
		return
	}
	f.mu.Unlock()
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		openAIError(w, 400, "invalid_request_error", "", "Could not parse multipart form")
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		openAIError(w, 400, "invalid_request_error", "", "you must provide a file")
		return
	}
	data, _ := io.ReadAll(file)
	audio, err := decodeWAV(data)
	if err != nil {
		openAIError(w, 400, "invalid_request_error", "", "Invalid file format: "+err.Error())
		return
	}
	req := whisperRequest{
		Model: r.FormValue("model"), Prompt: r.FormValue("prompt"), Language: r.FormValue("language"),
		Format: r.FormValue("response_format"), Granularities: r.MultipartForm.Value["timestamp_granularities[]"],
		Audio: audio, Bytes: len(data),
	}
	if req.Language != "" && req.Language != "ko" && req.Language != "en" {
		openAIError(w, 400, "invalid_request_error", "", "Language '"+req.Language+"' is not supported.")
		return
	}
	if strings.HasPrefix(req.Model, "gpt-") && req.Format == "verbose_json" {
		openAIError(w, 400, "invalid_request_error", "unsupported_value",
			"response_format 'verbose_json' is not compatible with model '"+req.Model+"'. Use 'json' or 'text' instead.")
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	n := len(f.requests)
	f.mu.Unlock()

	regions := voicedRegions(audio)
	text := fmt.Sprintf("piece %d has %d words", n, len(regions))
	w.Header().Set("Content-Type", "application/json")
	if req.Format != "verbose_json" {
		json.NewEncoder(w).Encode(map[string]any{"text": text})
		return
	}
	words := []map[string]any{}
	for i, reg := range regions {
		words = append(words, map[string]any{"word": fmt.Sprintf(" w%d", i), "start": reg[0], "end": reg[1]})
	}
	speechEnd := 0.0
	if len(regions) > 0 {
		speechEnd = regions[len(regions)-1][1]
	}
	segments := []map[string]any{{
		"id": 0, "seek": 0, "start": 0, "end": speechEnd, "text": " " + text, "tokens": []int{1, 2},
		"temperature": 0, "avg_logprob": math.Log(0.8), "compression_ratio": 1.2, "no_speech_prob": 0.01,
	}}
	// Like Whisper, it "hears" a stock subtitle phrase in 2 s or more of
	// trailing silence, flagged by a high no_speech_prob and low log-probability.
	if audio.Duration()-speechEnd >= 2 {
		const phantom = "시청해 주셔서 감사합니다."
		segments = append(segments, map[string]any{
			"id": 1, "seek": 0, "start": speechEnd, "end": audio.Duration(), "text": " " + phantom, "tokens": []int{3},
			"temperature": 0, "avg_logprob": -1.4, "compression_ratio": 0.9, "no_speech_prob": 0.92,
		})
		words = append(words, map[string]any{"word": " 시청해", "start": speechEnd + 0.5, "end": speechEnd + 1})
		text += " " + phantom
	}
	json.NewEncoder(w).Encode(map[string]any{
		"task": "transcribe", "language": "korean", "duration": audio.Duration(), "text": " " + text,
		"words": words, "segments": segments,
	})
}

func newFakeWhisper(t *testing.T, cfg OpenAIConfig) (*fakeWhisper, *OpenAI) {
	t.Helper()
	f := &fakeWhisper{key: "sk-test"}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	if cfg.APIKey == "" {
		cfg.APIKey = "sk-test"
	}
	cfg.BaseURL = srv.URL // no path: NewOpenAI appends /v1
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = fastRetryClient()
	}
	tr, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f, tr
}

func TestOpenAIWordTimingsAndRequestShape(t *testing.T) {
	audio := speech(t, "ko", "안녕하세요 저는 백엔드 개발자입니다", 20)
	f, tr := newFakeWhisper(t, OpenAIConfig{})
	got, err := tr.Transcribe(context.Background(), audio, Options{Language: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.requests) != 1 {
		t.Fatalf("%d uploads, want 1", len(f.requests))
	}
	req := f.requests[0]
	if req.Model != "whisper-1" || req.Format != "verbose_json" || req.Language != "ko" || req.Prompt != PromptKorean {
		t.Errorf("request = model %q format %q language %q prompt %q", req.Model, req.Format, req.Language, req.Prompt)
	}
	if strings.Join(req.Granularities, ",") != "word,segment" {
		t.Errorf("timestamp_granularities[] = %v, want word and segment", req.Granularities)
	}
	if req.Audio.SampleRate != 16000 || len(req.Audio.Samples) != len(audio.Samples) {
		t.Fatalf("uploaded %d samples at %d Hz, want %d at 16000", len(req.Audio.Samples), req.Audio.SampleRate, len(audio.Samples))
	}
	for i := range audio.Samples {
		if d := math.Abs(float64(req.Audio.Samples[i] - audio.Samples[i])); d > 1.0/32767 {
			t.Fatalf("sample %d round-trips as %v, want %v", i, req.Audio.Samples[i], audio.Samples[i])
		}
	}
	want := voicedRegions(audio)
	if len(want) < 3 || len(got.Words) != len(want) {
		t.Fatalf("%d words, want one per voiced region (%d)", len(got.Words), len(want))
	}
	if got.Words[0].Text != "w0" || got.Language != "ko" || got.Segments[0].Confidence < 0.79 || got.Segments[0].Confidence > 0.81 {
		t.Errorf("word %q, language %q, segment confidence %v", got.Words[0].Text, got.Language, got.Segments[0].Confidence)
	}
	if !strings.HasPrefix(got.Text, "piece 1") {
		t.Errorf("text %q", got.Text)
	}
}

// Audio above the upload limit is cut at pauses: no voiced region may be cut
// in two, every piece respects the limit, and the stitched word timings land
// on the same regions the full recording has.
func TestOpenAISplitsAtPausesAndStitchesTimings(t *testing.T) {
	audio := speech(t, "en", "Tell me about a project where you improved performance. "+
		"I reduced the latency of our search service by forty percent. "+
		"First I profiled the slow queries, then I added an index and a cache.", 30)
	limit := 44 + 2*int(3.0*16000) // 3 s per upload
	f, tr := newFakeWhisper(t, OpenAIConfig{MaxUploadBytes: limit})
	got, err := tr.Transcribe(context.Background(), audio, Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.requests) < 3 {
		t.Fatalf("%.1f s of audio went up in %d pieces, want ≥ 3", audio.Duration(), len(f.requests))
	}
	total := 0
	for i, r := range f.requests {
		if r.Bytes > limit {
			t.Errorf("piece %d is %d bytes, over the %d limit", i, r.Bytes, limit)
		}
		total += len(r.Audio.Samples)
	}
	if total != len(audio.Samples) {
		t.Fatalf("pieces hold %d samples, want all %d", total, len(audio.Samples))
	}
	want := voicedRegions(audio)
	if len(got.Words) != len(want) {
		t.Fatalf("stitched %d words, want %d voiced regions: a cut split a word", len(got.Words), len(want))
	}
	for i, w := range got.Words {
		// 20 ms frames on each side of a cut: allow two frames.
		if math.Abs(w.Start-want[i][0]) > 0.041 || math.Abs(w.End-want[i][1]) > 0.041 {
			t.Errorf("word %d at %.3f–%.3f, want %.3f–%.3f", i, w.Start, w.End, want[i][0], want[i][1])
		}
		if i > 0 && w.Start < got.Words[i-1].End {
			t.Errorf("word %d starts before the previous one ends", i)
		}
	}
	if got.Duration != audio.Duration() || len(got.Segments) != len(f.requests) {
		t.Errorf("duration %v (want %v), %d segments (want %d)", got.Duration, audio.Duration(), len(got.Segments), len(f.requests))
	}
	if got.Segments[1].Start <= 0 {
		t.Errorf("second segment starts at %v, want its piece's offset", got.Segments[1].Start)
	}
}

func TestOpenAIPrompts(t *testing.T) {
	audio := Audio{Samples: make([]float32, 1600), SampleRate: 16000}
	cases := []struct {
		opts Options
		want string
	}{
		{Options{Language: "ko"}, PromptKorean},
		{Options{Language: "ko-KR"}, PromptKorean},
		{Options{Language: "EN"}, PromptEnglish},
		{Options{Language: "auto"}, PromptAuto},
		{Options{}, PromptAuto},
		{Options{Language: "en", Prompt: "Kubernetes, gRPC"}, "Kubernetes, gRPC"},
		{Options{Language: "en", NoPrompt: true}, ""},
	}
	for _, c := range cases {
		f, tr := newFakeWhisper(t, OpenAIConfig{})
		if _, err := tr.Transcribe(context.Background(), audio, c.opts); err != nil {
			t.Fatal(err)
		}
		if got := f.requests[0].Prompt; got != c.want {
			t.Errorf("%+v: prompt %q, want %q", c.opts, got, c.want)
		}
		if len([]rune(c.want)) > 32 {
			t.Errorf("prompt %q is over 32 characters", c.want)
		}
	}
}

func TestOpenAIGPT4oTranscribeUsesPlainJSON(t *testing.T) {
	audio := Audio{Samples: make([]float32, 16000), SampleRate: 16000}
	f, tr := newFakeWhisper(t, OpenAIConfig{Model: "gpt-4o-transcribe"})
	got, err := tr.Transcribe(context.Background(), audio, Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if f.requests[0].Format != "json" || len(f.requests[0].Granularities) != 0 {
		t.Errorf("format %q granularities %v, want json and none", f.requests[0].Format, f.requests[0].Granularities)
	}
	if len(got.Words) != 0 || len(got.Segments) != 1 || got.Segments[0].End != 1 || got.Language != "en" {
		t.Errorf("got %+v", got)
	}
}

func TestOpenAIErrors(t *testing.T) {
	audio := Audio{Samples: make([]float32, 1600), SampleRate: 16000}
	ctx := context.Background()

	_, tr := newFakeWhisper(t, OpenAIConfig{APIKey: "sk-wrong"})
	_, err := tr.Transcribe(ctx, audio, Options{})
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "Incorrect API key") {
		t.Errorf("wrong key: %v, want ErrUnauthorized with the server's message", err)
	}

	_, tr = newFakeWhisper(t, OpenAIConfig{})
	_, err = tr.Transcribe(ctx, audio, Options{Language: "xx"})
	if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("bad language: %v, want ErrBadRequest", err)
	}

	f, tr := newFakeWhisper(t, OpenAIConfig{})
	f.failures = []int{429, 503, 500}
	if _, err = tr.Transcribe(ctx, audio, Options{}); err != nil {
		t.Errorf("after 429, 503, 500: %v, want success on the 4th attempt", err)
	}

	f, tr = newFakeWhisper(t, OpenAIConfig{})
	f.failures = []int{429, 429, 429, 429, 429}
	if _, err = tr.Transcribe(ctx, audio, Options{}); !errors.Is(err, ErrRateLimited) {
		t.Errorf("persistent 429: %v, want ErrRateLimited", err)
	}

	f, tr = newFakeWhisper(t, OpenAIConfig{})
	f.failures = []int{502, 502, 502, 502}
	if _, err = tr.Transcribe(ctx, audio, Options{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("persistent 502: %v, want ErrUnavailable", err)
	}

	if _, err = tr.Transcribe(ctx, Audio{SampleRate: 16000}, Options{}); !errors.Is(err, ErrNoAudio) {
		t.Errorf("empty audio: %v, want ErrNoAudio", err)
	}
	if _, err = NewOpenAI(OpenAIConfig{}); !errors.Is(err, ErrConfig) {
		t.Errorf("no key: %v, want ErrConfig", err)
	}
	if _, err = NewOpenAI(OpenAIConfig{APIKey: "k", BaseURL: "ftp://x"}); !errors.Is(err, ErrConfig) {
		t.Errorf("bad base URL: %v, want ErrConfig", err)
	}
}

func TestOpenAITimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	client := fastRetryClient()
	client.Timeout = 100 * time.Millisecond
	tr, err := NewOpenAI(OpenAIConfig{APIKey: "k", BaseURL: srv.URL + "/v1", HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Transcribe(context.Background(), Audio{Samples: make([]float32, 160), SampleRate: 16000}, Options{})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("hung server: %v, want ErrUnavailable after the client timeout", err)
	}
}

// Whisper's silence hallucinations are dropped by its own no-speech test.
func TestOpenAIDropsSilenceHallucination(t *testing.T) {
	audio := speech(t, "ko", "네 그렇습니다", 10)
	audio.Samples = append(audio.Samples, make([]float32, 3*16000)...)
	_, tr := newFakeWhisper(t, OpenAIConfig{})
	got, err := tr.Transcribe(context.Background(), audio, Options{Language: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Text, "시청") || len(got.Segments) != 1 || len(got.Words) != len(voicedRegions(audio)) {
		t.Fatalf("hallucination kept: text %q, %d segments, %d words", got.Text, len(got.Segments), len(got.Words))
	}
	if !strings.HasPrefix(got.Text, "piece 1") {
		t.Errorf("real speech lost: %q", got.Text)
	}
}
