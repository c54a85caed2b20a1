package vocal

import (
	"math"

	"github.com/nevermind-ai/nevermind/vocal/praat"
)

// Prosody describes pitch variation and loudness. Pitch variation is the SD
// of F0 in semitones, which is about the same for men and women (Hincks &
// Edlund 2009 gave learners feedback on it); loudness is relative to the
// speaker's own median, as there is no absolute norm for a microphone.
type Prosody struct {
	PitchMedianHz     Num  `json:"pitch_median_hz"`           // median F0 of voiced frames
	PitchP10Hz        Num  `json:"pitch_p10_hz"`              // 10th percentile of F0
	PitchP90Hz        Num  `json:"pitch_p90_hz"`              // 90th percentile of F0
	PitchSDSt         Num  `json:"pitch_sd_st"`               // SD of F0 in semitones re the speaker's median, whole answer
	PitchSDStWindowed Num  `json:"pitch_sd_st_windowed"`      // median over 10-s windows with ≥ 1 s of voicing
	PVQ               Num  `json:"pvq"`                       // SD(F0)/mean(F0), Hincks' pitch variation quotient
	Monotone          bool `json:"monotone"`                  // windowed SD below 2 semitones
	Lively            bool `json:"lively"`                    // windowed SD of 3 semitones or more
	LoudnessMedianDB  Num  `json:"loudness_median_db"`        // median intensity of sounding frames, dB re 2e-5 Pa
	LoudnessSDdB      Num  `json:"loudness_sd_db"`            // SD of sounding frames
	LoudnessP10Re     Num  `json:"loudness_p10_re_median_db"` // 10th percentile of sounding frames, dB re the median
	LoudnessP90Re     Num  `json:"loudness_p90_re_median_db"` // 90th percentile of sounding frames, dB re the median
	Phrases           int  `json:"phrases"`                   // sounding stretches of ≥ 1 s
	TrailingOff       int  `json:"trailing_off"`              // phrases whose last 300 ms are ≥ 6 dB below the phrase median
	TrailingOffRatio  Num  `json:"trailing_off_ratio"`        // TrailingOff ÷ Phrases
	trailing          [][3]float64
}

const (
	monotoneSt     = 2.0
	livelySt       = 3.0
	trailingDropDB = 6.0
	phraseMinS     = 1.0
	phraseTailS    = 0.3
)

func prosodyOf(pitch *praat.Pitch, sd *sounding) *Prosody {
	p := &Prosody{}
	var f0, times []float64
	for i := range pitch.NumFrames() {
		if f := pitch.Frequency(i); finite(f) {
			f0 = append(f0, f)
			times = append(times, pitch.FrameTime(i))
		}
	}
	p.PitchMedianHz, p.PitchP10Hz, p.PitchP90Hz, p.PitchSDSt, p.PitchSDStWindowed, p.PVQ = undefined(), undefined(), undefined(), undefined(), undefined(), undefined()
	if len(f0) >= 10 {
		med := median(f0)
		st := make([]float64, len(f0))
		for i, f := range f0 {
			st[i] = 12 * math.Log2(f/med)
		}
		p.PitchMedianHz = Num(roundTo(med, 1))
		p.PitchP10Hz = Num(roundTo(percentile(f0, 10), 1))
		p.PitchP90Hz = Num(roundTo(percentile(f0, 90), 1))
		p.PitchSDSt = Num(roundTo(std(st), 2))
		p.PVQ = Num(roundTo(std(f0)/mean(f0), 3))
		var sds []float64
		minFrames := int(1.0 / pitch.Dx)
		for w0 := 0.0; w0 < pitch.XMax; w0 += 10 {
			var ws []float64
			for i, t := range times {
				if t >= w0 && t < w0+10 {
					ws = append(ws, st[i])
				}
			}
			if len(ws) >= minFrames {
				sds = append(sds, std(ws))
			}
		}
		if len(sds) == 0 {
			sds = []float64{std(st)}
		}
		w := median(sds)
		p.PitchSDStWindowed = Num(roundTo(w, 2))
		p.Monotone = w < monotoneSt
		p.Lively = w >= livelySt
	}
	in := sd.in
	var loud []float64
	for i, v := range in.Values {
		if sd.contains(in.FrameTime(i)) {
			loud = append(loud, v)
		}
	}
	p.LoudnessMedianDB, p.LoudnessSDdB, p.LoudnessP10Re, p.LoudnessP90Re, p.TrailingOffRatio = undefined(), undefined(), undefined(), undefined(), undefined()
	if len(loud) > 0 {
		med := median(loud)
		p.LoudnessMedianDB = Num(roundTo(med, 1))
		p.LoudnessSDdB = Num(roundTo(std(loud), 2))
		p.LoudnessP10Re = Num(roundTo(percentile(loud, 10)-med, 1))
		p.LoudnessP90Re = Num(roundTo(percentile(loud, 90)-med, 1))
	}
	for _, iv := range sd.intervals {
		if iv[1]-iv[0] < phraseMinS {
			continue
		}
		p.Phrases++
		var all, tail []float64
		for i, v := range in.Values {
			t := in.FrameTime(i)
			if t >= iv[0] && t <= iv[1] {
				all = append(all, v)
				if t >= iv[1]-phraseTailS {
					tail = append(tail, v)
				}
			}
		}
		if len(tail) == 0 {
			continue
		}
		if drop := median(all) - mean(tail); drop >= trailingDropDB {
			p.TrailingOff++
			p.trailing = append(p.trailing, [3]float64{iv[1] - phraseTailS, iv[1], drop})
		}
	}
	if p.Phrases > 0 {
		p.TrailingOffRatio = Num(roundTo(float64(p.TrailingOff)/float64(p.Phrases), 3))
	}
	return p
}
