package vocal

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/nevermind-ai/nevermind"
)

// fuzzPCM turns fuzz bytes into a recording: pattern is tiled to the
// requested duration, read as 16-bit samples (always in [-1, 1]) or, when
// rawFloats is set, as raw float32 bits (NaN, infinities, huge values).
func fuzzPCM(pattern []byte, rate, centis int, rawFloats bool) []float32 {
	n := rate * centis / 100
	pcm := make([]float32, n)
	if len(pattern) < 4 {
		return pcm // digital silence
	}
	for i := range pcm {
		if rawFloats {
			off := (4 * i) % (len(pattern) - 3)
			pcm[i] = math.Float32frombits(binary.LittleEndian.Uint32(pattern[off:]))
		} else {
			off := (2 * i) % (len(pattern) - 1)
			pcm[i] = float32(int16(binary.LittleEndian.Uint16(pattern[off:]))) / 32768
		}
	}
	return pcm
}

// FuzzAnalyze feeds Analyze arbitrary audio, sample rates and word timings:
// it must return a report or one of the documented sentinel errors, never
// panic, and a report must encode as JSON (so it holds no NaN or infinity)
// with every metric score in 0..100.
//
// Run it with
//
//	go test -run '^$' -fuzz FuzzAnalyze -fuzztime 10m -parallel 1 ./vocal
func FuzzAnalyze(f *testing.F) {
	tone := make([]byte, 2*160)
	for i := range 160 {
		v := int16(12000 * math.Sin(2*math.Pi*float64(i)/160*3))
		binary.LittleEndian.PutUint16(tone[2*i:], uint16(v))
	}
	f.Add(tone, uint16(8000), uint8(150), false, "ko", "음", 0.2, 0.6)
	f.Add(tone, uint16(0), uint8(50), false, "en", "um", 0.1, 0.3)
	f.Add([]byte{0, 0, 0, 0}, uint16(40000), uint8(30), false, "", "", 0.0, 0.0)
	f.Add([]byte{0, 0, 0xc0, 0x7f, 0, 0, 0x80, 0x7f}, uint16(8000), uint8(100), true, "ko", "어", 0.5, 0.4)
	f.Add([]byte{0xff, 0xff, 0x7f, 0x7f, 0, 0, 0, 0}, uint16(100), uint8(200), true, "en", "like", -1.0, 2.0)
	f.Fuzz(func(t *testing.T, pattern []byte, rateOffset uint16, centis uint8, rawFloats bool, lang, word string, start, end float64) {
		// Rates below MinSampleRate are tried too (rateOffset wraps), and
		// durations around MinDuration; the upper bounds keep one execution
		// under a second.
		rate := 6000 + int(rateOffset)%42001
		pcm := fuzzPCM(pattern, rate, int(centis)%201, rawFloats)
		opts := Options{Language: lang, Series: centis%2 == 0}
		if word != "" {
			opts.Words = []nevermind.Word{{Text: word, Start: start, End: end}}
		}
		r, err := Analyze(context.Background(), pcm, rate, opts)
		if err != nil {
			if !errors.Is(err, ErrTooShort) && !errors.Is(err, ErrSampleRate) && !errors.Is(err, ErrInvalidAudio) && !errors.Is(err, ErrInvalidWords) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if rate < MinSampleRate {
			t.Fatalf("accepted %d Hz", rate)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("report does not encode: %v", err)
		}
		if r.TotalScore < 0 || r.TotalScore > 100 {
			t.Fatalf("total score %d", r.TotalScore)
		}
		for _, m := range r.Metrics {
			if m.Score < 0 || m.Score > 100 {
				t.Fatalf("%s score %d", m.ID, m.Score)
			}
		}
	})
}
