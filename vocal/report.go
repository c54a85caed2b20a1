package vocal

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/nevermind-ai/nevermind"
)

// Report is the voice analysis of one recording. Its JSON form is what
// `nevermind analyze --json` prints under "voice". The first four fields are
// the seed's voice-feedback payload (field names, scores, levels and Korean
// strings unchanged, with the bugs listed in the package doc fixed); the rest
// is new. No field ever holds NaN: unmeasurable values are null.
type Report struct {
	TotalScore int      `json:"total_score"` // mean of the four metric scores, rounded half to even
	Summary    string   `json:"summary"`     // the seed's structural summary, Korean
	Metrics    []Metric `json:"metrics"`     // tremor, pause, tone, speed, in that order
	Grouped    Grouped  `json:"grouped"`     // the seed's problem segments

	Quality Quality  `json:"quality"`           // audio quality gate
	Voice   Voice    `json:"voice"`             // whole-file Praat voice measures
	Fluency *Fluency `json:"fluency,omitempty"` // rate, pauses, filled pauses; nil when audio is insufficient
	Prosody *Prosody `json:"prosody,omitempty"` // pitch variation and loudness; nil when audio is insufficient
	Fillers *Fillers `json:"fillers,omitempty"` // filler words, only when a transcript is given
	// Timeline holds the problem moments, sorted by start time, of the kinds tremor,
	// speed_fast, speed_slow, pause_high, pause_low, long_pause, filled_pause,
	// filler_burst and trailing_off.
	Timeline []nevermind.Moment `json:"timeline"`
	Series   *Series            `json:"series,omitempty"` // contours for plots, when Options.Series is set
	// Speech lists the sounding stretches of the answer in time order:
	// leading and trailing silence are excluded and every silent pause of
	// at least 250 ms (the pauses counted in Fluency.Pauses) separates two
	// stretches. It is empty when no speech was found, and filled even when
	// the quality gate fails for another reason, so that other analyses
	// (eye contact while speaking) can still use it.
	Speech []nevermind.Interval `json:"speech"`
}

// Metric is one of the seed's four voice metrics.
type Metric struct {
	ID          string  `json:"id"`          // "tremor", "pause", "tone" or "speed"
	Label       string  `json:"label"`       // 떨림, 공백, 억양, 속도
	Score       int     `json:"score"`       // 0..100
	Level       string  `json:"level"`       // Korean level, e.g. 양호, 약간, 주의, 적정
	Value       any     `json:"value"`       // null, a number (pause ratio, wpm) or the tone label
	Unit        *string `json:"unit"`        // "ratio", "wpm" or null
	Description string  `json:"description"` // Korean sentence, as in the seed
	// Details is *TremorDetails, *ToneDetails, *SpeedDetails, an empty
	// object (no data), or nil (the pause metric has none, as in the seed).
	Details any `json:"details,omitempty"`
}

// TremorDetails explains the tremor score.
type TremorDetails struct {
	ZMax       Num `json:"z_max"`       // largest windowed tremor score (0..1; not a z-score, the name is the seed's)
	JitterPct  Num `json:"jitter_pct"`  // median jitter (local) of the windows, %
	ShimmerPct Num `json:"shimmer_pct"` // median shimmer (local) of the windows, %
	HNRdB      Num `json:"hnr_db"`      // median harmonics-to-noise ratio, dB
}

// ToneDetails explains the tone score.
type ToneDetails struct {
	ToneScore int         `json:"tone_score"` // round(100 × tone), before clamping
	Coverage  float64     `json:"coverage"`   // sum of the weights of the parts present: 0.4, 0.7 or 1
	Drivers   ToneDrivers `json:"drivers"`    // the measures behind the score
}

// ToneDrivers are the rounded intonation, energy and rhythm measures the
// tone score is built from; energy and rhythm values are null when there
// were too few frames or syllable peaks.
type ToneDrivers struct {
	F0RangeSt         float64 `json:"f0_range_st"`           // 12·log2(P90/P10) of F0, semitones
	EndingSlopeHzPerS float64 `json:"ending_slope_hz_per_s"` // F0 slope over the last 0.8 s
	PitchVarSt        float64 `json:"pitch_var_st"`          // SD of F0 in semitones re its median
	StressRate        Num     `json:"stress_rate"`           // share of intensity frames at or above their 90th percentile
	EnergyVarDB       Num     `json:"energy_var_db"`         // SD of the intensity, dB
	Balance           Num     `json:"balance"`               // |mean of first half − mean of second half| ÷ SD
	SyllCV            Num     `json:"syll_cv"`               // coefficient of variation of inter-peak intervals
	NPVI              Num     `json:"npvi"`                  // normalised pairwise variability index of those intervals
	Regularity        Num     `json:"regularity"`            // 1 − SyllCV, clipped to 0..1
}

// SpeedDetails explains the speed score.
type SpeedDetails struct {
	SPS float64 `json:"sps"` // median syllable-like peaks per second
	WPM int     `json:"wpm"` // sps·60/2.25, the seed's words-per-minute estimate
}

// Grouped holds the seed's problem segments, which its POST voice-feedback
// route returned.
type Grouped struct {
	TremorEvents []TremorEvent `json:"tremor_events"` // stretches of raised tremor
	SpeedFast    []Span        `json:"speed_fast"`    // stretches of fast articulation (> 6.1 peaks/s)
	SpeedSlow    []Span        `json:"speed_slow"`    // stretches of slow articulation (< 2.6 peaks/s) with pausing
	PauseLow     []Span        `json:"pause_low"`     // long stretches with almost no pausing (always empty in the seed)
	PauseHigh    []Span        `json:"pause_high"`    // runs of windows with pause ratio > 0.35
}

// TremorEvent is a stretch where the windowed tremor score rose well above
// its local baseline while the voice was on.
type TremorEvent struct {
	Start         float64 `json:"start"`           // s
	End           float64 `json:"end"`             // s
	TremorMed     Num     `json:"tremor_med"`      // median windowed tremor score
	TremorMax     Num     `json:"tremor_max"`      // largest windowed tremor score
	JitterMedPct  Num     `json:"jitter_med_pct"`  // median jitter, %
	ShimmerMedPct Num     `json:"shimmer_med_pct"` // median shimmer, %
	HNRMedDB      Num     `json:"hnr_med_db"`      // median HNR, dB
	ZMax          Num     `json:"z_max"`           // largest tremor score ÷ local baseline
}

// Span is a stretch of fast, slow, over-paused or unpaused speech.
type Span struct {
	Start       float64 `json:"start"`        // s
	End         float64 `json:"end"`          // s
	SpeakingMed Num     `json:"speaking_med"` // median speaking rate, peaks/s
	ArticMed    Num     `json:"artic_med"`    // median articulation rate, peaks/s (equal to SpeakingMed in the seed)
	PauseMed    Num     `json:"pause_med"`    // median pause ratio
}

// Quality is the audio quality gate. When Sufficient is false the seed
// scores are still computed (for compatibility) but Fluency and Prosody are
// left out and Summary explains why, instead of giving confident numbers.
type Quality struct {
	Sufficient      bool    `json:"sufficient"`           // false when the numbers should not be trusted
	Reason          string  `json:"reason,omitempty"`     // "clipping", "too_quiet", "no_speech" or "too_little_speech"
	Message         string  `json:"message,omitempty"`    // English explanation, e.g. "insufficient audio: 42% of samples are clipped"
	MessageKo       string  `json:"message_ko,omitempty"` // the same for the speaker, in Korean
	DurationS       float64 `json:"duration_s"`           // length of the recording, s
	ClippedRatio    float64 `json:"clipped_ratio"`        // share of samples at full scale
	SpeechLevelDBFS Num     `json:"speech_level_dbfs"`    // median level of sounding frames, dB re full scale
	SpeechS         float64 `json:"speech_s"`             // sounding (phonation) time
	VoicedS         float64 `json:"voiced_s"`             // time with a pitch
}

// Voice is the seed's whole-file summary (computed, not scored).
type Voice struct {
	DurationS  float64 `json:"duration_s"`  // length of the recording, s
	JitterPct  Num     `json:"jitter_pct"`  // median jitter (local) of the windows, %
	ShimmerPct Num     `json:"shimmer_pct"` // median shimmer (local) of the windows, %
	HNRdB      Num     `json:"hnr_db"`      // median harmonics-to-noise ratio, dB
}

// Series holds the contours a report plots: pitch at the Praat frame times
// ([t, Hz] with null when unvoiced) and intensity ([t, dB]).
type Series struct {
	Pitch     []Point `json:"pitch"`     // [t, Hz or null] at every pitch frame (10 ms)
	Intensity []Point `json:"intensity"` // [t, dB] at every intensity frame (10.7 ms)
}

// Point is a [time, value] pair; a NaN value is written as null.
type Point [2]float64

// MarshalJSON writes [t, v] with v = null when it is NaN or infinite.
func (p Point) MarshalJSON() ([]byte, error) {
	b := []byte{'['}
	b = strconv.AppendFloat(b, roundTo(p[0], 4), 'f', -1, 64)
	b = append(b, ',')
	if finite(p[1]) {
		b = strconv.AppendFloat(b, roundTo(p[1], 3), 'f', -1, 64)
	} else {
		b = append(b, "null"...)
	}
	return append(b, ']'), nil
}

// Num is a float64 that is written to JSON as null when it is NaN or
// infinite, so a report never contains NaN.
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if !finite(f) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// Valid reports whether the value was measurable.
func (n Num) Valid() bool { return finite(float64(n)) }

// undefined is the value of a measure that could not be taken.
func undefined() Num { return Num(math.NaN()) }
