package praat

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// PitchMethod selects how the per-frame periodicity is measured.
type PitchMethod int

const (
	// AC is Boersma's (1993) windowed autocorrelation: the Hanning-windowed
	// frame's autocorrelation divided by the window's own ("To Pitch (ac)",
	// and the plain "To Pitch...").
	AC PitchMethod = iota
	// CC is forward cross-correlation of one window against the next
	// ("To Pitch (cc)"), the basis of "To Harmonicity (cc)".
	CC
)

// PitchParams are the arguments of Praat's "Sound: To Pitch (ac)..." and
// "To Pitch (cc)...". DefaultPitchParams fills in Praat's defaults; a zero
// TimeStep means Praat's automatic 0.75/Floor (0.01 s at 75 Hz).
type PitchParams struct {
	Method             PitchMethod // AC or CC
	TimeStep           float64     // s; 0 = periodsPerWindow / floor / 4
	Floor              float64     // Hz, lowest pitch searched; sets the window length
	Ceiling            float64     // Hz, candidates at or above it count as unvoiced
	PeriodsPerWindow   float64     // 3 for AC, 1 for CC in Praat's dialogs
	MaxCandidates      int         // 15
	VeryAccurate       bool        // Gaussian window (AC) or sinc-700 refinement (CC)
	SilenceThreshold   float64     // 0.03, relative to the global peak
	VoicingThreshold   float64     // 0.45
	OctaveCost         float64     // 0.01 per octave
	OctaveJumpCost     float64     // 0.35
	VoicedUnvoicedCost float64     // 0.14

	winnerOnly bool // only Candidates[0] will be read (set by ToHarmonicityCC)
	refineAll  bool // refine even candidates that cannot change the result (tests compare against it)
}

// DefaultPitchParams returns what Praat's plain "To Pitch..." uses
// (autocorrelation, 3 periods per window, 15 candidates, thresholds 0.03 and
// 0.45, costs 0.01, 0.35 and 0.14) for the given floor and ceiling.
func DefaultPitchParams(floor, ceiling float64) PitchParams {
	return PitchParams{
		Method: AC, Floor: floor, Ceiling: ceiling, PeriodsPerWindow: 3, MaxCandidates: 15,
		SilenceThreshold: 0.03, VoicingThreshold: 0.45,
		OctaveCost: 0.01, OctaveJumpCost: 0.35, VoicedUnvoicedCost: 0.14,
	}
}

// PitchCandidate is one periodicity hypothesis of a frame. Frequency 0 is the
// "unvoiced" hypothesis.
type PitchCandidate struct {
	Frequency float64 // Hz
	Strength  float64 // normalised correlation, 0..1
}

// PitchFrame holds the candidates of one analysis frame; after path finding
// Candidates[0] is the chosen one. Frames too quiet to be voiced (the
// unvoiced candidate outscores any voiced one by more than two
// voiced/unvoiced costs) hold only the unvoiced candidate, because no
// voiced one could be on the chosen path; Praat lists them anyway.
type PitchFrame struct {
	Intensity  float64          // local peak relative to the global peak, 0..1
	Candidates []PitchCandidate // Candidates[0] is the path finder's choice
}

// Pitch is a pitch contour: frame i (0-based) is centred at X1 + i*Dx.
type Pitch struct {
	X1, Dx  float64      // time of the first frame and time step, s
	XMax    float64      // end of the sound's domain (the domain starts at 0)
	Ceiling float64      // Hz; frequencies at or above it are unvoiced
	Frames  []PitchFrame // one per time step
}

// NumFrames is the number of analysis frames.
func (p *Pitch) NumFrames() int { return len(p.Frames) }

// FrameTime is the centre time of frame i (0-based).
func (p *Pitch) FrameTime(i int) float64 { return p.X1 + float64(i)*p.Dx }

// Frequency is the F0 of frame i (0-based) in Hz, or NaN when the frame is
// unvoiced or out of range, like Praat's "Get value in frame".
func (p *Pitch) Frequency(i int) float64 {
	if i < 0 || i >= len(p.Frames) {
		return math.NaN()
	}
	f := p.Frames[i].Candidates[0].Frequency
	if f <= 0 || f >= p.Ceiling {
		return math.NaN()
	}
	return f
}

// Voiced reports whether frame i (0-based) carries a pitch.
func (p *Pitch) Voiced(i int) bool { return !math.IsNaN(p.Frequency(i)) }

func (p *Pitch) axis() sampling { return sampling{x1: p.X1, dx: p.Dx, n: len(p.Frames)} }

// ValueAtTime is Praat's "Get value at time" with linear interpolation: the
// nearer frame must be voiced; if the farther one is not, the nearer value is
// returned unchanged. NaN outside the domain or in unvoiced stretches.
func (p *Pitch) ValueAtTime(t float64) float64 {
	if t < 0 || t > p.XMax {
		return math.NaN()
	}
	ireal := p.axis().xToIndex(t)
	left := int(math.Floor(ireal))
	phase := ireal - float64(left)
	near, far := left, left+1
	if phase >= 0.5 {
		near, far = left+1, left
		phase = 1 - phase
	}
	if near < 1 || near > len(p.Frames) {
		return math.NaN()
	}
	fn := p.Frequency(near - 1)
	if math.IsNaN(fn) {
		return fn
	}
	if far < 1 || far > len(p.Frames) {
		return fn
	}
	ff := p.Frequency(far - 1)
	if math.IsNaN(ff) {
		return fn
	}
	return fn + phase*(ff-fn)
}

// ToPitch runs Praat's pitch analysis ("Sound: To Pitch (ac)/(cc)") with
// the given parameters, including the Viterbi path finder.
func ToPitch(s *Sound, p PitchParams) (*Pitch, error) {
	method := acHanning
	switch {
	case p.Method == AC && p.VeryAccurate:
		method = acGauss
	case p.Method == CC && !p.VeryAccurate:
		method = fccNormal
	case p.Method == CC:
		method = fccAccurate
	}
	return toPitch(s, p, method)
}

const (
	acHanning = iota
	acGauss
	fccNormal
	fccAccurate
)

// pitchAnalysis carries what every frame of one analysis shares.
type pitchAnalysis struct {
	s                              *Sound
	method                         int
	minimumPitch, voicingThreshold float64
	octaveCost                     float64
	maxnCandidates                 int
	dtWindow                       float64
	nsampWindow, halfnsampWindow   int
	maximumLag, nsampFFT           int
	nsampPeriod, halfnsampPeriod   int
	brentIxmax, brentDepth         int
	globalPeak                     float64
	window, windowR                []float64
	// winnerOnly is set when the path finder has no transition costs and
	// only the winning candidate is read (harmonicity): then only the
	// candidates that can still win are refined.
	winnerOnly bool
	// quietIntensity is the frame intensity below which the unvoiced
	// candidate wins whatever the others are (see candidates); 0 when
	// not applicable.
	quietIntensity float64
}

func toPitch(s *Sound, p PitchParams, method int) (*Pitch, error) {
	if p.Floor <= 0 || p.Ceiling <= p.Floor || p.PeriodsPerWindow <= 0 || p.MaxCandidates < 2 || p.TimeStep < 0 {
		return nil, fmt.Errorf("%w: pitch floor %g Hz, ceiling %g Hz, %g periods per window, %d candidates, time step %g s",
			ErrBadInput, p.Floor, p.Ceiling, p.PeriodsPerWindow, p.MaxCandidates, p.TimeStep)
	}
	dx := s.dx()
	nx := len(s.Samples)
	a := &pitchAnalysis{s: s, method: method, minimumPitch: p.Floor, voicingThreshold: p.VoicingThreshold, octaveCost: p.OctaveCost,
		winnerOnly: p.winnerOnly && p.OctaveCost == 0 && p.OctaveJumpCost == 0 && p.VoicedUnvoicedCost == 0}
	ceiling := p.Ceiling
	a.maxnCandidates = p.MaxCandidates
	if float64(a.maxnCandidates) < ceiling/p.Floor {
		a.maxnCandidates = int(math.Floor(ceiling / p.Floor))
	}
	periodsPerWindow := p.PeriodsPerWindow
	dt := p.TimeStep
	if dt <= 0 {
		dt = periodsPerWindow / p.Floor / 4
	}
	var interpolationDepth float64
	switch method {
	case acHanning:
		a.brentDepth, interpolationDepth = interpolateSinc70, 0.5
	case acGauss:
		periodsPerWindow *= 2 // the Gaussian window is twice as long
		a.brentDepth, interpolationDepth = interpolateSinc700, 0.25
	case fccNormal:
		a.brentDepth, interpolationDepth = interpolateSinc70, 1
	case fccAccurate:
		a.brentDepth, interpolationDepth = interpolateSinc700, 1
	}
	duration := dx * float64(nx)
	if p.Floor < periodsPerWindow/duration {
		return nil, fmt.Errorf("%w: %.3f s is less than %g periods of the %g Hz pitch floor", ErrTooShort, duration, periodsPerWindow, p.Floor)
	}
	a.nsampPeriod = int(math.Floor(1 / dx / p.Floor))
	a.halfnsampPeriod = a.nsampPeriod/2 + 1
	ceiling = min(ceiling, 0.5/dx)
	a.dtWindow = periodsPerWindow / p.Floor
	a.nsampWindow = int(math.Floor(a.dtWindow / dx))
	a.halfnsampWindow = a.nsampWindow/2 - 1
	if a.halfnsampWindow < 2 {
		return nil, fmt.Errorf("%w: analysis window of %d samples is too short", ErrTooShort, a.nsampWindow)
	}
	a.nsampWindow = a.halfnsampWindow * 2
	a.maximumLag = min(int(math.Floor(float64(a.nsampWindow)/periodsPerWindow))+2, a.nsampWindow)

	windowDuration := a.dtWindow
	if method >= fccNormal {
		windowDuration = 1/p.Floor + a.dtWindow
	}
	nFrames, t1, err := s.shortTermAnalysis(windowDuration, dt)
	if err != nil {
		return nil, err
	}
	pitch := &Pitch{X1: t1, Dx: dt, XMax: duration, Ceiling: ceiling, Frames: make([]PitchFrame, nFrames)}
	for i := range pitch.Frames {
		pitch.Frames[i].Candidates = []PitchCandidate{{}}
	}

	mean := 0.0
	for _, v := range s.Samples {
		mean += v
	}
	mean /= float64(nx)
	a.globalPeak = maxDeviation(s.Samples, mean)
	if a.globalPeak == 0 {
		return pitch, nil // digital silence: every frame unvoiced, as in Praat
	}

	if method >= fccNormal {
		a.brentIxmax = int(math.Floor(float64(a.nsampWindow) * interpolationDepth))
	} else {
		a.nsampFFT = 1
		for float64(a.nsampFFT) < float64(a.nsampWindow)*(1+interpolationDepth) {
			a.nsampFFT *= 2
		}
		a.window = make([]float64, a.nsampWindow)
		if method == acGauss {
			imid := 0.5 * float64(a.nsampWindow+1)
			edge := math.Exp(-12)
			n1 := float64(a.nsampWindow + 1)
			for i := 1; i <= a.nsampWindow; i++ {
				d := float64(i) - imid
				a.window[i-1] = (math.Exp(-48*d*d/n1/n1) - edge) / (1 - edge)
			}
		} else {
			for i := 1; i <= a.nsampWindow; i++ {
				a.window[i-1] = 0.5 - 0.5*math.Cos(float64(i)*2*math.Pi/float64(a.nsampWindow+1))
			}
		}
		w := make([]float64, a.nsampFFT)
		copy(w, a.window)
		a.windowR, _ = newAutocorrelator(a.nsampFFT).run(w, nil)
		for i := 1; i < a.nsampWindow; i++ {
			a.windowR[i] /= a.windowR[0]
		}
		a.windowR[0] = 1
		a.brentIxmax = int(math.Floor(float64(a.nsampWindow) * interpolationDepth))
	}

	if p.SilenceThreshold > 0 && !p.refineAll {
		// In a frame, the unvoiced candidate scores voicingThreshold +
		// 2 − intensity/(silenceThreshold/(1+voicingThreshold)) and a voiced
		// one at most 1. When the gap exceeds two voiced/unvoiced transition
		// costs, no path through a voiced candidate of that frame can be
		// best, nor can one serve as the best predecessor of the next frame,
		// so refining its candidates would not change the result. For
		// harmonicity (no costs, silence threshold 0.1) this skips every
		// frame below a tenth of the global peak, which comes out as
		// −200 dB whatever its candidates: about a fifth of the work on
		// read speech.
		vuv := p.VoicedUnvoicedCost * 0.01 / dt
		limit := p.VoicingThreshold + 2 - 1 - 2*vuv - 1e-9 // unvoiced − 1 > 2·vuv
		if limit > 0 {
			a.quietIntensity = limit * p.SilenceThreshold / (1 + p.VoicingThreshold)
		}
	}
	a.analyseFrames(pitch)
	pathFinder(pitch, p.SilenceThreshold, p.VoicingThreshold, p.OctaveCost, p.OctaveJumpCost, p.VoicedUnvoicedCost, ceiling)
	return pitch, nil
}

// analyseFrames fills every frame's intensity and candidates. Frames are
// independent, so contiguous chunks are analysed concurrently, as Praat
// does with threads; the path finder then runs over all of them.
func (a *pitchAnalysis) analyseFrames(pitch *Pitch) {
	n := len(pitch.Frames)
	workers := min(runtime.GOMAXPROCS(0), max(1, n/200))
	if workers == 1 {
		a.analyseRange(pitch, 0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	chunk += chunk % 2 // AC frames go in pairs
	var wg sync.WaitGroup
	for from := 0; from < n; from += chunk {
		wg.Go(func() { a.analyseRange(pitch, from, min(n, from+chunk)) })
	}
	wg.Wait()
}

// scratch is one worker's buffers.
type scratch struct {
	rbuf  [2][]float64
	imax  []int
	order []int
}

// analyseRange analyses frames [from, to). AC frames are processed in pairs
// so that one complex FFT serves two frames.
func (a *pitchAnalysis) analyseRange(pitch *Pitch, from, to int) {
	b := a.brentIxmax
	sc := &scratch{rbuf: [2][]float64{make([]float64, 2*b+1), make([]float64, 2*b+1)}, imax: make([]int, a.maxnCandidates+1)}
	if a.method >= fccNormal {
		a.analyseRangeCC(pitch, from, to, sc)
		return
	}
	ac := newAutocorrelator(a.nsampFFT)
	frames := [2][]float64{make([]float64, a.nsampFFT), make([]float64, a.nsampFFT)}
	var peaks [2]float64
	var idx [2]int
	pending := 0
	process := func() {
		pair := pending
		pending = 0
		second := frames[1]
		if pair == 1 {
			second = nil
		}
		var acOut [2][]float64
		acOut[0], acOut[1] = ac.run(frames[0], second)
		for k := range pair {
			r := sc.rbuf[k]
			r[b] = 1
			for lag := 1; lag <= b; lag++ {
				// Rounded to 1e-11 so that a constant stretch (a DC offset
				// in silence), which correlates to exactly 1 at every lag,
				// gives a plateau without maxima rather than FFT-noise peaks.
				v := math.Round(acOut[k][lag]/(acOut[k][0]*a.windowR[lag])*1e11) / 1e11
				r[b+lag], r[b-lag] = v, v
			}
			a.candidates(&pitch.Frames[idx[k]], peaks[k], symmetric{v: r, b: b}, sc)
		}
	}
	// Frames go two at a time through the FFT; quiet frames are left out
	// (see skipQuiet), so a pair need not be adjacent.
	for i := from; i < to; i++ {
		clear(frames[pending])
		peak, _ := a.prepareFrame(pitch.FrameTime(i), frames[pending])
		if a.skipQuiet(&pitch.Frames[i], peak) {
			continue
		}
		peaks[pending], idx[pending] = peak, i
		if pending++; pending == 2 {
			process()
		}
	}
	if pending > 0 {
		process()
	}
}

// prepareFrame returns the local mean around time t (over two longest
// periods) and the local peak near the centre after removing it. For AC it
// also writes the windowed frame into frame, unless the frame is too quiet
// to be voiced; CC leaves frame alone (pass nil).
func (a *pitchAnalysis) prepareFrame(t float64, frame []float64) (localPeak, localMean float64) {
	s := a.s
	leftSample := s.axis().xToLowIndex(t)
	rightSample := leftSample + 1
	start := rightSample - a.nsampPeriod
	end := leftSample + a.nsampPeriod
	localMean = total(s.Samples[start-1:end]) / float64(2*a.nsampPeriod)
	start = rightSample - a.halfnsampWindow
	src := s.Samples[start-1 : start-1+a.nsampWindow]
	// The centre, which gives the local peak, comes first: a frame too
	// quiet to be voiced is skipped (skipQuiet) and needs no more.
	lo := max(1, a.halfnsampWindow+1-a.halfnsampPeriod)
	hi := min(a.nsampWindow, a.halfnsampWindow+a.halfnsampPeriod)
	if a.method < fccNormal {
		localPeak = applyWindow(frame[lo-1:hi], src[lo-1:hi], a.window[lo-1:hi], localMean)
		if a.quiet(localPeak) {
			return localPeak, localMean
		}
		applyWindow(frame[:lo-1], src[:lo-1], a.window, localMean)
		applyWindow(frame[hi:a.nsampWindow], src[hi:], a.window[hi:], localMean)
		return localPeak, localMean
	}
	// Cross-correlation frames are unwindowed and only their peak is used
	// (centredSpan copies the samples the correlation needs).
	return maxDeviation(src[lo-1:hi], localMean), localMean
}

// maxDeviation is the largest |x[j] − mean| (x not empty). It lies at the
// largest or the smallest sample, as rounding is monotonic, and plain
// comparisons find those several times faster than builtin max per sample.
func maxDeviation(x []float64, mean float64) float64 {
	lo, hi := x[0], x[0]
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return max(hi-mean, mean-lo)
}

// applyWindow writes (src[j] − mean)·w[j] into dst[j] for every j of dst
// and returns the largest magnitude written.
func applyWindow(dst, src, w []float64, mean float64) (peak float64) {
	src, w = src[:len(dst)], w[:len(dst)]
	if useAVX2 && len(dst) >= 8 {
		return applyWindowAVX2(&dst[0], &src[0], &w[0], len(dst), mean)
	}
	for j := range dst {
		dst[j] = (src[j] - mean) * w[j]
		if v := math.Abs(dst[j]); v > peak { // builtin max is several times slower
			peak = v
		}
	}
	return peak
}

// analyseRangeCC runs the forward cross-correlation frames in pairs. For
// each frame, r[lag] = Σ x[j]·y[j+lag] / sqrt(Σx²·Σy²) where x is the first
// window of the span and y the window shifted by lag; the sums Σ x[j]·y[j+lag]
// for all lags come from one FFT-based cross-correlation (three complex FFTs
// serve two frames) instead of one dot product per lag.
func (a *pitchAnalysis) analyseRangeCC(pitch *Pitch, from, to int, sc *scratch) {
	n := a.nsampWindow
	size := 1
	for size < a.maximumLag+n {
		size *= 2
	}
	plan := newFFTPlan(size)
	c := [2][]float64{make([]float64, size), make([]float64, size)}
	// xre, xim hold the first windows, zero-padded; U and V are the
	// spectra, and V's buffers then take the cross-spectrum.
	xre, xim := make([]float64, size), make([]float64, size)
	ure, uim := make([]float64, size), make([]float64, size)
	vre, vim := make([]float64, size), make([]float64, size)
	spans := [2]int{}
	var peaks [2]float64
	b := a.brentIxmax
	// Near the end of the sound the lag span is cut short. Praat then
	// leaves the longer lags of its correlation buffer as the previous
	// frame of the same thread wrote them; last keeps those values so that
	// the final frames come out as in Praat.
	last := make([]float64, b+1)
	// Frames go two at a time through the FFTs; quiet frames are left out
	// (see skipQuiet), so a pair need not be adjacent. A quiet frame is
	// still analysed when the next one is cut short, as that one reads
	// its long lags from last.
	var idx [2]int
	pending := 0
	process := func() {
		pair := pending
		pending = 0
		if pair == 1 {
			clear(c[1])
			spans[1] = 0
		}
		// U = FFT(c0 + i·c1), V = FFT(x0 + i·x1) with x the first window.
		copy(xre[:n], c[0][:n])
		copy(xim[:n], c[1][:n])
		plan.transform(ure, uim, c[0], c[1])
		plan.transform(vre, vim, xre, xim)
		// Cross-spectra P0 = conj(X0)·C0 and P1 = conj(X1)·C1 are Hermitian,
		// so Z = P0 + i·P1 transforms back to R0 + i·R1. The inverse is taken
		// as conj(FFT(conj(Z))).
		for k := 0; k <= size/2; k++ {
			m := (size - k) & (size - 1)
			c0r, c0i := 0.5*(ure[k]+ure[m]), 0.5*(uim[k]-uim[m])
			c1r, c1i := 0.5*(uim[k]+uim[m]), -0.5*(ure[k]-ure[m])
			x0r, x0i := 0.5*(vre[k]+vre[m]), 0.5*(vim[k]-vim[m])
			x1r, x1i := 0.5*(vim[k]+vim[m]), -0.5*(vre[k]-vre[m])
			p0r, p0i := x0r*c0r+x0i*c0i, x0r*c0i-x0i*c0r
			p1r, p1i := x1r*c1r+x1i*c1i, x1r*c1i-x1i*c1r
			// Z[k] = P0 + i·P1; Z[m] = conj(P0) + i·conj(P1). Store conj(Z).
			vre[k], vim[k] = p0r-p1i, -(p0i + p1r)
			if m != k {
				vre[m], vim[m] = p0r+p1i, -(-p0i + p1r)
			}
		}
		plan.transform(ure, uim, vre, vim)
		scale := 1 / float64(size)
		for k := range pair {
			r := sc.rbuf[k]
			clear(r)
			r[b] = 1
			x := c[k][:n]
			sumx2 := dot(x, x)
			sumy2 := sumx2
			maxLag := min(spans[k]-n, b)
			for lag := 1; lag <= maxLag; lag++ {
				y0 := c[k][lag-1]
				yz := c[k][lag-1+n]
				sumy2 += yz*yz - y0*y0
				product := ure[lag] * scale
				if k == 1 {
					product = -uim[lag] * scale
				}
				// Praat sums directly, so a constant stretch (digital
				// silence minus the local mean) correlates to exactly 1 at
				// every lag and yields no maxima, hence no candidates. The
				// FFT adds ~1e-15 of noise that would turn such a plateau
				// into spurious peaks; rounding to 1e-11 restores the ties
				// and moves other values by far less than anything measured.
				v := math.Round(product/math.Sqrt(sumx2*sumy2)*1e11) / 1e11
				r[b+lag], r[b-lag] = v, v
				last[lag] = v
			}
			for lag := max(maxLag+1, 1); lag <= b; lag++ {
				r[b+lag], r[b-lag] = last[lag], last[lag]
			}
			a.candidates(&pitch.Frames[idx[k]], peaks[k], symmetric{v: r, b: b}, sc)
		}
	}
	for i := from; i < to; i++ {
		t := pitch.FrameTime(i)
		peak, mean := a.prepareFrame(t, nil)
		if i+1 < to && a.fullSpan(pitch.FrameTime(i+1)) && a.skipQuiet(&pitch.Frames[i], peak) {
			continue
		}
		clear(c[pending])
		peaks[pending], idx[pending] = peak, i
		spans[pending] = a.centredSpan(t, mean, c[pending])
		if pending++; pending == 2 {
			process()
		}
	}
	if pending > 0 {
		process()
	}
}

// fullSpan reports whether the cross-correlation span of the frame at time
// t lies wholly inside the sound (centredSpan does not cut it short).
func (a *pitchAnalysis) fullSpan(t float64) bool {
	s := a.s
	startSample := max(1, s.axis().xToLowIndex(t-0.5*(1/a.minimumPitch+a.dtWindow)))
	return a.maximumLag+a.nsampWindow <= len(s.Samples)+1-startSample
}

// intensity is a frame's local peak relative to the global peak, at most 1.
func (a *pitchAnalysis) intensity(localPeak float64) float64 {
	if localPeak <= a.globalPeak {
		return localPeak / a.globalPeak
	}
	return 1
}

// quiet reports whether a frame with this local peak is too quiet to be
// voiced (see quietIntensity).
func (a *pitchAnalysis) quiet(localPeak float64) bool {
	return a.intensity(localPeak) < a.quietIntensity
}

// skipQuiet gives a frame too quiet to be voiced (intensity below
// quietIntensity) its intensity and only the unvoiced candidate, and
// reports whether it did. No voiced candidate of such a frame can be on
// the best path nor be the best predecessor of a candidate on it, so the
// path is the same as with all its candidates, and its correlations need
// not be computed at all.
func (a *pitchAnalysis) skipQuiet(frame *PitchFrame, localPeak float64) bool {
	if !a.quiet(localPeak) {
		return false
	}
	frame.Intensity = a.intensity(localPeak)
	frame.Candidates = frame.Candidates[:1]
	frame.Candidates[0] = PitchCandidate{}
	return true
}

// centredSpan copies the span analysed for the frame at time t (one window
// plus the longest lag, starting half a span before t) into c with the local
// mean removed, and returns its length (shorter at the end of the sound).
func (a *pitchAnalysis) centredSpan(t, localMean float64, c []float64) int {
	s := a.s
	nx := len(s.Samples)
	startTime := t - 0.5*(1/a.minimumPitch+a.dtWindow)
	startSample := max(1, s.axis().xToLowIndex(startTime))
	localSpan := a.maximumLag + a.nsampWindow
	if localSpan > nx+1-startSample {
		localSpan = nx + 1 - startSample
	}
	for i, v := range s.Samples[startSample-1 : startSample-1+localSpan] {
		c[i] = v - localMean
	}
	return localSpan
}

// dot is the inner product of x and y[:len(x)], with partial sums (four in
// Go, sixteen with AVX2) so that the additions do not wait on each other.
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	if useAVX2 && len(x) >= 16 {
		return dotAVX2(&x[0], &y[0], len(x))
	}
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// candidates registers the strongest correlation maxima of one frame as
// pitch candidates and refines each with sinc interpolation.
func (a *pitchAnalysis) candidates(frame *PitchFrame, localPeak float64, r symmetric, sc *scratch) {
	imax := sc.imax
	frame.Intensity = 1
	if localPeak <= a.globalPeak {
		frame.Intensity = localPeak / a.globalPeak
	}
	cands := frame.Candidates[:1]
	cands[0] = PitchCandidate{}
	if localPeak == 0 {
		frame.Candidates = cands
		return
	}
	b := r.b
	dx := a.s.dx()
	rl := func(lag int) float64 { return r.v[b+lag] }
	offset := -b - 1
	for i := 2; i < a.maximumLag && i < b; i++ {
		ri := rl(i)
		if !(ri > 0.5*a.voicingThreshold && ri > rl(i-1) && ri >= rl(i+1)) {
			continue
		}
		dr := 0.5 * (rl(i+1) - rl(i-1))
		d2r := 2*ri - rl(i-1) - rl(i+1)
		freq := 1 / dx / (float64(i) + dr/d2r)
		if !(d2r > 0) || !(freq > 0) || math.IsInf(freq, 0) {
			// Only degenerate input (overflowing energies, a window of
			// zeros next to a loud one) gets here; Praat would read
			// undefined values.
			continue
		}
		strength := interpolateSinc(r, 1/dx/freq-float64(offset), 30)
		if strength > 1 {
			strength = 1 / strength
		}
		place := 0
		if len(cands) < a.maxnCandidates {
			cands = append(cands, PitchCandidate{})
			place = len(cands) - 1
		} else {
			weakest := 2.0
			for iw := 1; iw < a.maxnCandidates; iw++ {
				ls := cands[iw].Strength - a.octaveCost*math.Log2(a.minimumPitch/cands[iw].Frequency)
				if ls < weakest {
					weakest, place = ls, iw
				}
			}
			if strength-a.octaveCost*math.Log2(a.minimumPitch/freq) <= weakest {
				place = 0
			}
		}
		if place > 0 {
			cands[place] = PitchCandidate{Frequency: freq, Strength: strength}
			imax[place] = i
		}
	}
	refine := func(i int) {
		depth := a.brentDepth
		if cands[i].Frequency > 0.3/dx {
			depth = interpolateSinc700
		}
		var xmid, ymid float64
		ok := false
		if a.method < fccNormal {
			xmid, ymid, ok = newtonMaximum(r, imax[i]-offset, depth)
		}
		if !ok {
			xmid, ymid = improveMaximum(r, imax[i]-offset, depth)
		}
		xmid += float64(offset)
		if math.IsNaN(ymid) || !(xmid > 0) {
			return // degenerate correlations: keep the first estimate
		}
		cands[i].Frequency = 1 / dx / xmid
		if ymid > 1 {
			ymid = 1 / ymid
		}
		cands[i].Strength = ymid
	}
	frame.Candidates = cands
	if frame.Intensity < a.quietIntensity {
		return // too quiet to be voiced: candidates stay unrefined
	}
	if !a.winnerOnly {
		for i := 1; i < len(cands); i++ {
			refine(i)
		}
		return
	}
	// Refinement (a Brent search over a sinc-700 interpolation) is the
	// costliest step. Candidates are refined strongest first, and one
	// whose first-pass strength trails the best refined strength by more
	// than winnerMargin is skipped: on the test corpus no frame changed
	// with a margin of 0.05 (TestHarmonicityPruningKeepsWinners), so 0.1
	// keeps a factor of two in hand. The winner, the only value read, is
	// always refined exactly as in Praat.
	const winnerMargin = 0.1
	order := sc.order[:0]
	for i := 1; i < len(cands); i++ {
		order = append(order, i)
	}
	sort.Slice(order, func(x, y int) bool { return cands[order[x]].Strength > cands[order[y]].Strength })
	best := math.Inf(-1)
	for _, i := range order {
		if cands[i].Strength+winnerMargin < best {
			break
		}
		refine(i)
		best = math.Max(best, cands[i].Strength)
	}
	sc.order = order
}

func isVoicedFrequency(f, ceiling float64) bool { return f > 0 && f < ceiling }

// pathFinder is Praat's Pitch_pathFinder: a Viterbi search for the cheapest
// path through the candidates, with costs for octave jumps and voicing
// transitions; it moves the winner of each frame to Candidates[0].
func pathFinder(p *Pitch, silenceThreshold, voicingThreshold, octaveCost, octaveJumpCost, voicedUnvoicedCost, ceiling float64) {
	n := len(p.Frames)
	if n == 0 {
		return
	}
	timeStepCorrection := 0.01 / p.Dx
	octaveJumpCost *= timeStepCorrection
	voicedUnvoicedCost *= timeStepCorrection
	p.Ceiling = ceiling
	delta := make([][]float64, n)
	psi := make([][]int, n)
	for i := range p.Frames {
		fr := &p.Frames[i]
		unvoicedStrength := 0.0
		if silenceThreshold > 0 {
			unvoicedStrength = 2 - fr.Intensity/(silenceThreshold/(1+voicingThreshold))
		}
		unvoicedStrength = voicingThreshold + max(0, unvoicedStrength)
		delta[i] = make([]float64, len(fr.Candidates))
		psi[i] = make([]int, len(fr.Candidates))
		for j, c := range fr.Candidates {
			if !isVoicedFrequency(c.Frequency, ceiling) {
				delta[i][j] = unvoicedStrength
			} else {
				delta[i][j] = c.Strength - octaveCost*math.Log2(ceiling/c.Frequency)
			}
		}
	}
	if octaveJumpCost == 0 && voicedUnvoicedCost == 0 {
		// No transition costs: the best path takes, in every frame, the
		// first candidate with the largest local score, which is what the
		// full search below would also find.
		for i := range p.Frames {
			c := p.Frames[i].Candidates
			best := 0
			for j := 1; j < len(c); j++ {
				if delta[i][j] > delta[i][best] {
					best = j
				}
			}
			c[0], c[best] = c[best], c[0]
		}
		return
	}
	for i := 1; i < n; i++ {
		prev, cur := p.Frames[i-1].Candidates, p.Frames[i].Candidates
		prevDelta, curDelta := delta[i-1], delta[i]
		for j2, c2 := range cur {
			f2 := c2.Frequency
			v2 := isVoicedFrequency(f2, ceiling)
			maximum := -1e30
			place := 0
			for j1, c1 := range prev {
				f1 := c1.Frequency
				v1 := isVoicedFrequency(f1, ceiling)
				var cost float64
				switch {
				case !v2 && !v1:
					cost = 0
				case v1 != v2:
					cost = voicedUnvoicedCost
				default:
					cost = octaveJumpCost * math.Abs(math.Log2(f1/f2))
				}
				if value := prevDelta[j1] - cost + curDelta[j2]; value > maximum {
					maximum, place = value, j1
				}
			}
			curDelta[j2] = maximum
			psi[i][j2] = place
		}
	}
	place := 0
	last := delta[n-1]
	for j := 1; j < len(last); j++ {
		if last[j] > last[place] {
			place = j
		}
	}
	for i := n - 1; i >= 0; i-- {
		c := p.Frames[i].Candidates
		c[0], c[place] = c[place], c[0]
		place = psi[i][place]
	}
}
