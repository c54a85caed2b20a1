package praat

import "math"

// Harmonicity is a harmonics-to-noise ratio contour in dB: value i (0-based)
// belongs to time X1 + i*Dx; -200 marks frames Praat considers silent.
type Harmonicity struct {
	X1, Dx float64   // time of the first frame and time step, s
	Values []float64 // dB
}

// ToHarmonicityCC is Praat's "Sound: To Harmonicity (cc)...": a
// cross-correlation pitch analysis with no voicing or octave costs, whose
// best candidate's correlation r becomes 10·log10(r/(1−r)).
// The seed uses timeStep 0.01, minimumPitch 75, silenceThreshold 0.1 and
// periodsPerWindow 1.
func ToHarmonicityCC(s *Sound, timeStep, minimumPitch, silenceThreshold, periodsPerWindow float64) (*Harmonicity, error) {
	p := PitchParams{
		Method: CC, VeryAccurate: true, TimeStep: timeStep, Floor: minimumPitch,
		Ceiling: 0.5 * s.SampleRate, PeriodsPerWindow: periodsPerWindow, MaxCandidates: 15,
		SilenceThreshold: silenceThreshold, winnerOnly: true,
	}
	pitch, err := ToPitch(s, p)
	if err != nil {
		return nil, err
	}
	h := &Harmonicity{X1: pitch.X1, Dx: pitch.Dx, Values: make([]float64, len(pitch.Frames))}
	for i, fr := range pitch.Frames {
		c := fr.Candidates[0]
		switch r := c.Strength; {
		case c.Frequency == 0:
			h.Values[i] = -200
		case r <= 1e-15:
			h.Values[i] = -150
		case r > 1-1e-15:
			h.Values[i] = 150
		default:
			h.Values[i] = 10 * math.Log10(r/(1-r))
		}
	}
	return h, nil
}

// Mean is Praat's "Get mean" for a Harmonicity: the average over the frames
// centred in [tmin, tmax] that are not silent (-200), or NaN if none is.
func (h *Harmonicity) Mean(tmin, tmax float64) float64 {
	imin, imax, n := sampling{x1: h.X1, dx: h.Dx, n: len(h.Values)}.windowSamples(tmin, tmax)
	if n < 1 {
		return math.NaN()
	}
	sum, count := 0.0, 0
	for i := imin; i <= imax; i++ {
		if v := h.Values[i-1]; v != -200 {
			sum += v
			count++
		}
	}
	if count == 0 {
		return math.NaN()
	}
	return sum / float64(count)
}
