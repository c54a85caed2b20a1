package vocal

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/nevermind-ai/nevermind/vocal/praat"
)

// DefaultMonitorWindow is how much of the latest audio a [Monitor] measures the pace over.
const DefaultMonitorWindow = 10 * time.Second

// monitorMinVoicedS is how much voicing a sounding stretch needs to count as speech (a cough,
// a chair or a keyboard sounds but is not voiced).
const monitorMinVoicedS = 0.1

// Monitor follows an answer's soundtrack while it is being recorded and says how long the
// speaker has been silent and how fast they spoke over the last few seconds — what a live
// hint needs — without waiting for the whole recording. It keeps only the last window of
// audio, so its memory is bounded however long the answer, and measures with the same
// definitions as [Report.Fluency]: sounding stretches against a threshold 25 dB below the
// loudest speech, syllable nuclei after de Jong & Wempe, voicing from the 75–500 Hz pitch.
// Unlike [Analyze] on the whole answer, the threshold only knows the speech heard so far.
//
//	m, _ := vocal.NewMonitor(16000, "ko", 0)
//	for chunk := range decoded {
//		m.Write(chunk)
//		if p, err := m.Measure(ctx); err == nil && p.Spoken && p.Silence >= 3 {
//			fmt.Println("a long pause")
//		}
//	}
//
// A Monitor is not safe for concurrent use.
type Monitor struct {
	rate     int
	window   int // samples measured
	language string
	buf      []float32 // the latest samples, at most two windows
	written  int       // samples written since the start
	// loudest is the highest 0.99 intensity quantile of a stretch with speech, dB; 0 before
	// any speech. It keeps a long silence from being measured against its own noise.
	loudest float64
	// lastSound is where the last speech heard ended, s; negative before any.
	lastSound float64
	// frames are the pitch frames of the window, oldest first, and pitched is the time up
	// to which they were computed: each Measure computes only the audio since (see
	// pitchMargin), so its cost does not grow with the window.
	frames  []voicing
	pitched float64
	dt      float64 // the frames' time step, s
}

// voicing is one pitch frame: its centre time, s, and whether it is voiced.
type voicing struct {
	t      float64
	voiced bool
}

// pitchMargin is how much audio before the last Measure's end the next one analyses again,
// s: the frames in its first half are dropped (too near an edge, where Praat's path finder
// has no context) and those of the second replace the last Measure's, which were near its
// end. Much more than the 40-ms window of a 75-Hz floor.
const pitchMargin = 0.3

// NewMonitor starts following a soundtrack of mono samples at sampleRate Hz in the given
// language ("ko", "en" or "" as in [Options]). window is how much of the latest audio
// [Monitor.Measure] measures the pace over; zero means [DefaultMonitorWindow].
func NewMonitor(sampleRate int, language string, window time.Duration) (*Monitor, error) {
	if sampleRate < MinSampleRate {
		return nil, fmt.Errorf("%w: %d Hz, need at least %d Hz", ErrSampleRate, sampleRate, MinSampleRate)
	}
	if window <= 0 {
		window = DefaultMonitorWindow
	}
	n := int(window.Seconds() * float64(sampleRate))
	return &Monitor{rate: sampleRate, window: n, language: language, buf: make([]float32, 0, 2*n), lastSound: -1}, nil
}

// Write appends the next samples of the soundtrack.
func (m *Monitor) Write(pcm []float32) {
	m.written += len(pcm)
	if len(pcm) >= m.window {
		m.buf = append(m.buf[:0], pcm[len(pcm)-m.window:]...)
		return
	}
	if len(m.buf)+len(pcm) > cap(m.buf) {
		keep := m.window - len(pcm)
		m.buf = append(m.buf[:0], m.buf[len(m.buf)-keep:]...)
	}
	m.buf = append(m.buf, pcm...)
}

// Pace is what a [Monitor] measured at one moment of the recording.
type Pace struct {
	// At is the moment: the seconds of audio written so far.
	At float64 `json:"at"`
	// Stretch is how many seconds up to At were measured: the Monitor's window, or less
	// near the start.
	Stretch float64 `json:"stretch"`
	// Spoken reports whether any speech was heard since the start.
	Spoken bool `json:"spoken"`
	// Silence is how long the speaker has been silent at At, s: zero while speaking; since
	// the start when nothing was spoken yet.
	Silence float64 `json:"silence"`
	// SpeechRateSPS is syllable nuclei per second of the stretch, like
	// Fluency.SpeechRateSPS.
	SpeechRateSPS float64 `json:"speech_rate_sps"`
	// WPM is the English words-per-minute estimate from the syllables (1.5 a word), like
	// Fluency.WPM without a transcript; undefined for other languages.
	WPM Num `json:"wpm"`
	// RateBand classifies SpeechRateSPS (or WPM) as Fluency.RateBand does.
	RateBand string `json:"rate_band"`
}

// Measure measures the latest window of the soundtrack. Its cost grows with the window,
// not with the recording, and its pitch analysis only with the audio written since the
// last Measure: once a second on the default window, about 1.5 % of [Analyze]'s on a
// minute each.
func (m *Monitor) Measure(ctx context.Context) (Pace, error) {
	at := float64(m.written) / float64(m.rate)
	pcm := m.buf[max(0, len(m.buf)-m.window):]
	start := at - float64(len(pcm))/float64(m.rate)
	p := Pace{At: at, Stretch: at - start, WPM: undefined()}
	p.Spoken, p.Silence = m.silenceAt(at)
	if float64(len(pcm)) < MinDuration*float64(m.rate) {
		return p, nil
	}
	s, err := praat.NewSound(pcm, m.rate)
	if err != nil {
		return p, fmt.Errorf("%w: %w", ErrInvalidAudio, err)
	}
	floor := absoluteFloorDB
	if m.loudest > 0 {
		floor = math.Max(floor, m.loudest+nucleiSilenceDB)
	}
	sd, err := findSoundingAbove(s, floor)
	if err != nil {
		return p, fmt.Errorf("vocal: sounding intervals: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return p, err
	}
	if len(sd.intervals) == 0 {
		return p, nil // nothing sounded: no voicing to measure yet (the next Measure catches up)
	}
	if err := m.pitchSince(pcm, start, at); err != nil {
		return p, err
	}
	var speech [][2]float64
	for _, x := range sd.intervals {
		if m.voicedWithin(start+x[0], start+x[1]) >= monitorMinVoicedS {
			speech = append(speech, x)
		}
	}
	if len(speech) > 0 {
		m.loudest = math.Max(m.loudest, sd.q99)
		m.lastSound = math.Max(m.lastSound, start+speech[len(speech)-1][1])
		sd.intervals = speech
		syl := len(nuclei(sd, func(t float64) bool { return m.voicedAt(start + t) }))
		p.SpeechRateSPS = roundTo(float64(syl)/p.Stretch, 2)
		if m.language == "en" {
			p.WPM = Num(roundTo(float64(syl)/p.Stretch*60/1.5, 1))
		}
		p.RateBand = rateBand(m.language, p.SpeechRateSPS, float64(p.WPM))
	}
	p.Spoken, p.Silence = m.silenceAt(at)
	return p, nil
}

func (m *Monitor) silenceAt(at float64) (spoken bool, silence float64) {
	if m.lastSound < 0 {
		return false, at
	}
	// A stretch that reaches the end of the window is still going on.
	const edge = minPauseS
	if at-m.lastSound < edge {
		return true, 0
	}
	return true, roundTo(at-m.lastSound, 2)
}

// pitchSince brings m.frames up to at: the pitch of the window's audio pcm, which starts
// at start, from pitchMargin before the last Measure's end (or the window's start).
func (m *Monitor) pitchSince(pcm []float32, start, at float64) error {
	from := math.Max(start, m.pitched-pitchMargin)
	seg := pcm[int(math.Round((from-start)*float64(m.rate))):]
	keep := from + pitchMargin/2
	if from == start && m.pitched-pitchMargin < start {
		keep = from // nothing computed before this window's start to keep
	}
	m.frames = slices.DeleteFunc(m.frames, func(f voicing) bool { return f.t < start || f.t >= keep })
	m.pitched = at
	s, err := praat.NewSound(seg, m.rate)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidAudio, err)
	}
	pitch, err := praat.ToPitch(s, praat.DefaultPitchParams(75, 500))
	if err != nil {
		return fmt.Errorf("vocal: pitch: %w", err)
	}
	m.dt = pitch.Dx
	for i := range pitch.NumFrames() {
		if t := from + pitch.FrameTime(i); t >= keep {
			m.frames = append(m.frames, voicing{t, pitch.Voiced(i)})
		}
	}
	return nil
}

// voicedWithin is how many seconds of [a, b] the pitch found voiced.
func (m *Monitor) voicedWithin(a, b float64) float64 {
	n := 0
	for _, f := range m.frames {
		if f.t >= a && f.t <= b && f.voiced {
			n++
		}
	}
	return float64(n) * m.dt
}

// voicedAt reports whether the pitch frame nearest t is voiced, as a defined
// praat.Pitch.ValueAtTime.
func (m *Monitor) voicedAt(t float64) bool {
	i, _ := slices.BinarySearchFunc(m.frames, t, func(f voicing, t float64) int { return cmp.Compare(f.t, t) })
	near := -1
	for _, j := range []int{i - 1, i} {
		if j >= 0 && j < len(m.frames) && math.Abs(m.frames[j].t-t) <= m.dt/2+1e-9 && (near < 0 || math.Abs(m.frames[j].t-t) < math.Abs(m.frames[near].t-t)) {
			near = j
		}
	}
	return near >= 0 && m.frames[near].voiced
}
