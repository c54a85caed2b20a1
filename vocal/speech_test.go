package vocal

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vocal/internal/testaudio"
)

// speechEdgeTolS is how far a reported speech edge may sit from the true
// one: the 50 Hz intensity contour behind it uses a 64 ms effective window
// and 16 ms frames, so an edge is blurred by up to half a window (about
// 30 ms was observed on the espeak-ng answer below).
const speechEdgeTolS = 0.05

// TestSpeechStretches builds an answer from espeak-ng phrases, each trimmed
// of its own silence by sox, joined by digital silences of known lengths,
// so the true sounding stretches are known by construction: leading and
// trailing silence must be excluded, gaps of 0.4 s and more must split the
// answer, and a 0.12 s gap (shorter than a pause) must not.
func TestSpeechStretches(t *testing.T) {
	testaudio.Need(t, "sox", "espeak-ng")
	dir := t.TempDir()
	phrase := func(name, voice, text string) (string, float64) {
		raw := testaudio.Espeak(t, dir, name, voice, text, 50, 160)
		trimmed := filepath.Join(dir, name+".trim.wav")
		// Cut the synthesiser's own leading and trailing silence (below
		// 0.3 % of full scale) so that the phrase starts and ends where
		// the test says it does.
		testaudio.Run(t, "sox", raw, trimmed, "silence", "1", "0.01", "0.3%", "reverse", "silence", "1", "0.01", "0.3%", "reverse")
		pcm, rate := testaudio.MustReadWAV(t, trimmed)
		return trimmed, float64(len(pcm)) / float64(rate)
	}
	silence := func(s float64) (string, float64) {
		return testaudio.Sox(t, dir, fmt.Sprintf("silence%.2f", s), "trim", "0", fmt.Sprint(s)), s
	}
	type part struct {
		path   string
		dur    float64
		speech bool
	}
	mk := func(p string, d float64, speech bool) part { return part{p, d, speech} }
	pa, da := phrase("a", "en-us", "I would like to explain my last project")
	pb, db := phrase("b", "ko", "저는 팀에서 데이터 분석을 맡았습니다")
	pc, dc := phrase("c", "en-us", "we reduced the delay by half")
	pd, dd := phrase("d", "en-us", "and the users noticed it")
	s1, d1 := silence(0.7)
	s2, d2 := silence(0.4)
	s3, d3 := silence(1.3)
	s4, d4 := silence(0.12)
	s5, d5 := silence(0.9)
	parts := []part{mk(s1, d1, false), mk(pa, da, true), mk(s2, d2, false), mk(pb, db, true), mk(s3, d3, false), mk(pc, dc, true), mk(s4, d4, true), mk(pd, dd, true), mk(s5, d5, false)}
	var want []nevermind.Interval
	var files []string
	t0 := 0.0
	for _, p := range parts {
		files = append(files, p.path)
		if p.speech {
			if k := len(want); k > 0 && want[k-1].End == t0 {
				want[k-1].End = t0 + p.dur
			} else {
				want = append(want, nevermind.Interval{Start: t0, End: t0 + p.dur})
			}
		}
		t0 += p.dur
	}
	answer := testaudio.Concat(t, dir, "answer", files...)
	r := analyzeFile(t, answer, Options{Language: "en"})
	t.Logf("want %v", want)
	t.Logf("got  %v", r.Speech)
	if len(r.Speech) != len(want) {
		t.Fatalf("%d speech stretches, want %d", len(r.Speech), len(want))
	}
	for i, w := range want {
		g := r.Speech[i]
		if math.Abs(g.Start-w.Start) > speechEdgeTolS || math.Abs(g.End-w.End) > speechEdgeTolS {
			t.Errorf("stretch %d is %.2f–%.2f s, want %.2f–%.2f s (±%.2f s)", i, g.Start, g.End, w.Start, w.End, speechEdgeTolS)
		}
	}
	checkSpeechMatchesPauses(t, r)
}

// checkSpeechMatchesPauses checks that the speech stretches and the pause
// statistics describe the same intervals: one pause between two stretches,
// the long ones listed with the same times.
func checkSpeechMatchesPauses(t *testing.T, r *Report) {
	t.Helper()
	if r.Fluency == nil {
		t.Fatal("no fluency section")
	}
	p := r.Fluency.Pauses
	if p.Count != max(len(r.Speech)-1, 0) {
		t.Errorf("%d pauses between %d speech stretches", p.Count, len(r.Speech))
	}
	var long []nevermind.Interval
	for i := 1; i < len(r.Speech); i++ {
		gap := nevermind.Interval{Start: r.Speech[i-1].End, End: r.Speech[i].Start}
		if gap.End-gap.Start < minPauseS-0.01 {
			t.Errorf("stretches %d and %d are only %.2f s apart", i-1, i, gap.End-gap.Start)
		}
		if gap.End-gap.Start >= longPauseS-0.01 {
			long = append(long, gap)
		}
	}
	if fmt.Sprint(long) != fmt.Sprint(p.Long) {
		t.Errorf("long gaps between stretches %v, long pauses %v", long, p.Long)
	}
}

func TestSpeechEmptyWithoutSpeech(t *testing.T) {
	testaudio.Need(t, "sox")
	dir := t.TempDir()
	for _, path := range []string{
		testaudio.Sox(t, dir, "silence", "trim", "0", "3"),
		testaudio.Sox(t, dir, "noise", "synth", "3", "whitenoise", "vol", "0.05"),
	} {
		r := analyzeFile(t, path, Options{})
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Speech) != 0 || !strings.Contains(string(b), `"speech":[]`) {
			t.Errorf("%s: speech %v in a recording without speech (JSON must say \"speech\":[])", filepath.Base(path), r.Speech)
		}
	}
}

func TestSpeechOnReadSpeech(t *testing.T) {
	for _, path := range testaudio.LibriVox(t) {
		r := analyzeFile(t, path, Options{Language: "en"})
		if len(r.Speech) == 0 {
			t.Errorf("%s: no speech stretches", filepath.Base(path))
			continue
		}
		total := 0.0
		for i, s := range r.Speech {
			if s.End <= s.Start || s.Start < 0 || s.End > r.Quality.DurationS+0.01 || (i > 0 && s.Start <= r.Speech[i-1].End) {
				t.Errorf("%s: stretch %d %v is empty, out of the recording or out of order", filepath.Base(path), i, s)
			}
			total += s.End - s.Start
		}
		if math.Abs(total-r.Fluency.PhonationS) > 0.01*float64(len(r.Speech)) {
			t.Errorf("%s: stretches total %.2f s, phonation time %.2f s", filepath.Base(path), total, r.Fluency.PhonationS)
		}
		checkSpeechMatchesPauses(t, r)
	}
}
