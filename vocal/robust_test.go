package vocal

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

// TestAnalyzeOddInputs feeds edge cases through the whole analysis: every
// accepted input must give a report whose JSON has no NaN.
func TestAnalyzeOddInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	gen := func(rate int, seconds float64, f func(t float64) float64) []float32 {
		pcm := make([]float32, int(seconds*float64(rate)))
		for i := range pcm {
			pcm[i] = float32(f(float64(i) / float64(rate)))
		}
		return pcm
	}
	type input struct {
		name string
		pcm  []float32
		rate int
	}
	inputs := []input{
		{"shortest", gen(16000, MinDuration, func(t float64) float64 { return 0.3 * math.Sin(2*math.Pi*120*t) }), 16000},
		{"silence", gen(16000, 2, func(float64) float64 { return 0 }), 16000},
		{"dc offset", gen(16000, 2, func(float64) float64 { return 0.5 }), 16000},
		{"noise", gen(16000, 2, func(float64) float64 { return 0.1 * rng.NormFloat64() }), 16000},
		{"full-scale square", gen(16000, 2, func(t float64) float64 { return math.Copysign(1, math.Sin(2*math.Pi*200*t)) }), 16000},
		{"huge samples", gen(16000, 1, func(t float64) float64 { return 3e38 * math.Sin(2*math.Pi*150*t) }), 16000},
		{"loud then zeros", gen(16000, 2, func(t float64) float64 {
			if t < 1 {
				return math.Copysign(0.9, rng.NormFloat64())
			}
			return 0
		}), 16000},
		{"one click", gen(16000, 2, func(t float64) float64 {
			if t > 1 && t < 1.001 {
				return 0.9
			}
			return 0
		}), 16000},
	}
	// Real speech resampled to other rates, when the test data and sox are
	// installed (the synthetic cases above run everywhere).
	files, _ := filepath.Glob(filepath.Join(testaudio.LibriVoxDir, "*.wav"))
	if _, err := exec.LookPath("sox"); err == nil && len(files) > 1 {
		dir := t.TempDir()
		for _, rate := range []int{8000, 22050, 44100, 48000} {
			out := filepath.Join(dir, fmt.Sprintf("speech%d.wav", rate))
			testaudio.Run(t, "sox", files[1], "-r", fmt.Sprint(rate), out)
			pcm, r := testaudio.MustReadWAV(t, out)
			inputs = append(inputs, input{fmt.Sprintf("speech at %d Hz", rate), pcm, r})
		}
	}
	for _, in := range inputs {
		r, err := Analyze(context.Background(), in.pcm, in.rate, Options{Language: "ko", Series: true, Words: []nevermind.Word{{Text: "음", Start: 0, End: 0.1}}})
		if err != nil {
			t.Errorf("%s: %v", in.name, err)
			continue
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Errorf("%s: %v", in.name, err)
			continue
		}
		if s := string(b); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
			t.Errorf("%s: JSON contains NaN or Inf", in.name)
		}
		t.Logf("%s: total %d, quality %q, %s", in.name, r.TotalScore, r.Quality.Reason, r.Summary)
	}
}
