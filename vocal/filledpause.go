package vocal

import (
	"math"
	"math/cmplx"

	"github.com/mjibson/go-dsp/fft"
	"github.com/nevermind-ai/nevermind/vocal/praat"
)

// Filled-pause detector thresholds. A hesitation sound ("음…", "어…", "um")
// is a vowel or nasal held with almost no movement: pitch nearly flat,
// loudness steady and the spectrum (the mouth shape) unchanged. Ordinary
// syllables change their spectrum within 100–200 ms. The values were tuned
// on espeak-ng speech with inserted fillers; precision and recall are in
// benchmarks/vocal/README.md and logged by TestFilledPausePrecisionRecall.
const (
	fpMinDuration   = 0.30 // s
	fpMaxStepSt     = 0.5  // largest F0 change between 10-ms frames, semitones
	fpMaxRangeSt    = 2.0  // largest F0 range over the stretch, semitones
	fpMaxLoudnessSD = 3.0  // dB
	fpMinStability  = 0.93 // mean cosine similarity of consecutive spectra
)

func detectFilledPauses(s *praat.Sound, pitch *praat.Pitch, in *praat.Intensity) []FilledPause {
	n := pitch.NumFrames()
	st := make([]float64, n)
	for i := range n {
		st[i] = math.NaN()
		if f := pitch.Frequency(i); finite(f) {
			st[i] = 12 * math.Log2(f/100)
		}
	}
	minFrames := int(math.Ceil(fpMinDuration / pitch.Dx))
	var out []FilledPause
	for i := 0; i < n; {
		if math.IsNaN(st[i]) {
			i++
			continue
		}
		lo, hi := st[i], st[i]
		j := i + 1
		for j < n && !math.IsNaN(st[j]) && math.Abs(st[j]-st[j-1]) <= fpMaxStepSt {
			nlo, nhi := math.Min(lo, st[j]), math.Max(hi, st[j])
			if nhi-nlo > fpMaxRangeSt {
				break
			}
			lo, hi = nlo, nhi
			j++
		}
		if j-i < minFrames {
			i++
			continue
		}
		t0 := pitch.FrameTime(i) - pitch.Dx/2
		t1 := pitch.FrameTime(j-1) + pitch.Dx/2
		if loudnessSD(in, t0, t1) <= fpMaxLoudnessSD {
			if stab := spectralStability(s, t0, t1); stab >= fpMinStability {
				out = append(out, FilledPause{Start: roundTo(t0, 2), End: roundTo(t1, 2), PitchRangeSt: roundTo(hi-lo, 2), Stability: roundTo(stab, 3)})
			}
		}
		i = j
	}
	return out
}

func loudnessSD(in *praat.Intensity, t0, t1 float64) float64 {
	var vs []float64
	for i, v := range in.Values {
		if t := in.FrameTime(i); t >= t0 && t <= t1 {
			vs = append(vs, v)
		}
	}
	if len(vs) < 2 {
		return math.Inf(1)
	}
	return std(vs)
}

// spectralStability is the mean cosine similarity between the magnitude
// spectra (up to 4 kHz) of consecutive Hann-windowed frames, 10 ms apart.
func spectralStability(s *praat.Sound, t0, t1 float64) float64 {
	rate := s.SampleRate
	size := 1
	for float64(size) < 0.032*rate {
		size *= 2
	}
	maxBin := min(size/2, int(4000*float64(size)/rate))
	win := make([]float64, size)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(size))
	}
	frame := make([]float64, size)
	var prev []float64
	sum, count := 0.0, 0
	for t := t0 + 0.016; t+0.016 <= t1; t += 0.01 {
		start := int(math.Round(t*rate)) - size/2
		if start < 0 || start+size > len(s.Samples) {
			continue
		}
		for k := range size {
			frame[k] = s.Samples[start+k] * win[k]
		}
		spec := fft.FFTReal(frame)
		mag := make([]float64, maxBin)
		for k := range mag {
			mag[k] = cmplx.Abs(spec[k+1])
		}
		if prev != nil {
			sum += cosine(prev, mag)
			count++
		}
		prev = mag
	}
	if count == 0 {
		return 0
	}
	return sum / float64(count)
}

func cosine(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}
