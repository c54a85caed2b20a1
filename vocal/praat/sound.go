package praat

import (
	"fmt"
	"math"
)

// Sound is a mono signal in Praat's time convention: the domain is
// [0, len(Samples)/SampleRate] and sample i (0-based) sits at the centre of
// its sampling period, (i+0.5)/SampleRate. Every analysis in this package
// depends on that convention for its frame times, so use NewSound rather than
// building the struct by hand.
type Sound struct {
	Samples    []float64 // amplitude, nominally in [-1, 1] (Pa in Praat's units)
	SampleRate float64   // Hz
}

// NewSound copies mono float32 PCM into a Sound. It fails with ErrBadInput if
// the rate is not positive or the samples contain NaN or infinity.
func NewSound(pcm []float32, sampleRate int) (*Sound, error) {
	if sampleRate <= 0 {
		return nil, fmt.Errorf("%w: sample rate %d Hz is not positive", ErrBadInput, sampleRate)
	}
	s := &Sound{Samples: make([]float64, len(pcm)), SampleRate: float64(sampleRate)}
	for i, v := range pcm {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: sample %d is %v", ErrBadInput, i, f)
		}
		s.Samples[i] = f
	}
	return s, nil
}

// Duration is the length of the sound in seconds.
func (s *Sound) Duration() float64 { return float64(len(s.Samples)) / s.SampleRate }

func (s *Sound) dx() float64 { return 1 / s.SampleRate }
func (s *Sound) x1() float64 { return 0.5 / s.SampleRate }

// at returns sample number i in Praat's 1-based numbering. The algorithms
// below are written against Praat's 1-based index arithmetic (low, high and
// nearest index of a time), which is where off-by-one differences from Praat
// would otherwise creep in; at is the single place that converts.
func (s *Sound) at(i int) float64 { return s.Samples[i-1] }

// sampling describes a regularly sampled time axis in Praat's terms:
// value number i (1-based) lies at time x1 + (i-1)*dx.
type sampling struct {
	x1, dx float64
	n      int
}

func (g sampling) indexToX(i int) float64     { return g.x1 + float64(i-1)*g.dx }
func (g sampling) xToIndex(x float64) float64 { return (x-g.x1)/g.dx + 1 }
func (g sampling) xToLowIndex(x float64) int  { return int(math.Floor((x-g.x1)/g.dx)) + 1 }
func (g sampling) xToHighIndex(x float64) int { return int(math.Ceil((x-g.x1)/g.dx)) + 1 }
func (g sampling) xToNearestIndex(x float64) int {
	return int(math.Floor((x-g.x1)/g.dx+0.5)) + 1
}

// windowSamples returns the 1-based indices of the values whose times lie in
// [xmin, xmax], clipped to the axis, and how many there are.
func (g sampling) windowSamples(xmin, xmax float64) (imin, imax, n int) {
	lo := 1 + math.Ceil((xmin-g.x1)/g.dx)
	hi := 1 + math.Floor((xmax-g.x1)/g.dx)
	imin, imax = 1, g.n
	if lo > 1 {
		imin = int(lo)
	}
	if hi < float64(g.n) {
		imax = int(hi)
	}
	if imin > imax {
		return imin, imax, 0
	}
	return imin, imax, imax - imin + 1
}

func (s *Sound) axis() sampling { return sampling{x1: s.x1(), dx: s.dx(), n: len(s.Samples)} }

// shortTermAnalysis fits as many frames of the given window duration as
// possible, centred, into the sound, as Praat's Sampled_shortTermAnalysis does.
func (s *Sound) shortTermAnalysis(windowDuration, timeStep float64) (numberOfFrames int, firstTime float64, err error) {
	dur := s.dx() * float64(len(s.Samples))
	if windowDuration > dur {
		return 0, 0, fmt.Errorf("%w: %.4f s of sound is shorter than the %.4f s analysis window", ErrTooShort, dur, windowDuration)
	}
	numberOfFrames = int(math.Floor((dur-windowDuration)/timeStep)) + 1
	mid := s.x1() - 0.5*s.dx() + 0.5*dur
	firstTime = mid - 0.5*float64(numberOfFrames)*timeStep + 0.5*timeStep
	return numberOfFrames, firstTime, nil
}
