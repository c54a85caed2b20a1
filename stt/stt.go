// Package stt turns interview audio into a transcript with word timings.
//
// A [Transcriber] takes 16 kHz mono PCM as [Audio] (what package
// [github.com/nevermind-ai/nevermind/media] decodes) and returns a
// [Transcript]: the text, the detected language, every word with its start
// and end time, and the recogniser's segments. Two backends speak real cloud
// protocols, and [FromEnv] picks one from the environment:
//
//   - [OpenAI] ([NewOpenAI]): any OpenAI-compatible /v1/audio/transcriptions
//     endpoint (whisper-1, gpt-4o-transcribe, or a local server such as
//     whisper.cpp or faster-whisper-server). Word timestamps come from
//     verbose_json; a short filler-preserving prompt is sent by default so
//     "음", "어", "um" and "uh" survive, because filler metrics need a verbatim
//     transcript ([PromptKorean], [PromptEnglish]).
//   - [Google] ([NewGoogle]): Google Cloud Speech-to-Text v1 REST,
//     synchronous recognize for audio up to 60 s and longrunningrecognize
//     beyond, authenticated with a service-account key (GOOGLE_STT_KEY_PATH,
//     as the original backend) or an API key.
//
// Audio larger than what an endpoint accepts in one request is split at
// pauses (the quietest 20 ms frame near the limit) and the pieces' timings are
// stitched back onto one timeline, so callers never see the limit.
//
// A typical use:
//
//	tr, err := stt.NewOpenAI(stt.OpenAIConfig{APIKey: os.Getenv("OPENAI_API_KEY")})
//	if err != nil { … }
//	t, err := tr.Transcribe(ctx, stt.Audio{Samples: pcm, SampleRate: 16000}, stt.Options{Language: "ko"})
//	if err != nil { … }
//	for _, w := range t.Words {
//		fmt.Printf("%6.2f–%6.2f %s\n", w.Start, w.End, w.Text)
//	}
//
// Backends retry 429 (honouring Retry-After) and transient 5xx responses
// through [httpretry.Transport], and report the failures a caller branches on
// as the sentinel errors below, wrapped with the server's own message.
//
// Package [github.com/nevermind-ai/nevermind/stt/stttest] has what tests of code that
// transcribes need: a scripted [Transcriber] and a fake OpenAI-compatible transcription
// endpoint with scripted failures.
package stt

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/nevermind-ai/nevermind"
)

// Sentinel errors. Backends wrap them with the server's message, so test with
// errors.Is. The five remote-service errors are the module's shared ones
// (package nevermind), so one check covers speech-to-text and the LLM alike.
var (
	// ErrNoAudio means the audio holds no samples or has no sample rate.
	ErrNoAudio = errors.New("stt: no audio")
	// ErrUnauthorized means the credentials were rejected (HTTP 401/403, or
	// an OAuth token exchange that failed).
	ErrUnauthorized = nevermind.ErrUnauthorized
	// ErrBadRequest means the service refused the request as malformed
	// (HTTP 400), for example an unsupported language or model.
	ErrBadRequest = nevermind.ErrBadRequest
	// ErrRateLimited means the service still answered 429 after the retries.
	ErrRateLimited = nevermind.ErrRateLimited
	// ErrUnavailable means the service kept failing with 5xx or could not be
	// reached after the retries.
	ErrUnavailable = nevermind.ErrUnavailable
	// ErrConfig means the backend configuration is incomplete or invalid,
	// such as a missing key or an unreadable key file.
	ErrConfig = nevermind.ErrConfig
)

// SampleRate is the rate the backends are tuned for and the media package
// produces. Other rates are accepted and declared in the upload.
const SampleRate = 16000

// Audio is mono PCM in [-1, 1].
type Audio struct {
	Samples    []float32
	SampleRate int
}

// Duration is the length of the audio in seconds.
func (a Audio) Duration() float64 {
	if a.SampleRate <= 0 {
		return 0
	}
	return float64(len(a.Samples)) / float64(a.SampleRate)
}

func (a Audio) validate() error {
	if len(a.Samples) == 0 || a.SampleRate <= 0 {
		return fmt.Errorf("%w: %d samples at %d Hz", ErrNoAudio, len(a.Samples), a.SampleRate)
	}
	return nil
}

// Options tune one transcription. The zero value detects the language and
// uses the backend's default prompt.
type Options struct {
	// Language is "ko", "en" or another ISO 639-1 code; "" or "auto" lets the
	// backend detect it (Google, which cannot detect, then uses "ko").
	Language string
	// Prompt biases the recogniser (OpenAI backend only). "" means the
	// default filler-preserving prompt for the language; set NoPrompt to send
	// none.
	Prompt string
	// NoPrompt sends no prompt at all, so the recogniser's clean-up of
	// fillers is not countered.
	NoPrompt bool
}

// language is the requested language as ISO 639-1 ("ko-KR" → "ko"), or ""
// to detect it.
func (o Options) language() string {
	l := normaliseLanguage(o.Language)
	if l == "auto" {
		return ""
	}
	return l
}

// Transcript is the recogniser's output on one timeline starting at the
// first sample of the audio. Times are in seconds.
type Transcript struct {
	Text     string           `json:"text"`
	Language string           `json:"language,omitempty"`
	Duration float64          `json:"duration"`
	Words    []nevermind.Word `json:"words"`
	Segments []Segment        `json:"segments"`
}

// Segment is a phrase or result as the recogniser grouped it. Confidence is
// in [0, 1] (for Whisper, exp of the segment's mean token log-probability).
type Segment struct {
	Text       string  `json:"text"`
	Start      float64 `json:"start"`
	End        float64 `json:"end"`
	Confidence float64 `json:"confidence,omitempty"`
}

// Transcriber is implemented by every backend. Implementations are safe for
// concurrent use.
type Transcriber interface {
	Transcribe(ctx context.Context, audio Audio, opts Options) (*Transcript, error)
}

// appendShifted adds part to t with its times moved by offset seconds.
func (t *Transcript) appendShifted(part *Transcript, offset float64) {
	if txt := strings.TrimSpace(part.Text); txt != "" {
		if t.Text != "" {
			t.Text += " "
		}
		t.Text += txt
	}
	if t.Language == "" {
		t.Language = part.Language
	}
	for _, w := range part.Words {
		w.Start += offset
		w.End += offset
		t.Words = append(t.Words, w)
	}
	for _, s := range part.Segments {
		s.Start += offset
		s.End += offset
		t.Segments = append(t.Segments, s)
	}
}

// normaliseLanguage maps what services report ("korean", "ko-KR", "en-us")
// to ISO 639-1.
func normaliseLanguage(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	switch l {
	case "korean":
		return "ko"
	case "english":
		return "en"
	case "japanese":
		return "ja"
	case "chinese":
		return "zh"
	}
	if i := strings.IndexAny(l, "-_"); i > 0 {
		return l[:i]
	}
	return l
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return min(max(x, 0), 1)
}
