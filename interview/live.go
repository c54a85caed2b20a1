package interview

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// CueKind names a live hint.
type CueKind string

// The live hints. Each fires once per episode (looking away, then back, then away again
// is two episodes) and only when CueRules allow it.
const (
	// CueLookAway: the candidate has looked away from the camera for CueRules.LookAway.
	CueLookAway CueKind = "look_away"
	// CuePause: silent for CueRules.Pause after having started to speak.
	CuePause CueKind = "long_pause"
	// CueTooFast and CueTooSlow: over the last CueRules.PaceWindow of continuous speaking,
	// the pace was far outside the report's good band — faster than its very_fast edge
	// (Korean 5.8 syllables/s, English 185 words/min), or slower than Korean 3.0
	// syllables/s (80 % of the good band's lower edge) or English 80 words/min.
	CueTooFast CueKind = "too_fast"
	CueTooSlow CueKind = "too_slow"
	// CueNoFace: no face was found for CueRules.NoFace.
	CueNoFace CueKind = "no_face"
	// CueTooDark: the face (or the frame) was too dark to measure for CueRules.NoFace.
	CueTooDark CueKind = "too_dark"
)

// The pace limits of CueTooSlow (CueTooFast uses vocal's very_fast band).
const (
	tooSlowSPSKo = 3.0
	tooSlowWPMEn = 80
)

// Cue is one live hint, for the candidate to read at a glance while answering.
type Cue struct {
	Kind CueKind `json:"kind"`
	// Time is the moment of the recording, in seconds, at which the cue was given; Since is
	// when the condition began.
	Time  float64 `json:"t"`
	Since float64 `json:"since"`
	// Ko and En say it in a few words.
	Ko string `json:"ko"`
	En string `json:"en"`
}

var cueText = map[CueKind][2]string{
	CueLookAway: {"카메라를 바라봐 주세요", "Look at the camera"},
	CuePause:    {"말을 이어가세요", "Keep going"},
	CueTooFast:  {"조금 천천히 말해 보세요", "Slow down a little"},
	CueTooSlow:  {"조금 더 빠르게 말해 보세요", "Speak a little faster"},
	CueNoFace:   {"얼굴이 화면에 보이도록 해 주세요", "Keep your face in view"},
	CueTooDark:  {"조명을 밝게 해 주세요", "Add some light"},
}

// CueRules say when live cues are given. The zero value gives the defaults below: sparse
// on purpose, because a busy live display distracts candidates, while a few timely
// prompts and the report afterwards help.
type CueRules struct {
	// LookAway is how long the candidate must look away before CueLookAway. Zero means 3 s.
	LookAway time.Duration
	// Pause is how long a silence must last before CuePause. Zero means 3 s.
	Pause time.Duration
	// PaceWindow is the stretch of speech the pace is judged over. Zero means 10 s.
	PaceWindow time.Duration
	// NoFace is how long the face must be missing (or too dark) before CueNoFace
	// (CueTooDark). Zero means 3 s.
	NoFace time.Duration
	// Gap is the least time between two cues of any kind. Zero means 5 s.
	Gap time.Duration
	// Repeat is the least time between two pace cues. Zero means 20 s.
	Repeat time.Duration
	// MaxLag drops a cue the analysis noticed this long after the moment it is about (by
	// the wall clock since the analysis started): when the machine cannot keep up with the
	// recording, stale hints would only confuse. Zero means 5 s.
	MaxLag time.Duration
	// Off lists kinds never to give.
	Off []CueKind
}

func (r CueRules) withDefaults() CueRules {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&r.LookAway, 3*time.Second)
	def(&r.Pause, 3*time.Second)
	def(&r.PaceWindow, 10*time.Second)
	def(&r.NoFace, 3*time.Second)
	def(&r.Gap, 5*time.Second)
	def(&r.Repeat, 20*time.Second)
	def(&r.MaxLag, 5*time.Second)
	return r
}

// cueWatch turns frame results and decoded audio into cues while the recording streams in.
// Frames arrive from the vision goroutine and audio from the decoding one, so it locks.
type cueWatch struct {
	mu    sync.Mutex
	rules CueRules
	send  func(Cue)
	start time.Time // when the analysis began: the recording's time zero on the wall clock
	lang  string
	// last is the moment of the last cue given, by kind; lastAny of any kind.
	last    map[CueKind]float64
	lastAny float64
	// episodes: when each condition began (NaN while it does not hold) and whether it was
	// already cued.
	since map[CueKind]float64
	cued  map[CueKind]bool

	// calib judges looking away against the candidate's own "at the lens" when the
	// options named a calibration stretch; nil otherwise.
	calib *liveCalibration

	monitor     *vocal.Monitor
	rate        int
	heard       int     // samples given to the monitor
	nextMeasure float64 // when to measure the voice next, s of audio
	speaking    float64 // when the current stretch of continuous speaking began; NaN when silent
}

// measureEvery is how often the voice is measured, in seconds of audio: often enough for a
// pause cue within a second of its threshold, rarely enough to cost a few percent of the
// analysis.
const measureEvery = 1.0

func newCueWatch(send func(Cue), rules CueRules, lang string, rate int, calibration *nevermind.Interval) *cueWatch {
	rules = rules.withDefaults()
	w := &cueWatch{
		rules: rules, send: send, start: time.Now(), lang: lang, rate: rate,
		last: map[CueKind]float64{}, lastAny: math.Inf(-1),
		since: map[CueKind]float64{}, cued: map[CueKind]bool{},
		nextMeasure: measureEvery, speaking: math.NaN(),
	}
	if calibration != nil {
		w.calib = &liveCalibration{span: *calibration}
	}
	if m, err := vocal.NewMonitor(rate, lang, rules.PaceWindow); err == nil {
		w.monitor = m
	}
	return w
}

// hold records whether a condition holds at time t and gives its cue once it has held for d.
func (w *cueWatch) hold(kind CueKind, holds bool, t float64, d time.Duration) {
	if !holds {
		delete(w.since, kind)
		w.cued[kind] = false
		return
	}
	since, ok := w.since[kind]
	if !ok {
		w.since[kind] = t
		since = t
	}
	if !w.cued[kind] && t-since >= d.Seconds() {
		w.cued[kind] = w.give(kind, t, since)
	}
}

// give sends a cue unless the rules hold it back, and reports whether it was sent.
func (w *cueWatch) give(kind CueKind, t, since float64) bool {
	if slices.Contains(w.rules.Off, kind) || t-w.lastAny < w.rules.Gap.Seconds() {
		return false
	}
	if (kind == CueTooFast || kind == CueTooSlow) && t-math.Max(w.lastOr(CueTooFast), w.lastOr(CueTooSlow)) < w.rules.Repeat.Seconds() {
		return false
	}
	if lag := time.Since(w.start).Seconds() - t; lag > w.rules.MaxLag.Seconds() {
		// Stale: counted as given, so the same episode is not cued later still.
		return true
	}
	w.last[kind], w.lastAny = t, t
	txt := cueText[kind]
	w.send(Cue{Kind: kind, Time: round2(t), Since: round2(since), Ko: txt[0], En: txt[1]})
	return true
}

func (w *cueWatch) lastOr(kind CueKind) float64 {
	if t, ok := w.last[kind]; ok {
		return t
	}
	return math.Inf(-1)
}

// frame takes one tracked frame.
func (w *cueWatch) frame(f vision.FrameResult) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// The tracker's verdict: the gaze against the ray to the camera, or a head turned too
	// far for the eyes to be measured. A face frame without one (a blink) neither starts
	// nor ends a look-away.
	away, judged := f.LookingAtCamera != nil && !*f.LookingAtCamera, f.LookingAtCamera != nil || !f.State.Measured()
	if w.calib != nil {
		away, judged = w.calib.judge(f, away, judged)
	}
	if judged {
		w.hold(CueLookAway, away, f.Time, w.rules.LookAway)
	}
	w.hold(CueNoFace, f.State == vision.StateNoFace, f.Time, w.rules.NoFace)
	w.hold(CueTooDark, f.State == vision.StateTooDark, f.Time, w.rules.NoFace)
}

// liveCalibration judges the live look-away cue against an explicit calibration, as
// vision.Summarize judges the report's frames: once the stretch in which the candidate was
// asked to look into the lens is over, its median gaze is their "at the camera". Without
// it the tracker's absolute verdict can be off by the few degrees a face's eyes read off
// (glasses, eye shape, camera placement), enough to cue a candidate looking into the lens.
type liveCalibration struct {
	span    nevermind.Interval
	frames  []vision.FrameResult // of the stretch, until it is over
	settled bool
	c       vision.Calibration
}

// judge returns whether frame f is looking away and whether it was judged at all, given
// the tracker's answers to both.
func (c *liveCalibration) judge(f vision.FrameResult, away, judged bool) (bool, bool) {
	switch {
	case f.Time < c.span.Start:
		return away, judged
	case f.Time <= c.span.End:
		c.frames = append(c.frames, f)
		return false, judged // asked to look into the lens: never a look-away
	}
	if !c.settled {
		c.settled, c.c, c.frames = true, vision.CalibrateOn(c.frames, c.span), nil
	}
	if c.c.Source != vision.CalibrationExplicit {
		return away, judged // too few frames, or not at the camera: the tracker's verdict
	}
	c.c.Judge(&f)
	return f.LookingAtCamera != nil && !*f.LookingAtCamera, f.LookingAtCamera != nil || !f.State.Measured()
}

// audio takes the next decoded samples and measures the voice once a second.
func (w *cueWatch) audio(ctx context.Context, pcm []float32) {
	if w.monitor == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.monitor.Write(pcm)
	w.heard += len(pcm)
	t := float64(w.heard) / float64(w.rate)
	if t < w.nextMeasure {
		return
	}
	w.nextMeasure = t + measureEvery
	p, err := w.monitor.Measure(ctx)
	if err != nil {
		return
	}
	if p.Silence == 0 {
		w.cued[CuePause] = false // speaking again: the next pause is a new episode
	} else if p.Spoken && p.Silence >= w.rules.Pause.Seconds() && !w.cued[CuePause] {
		w.cued[CuePause] = w.give(CuePause, t, t-p.Silence)
	}
	// The pace is judged only over a window of continuous speaking, so that a pause (cued
	// on its own) does not read as slow speech.
	if p.Silence >= 1 {
		w.speaking = math.NaN()
		return
	}
	if math.IsNaN(w.speaking) {
		w.speaking = t
	}
	if t-w.speaking < w.rules.PaceWindow.Seconds() || p.Stretch < w.rules.PaceWindow.Seconds() {
		return
	}
	switch {
	case p.RateBand == "very_fast":
		w.give(CueTooFast, t, t-p.Stretch)
	case w.lang == "ko" && p.SpeechRateSPS < tooSlowSPSKo,
		w.lang == "en" && finite(float64(p.WPM)) && float64(p.WPM) < tooSlowWPMEn:
		w.give(CueTooSlow, t, t-p.Stretch)
	}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
