package praat

import (
	"fmt"
	"math"
)

// Intensity is an intensity contour in dB re 2·10⁻⁵ Pa: value i (0-based)
// belongs to time X1 + i*Dx.
type Intensity struct {
	X1, Dx float64   // time of the first frame and time step, s
	Values []float64 // dB; digitally silent frames are exactly -300, as in Praat
}

// FrameTime is the centre time of frame i (0-based).
func (in *Intensity) FrameTime(i int) float64 { return in.X1 + float64(i)*in.Dx }

// ToIntensity is Praat's "Sound: To Intensity...": the signal is squared and
// averaged under a Kaiser-20 window 6.4/minimumPitch long (effective length
// 3.2/minimumPitch). A zero timeStep means Praat's automatic 0.8/minimumPitch.
// subtractMean removes each window's DC before squaring (Praat's default).
func ToIntensity(s *Sound, minimumPitch, timeStep float64, subtractMean bool) (*Intensity, error) {
	if !(minimumPitch > 0) || timeStep < 0 || math.IsNaN(timeStep) {
		return nil, fmt.Errorf("%w: minimum pitch %g Hz, time step %g s", ErrBadInput, minimumPitch, timeStep)
	}
	logicalWindow := 3.2 / minimumPitch
	if timeStep == 0 {
		timeStep = logicalWindow / 4
	}
	physicalWindow := 2 * logicalWindow
	halfWindow := 0.5 * physicalWindow
	dx := s.dx()
	halfSamples := int(math.Floor(halfWindow / dx))
	windowSamples := 2*halfSamples + 1
	window := make([]float64, windowSamples)
	centre := halfSamples + 1
	for i := 1; i <= windowSamples; i++ {
		x := float64(i-centre) * dx / halfWindow
		root := math.Sqrt(max(0, 1-x*x))
		window[i-1] = besselI0((2*math.Pi*math.Pi + 0.5) * root)
	}
	nFrames, t1, err := s.shortTermAnalysis(physicalWindow, timeStep)
	if err != nil {
		return nil, fmt.Errorf("intensity needs at least 6.4 periods of %g Hz: %w", minimumPitch, err)
	}
	out := &Intensity{X1: t1, Dx: timeStep, Values: make([]float64, nFrames)}
	fullSumw := total(window)
	ax := s.axis()
	nx := len(s.Samples)
	for f := range nFrames {
		mid := out.FrameTime(f)
		c := ax.xToNearestIndex(mid)
		left := max(1, c-halfSamples)
		right := min(nx, c+halfSamples)
		part := s.Samples[left-1 : right]
		w := window[left-c+halfSamples : right-c+halfSamples+1]
		mean := 0.0
		if subtractMean {
			mean = total(part) / float64(len(part))
		}
		sumxw, sumw := weightedSquares(part, w, mean), fullSumw
		if len(part) != windowSamples {
			sumw = total(w)
		}
		const hearingThreshold2 = 2e-5 * 2e-5
		rel := sumxw / sumw / hearingThreshold2
		if rel < 1e-30 {
			out.Values[f] = -300
		} else {
			out.Values[f] = 10 * math.Log10(rel)
		}
	}
	return out, nil
}

// besselI0 is the polynomial approximation of the modified Bessel function
// I0 (Abramowitz & Stegun 9.8.1–2) that Praat's NUMbessel_i0_f uses for the
// Kaiser window; using the same approximation keeps the window identical.
func besselI0(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if x < 3.75 {
		t := x / 3.75
		t *= t
		return 1 + t*(3.5156229+t*(3.0899424+t*(1.2067492+t*(0.2659732+t*(0.0360768+t*0.0045813)))))
	}
	t := 3.75 / x
	return math.Exp(x) / math.Sqrt(x) * (0.39894228 + t*(0.01328592+t*(0.00225319+t*(-0.00157565+t*(0.00916281+t*(-0.02057706+t*(0.02635537+t*(-0.01647633+t*0.00392377))))))))
}

// total is the sum of x, with partial sums (four in Go, sixteen with AVX2)
// so that the additions do not wait on each other (the result differs from
// a serial sum by rounding).
func total(x []float64) float64 {
	if useAVX2 && len(x) >= 16 {
		return sumAVX2(&x[0], len(x))
	}
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// weightedSquares is Σ (x[k] − mean)²·w[k], with partial sums like total.
func weightedSquares(x, w []float64, mean float64) float64 {
	w = w[:len(x)]
	if useAVX2 && len(x) >= 16 {
		return weightedSquaresAVX2(&x[0], &w[0], len(x), mean)
	}
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		d0, d1, d2, d3 := x[i]-mean, x[i+1]-mean, x[i+2]-mean, x[i+3]-mean
		s0 += d0 * d0 * w[i]
		s1 += d1 * d1 * w[i+1]
		s2 += d2 * d2 * w[i+2]
		s3 += d3 * d3 * w[i+3]
	}
	for ; i < len(x); i++ {
		d := x[i] - mean
		s0 += d * d * w[i]
	}
	return (s0 + s1) + (s2 + s3)
}
