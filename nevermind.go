package nevermind

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Interval is a stretch of time in seconds from the start of the recording, such as a
// stretch of speech, a pause or the calibration stretch.
type Interval struct {
	Start float64 `json:"start"` // s
	End   float64 `json:"end"`   // s
}

// ErrBadInterval is returned for an interval that is not a finite span from a non-negative
// start to a later end, or a text that is not one.
var ErrBadInterval = errors.New("an interval is two times in seconds, START-END, with 0 ≤ START < END")

// ParseInterval reads "START-END" in seconds ("2-5", "1.5-4"), the form of
// `nevermind analyze --calibrate` and of the server's calibration field.
func ParseInterval(s string) (Interval, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Interval{}, fmt.Errorf("%w: %q", ErrBadInterval, s)
	}
	start, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	end, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	iv := Interval{start, end}
	if err1 != nil || err2 != nil || iv.Check() != nil {
		return Interval{}, fmt.Errorf("%w: %q", ErrBadInterval, s)
	}
	return iv, nil
}

// Check returns ErrBadInterval unless 0 ≤ Start < End, both finite.
func (iv Interval) Check() error {
	if !(iv.Start >= 0 && iv.End > iv.Start) || math.IsInf(iv.End, 0) {
		return fmt.Errorf("%w: %v–%v", ErrBadInterval, iv.Start, iv.End)
	}
	return nil
}

// Duration is the interval's length in seconds.
func (iv Interval) Duration() float64 { return iv.End - iv.Start }

// Moment is a stretch of the answer worth feedback, as one analysis found it: vocal's
// pauses and pace, vision's look-aways and posture alerts. The feedback package merges the
// moments of every analysis into one timeline.
type Moment struct {
	Start    float64            `json:"start"`    // s
	End      float64            `json:"end"`      // s
	Kind     string             `json:"kind"`     // what happened, e.g. long_pause, look_away (each analysis documents its kinds)
	Evidence map[string]float64 `json:"evidence"` // the numbers behind the moment, by name
}

// Word is one transcript word with its timing, as speech-to-text returns it and the voice
// analysis counts fillers in it. Confidence is in [0, 1]; recognisers that report none
// (Whisper gives no per-word score) leave it 0.
type Word struct {
	Text       string  `json:"text"`                 // the word as transcribed
	Start      float64 `json:"start"`                // s
	End        float64 `json:"end"`                  // s
	Confidence float64 `json:"confidence,omitempty"` // 0 when the recogniser gives none
}

// Part names one analysis of a recording. The names are also the keys under which
// `nevermind analyze --json` prints the reports and the failures, and the "modality" of the
// feedback's metrics and timeline reasons.
type Part string

// The analyses of a recording, in the order feedback lists them.
const (
	Voice      Part = "voice"      // the voice: package vocal
	Vision     Part = "vision"     // the face, gaze, expression and posture: package vision
	Transcript Part = "transcript" // the words: package stt
	Content    Part = "content"    // the answer's content: package questions
	// Feedback is the summary merged from the others (package feedback).
	Feedback Part = "feedback"
)

// Failures maps each part that failed to its error; test them with errors.Is against the
// analysing package's sentinels. Its JSON is an object of the errors' texts.
type Failures map[Part]error

// MarshalJSON writes each failure's text under its part, in part order.
func (f Failures) MarshalJSON() ([]byte, error) {
	texts := make(map[Part]string, len(f))
	for p, err := range f {
		if err != nil {
			texts[p] = err.Error()
		}
	}
	return json.Marshal(texts)
}

// UnmarshalJSON reads what MarshalJSON wrote; each text comes back as an error of that
// text (the sentinel it wrapped is not recoverable from JSON).
func (f *Failures) UnmarshalJSON(data []byte) error {
	var texts map[Part]string
	if err := json.Unmarshal(data, &texts); err != nil {
		return err
	}
	*f = make(Failures, len(texts))
	for p, text := range texts {
		(*f)[p] = errors.New(text)
	}
	return nil
}

// Parts lists the failed parts in a stable order.
func (f Failures) Parts() []Part {
	parts := make([]Part, 0, len(f))
	for p := range f {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	return parts
}
