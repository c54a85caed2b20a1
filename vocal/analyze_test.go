package vocal

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

func analyzeFile(t *testing.T, path string, opts Options) *Report {
	t.Helper()
	pcm, rate := testaudio.MustReadWAV(t, path)
	r, err := Analyze(context.Background(), pcm, rate, opts)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

func TestAnalyzeLibriVox(t *testing.T) {
	for _, path := range testaudio.LibriVox(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			r := analyzeFile(t, path, Options{Language: "en", Series: true})
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "NaN") {
				t.Fatalf("report contains NaN: %s", b)
			}
			t.Logf("%s", b[:min(len(b), 1500)])
			ids := []string{"tremor", "pause", "tone", "speed"}
			labels := []string{"떨림", "공백", "억양", "속도"}
			sum := 0
			for i, m := range r.Metrics {
				if m.ID != ids[i] || m.Label != labels[i] {
					t.Errorf("metric %d is %s/%s, want %s/%s", i, m.ID, m.Label, ids[i], labels[i])
				}
				if m.Score < 0 || m.Score > 100 {
					t.Errorf("%s score %d out of range", m.ID, m.Score)
				}
				sum += m.Score
			}
			if want := int(math.RoundToEven(float64(sum) / 4)); r.TotalScore != want {
				t.Errorf("total %d, want round-half-even(mean) = %d", r.TotalScore, want)
			}
			if !r.Quality.Sufficient {
				t.Errorf("clean LibriVox speech failed the quality gate: %s", r.Quality.Message)
			}
			if r.Fluency == nil || r.Fluency.Syllables == 0 {
				t.Fatalf("no syllables found in speech")
			}
			if r.Series == nil || len(r.Series.Pitch) == 0 || len(r.Series.Intensity) == 0 {
				t.Errorf("series missing")
			}
		})
	}
}

func TestAnalyzeRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	second := make([]float32, 16000)
	cases := []struct {
		name string
		pcm  []float32
		rate int
		opts Options
		want error
	}{
		{"low rate", second, 4000, Options{}, ErrSampleRate},
		{"too short", second[:1000], 16000, Options{}, ErrTooShort},
		{"NaN sample", append(append([]float32{}, second[:8000]...), float32(math.NaN())), 16000, Options{}, ErrInvalidAudio},
		{"reversed word", second, 16000, Options{Words: []nevermind.Word{{Text: "음", Start: 0.5, End: 0.2}}}, ErrInvalidWords},
	}
	for _, c := range cases {
		if _, err := Analyze(ctx, c.pcm, c.rate, c.opts); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Analyze(cancelled, second, 16000, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: got %v", err)
	}
}
