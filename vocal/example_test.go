package vocal_test

import (
	"context"
	"fmt"
	"math"

	"github.com/nevermind-ai/nevermind/vocal"
)

// Two seconds of a steady 150 Hz two-harmonic tone stand in for decoded
// speech here; real callers pass what media.Open decoded.
func ExampleAnalyze() {
	const rate = 16000
	pcm := make([]float32, 2*rate)
	for i := range pcm {
		t := float64(i) / rate
		pcm[i] = float32(0.3*math.Sin(2*math.Pi*150*t) + 0.1*math.Sin(2*math.Pi*300*t))
	}
	report, err := vocal.Analyze(context.Background(), pcm, rate, vocal.Options{Language: "ko"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range report.Metrics {
		fmt.Println(m.ID, m.Label)
	}
	fmt.Println("sufficient:", report.Quality.Sufficient)
	fmt.Printf("voiced: %.1f s\n", report.Quality.VoicedS)
	// Output:
	// tremor 떨림
	// pause 공백
	// tone 억양
	// speed 속도
	// sufficient: true
	// voiced: 2.0 s
}
