package praat

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

// corpusDir holds the generated recordings for the whole test binary, so
// that espeak-ng, sox and Praat run once per file rather than once per test.
var (
	corpusDir   string
	corpusOnce  sync.Once
	corpusFiles []string
	refMu       sync.Mutex
	refCache    = map[string]*reference{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "praat-corpus")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	corpusDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// corpus returns the test recordings: LibriVox speech, espeak-ng speech in
// Korean and English at several pitches and rates, and sox tones and
// vowel-like harmonic complexes.
func corpus(t *testing.T) []string {
	t.Helper()
	files := testaudio.LibriVox(t)
	testaudio.Need(t, "espeak-ng", "sox")
	corpusOnce.Do(func() {
		corpusFiles = append(corpusFiles, files...)
		for _, v := range []struct {
			voice, text string
			pitch, rate int
		}{
			{"en-us", "Tell me about a time you had to solve a difficult problem at work, and what you learned from it.", 30, 150},
			{"en-us", "I led a team of five engineers and we shipped the product two weeks early.", 70, 190},
			{"ko", "안녕하세요. 저는 지난 삼 년 동안 백엔드 개발자로 일했습니다.", 40, 160},
			{"ko", "그 프로젝트에서 가장 어려웠던 점은 팀원들과의 일정 조율이었습니다.", 85, 120},
		} {
			name := fmt.Sprintf("espeak-%s-p%d-s%d", v.voice, v.pitch, v.rate)
			corpusFiles = append(corpusFiles, testaudio.Espeak(t, corpusDir, name, v.voice, v.text, v.pitch, v.rate))
		}
		// espeak-ng's own 22 050 Hz output, to exercise another sample rate.
		corpusFiles = append(corpusFiles, filepath.Join(corpusDir, "espeak-ko-p40-s160.raw.wav"))
		corpusFiles = append(corpusFiles,
			testaudio.Sox(t, corpusDir, "tone-sweep", "synth", "2", "sine", "110-330", "vol", "0.5"),
			// A vowel-like source: a 140 Hz sawtooth with 4 Hz vibrato, band-passed around a formant.
			testaudio.Sox(t, corpusDir, "vowel", "synth", "2", "sawtooth", "140", "synth", "2", "sine", "fmod", "4", "vol", "0.4", "bandpass", "700", "300", "pad", "0.3", "0.3"),
			// Silence with a DC offset around a vowel: constant stretches.
			testaudio.Sox(t, corpusDir, "dc-offset", "synth", "1", "sawtooth", "160", "vol", "0.3", "pad", "0.6", "0.6", "dcshift", "0.02"),
		)
	})
	return corpusFiles
}

func loadSound(t *testing.T, path string) *Sound {
	t.Helper()
	pcm, rate := testaudio.MustReadWAV(t, path)
	s, err := NewSound(pcm, rate)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPitchMatchesPraat(t *testing.T) {
	for _, path := range corpus(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ref := praatReference(t, path)
			s := loadSound(t, path)
			p, err := ToPitch(s, DefaultPitchParams(75, 500))
			if err != nil {
				t.Fatal(err)
			}
			if p.NumFrames() != len(ref.pitchF) {
				t.Fatalf("%d frames, Praat has %d", p.NumFrames(), len(ref.pitchF))
			}
			agree, both, close := 0, 0, 0
			for i, want := range ref.pitchF {
				if d := math.Abs(p.FrameTime(i) - ref.pitchT[i]); d > 1e-6 {
					t.Fatalf("frame %d at %.6f s, Praat %.6f s", i, p.FrameTime(i), ref.pitchT[i])
				}
				got := p.Frequency(i)
				if math.IsNaN(got) == math.IsNaN(want) {
					agree++
				}
				if !math.IsNaN(got) && !math.IsNaN(want) {
					both++
					if math.Abs(got-want) <= 0.01*want {
						close++
					}
				}
			}
			n := len(ref.pitchF)
			t.Logf("voicing agreement %d/%d (%.2f%%), F0 within 1%% on %d/%d frames voiced in both", agree, n, 100*float64(agree)/float64(n), close, both)
			if float64(agree) < 0.97*float64(n) {
				t.Errorf("voicing decisions agree on %.2f%% of frames, want ≥ 97%%", 100*float64(agree)/float64(n))
			}
			if both > 0 && float64(close) < 0.99*float64(both) {
				t.Errorf("F0 within 1%% on %.2f%% of frames voiced in both, want ≥ 99%%", 100*float64(close)/float64(both))
			}
		})
	}
}

func TestPitchCCMatchesPraat(t *testing.T) {
	for _, path := range corpus(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ref := praatReference(t, path)
			params := DefaultPitchParams(75, 600)
			params.Method, params.PeriodsPerWindow = CC, 1
			p, err := ToPitch(loadSound(t, path), params)
			if err != nil {
				t.Fatal(err)
			}
			if p.NumFrames() != len(ref.ccF) {
				t.Fatalf("%d frames, Praat has %d", p.NumFrames(), len(ref.ccF))
			}
			agree, both, close := 0, 0, 0
			for i, want := range ref.ccF {
				if d := math.Abs(p.FrameTime(i) - ref.ccT[i]); d > 1e-6 {
					t.Fatalf("frame %d at %.6f s, Praat %.6f s", i, p.FrameTime(i), ref.ccT[i])
				}
				got := p.Frequency(i)
				if math.IsNaN(got) == math.IsNaN(want) {
					agree++
				}
				if !math.IsNaN(got) && !math.IsNaN(want) {
					both++
					if math.Abs(got-want) <= 0.01*want {
						close++
					}
				}
			}
			n := len(ref.ccF)
			t.Logf("cc: voicing agreement %d/%d, F0 within 1%% on %d/%d", agree, n, close, both)
			if float64(agree) < 0.97*float64(n) || (both > 0 && float64(close) < 0.99*float64(both)) {
				t.Errorf("cc pitch differs from Praat: voicing %d/%d, F0 %d/%d", agree, n, close, both)
			}
		})
	}
}

func TestIntensityMatchesPraat(t *testing.T) {
	for _, path := range corpus(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ref := praatReference(t, path)
			in, err := ToIntensity(loadSound(t, path), 75, 0, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Values) != len(ref.intV) {
				t.Fatalf("%d frames, Praat has %d", len(in.Values), len(ref.intV))
			}
			diffs := make([]float64, len(in.Values))
			for i, want := range ref.intV {
				diffs[i] = math.Abs(in.Values[i] - want)
			}
			sort.Float64s(diffs)
			med, worst := diffs[len(diffs)/2], diffs[len(diffs)-1]
			t.Logf("intensity |Δ| median %.2g dB, max %.2g dB", med, worst)
			if med > 0.1 {
				t.Errorf("median intensity difference %.3f dB, want ≤ 0.1 dB", med)
			}
		})
	}
}

// relClose reports whether got is within tol (relative) of want, treating
// two NaNs as equal.
func relClose(got, want, tol float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

func TestVoiceMeasuresMatchPraat(t *testing.T) {
	for _, path := range corpus(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ref := praatReference(t, path)
			s := loadSound(t, path)
			p, err := ToPitch(s, DefaultPitchParams(75, 500))
			if err != nil {
				t.Fatal(err)
			}
			pp := ToPointProcessCC(s, p)
			h, err := ToHarmonicityCC(s, 0.01, 75, 0.1, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(pp.Times) != len(ref.pulses) {
				t.Errorf("%d glottal pulses, Praat found %d", len(pp.Times), len(ref.pulses))
			} else {
				worst := 0.0
				for i, want := range ref.pulses {
					worst = max(worst, math.Abs(pp.Times[i]-want))
				}
				t.Logf("%d pulses, max |Δt| %.2g s", len(pp.Times), worst)
				if worst > 1e-6 {
					t.Errorf("pulse times differ from Praat's by up to %.3g s", worst)
				}
			}
			if len(h.Values) != len(ref.harmV) {
				t.Fatalf("%d harmonicity frames, Praat has %d", len(h.Values), len(ref.harmV))
			}
			hnrOff := 0
			for i, want := range ref.harmV {
				if math.Abs(h.Values[i]-want) > 0.01*math.Max(1, math.Abs(want)) {
					hnrOff++
				}
			}
			if float64(hnrOff) > 0.01*float64(len(ref.harmV)) {
				t.Errorf("%d of %d harmonicity frames differ from Praat's by more than 1%%", hnrOff, len(ref.harmV))
			}
			bad := 0
			for i := range ref.winT0 {
				t0, t1 := ref.winT0[i], ref.winT1[i]
				j := pp.JitterLocal(t0, t1, 1.0/500, 1.0/75, 1.3)
				sh := pp.ShimmerLocal(s, t0, t1, 1.0/500, 1.0/75, 1.3, 1.6)
				hn := h.Mean(t0, t1)
				ok := relClose(j, ref.jitter[i], 0.05) && relClose(sh, ref.shimmer[i], 0.05) && relClose(hn, ref.hnr[i], 0.05)
				if !ok {
					bad++
					t.Logf("window %.1f–%.1f: jitter %.5f (Praat %.5f), shimmer %.5f (%.5f), HNR %.3f (%.3f)",
						t0, t1, j, ref.jitter[i], sh, ref.shimmer[i], hn, ref.hnr[i])
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d windows differ from Praat by more than 5%%", bad, len(ref.winT0))
			}
		})
	}
}

// TestHarmonicityPruningKeepsWinners checks that refining only the
// candidates that can still win gives the same harmonicity as refining all.
func TestHarmonicityPruningKeepsWinners(t *testing.T) {
	for _, path := range corpus(t) {
		s := loadSound(t, path)
		p := PitchParams{Method: CC, VeryAccurate: true, TimeStep: 0.01, Floor: 75, Ceiling: s.SampleRate / 2,
			PeriodsPerWindow: 1, MaxCandidates: 15, SilenceThreshold: 0.1}
		full, err := ToPitch(s, p)
		if err != nil {
			t.Fatal(err)
		}
		p.winnerOnly = true
		pruned, err := ToPitch(s, p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range full.Frames {
			if a, b := full.Frames[i].Candidates[0], pruned.Frames[i].Candidates[0]; a != b {
				t.Errorf("%s frame %d: pruned winner %+v, full %+v", filepath.Base(path), i, b, a)
			}
		}
	}
}

// TestQuietFramesNeedNoRefinement checks that leaving out the candidates of
// frames too quiet to be voiced changes nothing, for the ac pitch and for
// the harmonicity: every frame is voiced or not as with all candidates
// analysed, and its winner is the same up to rounding (frames share their
// FFT with a different partner when quiet ones are left out, which moves
// the last digits). Frequencies get 1e-5: a rounding-level change can move
// where Brent's search stops by up to its tolerance, ≈ 3e-6 samples, and
// harmonicity candidates lie at lags of only a few samples.
func TestQuietFramesNeedNoRefinement(t *testing.T) {
	for _, path := range corpus(t) {
		s := loadSound(t, path)
		harm := PitchParams{Method: CC, VeryAccurate: true, TimeStep: 0.01, Floor: 75, Ceiling: s.SampleRate / 2,
			PeriodsPerWindow: 1, MaxCandidates: 15, SilenceThreshold: 0.1, winnerOnly: true}
		for _, p := range []PitchParams{DefaultPitchParams(75, 500), harm} {
			fast, err := ToPitch(s, p)
			if err != nil {
				t.Fatal(err)
			}
			p.refineAll = true
			full, err := ToPitch(s, p)
			if err != nil {
				t.Fatal(err)
			}
			for i := range full.Frames {
				a, b := full.Frames[i].Candidates[0], fast.Frames[i].Candidates[0]
				if (a.Frequency == 0) != (b.Frequency == 0) || math.Abs(a.Frequency-b.Frequency) > 1e-5*a.Frequency || math.Abs(a.Strength-b.Strength) > 1e-9 {
					t.Errorf("%s (%v) frame %d: %+v without refining quiet frames, %+v refining all", filepath.Base(path), p.Method, i, b, a)
				}
			}
		}
	}
}
