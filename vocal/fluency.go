package vocal

import (
	"math"
	"slices"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vocal/praat"
)

// Fluency is how fast and how smoothly the answer was spoken, from the audio
// alone (plus words per minute when a transcript is given).
type Fluency struct {
	Syllables           int           `json:"syllables"`             // syllable nuclei (de Jong & Wempe 2009)
	SpeechRateSPS       float64       `json:"speech_rate_sps"`       // syllables ÷ total time
	ArticulationRateSPS Num           `json:"articulation_rate_sps"` // syllables ÷ phonation time
	PhonationS          float64       `json:"phonation_s"`           // time spent sounding
	WPM                 Num           `json:"wpm"`                   // words per minute over the whole answer, from the transcript (or estimated, see WPMEstimated)
	WPMEstimated        bool          `json:"wpm_estimated"`         // true when WPM comes from syllables (English: 1.5 syllables per word)
	TranscriptSPS       Num           `json:"transcript_sps"`        // Korean: Hangul syllables of the transcript per second; used for the band when present
	RateBand            string        `json:"rate_band"`             // "slow", "good", "fast", "very_fast", or "" when the language is unknown
	Pauses              Pauses        `json:"pauses"`                // silent pauses
	FilledPauses        []FilledPause `json:"filled_pauses"`         // audio-only detection of "음…", "어…", "um"
}

// Pauses summarises the silent pauses inside the answer (leading and
// trailing silence excluded).
type Pauses struct {
	Count         int                  `json:"count"`           // pauses ≥ 250 ms
	TotalS        float64              `json:"total_s"`         // total pause time, s
	MeanS         Num                  `json:"mean_s"`          // mean pause, s
	PerMinute     float64              `json:"per_minute"`      // pauses per minute of recording
	Long          []nevermind.Interval `json:"long"`            // pauses ≥ 1 s, with times
	VeryLongCount int                  `json:"very_long_count"` // pauses ≥ 2.5 s, worth coaching
}

// FilledPause is a stretch that sounds like a hesitation ("음…", "어…",
// "um"): voiced, long, with flat pitch, steady loudness and a steady spectrum.
type FilledPause struct {
	Start        float64 `json:"start"`              // s
	End          float64 `json:"end"`                // s
	PitchRangeSt float64 `json:"pitch_range_st"`     // F0 range over the stretch, semitones
	Stability    float64 `json:"spectral_stability"` // mean cosine similarity of consecutive spectra
}

// Thresholds of the fluency analysis. The nuclei settings are de Jong &
// Wempe's (2009, v2 2010); pauses start at 250 ms, the threshold de Jong &
// Bosker (2013) recommend after comparing 100–1000 ms; pauses of 1 s are
// reported as long and of 2.5 s as coachable moments.
const (
	nucleiSilenceDB = -25.0 // relative to the 0.99 intensity quantile
	nucleiMinDipDB  = 2.0
	absoluteFloorDB = 24.0 // ≈ −70 dBFS: quieter frames never count as sounding
	minPauseS       = 0.25
	minSoundingS    = 0.1
	longPauseS      = 1.0
	veryLongPauseS  = 2.5
	fullScaleDB     = 93.979 // 20·log10(1 / 2e-5): dB of a full-scale RMS of 1
)

// sounding describes where the recording is sounding (not silent), from an
// intensity contour at a 50 Hz minimum pitch as in de Jong & Wempe.
type sounding struct {
	in        *praat.Intensity
	q99       float64 // 0.99 quantile of the intensity, dB
	threshold float64
	intervals [][2]float64 // sounding intervals, s
}

func findSounding(s *praat.Sound) (*sounding, error) {
	return findSoundingAbove(s, absoluteFloorDB)
}

// findSoundingAbove is findSounding with a higher floor for the threshold: a Monitor passes
// the loudness of the speech heard earlier, so that a stretch of silence is not measured
// against its own background noise.
func findSoundingAbove(s *praat.Sound, floor float64) (*sounding, error) {
	in, err := praat.ToIntensity(s, 50, 0, true)
	if err != nil {
		return nil, err
	}
	q99 := percentile(in.Values, 99)
	lo := slices.Min(in.Values)
	th := math.Max(q99+nucleiSilenceDB, lo)
	th = math.Max(th, floor)
	n := len(in.Values)
	on := make([]bool, n)
	for i, v := range in.Values {
		on[i] = v >= th
	}
	// Runs of frames → intervals; close short silences, drop short sounds.
	var iv [][2]float64
	half := in.Dx / 2
	for i := 0; i < n; {
		if !on[i] {
			i++
			continue
		}
		j := i
		for j < n && on[j] {
			j++
		}
		iv = append(iv, [2]float64{in.FrameTime(i) - half, in.FrameTime(j-1) + half})
		i = j
	}
	var merged [][2]float64
	for _, x := range iv {
		if k := len(merged); k > 0 && x[0]-merged[k-1][1] < minPauseS {
			merged[k-1][1] = x[1]
			continue
		}
		merged = append(merged, x)
	}
	out := &sounding{in: in, q99: q99, threshold: th}
	for _, x := range merged {
		if x[1]-x[0] >= minSoundingS {
			out.intervals = append(out.intervals, [2]float64{math.Max(0, x[0]), math.Min(s.Duration(), x[1])})
		}
	}
	return out, nil
}

func (sd *sounding) contains(t float64) bool {
	for _, x := range sd.intervals {
		if t >= x[0] && t <= x[1] {
			return true
		}
	}
	return false
}

func (sd *sounding) phonation() float64 {
	total := 0.0
	for _, x := range sd.intervals {
		total += x[1] - x[0]
	}
	return total
}

// nuclei counts syllable nuclei after de Jong & Wempe (2009, v2 script):
// intensity peaks above the threshold, separated from the next peak by a
// dip of more than 2 dB, inside sounding intervals and voiced. Deviations:
// voicing is read from the 75–500 Hz pitch the report already has (the
// script computes a second 30–450 Hz pitch), and the last peak is kept when
// its dip towards the end of the contour exceeds 2 dB (the script never
// counts it). voiced says whether the pitch is voiced at a time (for a
// praat.Pitch, a defined ValueAtTime).
func nuclei(sd *sounding, voiced func(t float64) bool) []float64 {
	v := sd.in.Values
	n := len(v)
	var peaks []int
	for i := 1; i+1 < n; i++ {
		if v[i] > sd.threshold && v[i] > v[i-1] && v[i] >= v[i+1] {
			peaks = append(peaks, i)
		}
	}
	var out []float64
	for k, p := range peaks {
		end := n - 1
		if k+1 < len(peaks) {
			end = peaks[k+1]
		}
		dip := slices.Min(v[p : end+1])
		if v[p]-dip <= nucleiMinDipDB {
			continue
		}
		t := sd.in.FrameTime(p)
		if !sd.contains(t) || !voiced(t) {
			continue
		}
		out = append(out, t)
	}
	return out
}

func pausesOf(sd *sounding, duration float64) Pauses {
	p := Pauses{Long: []nevermind.Interval{}}
	for i := 1; i < len(sd.intervals); i++ {
		start, end := sd.intervals[i-1][1], sd.intervals[i][0]
		d := end - start
		if d < minPauseS {
			continue
		}
		p.Count++
		p.TotalS += d
		if d >= longPauseS {
			p.Long = append(p.Long, nevermind.Interval{Start: roundTo(start, 2), End: roundTo(end, 2)})
		}
		if d >= veryLongPauseS {
			p.VeryLongCount++
		}
	}
	p.MeanS = undefined()
	if p.Count > 0 {
		p.MeanS = Num(roundTo(p.TotalS/float64(p.Count), 3))
	}
	p.TotalS = roundTo(p.TotalS, 3)
	if duration > 0 {
		p.PerMinute = roundTo(float64(p.Count)/duration*60, 2)
	}
	return p
}

// speechOf returns the sounding intervals, the complement of the pauses
// pausesOf counts inside the answer, rounded like Pauses.Long so that a long
// pause starts exactly where a speech stretch ends.
func speechOf(sd *sounding, q Quality) []nevermind.Interval {
	out := []nevermind.Interval{}
	if q.Reason == "no_speech" {
		return out
	}
	for _, x := range sd.intervals {
		out = append(out, nevermind.Interval{Start: roundTo(x[0], 2), End: roundTo(x[1], 2)})
	}
	return out
}

// rateBand classifies the pace against per-language norms: Korean in
// syllables per second (3.8–5.3 good: adults talk at 4.2 ± 0.7 and read at
// 5.1 ± 0.4 syllables/s, J. Speech Sciences 9(4), 2002; above 5.8 faster
// than broadcast announcers), English in words per minute (100–165 good,
// Microsoft Speaker Coach's target).
func rateBand(language string, sps float64, wpm float64) string {
	switch language {
	case "ko":
		switch {
		case sps < 3.8:
			return "slow"
		case sps <= 5.3:
			return "good"
		case sps <= 5.8:
			return "fast"
		default:
			return "very_fast"
		}
	case "en":
		if !finite(wpm) {
			return ""
		}
		switch {
		case wpm < 100:
			return "slow"
		case wpm <= 165:
			return "good"
		case wpm <= 185:
			return "fast"
		default:
			return "very_fast"
		}
	}
	return ""
}
