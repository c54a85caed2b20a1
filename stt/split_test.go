package stt

import (
	"math"
	"testing"
)

// tone returns n samples of a 200 Hz sine at amplitude amp.
func tone(n int, amp float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = amp * float32(math.Sin(2*math.Pi*200*float64(i)/16000))
	}
	return s
}

// The cut is searched in the last 30 % of the 2 s limit (1.4–2.0 s). A 60 ms
// stop-like closure sits nearer the limit than a 300 ms pause; the cut must
// go into the pause, near its middle.
func TestSplitPrefersLongestPause(t *testing.T) {
	var s []float32
	s = append(s, tone(23200, 0.5)...)      // 0–1.45 s speech
	s = append(s, make([]float32, 4800)...) // 1.45–1.75 s pause
	s = append(s, tone(2400, 0.5)...)       // 1.75–1.9 s speech
	s = append(s, make([]float32, 960)...)  // 1.9–1.96 s closure
	s = append(s, tone(16000, 0.5)...)      // speech to 2.96 s
	pieces := splitAtPauses(Audio{Samples: s, SampleRate: 16000}, 2*16000)
	if len(pieces) != 2 {
		t.Fatalf("%d pieces, want 2", len(pieces))
	}
	if cut := pieces[1].Offset; cut < 1.55 || cut > 1.65 {
		t.Fatalf("cut at %.3f s, want the middle of the 1.45–1.75 s pause", cut)
	}
	if got := len(pieces[0].Samples) + len(pieces[1].Samples); got != len(s) {
		t.Fatalf("pieces hold %d samples, want %d", got, len(s))
	}
}

func TestSplitWithoutPausesStillRespectsLimit(t *testing.T) {
	s := tone(10*16000, 0.5)
	pieces := splitAtPauses(Audio{Samples: s, SampleRate: 16000}, 16000)
	total := 0
	for i, p := range pieces {
		if len(p.Samples) > 16000 || len(p.Samples) == 0 {
			t.Fatalf("piece %d has %d samples", i, len(p.Samples))
		}
		if math.Abs(p.Offset-float64(total)/16000) > 1e-9 {
			t.Fatalf("piece %d offset %v, want %v", i, p.Offset, float64(total)/16000)
		}
		total += len(p.Samples)
	}
	if total != len(s) {
		t.Fatalf("pieces hold %d samples, want %d", total, len(s))
	}
}

func TestEncodeWAVClipsAndRoundTrips(t *testing.T) {
	in := Audio{Samples: []float32{0, 0.5, -0.5, 1, -1, 2, -2}, SampleRate: 16000}
	out, err := decodeWAV(EncodeWAV(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 0.5, -0.5, 1, -1, 1, -1}
	for i, v := range out.Samples {
		if math.Abs(float64(v-want[i])) > 2.0/32768 {
			t.Errorf("sample %d = %v, want %v", i, v, want[i])
		}
	}
	if out.SampleRate != 16000 {
		t.Errorf("rate %d", out.SampleRate)
	}
}
