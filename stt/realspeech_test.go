package stt

import (
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// libriVox loads the LibriVox recordings shipped by Debian's
// pocketsphinx-testdata (public domain, 16 kHz mono 16-bit) and joins them
// into one recording of real, continuous read speech (about 25 s).
func libriVox(t testing.TB) Audio {
	t.Helper()
	files, _ := filepath.Glob("/usr/share/pocketsphinx/test/data/librivox/*.wav")
	if len(files) == 0 {
		t.Skip("pocketsphinx-testdata not installed (apt-get install pocketsphinx-testdata); skipping real-speech test")
	}
	sort.Strings(files)
	all := Audio{SampleRate: 16000}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := decodeWAV(data)
		if err != nil || a.SampleRate != 16000 {
			t.Fatalf("%s: %v (rate %d)", f, err, a.SampleRate)
		}
		all.Samples = append(all.Samples, a.Samples...)
	}
	return all
}

func frameRMS(s []float32, centre, half int) float64 {
	from, to := max(centre-half, 0), min(centre+half, len(s))
	var e float64
	for _, v := range s[from:to] {
		e += float64(v) * float64(v)
	}
	return math.Sqrt(e / float64(max(to-from, 1)))
}

// On real read speech each cut must land at (about) the quietest point its
// search window offers — within 6 dB of the quietest 20 ms frame there — and
// cuts must hit speech far less often than cutting blindly at the limit.
func TestSplitRealSpeechCutsInQuietStretches(t *testing.T) {
	audio := libriVox(t)
	var levels []float64
	for pos := 0; pos+320 <= len(audio.Samples); pos += 320 {
		levels = append(levels, frameRMS(audio.Samples, pos+160, 160))
	}
	sort.Float64s(levels)
	loud := levels[len(levels)*9/10]

	limit := 4 * 16000
	pieces := splitAtPauses(audio, limit)
	if len(pieces) < 6 {
		t.Fatalf("%.1f s split into %d pieces, want ≥ 6", audio.Duration(), len(pieces))
	}
	cutsInSpeech, blindInSpeech := 0, 0
	for i, p := range pieces[1:] {
		cut := int(math.Round(p.Offset * 16000))
		level := frameRMS(audio.Samples, cut, 160)
		prevStart := int(math.Round(pieces[i].Offset * 16000))
		quietest := math.Inf(1)
		for pos := prevStart + limit*7/10; pos+320 <= prevStart+limit; pos += 320 {
			quietest = min(quietest, frameRMS(audio.Samples, pos+160, 160))
		}
		if level > 2*quietest+1e-4 {
			t.Errorf("cut %d at %.2f s: level %.4f, but the window had a frame at %.4f", i+1, p.Offset, level, quietest)
		}
		if level > loud/10 {
			cutsInSpeech++
		}
		if blind := (i + 1) * limit; blind < len(audio.Samples) && frameRMS(audio.Samples, blind, 160) > loud/10 {
			blindInSpeech++
		}
	}
	t.Logf("%d cuts: %d above a tenth of the loud level (%.3f); blind cuts every 4 s: %d", len(pieces)-1, cutsInSpeech, loud, blindInSpeech)
	if cutsInSpeech*3 > blindInSpeech {
		t.Errorf("%d cuts in speech vs %d for blind cutting, want at most a third", cutsInSpeech, blindInSpeech)
	}
}
