package vocal

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"unicode"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vocal/praat"
)

// Sentinel errors returned (wrapped) by [Analyze]; test with [errors.Is].
var (
	// ErrTooShort means the recording is shorter than MinDuration.
	ErrTooShort = errors.New("vocal: recording too short to analyse")
	// ErrSampleRate means the sample rate is below MinSampleRate.
	ErrSampleRate = errors.New("vocal: sample rate too low")
	// ErrInvalidAudio means the samples contain NaN or infinity.
	ErrInvalidAudio = errors.New("vocal: invalid audio samples")
	// ErrInvalidWords means a transcript word has negative, reversed or
	// non-finite times.
	ErrInvalidWords = errors.New("vocal: invalid word timings")
)

const (
	// MinSampleRate is the lowest sample rate Analyze accepts (Hz).
	MinSampleRate = 8000
	// MinDuration is the shortest recording Analyze accepts (s): two windows
	// of the 75 Hz harmonicity analysis plus margin.
	MinDuration = 0.25
)

// Options tune [Analyze]. The zero value analyses the audio alone, with no
// language-specific bands and no series.
type Options struct {
	// Language is "ko", "en" or "" (unknown). It selects the speaking-rate
	// band and the filler-word list (both lists when unknown).
	Language string
	// Words is an optional transcript with word timings. With it the report
	// adds filler words and words per minute.
	Words []nevermind.Word
	// Series adds the pitch and intensity contours to the report.
	Series bool
}

// Analyze measures the voice in pcm (mono, samples in [-1, 1]) recorded at
// sampleRate Hz and scores it. It honours ctx between analysis stages.
func Analyze(ctx context.Context, pcm []float32, sampleRate int, opts Options) (*Report, error) {
	if sampleRate < MinSampleRate {
		return nil, fmt.Errorf("%w: %d Hz, need at least %d Hz", ErrSampleRate, sampleRate, MinSampleRate)
	}
	if d := float64(len(pcm)) / float64(sampleRate); d < MinDuration {
		return nil, fmt.Errorf("%w: %.3f s, need at least %.2f s", ErrTooShort, d, MinDuration)
	}
	for i, w := range opts.Words {
		if !finite(w.Start) || !finite(w.End) || w.Start < 0 || w.End < w.Start {
			return nil, fmt.Errorf("%w: word %d %q from %g s to %g s", ErrInvalidWords, i, w.Text, w.Start, w.End)
		}
	}
	s, err := praat.NewSound(pcm, sampleRate)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidAudio, err)
	}
	m := &measures{sound: s, duration: s.Duration()}
	// The three heavy analyses are independent (the pulses need only the
	// pitch), so they run concurrently; on one core this costs nothing.
	var wg sync.WaitGroup
	var pitchErr, harmErr error
	wg.Go(func() {
		if m.pitch, pitchErr = praat.ToPitch(s, praat.DefaultPitchParams(75, 500)); pitchErr == nil && ctx.Err() == nil {
			m.pulses = praat.ToPointProcessCC(s, m.pitch)
		}
	})
	wg.Go(func() { m.harmonicity, harmErr = praat.ToHarmonicityCC(s, 0.01, 75, 0.1, 1.0) })
	m.intensity, err = praat.ToIntensity(s, 75, 0, true)
	var sd *sounding
	var sdErr error
	if err == nil {
		sd, sdErr = findSounding(s)
	}
	wg.Wait()
	switch {
	case pitchErr != nil:
		return nil, fmt.Errorf("vocal: pitch: %w", pitchErr)
	case harmErr != nil:
		return nil, fmt.Errorf("vocal: harmonicity: %w", harmErr)
	case err != nil:
		return nil, fmt.Errorf("vocal: intensity: %w", err)
	case sdErr != nil:
		return nil, fmt.Errorf("vocal: sounding intervals: %w", sdErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	tr := m.tremorTimeline()
	sp, peaks := m.speedTimeline()
	_, vs := m.intensitySeries()
	tremor := tremorMetric(tr)
	pause, _ := pauseMetric(sp)
	tone := toneMetric(m.intonation(), energyOf(vs), rhythmOf(peaks))
	speed := speedMetric(sp)
	r := &Report{
		TotalScore: totalScore(tremor, pause, tone, speed),
		Summary:    summarize(tremor, pause, tone, speed),
		Metrics:    []Metric{tremor, pause, tone, speed},
		Grouped:    grouped(mergeTimelines(tr, sp), m.voicedMask(), sd.intervals),
		Voice:      m.voiceSummary(),
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.Quality = qualityOf(pcm, m, sd)
	if r.Quality.Sufficient {
		r.Fluency = fluencyOf(m, sd, opts)
		r.Prosody = prosodyOf(m.pitch, sd)
	} else {
		r.Summary = "음성 분석 불가: " + r.Quality.MessageKo
	}
	if len(opts.Words) > 0 {
		r.Fillers = fillersOf(opts.Words, opts.Language, m.duration)
		if r.Fluency != nil {
			r.Fluency.WPM, r.Fluency.WPMEstimated = r.Fillers.WPM, false
			sps := r.Fluency.SpeechRateSPS
			if opts.Language == "ko" {
				// Every Hangul character is one syllable: the transcript
				// counts them better than the acoustic nuclei.
				n := hangulSyllables(opts.Words)
				r.Fluency.TranscriptSPS = Num(roundTo(float64(n)/m.duration, 2))
				if n > 0 {
					sps = float64(r.Fluency.TranscriptSPS)
				}
			}
			r.Fluency.RateBand = rateBand(opts.Language, sps, float64(r.Fillers.WPM))
		}
	}
	r.Timeline = timeline(r)
	r.Speech = speechOf(sd, r.Quality)
	if opts.Series {
		r.Series = m.series()
	}
	return r, nil
}

// totalScore is the seed's voice total: round-half-even of the mean of the
// four scores (0.25 each), clamped to 0..100.
func totalScore(tremor, pause, tone, speed Metric) int {
	total := 0.25*float64(tremor.Score) + 0.25*float64(pause.Score) + 0.25*float64(tone.Score) + 0.25*float64(speed.Score)
	return int(clip(math.RoundToEven(total), 0, 100))
}

func hangulSyllables(words []nevermind.Word) int {
	n := 0
	for _, w := range words {
		for _, r := range w.Text {
			if unicode.Is(unicode.Hangul, r) && r >= 0xAC00 && r <= 0xD7A3 { // precomposed syllable blocks
				n++
			}
		}
	}
	return n
}

func (m *measures) voiceSummary() Voice {
	d := m.duration
	return Voice{
		DurationS:  roundTo(d, 2),
		JitterPct:  Num(roundTo(100*m.pulses.JitterLocal(0, d, jitterMinPer, jitterMaxPer, periodFactor), 2)),
		ShimmerPct: Num(roundTo(100*m.pulses.ShimmerLocal(m.sound, 0, d, jitterMinPer, jitterMaxPer, periodFactor, amplitudeFactor), 2)),
		HNRdB:      Num(roundTo(m.harmonicity.Mean(0, d), 2)),
	}
}

func fluencyOf(m *measures, sd *sounding, opts Options) *Fluency {
	syl := nuclei(sd, func(t float64) bool { return finite(m.pitch.ValueAtTime(t)) })
	f := &Fluency{
		Syllables:           len(syl),
		SpeechRateSPS:       roundTo(float64(len(syl))/m.duration, 2),
		ArticulationRateSPS: undefined(),
		PhonationS:          roundTo(sd.phonation(), 2),
		WPM:                 undefined(),
		TranscriptSPS:       undefined(),
		Pauses:              pausesOf(sd, m.duration),
		FilledPauses:        detectFilledPauses(m.sound, m.pitch, m.intensity),
	}
	if f.FilledPauses == nil {
		f.FilledPauses = []FilledPause{}
	}
	if ph := sd.phonation(); ph > 0 {
		f.ArticulationRateSPS = Num(roundTo(float64(len(syl))/ph, 2))
	}
	if opts.Language == "en" {
		// English averages about 1.5 syllables per word.
		f.WPM, f.WPMEstimated = Num(roundTo(float64(len(syl))/m.duration*60/1.5, 1)), true
	}
	f.RateBand = rateBand(opts.Language, f.SpeechRateSPS, float64(f.WPM))
	return f
}

// reasonKo explains a quality-gate reason to the speaker, in Korean.
func reasonKo(reason string) string {
	switch reason {
	case "clipping":
		return "소리가 너무 커서 잘렸습니다. 마이크 입력 음량을 낮춰 주세요."
	case "too_quiet":
		return "소리가 너무 작습니다. 마이크에 더 가까이에서 말해 주세요."
	case "no_speech":
		return "녹음에서 말소리를 찾지 못했습니다."
	default:
		return "말소리가 너무 짧아 분석할 수 없습니다."
	}
}

// Quality gate thresholds.
const (
	clipLevel        = 0.999
	maxClippedRatio  = 0.01
	minPeakLevelDBFS = -45.0 // 0.99 intensity quantile
	minSpeechS       = 1.0
	minVoicedS       = 0.5
)

func qualityOf(pcm []float32, m *measures, sd *sounding) Quality {
	q := Quality{Sufficient: true, DurationS: roundTo(m.duration, 2), SpeechLevelDBFS: undefined()}
	clipped := 0
	for _, v := range pcm {
		if math.Abs(float64(v)) >= clipLevel {
			clipped++
		}
	}
	q.ClippedRatio = roundTo(float64(clipped)/float64(len(pcm)), 4)
	var loud []float64
	for i, v := range sd.in.Values {
		if sd.contains(sd.in.FrameTime(i)) {
			loud = append(loud, v)
		}
	}
	if len(loud) > 0 {
		q.SpeechLevelDBFS = Num(roundTo(median(loud)-fullScaleDB, 1))
	}
	q.SpeechS = roundTo(sd.phonation(), 2)
	voiced := 0
	for i := range m.pitch.NumFrames() {
		if m.pitch.Voiced(i) {
			voiced++
		}
	}
	q.VoicedS = roundTo(float64(voiced)*m.pitch.Dx, 2)
	fail := func(reason, msg string) {
		q.Sufficient, q.Reason, q.Message, q.MessageKo = false, reason, "insufficient audio: "+msg, reasonKo(reason)
	}
	switch {
	case q.ClippedRatio > maxClippedRatio:
		fail("clipping", fmt.Sprintf("%.1f%% of samples are clipped at full scale; lower the input gain", 100*q.ClippedRatio))
	case voiced > 0 && sd.q99-fullScaleDB < minPeakLevelDBFS:
		fail("too_quiet", fmt.Sprintf("the loudest speech is at %.0f dBFS; move closer to the microphone or raise the gain", sd.q99-fullScaleDB))
	case voiced == 0 || len(sd.intervals) == 0:
		fail("no_speech", "no speech was found in the recording")
	case q.SpeechS < minSpeechS || q.VoicedS < minVoicedS:
		fail("too_little_speech", fmt.Sprintf("only %.1f s of speech (%.1f s voiced)", q.SpeechS, q.VoicedS))
	}
	return q
}

// timeline merges every problem moment into one list sorted by start time.
func timeline(r *Report) []nevermind.Moment {
	out := []nevermind.Moment{}
	for _, e := range r.Grouped.TremorEvents {
		out = append(out, moment(e.Start, e.End, "tremor", evidence("tremor_max", e.TremorMax, "z_max", e.ZMax, "jitter_med_pct", e.JitterMedPct, "shimmer_med_pct", e.ShimmerMedPct, "hnr_med_db", e.HNRMedDB)))
	}
	addSpans := func(kind string, spans []Span) {
		for _, s := range spans {
			out = append(out, moment(s.Start, s.End, kind, evidence("speaking_med", s.SpeakingMed, "artic_med", s.ArticMed, "pause_med", s.PauseMed)))
		}
	}
	addSpans("speed_fast", r.Grouped.SpeedFast)
	addSpans("speed_slow", r.Grouped.SpeedSlow)
	addSpans("pause_high", r.Grouped.PauseHigh)
	addSpans("pause_low", r.Grouped.PauseLow)
	if r.Fluency != nil {
		for _, p := range r.Fluency.Pauses.Long {
			out = append(out, moment(p.Start, p.End, "long_pause", map[string]float64{"duration_s": roundTo(p.End-p.Start, 2)}))
		}
		for _, f := range r.Fluency.FilledPauses {
			out = append(out, moment(f.Start, f.End, "filled_pause", map[string]float64{"duration_s": roundTo(f.End-f.Start, 2), "pitch_range_st": f.PitchRangeSt, "spectral_stability": f.Stability}))
		}
	}
	if r.Prosody != nil {
		for _, t := range r.Prosody.trailing {
			out = append(out, moment(roundTo(t[0], 2), roundTo(t[1], 2), "trailing_off", map[string]float64{"drop_db": roundTo(t[2], 1)}))
		}
	}
	if r.Fillers != nil {
		for _, b := range r.Fillers.Bursts {
			out = append(out, moment(b.Start, b.End, "filler_burst", map[string]float64{}))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func evidence(kv ...any) map[string]float64 {
	e := map[string]float64{}
	for i := 0; i+1 < len(kv); i += 2 {
		if v := kv[i+1].(Num); v.Valid() {
			e[kv[i].(string)] = float64(v)
		}
	}
	return e
}

func (m *measures) series() *Series {
	s := &Series{Pitch: make([]Point, m.pitch.NumFrames()), Intensity: make([]Point, len(m.intensity.Values))}
	for i := range s.Pitch {
		s.Pitch[i] = Point{m.pitch.FrameTime(i), m.pitch.Frequency(i)}
	}
	for i, v := range m.intensity.Values {
		s.Intensity[i] = Point{m.intensity.FrameTime(i), v}
	}
	return s
}

func moment(start, end float64, kind string, evidence map[string]float64) nevermind.Moment {
	return nevermind.Moment{Start: start, End: end, Kind: kind, Evidence: evidence}
}
