package vocal

import (
	"fmt"
	"math"
	"strings"

	"github.com/mjibson/go-dsp/fft"
	"github.com/nevermind-ai/nevermind/vocal/praat"
)

// measures are the Praat objects the seed's analysis reads, each computed
// once.
type measures struct {
	sound       *praat.Sound
	duration    float64
	pitch       *praat.Pitch
	intensity   *praat.Intensity
	pulses      *praat.PointProcess
	harmonicity *praat.Harmonicity
}

const (
	pitchStep       = 0.01
	jitterMinPer    = 1.0 / 500
	jitterMaxPer    = 1.0 / 75
	periodFactor    = 1.3
	amplitudeFactor = 1.6
)

// tremorRow is one window of the seed's tremor timeline (1 s long, every
// 0.5 s).
type tremorRow struct {
	start, end           float64
	jitter, shimmer, hnr float64 // rounded to 3 dp
	fm, am               float64 // rounded to 5 dp
	fmRaw, amRaw         float64
	score                float64
}

func (m *measures) tremorTimeline() []tremorRow {
	var rows []tremorRow
	for _, w := range windows(m.duration, 1.0, 0.5) {
		t0, t1 := w[0], w[1]
		r := tremorRow{start: t0, end: t1}
		r.jitter = roundTo(100*m.pulses.JitterLocal(t0, t1, jitterMinPer, jitterMaxPer, periodFactor), 3)
		r.shimmer = roundTo(100*m.pulses.ShimmerLocal(m.sound, t0, t1, jitterMinPer, jitterMaxPer, periodFactor, amplitudeFactor), 3)
		r.hnr = roundTo(m.harmonicity.Mean(t0, t1), 3)
		r.fmRaw = m.fmEnergy(t0, t1)
		r.amRaw = m.amEnergy(t0, t1)
		r.fm, r.am = roundTo(r.fmRaw, 5), roundTo(r.amRaw, 5)
		rows = append(rows, r)
	}
	fmRef := refPercentile(rows, func(r tremorRow) float64 { return r.fmRaw })
	amRef := refPercentile(rows, func(r tremorRow) float64 { return r.amRaw })
	for i := range rows {
		r := &rows[i]
		sj := clip(r.jitter/2.0, 0, 1)
		ss := clip(r.shimmer/6.0, 0, 1)
		sh := clip((18.0-r.hnr)/18.0, 0, 1)
		fmN := clip(r.fm/fmRef, 0, 1)
		amN := clip(r.am/amRef, 0, 1)
		r.score = roundTo(0.18*sj+0.17*ss+0.10*sh+0.35*fmN+0.20*amN, 3)
	}
	return rows
}

func refPercentile(rows []tremorRow, get func(tremorRow) float64) float64 {
	var xs []float64
	for _, r := range rows {
		if v := get(r); finite(v) {
			xs = append(xs, v)
		}
	}
	ref := percentile(xs, 90)
	if !finite(ref) || ref == 0 {
		return 1
	}
	return ref
}

// fmEnergy is the 3–10 Hz modulation energy of F0 in the window. The seed
// recomputed the pitch for every window; the result is the same object, so
// it is computed once here.
func (m *measures) fmEnergy(t0, t1 float64) float64 {
	dt := pitchStep
	n := max(int(math.Floor((t1-t0)/dt)), 3)
	first := int(math.Floor(t0 / dt))
	f0 := make([]float64, n)
	for i := range f0 {
		f0[i] = m.pitch.Frequency(first + i) // frame number first+i+1, 1-based
	}
	if !interpGaps(f0) {
		return 0
	}
	return bandEnergy(f0, 1/dt, 3, 10)
}

// amEnergy is the 3–10 Hz modulation energy of the intensity in the window.
func (m *measures) amEnergy(t0, t1 float64) float64 {
	in := m.intensity
	var ts, vs []float64
	for i, v := range in.Values {
		if t := in.FrameTime(i); t >= t0 && t <= t1 {
			if math.IsNaN(v) {
				v = 0
			}
			ts = append(ts, t)
			vs = append(vs, v)
		}
	}
	if len(vs) < 3 || len(in.Values) <= 3 {
		return 0
	}
	step := (ts[len(ts)-1] - ts[0]) / float64(len(ts)-1)
	// The seed resamples onto a grid with the mean spacing; for Praat's
	// evenly spaced frames that grid is the frames themselves.
	return bandEnergy(vs, 1/step, 3, 10)
}

// bandEnergy is the seed's bandE: mean |X|² of the zero-padded real FFT
// over the bins whose frequency lies in [lo, hi].
func bandEnergy(x []float64, fs, lo, hi float64) float64 {
	if len(x) < 8 {
		return 0
	}
	m := mean(dropNaN(x))
	n := 1
	for n < len(x) {
		n *= 2
	}
	buf := make([]float64, n)
	for i, v := range x {
		if math.IsNaN(v) {
			buf[i] = 0
		} else {
			buf[i] = v - m
		}
	}
	spec := fft.FFTReal(buf)
	sum, count := 0.0, 0
	for k := 0; k <= n/2; k++ {
		f := float64(k) * fs / float64(n)
		if f >= lo && f <= hi {
			re, im := real(spec[k]), imag(spec[k])
			sum += re*re + im*im
			count++
		}
	}
	if count == 0 {
		return 0
	}
	return sum / float64(count)
}

// speedRow is one window of the seed's speed and pause timeline (0.5 s
// long, every 0.2 s).
type speedRow struct {
	start, end  float64
	pauseRatio  float64
	sps         float64 // speaking rate = articulation rate in the seed
	voicedRatio float64
}

// syllablePeaks returns the seed's syllable-like peaks: strict local maxima
// of the intensity slope, at least 0.12 s apart.
func syllablePeaks(ts, vs []float64) []float64 {
	n := len(vs)
	slope := make([]float64, n)
	for i := 1; i < n; i++ {
		slope[i] = (vs[i] - vs[i-1]) / math.Max(ts[i]-ts[i-1], 1e-6)
	}
	var peaks []float64
	for i := 1; i <= n-2; i++ {
		if slope[i-1] < slope[i] && slope[i] > slope[i+1] {
			if len(peaks) == 0 || ts[i]-peaks[len(peaks)-1] >= 0.12 {
				peaks = append(peaks, ts[i])
			}
		}
	}
	return peaks
}

func (m *measures) intensitySeries() (ts, vs []float64) {
	in := m.intensity
	ts = make([]float64, len(in.Values))
	vs = make([]float64, len(in.Values))
	med := nanmedian(in.Values)
	for i, v := range in.Values {
		ts[i] = in.FrameTime(i)
		if math.IsNaN(v) {
			v = med
		}
		vs[i] = v
	}
	return ts, vs
}

func (m *measures) speedTimeline() (rows []speedRow, peaks []float64) {
	ts, vs := m.intensitySeries()
	med := rollingMedian(vs, 9, 3)
	speaking := make([]bool, len(vs))
	for i := range vs {
		speaking[i] = vs[i] >= med[i]-6.0
	}
	peaks = syllablePeaks(ts, vs)
	for _, w := range windows(m.duration, 0.5, 0.2) {
		t0, t1 := w[0], w[1]
		total, silent := 0, 0
		for i, t := range ts {
			if t >= t0 && t <= t1 {
				total++
				if !speaking[i] {
					silent++
				}
			}
		}
		pr := 0.0
		if total > 0 {
			pr = float64(silent) / float64(total)
		}
		pr = roundTo(pr, 2)
		np := 0
		for _, p := range peaks {
			if p >= t0 && p <= t1 {
				np++
			}
		}
		rows = append(rows, speedRow{start: t0, end: t1, pauseRatio: pr, sps: roundTo(float64(np)/(t1-t0), 2), voicedRatio: 1.0 - pr})
	}
	return rows, peaks
}

// Korean labels and levels of the seed's payload: good, fair, slight,
// caution, excessive, not enough data; the speed levels appropriate,
// appropriate to slightly fast, fast/slow, much too fast/slow.
const (
	levelGood       = "양호"
	levelFair       = "보통"
	levelSlight     = "약간"
	levelCaution    = "주의"
	levelExcess     = "과다"
	levelNoData     = "정보부족"
	descNoData      = "정보 부족"
	speedLevelOK    = "적정"
	speedLevelOKish = "적정~약간 빠름"
	speedLevelOff   = "빠름/느림"
	speedLevelBad   = "과속/과늦"
)

func tremorMetric(rows []tremorRow) Metric {
	m := Metric{ID: "tremor", Label: "떨림"}
	// Fixed: the seed's Python max() returned NaN whenever the first window
	// had no measurable periods (level 주의 whatever followed), and numpy
	// medians turned NaN whenever any window was, cancelling every penalty.
	// Here NaN windows are skipped.
	var scores, jit, shim, hnr []float64
	for _, r := range rows {
		if finite(r.score) {
			scores = append(scores, r.score)
		}
		jit = append(jit, r.jitter)
		shim = append(shim, r.shimmer)
		hnr = append(hnr, r.hnr)
	}
	if len(scores) == 0 {
		m.Level, m.Description, m.Details = levelNoData, descNoData, struct{}{}
		return m
	}
	zmax := scores[0]
	for _, s := range scores[1:] {
		zmax = math.Max(zmax, s)
	}
	j, s, h := nanmedian(jit), nanmedian(shim), nanmedian(hnr)
	var base float64
	switch {
	case zmax < 0.8:
		base, m.Level = 90, levelGood
	case zmax < 1.2:
		base, m.Level = 82, levelGood
	case zmax < 1.6:
		base, m.Level = 70, levelSlight
	default:
		base, m.Level = 55, levelCaution
	}
	if j > 2.5 {
		base -= 3
	}
	if s > 9.0 {
		base -= 3
	}
	if h < 12.0 {
		base -= 3
	}
	m.Score = int(math.RoundToEven(clip(base, 40, 100)))
	zero := func(x float64) float64 {
		if finite(x) {
			return x
		}
		return 0
	}
	m.Description = fmt.Sprintf("최대 z=%.2f, jitter≈%.2f%%, shimmer≈%.2f%%, HNR≈%.1f dB", zmax, zero(j), zero(s), zero(h))
	m.Details = &TremorDetails{ZMax: Num(zmax), JitterPct: Num(j), ShimmerPct: Num(s), HNRdB: Num(h)}
	return m
}

func speedMetric(rows []speedRow) Metric {
	unit := "wpm"
	m := Metric{ID: "speed", Label: "속도", Unit: &unit}
	if len(rows) == 0 {
		m.Level, m.Description, m.Details = levelNoData, descNoData, struct{}{}
		return m
	}
	sps := make([]float64, len(rows))
	for i, r := range rows {
		sps[i] = r.sps
	}
	med := median(sps)
	wpm := int(clip(math.RoundToEven(med*60/2.25), 0, 400))
	switch {
	case wpm >= 140 && wpm <= 170:
		m.Score, m.Level = 88, speedLevelOK
	case (wpm >= 120 && wpm <= 139) || (wpm >= 171 && wpm <= 185):
		m.Score, m.Level = 82, speedLevelOKish
	case (wpm >= 100 && wpm <= 119) || (wpm >= 186 && wpm <= 200):
		m.Score, m.Level = 74, speedLevelOff
	default:
		m.Score, m.Level = 60, speedLevelBad
	}
	m.Value = wpm
	// Fixed: the seed always said "fast but clear", whatever the speed.
	switch {
	case wpm > 170:
		m.Description = "말하기 속도가 빠른 편이나 명료성은 유지."
	case wpm < 140:
		m.Description = "말하기 속도가 다소 느린 편."
	default:
		m.Description = "말하기 속도가 적절함."
	}
	m.Details = &SpeedDetails{SPS: roundTo(med, 2), WPM: wpm}
	return m
}

func pauseMetric(rows []speedRow) (Metric, float64) {
	unit := "ratio"
	m := Metric{ID: "pause", Label: "공백", Unit: &unit}
	p := math.NaN()
	if len(rows) > 0 {
		prs := make([]float64, len(rows))
		for i, r := range rows {
			prs[i] = r.pauseRatio
		}
		p = median(prs)
	}
	switch {
	case math.IsNaN(p):
		m.Score, m.Level = 80, levelFair
	case p <= 0.18:
		m.Score, m.Level = 85, levelGood
	case p <= 0.25:
		m.Score, m.Level = 78, levelSlight
	case p <= 0.35:
		m.Score, m.Level = 70, levelCaution
	default:
		m.Score, m.Level = 62, levelExcess
	}
	if !math.IsNaN(p) {
		m.Value = p
	}
	if m.Level == levelGood {
		m.Description = "불필요한 침묵 과다는 없음."
	} else {
		m.Description = "휴지 개선 필요."
	}
	return m, p
}

// band is the seed's band score: 1 inside [lo, hi], falling linearly to 0
// one band-width outside; NaN when x is missing.
func band(x, lo, hi float64) float64 {
	if !finite(x) {
		return math.NaN()
	}
	if x >= lo && x <= hi {
		return 1
	}
	d := lo - x
	if x > hi {
		d = x - hi
	}
	return clip(1-d/(hi-lo), 0, 1)
}

type intonation struct {
	rangeSt, slope, varSt float64
}

func (m *measures) intonation() intonation {
	var ts, f0 []float64
	for i := 0; float64(i)*pitchStep < m.duration; i++ {
		t := float64(i) * pitchStep
		if v := m.pitch.ValueAtTime(t); finite(v) && v > 0 {
			ts = append(ts, t)
			f0 = append(f0, v)
		}
	}
	if len(f0) < 10 {
		return intonation{}
	}
	p10, p90, med := percentile(f0, 10), percentile(f0, 90), median(f0)
	st := make([]float64, len(f0))
	for i, f := range f0 {
		st[i] = 12 * math.Log2(f/med)
	}
	var lt, lf []float64
	for i, t := range ts {
		if t >= m.duration-0.8 {
			lt = append(lt, t)
			lf = append(lf, f0[i])
		}
	}
	slope := 0.0
	if len(lt) >= 5 {
		slope = linearSlope(lt, lf)
	}
	return intonation{rangeSt: roundTo(12*math.Log2(p90/p10), 2), slope: roundTo(slope, 2), varSt: roundTo(std(st), 2)}
}

type energy struct{ stressRate, varDB, balance float64 }

func energyOf(vs []float64) energy {
	if len(vs) < 3 {
		return energy{math.NaN(), math.NaN(), math.NaN()}
	}
	p90 := percentile(vs, 90)
	above := 0
	for _, v := range vs {
		if v >= p90 {
			above++
		}
	}
	sd := std(vs)
	h := len(vs) / 2
	return energy{
		stressRate: roundTo(float64(above)/float64(len(vs)), 3),
		varDB:      roundTo(sd, 2),
		balance:    roundTo(math.Abs(mean(vs[:h])-mean(vs[h:]))/math.Max(sd, 1e-6), 3),
	}
}

type rhythm struct{ cv, npvi, regularity float64 }

func rhythmOf(peaks []float64) rhythm {
	if len(peaks) < 4 {
		return rhythm{math.NaN(), math.NaN(), math.NaN()}
	}
	ioi := make([]float64, len(peaks)-1)
	for i := range ioi {
		ioi[i] = peaks[i+1] - peaks[i]
	}
	cv := std(ioi) / mean(ioi)
	var pv []float64
	for k := 0; k+1 < len(ioi); k++ {
		pv = append(pv, 200*math.Abs(ioi[k]-ioi[k+1])/(ioi[k]+ioi[k+1]+1e-9))
	}
	return rhythm{cv: roundTo(cv, 3), npvi: roundTo(mean(pv), 1), regularity: roundTo(clip(1-cv, 0, 1), 3)}
}

func meanDefined(xs ...float64) float64 {
	d := dropNaN(xs)
	if len(d) == 0 {
		return math.NaN()
	}
	return mean(d)
}

func toneMetric(in intonation, en energy, rh rhythm) Metric {
	sRange := band(in.rangeSt, 4.0, 8.5)
	sSlope := band(in.slope, 1.2, 3.5)
	sVar := band(in.varSt, 1.2, 4.0)
	if math.Abs(in.slope) <= 0.2 {
		sSlope *= 0.9
	}
	I := (0.65*sRange + 0.20*sSlope + 0.15*sVar) / (0.65 + 0.20 + 0.15)
	if in.rangeSt < 3.2 && in.varSt < 1.2 {
		I = math.Min(I, 0.50)
	}
	I = clip(I, 0, 1)
	E := meanDefined(band(en.stressRate, 0.08, 0.20), band(en.varDB, 2.5, 6.0), band(en.balance, 0.0, 0.15))
	R := meanDefined(band(rh.npvi, 30, 65), band(rh.cv, 0.12, 0.28), band(rh.regularity, 0.65, 0.90))
	tone := 0.40 * I
	coverage := 0.4
	if finite(E) {
		tone += 0.30 * E
		coverage += 0.3
	}
	if finite(R) {
		tone += 0.30 * R
		coverage += 0.3
	}
	score := int(math.RoundToEven(100 * tone))
	eff := tone / coverage
	var label string
	switch {
	case eff >= 0.80:
		label = "자신감 있고 안정적"
	case eff >= 0.65:
		label = "대체로 자연스러움"
	case eff >= 0.50:
		label = "다소 단조/불균형"
	default:
		label = "단조/불안정"
	}
	m := Metric{ID: "tone", Label: "억양", Score: int(clip(float64(score), 0, 100)), Value: label}
	if score >= 80 {
		m.Level, m.Description = levelGood, "억양 변화와 에너지 밸런스가 안정적."
	} else {
		m.Level, m.Description = levelFair, "억양 개선 여지 있음."
	}
	m.Details = &ToneDetails{ToneScore: score, Coverage: roundTo(coverage, 2), Drivers: ToneDrivers{
		F0RangeSt: in.rangeSt, EndingSlopeHzPerS: in.slope, PitchVarSt: in.varSt,
		StressRate: Num(en.stressRate), EnergyVarDB: Num(en.varDB), Balance: Num(en.balance),
		SyllCV: Num(rh.cv), NPVI: Num(rh.npvi), Regularity: Num(rh.regularity),
	}}
	return m
}

// summarize builds the seed's structural summary. Fixed: the seed
// said "somewhat fast" for the 빠름/느림 level even when speech was slow.
func summarize(tremor, pause, tone, speed Metric) string {
	var parts []string
	if tremor.Level == levelGood || tremor.Level == levelSlight {
		parts = append(parts, "전반적으로 안정적")
	}
	wpm, _ := speed.Value.(int)
	switch {
	case strings.HasPrefix(speed.Level, speedLevelOK):
		parts = append(parts, "속도 적정")
	case strings.Contains(speed.Level, "빠름") && wpm > 170:
		parts = append(parts, "속도는 다소 빠름")
	case strings.Contains(speed.Level, "빠름"):
		parts = append(parts, "속도는 다소 느림")
	}
	if pause.Level == levelGood {
		parts = append(parts, "불필요한 긴 침묵은 없음")
	}
	if label, ok := tone.Value.(string); ok && label != "" {
		parts = append(parts, "억양은 "+label)
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, ". ") + "."
}
