package stt

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/internal/httpretry"
	"github.com/nevermind-ai/nevermind/internal/openaierr"
)

// Default filler-preserving prompts. Whisper is trained on cleaned
// transcripts and drops disfluencies unless the prompt shows some; prompts
// longer than about 32 characters make it truncate long audio or hallucinate
// (reported with whisperX, m-bain/whisperX#693), so these stay short.
const (
	PromptKorean  = "음, 어, 그러니까... 네, 그"
	PromptEnglish = "Umm, uh, so, like... you know."
	PromptAuto    = "Um, uh... 음, 어..."
)

// Whisper's own test for a segment that is silence rather than speech: a
// high no-speech probability together with a low mean log-probability. On
// silent stretches Whisper otherwise emits stock phrases from its training
// subtitles ("시청해 주셔서 감사합니다", "Thank you for watching"), which
// would land in the transcript of a quiet candidate.
const (
	noSpeechThreshold   = 0.6
	lowLogprobThreshold = -1.0
)

func inSpans(t float64, spans [][2]float64) bool {
	for _, s := range spans {
		if t >= s[0] && t <= s[1] {
			return true
		}
	}
	return false
}

// DefaultOpenAIUploadLimit is the largest WAV the OpenAI backend uploads in
// one request: OpenAI accepts 25 MB, and the margin leaves room for the
// multipart envelope. At 16 kHz that is about 13 minutes.
const DefaultOpenAIUploadLimit = 24_000_000

// OpenAIConfig configures [NewOpenAI]. Only APIKey is required.
type OpenAIConfig struct {
	// APIKey is sent as a bearer token. Required, since every
	// OpenAI-compatible server checks something; local servers that check
	// nothing accept any non-empty value.
	APIKey string
	// BaseURL is the API root including /v1; "" means
	// https://api.openai.com/v1. A URL with no path gets /v1 appended, so
	// "http://localhost:8000" works for local servers.
	BaseURL string
	// Model is the transcription model; "" means whisper-1. Models named
	// gpt-* (gpt-4o-transcribe…) cannot return verbose_json, so for them the
	// transcript has text and one segment per uploaded piece but no words.
	Model string
	// MaxUploadBytes is the largest WAV sent in one request; longer audio is
	// split at pauses. Zero means DefaultOpenAIUploadLimit.
	MaxUploadBytes int
	// HTTPClient sends the requests. nil means a client with a 5-minute
	// timeout over an [httpretry.Transport] with its defaults.
	HTTPClient *http.Client
}

// OpenAI transcribes with an OpenAI-compatible /audio/transcriptions
// endpoint. Create it with [NewOpenAI]; it is safe for concurrent use.
type OpenAI struct {
	client    *openai.Client
	model     string
	maxUpload int
}

// NewOpenAI returns an OpenAI-compatible transcriber.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, fmt.Errorf("stt: %w: OpenAI API key is empty", ErrConfig)
	}
	base, err := apiBase(cfg.BaseURL, "https://api.openai.com/v1")
	if err != nil {
		return nil, err
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = base
	oc.HTTPClient = cfg.HTTPClient
	if cfg.HTTPClient == nil {
		oc.HTTPClient = &http.Client{Timeout: 5 * time.Minute, Transport: &httpretry.Transport{}}
	}
	model := cfg.Model
	if model == "" {
		model = openai.Whisper1
	}
	limit := cfg.MaxUploadBytes
	if limit <= 0 {
		limit = DefaultOpenAIUploadLimit
	}
	if limit <= 44 {
		return nil, fmt.Errorf("stt: %w: MaxUploadBytes %d cannot hold a WAV header and audio", ErrConfig, limit)
	}
	return &OpenAI{client: openai.NewClientWithConfig(oc), model: model, maxUpload: limit}, nil
}

// apiBase validates a base URL and appends /v1 when it has no path.
func apiBase(raw, def string) (string, error) {
	if raw == "" {
		return def, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("stt: %w: base URL %q is not an http(s) URL", ErrConfig, raw)
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/v1"
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// wordTimestamps reports whether the model can return verbose_json.
func (o *OpenAI) wordTimestamps() bool { return !strings.HasPrefix(o.model, "gpt-") }

// Transcribe implements [Transcriber].
func (o *OpenAI) Transcribe(ctx context.Context, audio Audio, opts Options) (*Transcript, error) {
	if err := audio.validate(); err != nil {
		return nil, err
	}
	maxSamples := (o.maxUpload - 44) / 2
	out := &Transcript{Duration: audio.Duration(), Words: []nevermind.Word{}, Segments: []Segment{}}
	for i, piece := range splitAtPauses(audio, maxSamples) {
		part, err := o.transcribeOne(ctx, piece.Audio, opts)
		if err != nil {
			return nil, fmt.Errorf("stt: transcribing piece %d at %.1f s: %w", i+1, piece.Offset, err)
		}
		out.appendShifted(part, piece.Offset)
	}
	if lang := opts.language(); lang != "" && out.Language == "" {
		out.Language = lang
	}
	return out, nil
}

func (o *OpenAI) transcribeOne(ctx context.Context, audio Audio, opts Options) (*Transcript, error) {
	req := openai.AudioRequest{
		Model:    o.model,
		FilePath: "answer.wav", // only the upload's file name, since Reader is set
		Reader:   bytes.NewReader(EncodeWAV(audio)),
		Language: opts.language(),
		Prompt:   promptFor(opts),
		Format:   openai.AudioResponseFormatJSON,
	}
	if o.wordTimestamps() {
		req.Format = openai.AudioResponseFormatVerboseJSON
		req.TimestampGranularities = []openai.TranscriptionTimestampGranularity{
			openai.TranscriptionTimestampGranularityWord,
			openai.TranscriptionTimestampGranularitySegment,
		}
	}
	resp, err := o.client.CreateTranscription(ctx, req)
	if err != nil {
		return nil, openaierr.Classify(ctx, "stt", err)
	}
	t := &Transcript{Text: strings.TrimSpace(resp.Text), Language: normaliseLanguage(resp.Language)}
	var silent [][2]float64
	var kept []string
	for _, s := range resp.Segments {
		if s.NoSpeechProb > noSpeechThreshold && s.AvgLogprob < lowLogprobThreshold {
			silent = append(silent, [2]float64{s.Start, s.End})
			continue
		}
		kept = append(kept, strings.TrimSpace(s.Text))
		t.Segments = append(t.Segments, Segment{
			Text: strings.TrimSpace(s.Text), Start: s.Start, End: s.End,
			Confidence: clamp01(math.Exp(s.AvgLogprob)),
		})
	}
	if len(silent) > 0 {
		t.Text = strings.Join(kept, " ")
	}
	for _, w := range resp.Words {
		if inSpans((w.Start+w.End)/2, silent) {
			continue
		}
		t.Words = append(t.Words, nevermind.Word{Text: strings.TrimSpace(w.Word), Start: w.Start, End: w.End})
	}
	if len(t.Segments) == 0 && t.Text != "" {
		t.Segments = []Segment{{Text: t.Text, Start: 0, End: audio.Duration()}}
	}
	return t, nil
}

func promptFor(opts Options) string {
	switch {
	case opts.NoPrompt:
		return ""
	case opts.Prompt != "":
		return opts.Prompt
	}
	switch opts.language() {
	case "ko":
		return PromptKorean
	case "en":
		return PromptEnglish
	case "":
		return PromptAuto
	}
	return ""
}
