package stt_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/stt/stttest"
)

// newWhisper starts a fake Whisper that accepts the key "sk-test", only
// Korean and English, and hears one word per voiced region of the audio it
// receives (stt.VoicedRegions). Like Whisper, it "hears" a stock subtitle
// phrase in 2 s or more of trailing silence, flagged by a high no_speech_prob
// and a low log-probability. It returns the server and a client of it that
// retries with millisecond backoff.
func newWhisper(t *testing.T, cfg stt.OpenAIConfig) (*stttest.Server, *stt.OpenAI) {
	t.Helper()
	var pieces atomic.Int64
	f := stttest.NewServer("sk-test", func(r stttest.Request) (stttest.Reply, error) {
		if r.Language != "" && r.Language != "ko" && r.Language != "en" {
			return stttest.Reply{}, fmt.Errorf("Language '%s' is not supported.", r.Language)
		}
		regions := stt.VoicedRegions(r.Audio)
		rep := stttest.Reply{Language: "korean", Text: fmt.Sprintf("piece %d has %d words", pieces.Add(1), len(regions))}
		for i, reg := range regions {
			rep.Words = append(rep.Words, nevermind.Word{Text: fmt.Sprintf("w%d", i), Start: reg[0], End: reg[1]})
		}
		speechEnd := 0.0
		if len(regions) > 0 {
			speechEnd = regions[len(regions)-1][1]
		}
		rep.Segments = []stttest.Segment{{Text: rep.Text, End: speechEnd, AvgLogprob: math.Log(0.8), NoSpeechProb: 0.01}}
		if r.Audio.Duration()-speechEnd >= 2 {
			const phantom = "시청해 주셔서 감사합니다."
			rep.Segments = append(rep.Segments, stttest.Segment{Text: phantom, Start: speechEnd, End: r.Audio.Duration(), AvgLogprob: -1.4, NoSpeechProb: 0.92})
			rep.Words = append(rep.Words, nevermind.Word{Text: "시청해", Start: speechEnd + 0.5, End: speechEnd + 1})
			rep.Text += " " + phantom
		}
		return rep, nil
	})
	t.Cleanup(f.Close)
	if cfg.APIKey == "" {
		cfg.APIKey = "sk-test"
	}
	cfg.BaseURL = f.URL // no path: stt.NewOpenAI appends /v1
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = stt.FastRetryClient()
	}
	tr, err := stt.NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f, tr
}

func TestOpenAIWordTimingsAndRequestShape(t *testing.T) {
	audio := stt.Speech(t, "ko", "안녕하세요 저는 백엔드 개발자입니다", 20)
	f, tr := newWhisper(t, stt.OpenAIConfig{})
	got, err := tr.Transcribe(context.Background(), audio, stt.Options{Language: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Requests()) != 1 {
		t.Fatalf("%d uploads, want 1", len(f.Requests()))
	}
	req := f.Requests()[0]
	if req.Model != "whisper-1" || req.ResponseFormat != "verbose_json" || req.Language != "ko" || req.Prompt != stt.PromptKorean {
		t.Errorf("request = model %q format %q language %q prompt %q", req.Model, req.ResponseFormat, req.Language, req.Prompt)
	}
	if strings.Join(req.TimestampGranularities, ",") != "word,segment" {
		t.Errorf("timestamp_granularities[] = %v, want word and segment", req.TimestampGranularities)
	}
	if req.Audio.SampleRate != 16000 || len(req.Audio.Samples) != len(audio.Samples) {
		t.Fatalf("uploaded %d samples at %d Hz, want %d at 16000", len(req.Audio.Samples), req.Audio.SampleRate, len(audio.Samples))
	}
	for i := range audio.Samples {
		if d := math.Abs(float64(req.Audio.Samples[i] - audio.Samples[i])); d > 1.0/32767 {
			t.Fatalf("sample %d round-trips as %v, want %v", i, req.Audio.Samples[i], audio.Samples[i])
		}
	}
	want := stt.VoicedRegions(audio)
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

// stt.Audio above the upload limit is cut at pauses: no voiced region may be cut
// in two, every piece respects the limit, and the stitched word timings land
// on the same regions the full recording has.
func TestOpenAISplitsAtPausesAndStitchesTimings(t *testing.T) {
	audio := stt.Speech(t, "en", "Tell me about a project where you improved performance. "+
		"I reduced the latency of our search service by forty percent. "+
		"First I profiled the slow queries, then I added an index and a cache.", 30)
	limit := 44 + 2*int(3.0*16000) // 3 s per upload
	f, tr := newWhisper(t, stt.OpenAIConfig{MaxUploadBytes: limit})
	got, err := tr.Transcribe(context.Background(), audio, stt.Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Requests()) < 3 {
		t.Fatalf("%.1f s of audio went up in %d pieces, want ≥ 3", audio.Duration(), len(f.Requests()))
	}
	total := 0
	for i, r := range f.Requests() {
		if r.WAVBytes > limit {
			t.Errorf("piece %d is %d bytes, over the %d limit", i, r.WAVBytes, limit)
		}
		total += len(r.Audio.Samples)
	}
	if total != len(audio.Samples) {
		t.Fatalf("pieces hold %d samples, want all %d", total, len(audio.Samples))
	}
	want := stt.VoicedRegions(audio)
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
	if got.Duration != audio.Duration() || len(got.Segments) != len(f.Requests()) {
		t.Errorf("duration %v (want %v), %d segments (want %d)", got.Duration, audio.Duration(), len(got.Segments), len(f.Requests()))
	}
	if got.Segments[1].Start <= 0 {
		t.Errorf("second segment starts at %v, want its piece's offset", got.Segments[1].Start)
	}
}

func TestOpenAIPrompts(t *testing.T) {
	audio := stt.Audio{Samples: make([]float32, 1600), SampleRate: 16000}
	cases := []struct {
		opts stt.Options
		want string
	}{
		{stt.Options{Language: "ko"}, stt.PromptKorean},
		{stt.Options{Language: "ko-KR"}, stt.PromptKorean},
		{stt.Options{Language: "EN"}, stt.PromptEnglish},
		{stt.Options{Language: "auto"}, stt.PromptAuto},
		{stt.Options{}, stt.PromptAuto},
		{stt.Options{Language: "en", Prompt: "Kubernetes, gRPC"}, "Kubernetes, gRPC"},
		{stt.Options{Language: "en", NoPrompt: true}, ""},
	}
	for _, c := range cases {
		f, tr := newWhisper(t, stt.OpenAIConfig{})
		if _, err := tr.Transcribe(context.Background(), audio, c.opts); err != nil {
			t.Fatal(err)
		}
		if got := f.Requests()[0].Prompt; got != c.want {
			t.Errorf("%+v: prompt %q, want %q", c.opts, got, c.want)
		}
		if len([]rune(c.want)) > 32 {
			t.Errorf("prompt %q is over 32 characters", c.want)
		}
	}
}

func TestOpenAIGPT4oTranscribeUsesPlainJSON(t *testing.T) {
	audio := stt.Audio{Samples: make([]float32, 16000), SampleRate: 16000}
	f, tr := newWhisper(t, stt.OpenAIConfig{Model: "gpt-4o-transcribe"})
	got, err := tr.Transcribe(context.Background(), audio, stt.Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Requests()[0].ResponseFormat != "json" || len(f.Requests()[0].TimestampGranularities) != 0 {
		t.Errorf("format %q granularities %v, want json and none", f.Requests()[0].ResponseFormat, f.Requests()[0].TimestampGranularities)
	}
	if len(got.Words) != 0 || len(got.Segments) != 1 || got.Segments[0].End != 1 || got.Language != "en" {
		t.Errorf("got %+v", got)
	}
}

func TestOpenAIErrors(t *testing.T) {
	audio := stt.Audio{Samples: make([]float32, 1600), SampleRate: 16000}
	ctx := context.Background()

	_, tr := newWhisper(t, stt.OpenAIConfig{APIKey: "sk-wrong"})
	_, err := tr.Transcribe(ctx, audio, stt.Options{})
	if !errors.Is(err, stt.ErrUnauthorized) || !strings.Contains(err.Error(), "Incorrect API key") {
		t.Errorf("wrong key: %v, want stt.ErrUnauthorized with the server's message", err)
	}

	_, tr = newWhisper(t, stt.OpenAIConfig{})
	_, err = tr.Transcribe(ctx, audio, stt.Options{Language: "xx"})
	if !errors.Is(err, stt.ErrBadRequest) || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("bad language: %v, want stt.ErrBadRequest", err)
	}

	f, tr := newWhisper(t, stt.OpenAIConfig{})
	f.FailNext(429, 503, 500)
	if _, err = tr.Transcribe(ctx, audio, stt.Options{}); err != nil {
		t.Errorf("after 429, 503, 500: %v, want success on the 4th attempt", err)
	}

	f, tr = newWhisper(t, stt.OpenAIConfig{})
	f.FailNext(429, 429, 429, 429, 429)
	if _, err = tr.Transcribe(ctx, audio, stt.Options{}); !errors.Is(err, stt.ErrRateLimited) {
		t.Errorf("persistent 429: %v, want stt.ErrRateLimited", err)
	}

	f, tr = newWhisper(t, stt.OpenAIConfig{})
	f.FailNext(502, 502, 502, 502)
	if _, err = tr.Transcribe(ctx, audio, stt.Options{}); !errors.Is(err, stt.ErrUnavailable) {
		t.Errorf("persistent 502: %v, want stt.ErrUnavailable", err)
	}

	if _, err = tr.Transcribe(ctx, stt.Audio{SampleRate: 16000}, stt.Options{}); !errors.Is(err, stt.ErrNoAudio) {
		t.Errorf("empty audio: %v, want stt.ErrNoAudio", err)
	}
	if _, err = stt.NewOpenAI(stt.OpenAIConfig{}); !errors.Is(err, stt.ErrConfig) {
		t.Errorf("no key: %v, want stt.ErrConfig", err)
	}
	if _, err = stt.NewOpenAI(stt.OpenAIConfig{APIKey: "k", BaseURL: "ftp://x"}); !errors.Is(err, stt.ErrConfig) {
		t.Errorf("bad base URL: %v, want stt.ErrConfig", err)
	}
}

func TestOpenAITimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	client := stt.FastRetryClient()
	client.Timeout = 100 * time.Millisecond
	tr, err := stt.NewOpenAI(stt.OpenAIConfig{APIKey: "k", BaseURL: srv.URL + "/v1", HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Transcribe(context.Background(), stt.Audio{Samples: make([]float32, 160), SampleRate: 16000}, stt.Options{})
	if !errors.Is(err, stt.ErrUnavailable) {
		t.Fatalf("hung server: %v, want stt.ErrUnavailable after the client timeout", err)
	}
}

// Whisper's silence hallucinations are dropped by its own no-speech test.
func TestOpenAIDropsSilenceHallucination(t *testing.T) {
	audio := stt.Speech(t, "ko", "네 그렇습니다", 10)
	audio.Samples = append(audio.Samples, make([]float32, 3*16000)...)
	_, tr := newWhisper(t, stt.OpenAIConfig{})
	got, err := tr.Transcribe(context.Background(), audio, stt.Options{Language: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(got.Text, "시청") || len(got.Segments) != 1 || len(got.Words) != len(stt.VoicedRegions(audio)) {
		t.Fatalf("hallucination kept: text %q, %d segments, %d words", got.Text, len(got.Segments), len(got.Words))
	}
	if !strings.HasPrefix(got.Text, "piece 1") {
		t.Errorf("real speech lost: %q", got.Text)
	}
}
