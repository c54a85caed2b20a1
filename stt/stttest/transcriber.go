package stttest

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/stt"
)

// Transcriber is a scripted [stt.Transcriber]: every call returns Err, or
// else a copy of Transcript, and is recorded. Set the fields before the
// first call; it is safe for concurrent use.
type Transcriber struct {
	// Transcript is what each call returns. A zero Duration is filled in
	// with the duration of the audio the call received.
	Transcript *stt.Transcript
	// Err, when set, is returned instead of a transcript.
	Err error

	mu    sync.Mutex
	calls []Call
}

// Call is one Transcribe call a [Transcriber] received.
type Call struct {
	Audio   stt.Audio
	Options stt.Options
}

// Transcribe implements [stt.Transcriber].
func (s *Transcriber) Transcribe(ctx context.Context, audio stt.Audio, opts stt.Options) (*stt.Transcript, error) {
	s.mu.Lock()
	s.calls = append(s.calls, Call{Audio: audio, Options: opts})
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.Err != nil {
		return nil, s.Err
	}
	t := *s.Transcript
	t.Words, t.Segments = slices.Clone(t.Words), slices.Clone(t.Segments)
	if t.Duration == 0 {
		t.Duration = audio.Duration()
	}
	return &t, nil
}

// Calls returns the calls received so far, oldest first.
func (s *Transcriber) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Spread returns a transcript of text whose words share the stretch from
// start to end seconds evenly, one segment holding them all: what a
// recogniser reports for speech known to lie there.
func Spread(text string, start, end float64) *stt.Transcript {
	fields := strings.Fields(text)
	t := &stt.Transcript{Text: text, Words: []nevermind.Word{}, Segments: []stt.Segment{{Text: text, Start: start, End: end}}}
	step := (end - start) / float64(max(len(fields), 1))
	for i, w := range fields {
		t.Words = append(t.Words, nevermind.Word{Text: w, Start: start + float64(i)*step, End: start + float64(i+1)*step})
	}
	return t
}
