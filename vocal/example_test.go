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

// Report.Speech says when the candidate was speaking, so that other
// analyses (eye contact while speaking) can look at those times only. Here
// two stretches of tone, 0.3–1.0 s and 1.6–2.4 s, stand in for two phrases
// separated by a 0.6-s pause; the edges come out blurred by the intensity
// window (about 40 ms here).
func ExampleReport_speech() {
	const rate = 16000
	pcm := make([]float32, 3*rate)
	for i := range pcm {
		t := float64(i) / rate
		if (t >= 0.3 && t < 1.0) || (t >= 1.6 && t < 2.4) {
			pcm[i] = float32(0.3*math.Sin(2*math.Pi*150*t) + 0.1*math.Sin(2*math.Pi*300*t))
		}
	}
	report, err := vocal.Analyze(context.Background(), pcm, rate, vocal.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range report.Speech {
		fmt.Printf("speaking %.2f–%.2f s\n", s.Start, s.End)
	}
	// Output:
	// speaking 0.27–1.04 s
	// speaking 1.56–2.44 s
}
