package vocal

import (
	"math"
	"math/cmplx"

	"github.com/mjibson/go-dsp/fft"
	"github.com/nevermind-ai/nevermind/vocal/praat"
)

// Filled-pause detector thresholds. A hesitation sound ("음…", "어…", "um")
// is a vowel or nasal held with almost no movement: pitch smooth and close
// to a straight line (often gently falling), loudness steady and the
// spectrum (the mouth shape) unchanged for at least 0.3 s. Ordinary
// syllables change their spectrum within 100–200 ms. The values were tuned
// on espeak-ng speech with inserted fillers; precision and recall are in
// benchmarks/vocal/README.md and logged by TestFilledPausePrecisionRecall.
const (
	fpMinDuration   = 0.35 // s
	fpMaxStepSt     = 0.6  // largest F0 change between 10-ms frames, semitones
	fpMaxSlopeSt    = 12.0 // |slope| of the F0 line, semitones per second
	fpMaxResidualSt = 0.35 // SD of F0 around that line, semitones
	fpMaxLoudnessSD = 3.5  // dB
	fpMinStability  = 0.97 // mean cosine similarity of consecutive spectra
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
	w := int(math.Ceil(fpMinDuration / pitch.Dx))
	spec := newSpectra(s, pitch)
	var out []FilledPause
	for i := 0; i < n; {
		if math.IsNaN(st[i]) {
			i++
			continue
		}
		// A run of smoothly voiced frames [i, j).
		j := i + 1
		for j < n && !math.IsNaN(st[j]) && math.Abs(st[j]-st[j-1]) <= fpMaxStepSt {
			j++
		}
		marked := make([]bool, j-i)
		ranges := make([]float64, j-i)
		stabs := make([]float64, j-i)
		for a := i; a+w <= j; a += 2 {
			ts := make([]float64, w)
			for k := range ts {
				ts[k] = pitch.FrameTime(a + k)
			}
			slope, resid := lineFit(ts, st[a:a+w])
			if math.Abs(slope) > fpMaxSlopeSt || resid > fpMaxResidualSt {
				continue
			}
			t0, t1 := ts[0]-pitch.Dx/2, ts[w-1]+pitch.Dx/2
			if loudnessSD(in, t0, t1) > fpMaxLoudnessSD {
				continue
			}
			stab := spec.stability(a, a+w)
			if stab < fpMinStability {
				continue
			}
			lo, hi := st[a], st[a]
			for _, v := range st[a : a+w] {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			for k := a; k < a+w; k++ {
				marked[k-i] = true
				ranges[k-i] = math.Max(ranges[k-i], hi-lo)
				stabs[k-i] = math.Max(stabs[k-i], stab)
			}
		}
		for k := 0; k < len(marked); {
			if !marked[k] {
				k++
				continue
			}
			e := k
			rng, stab := 0.0, 0.0
			for e < len(marked) && marked[e] {
				rng, stab = math.Max(rng, ranges[e]), math.Max(stab, stabs[e])
				e++
			}
			out = append(out, FilledPause{
				Start: roundTo(pitch.FrameTime(i+k)-pitch.Dx/2, 2), End: roundTo(pitch.FrameTime(i+e-1)+pitch.Dx/2, 2),
				PitchRangeSt: roundTo(rng, 2), Stability: roundTo(stab, 3),
			})
			k = e
		}
		i = j
	}
	return out
}

// lineFit returns the least-squares slope of y against x and the SD of the
// residuals.
func lineFit(x, y []float64) (slope, residSD float64) {
	slope = linearSlope(x, y)
	mx, my := mean(x), mean(y)
	ss := 0.0
	for i := range x {
		r := y[i] - (my + slope*(x[i]-mx))
		ss += r * r
	}
	return slope, math.Sqrt(ss / float64(len(x)))
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

// spectra computes, on demand and once per pitch frame, the magnitude
// spectrum (up to 4 kHz) of a 32-ms Hann-windowed frame centred on it. Only
// stretches that already look like a filler by pitch and loudness get here,
// so most of the recording never pays for an FFT.
type spectra struct {
	s      *praat.Sound
	pitch  *praat.Pitch
	size   int
	maxBin int
	win    []float64
	frame  []float64
	memo   map[int][]float64
}

func newSpectra(s *praat.Sound, pitch *praat.Pitch) *spectra {
	size := 1
	for float64(size) < 0.032*s.SampleRate {
		size *= 2
	}
	sp := &spectra{s: s, pitch: pitch, size: size, maxBin: min(size/2, int(4000*float64(size)/s.SampleRate)),
		win: make([]float64, size), frame: make([]float64, size), memo: map[int][]float64{}}
	for i := range sp.win {
		sp.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(size))
	}
	return sp
}

func (sp *spectra) at(k int) []float64 {
	if m, ok := sp.memo[k]; ok {
		return m
	}
	start := int(math.Round(sp.pitch.FrameTime(k)*sp.s.SampleRate)) - sp.size/2
	if start < 0 || start+sp.size > len(sp.s.Samples) {
		sp.memo[k] = nil
		return nil
	}
	for i := range sp.size {
		sp.frame[i] = sp.s.Samples[start+i] * sp.win[i]
	}
	spec := fft.FFTReal(sp.frame)
	mag := make([]float64, sp.maxBin)
	for i := range mag {
		mag[i] = cmplx.Abs(spec[i+1])
	}
	sp.memo[k] = mag
	return mag
}

// stability is the mean cosine similarity between the spectra of
// consecutive frames in [a, b).
func (sp *spectra) stability(a, b int) float64 {
	sum, count := 0.0, 0
	for k := a + 1; k < b; k++ {
		p, q := sp.at(k-1), sp.at(k)
		if p == nil || q == nil {
			continue
		}
		sum += cosine(p, q)
		count++
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
