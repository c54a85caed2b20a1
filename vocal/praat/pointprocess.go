package praat

import (
	"math"
	"sort"
)

// PointProcess is a sorted list of glottal pulse times (s) within [0, XMax].
type PointProcess struct {
	XMax  float64   // end of the time domain, s
	Times []float64 // pulse times, s, ascending
}

func (pp *PointProcess) add(t float64) {
	n := len(pp.Times)
	if n == 0 || t >= pp.Times[n-1] {
		pp.Times = append(pp.Times, t)
		return
	}
	i := sort.SearchFloat64s(pp.Times, t)
	if i < n && pp.Times[i] == t {
		return // Praat keeps one point per time
	}
	pp.Times = append(pp.Times, 0)
	copy(pp.Times[i+1:], pp.Times[i:])
	pp.Times[i] = t
}

// ToPointProcessCC is Praat's "Sound & Pitch: To PointProcess (cc)": in every
// voiced stretch it starts at the extremum nearest the middle and walks left
// and right one period at a time, placing each pulse where the waveform best
// correlates with the previous period.
// "Sound: To PointProcess (periodic, cc)" is this applied to
// ToPitch(s, DefaultPitchParams(floor, ceiling)).
func ToPointProcessCC(s *Sound, pitch *Pitch) *PointProcess {
	pp := &PointProcess{XMax: s.Duration()}
	globalPeak := 0.0
	for _, v := range s.Samples {
		globalPeak = max(globalPeak, math.Abs(v))
	}
	t := 0.0
	addedRight := -1e308
	for {
		tleft, tright, ok := pitch.voicedIntervalAfter(t)
		if !ok {
			break
		}
		tmiddle := (tleft + tright) / 2
		f0middle := pitch.ValueAtTime(tmiddle)
		if math.IsNaN(f0middle) {
			break // cannot happen for a voiced interval; Praat aborts here
		}
		tmax := s.findExtremum(tmiddle-0.5/f0middle, tmiddle+0.5/f0middle)
		pp.add(tmax)
		tsave := tmax
		for {
			f0 := pitch.ValueAtTime(tmax)
			if math.IsNaN(f0) {
				break
			}
			corr, peak, tout := s.findMaximumCorrelation(tmax, 1/f0, tmax-1.25/f0, tmax-0.8/f0)
			if corr == -1 {
				tmax -= 1 / f0 // this one period drops out
			} else {
				tmax = tout
			}
			if tmax < tleft {
				if corr > 0.7 && peak > 0.023333*globalPeak && tmax-addedRight > 0.8/f0 {
					pp.add(tmax)
				}
				break
			}
			if corr > 0.3 && (peak == 0 || peak > 0.01*globalPeak) && tmax-addedRight > 0.8/f0 {
				pp.add(tmax)
			}
		}
		tmax = tsave
		for {
			f0 := pitch.ValueAtTime(tmax)
			if math.IsNaN(f0) {
				break
			}
			corr, peak, tout := s.findMaximumCorrelation(tmax, 1/f0, tmax+0.8/f0, tmax+1.25/f0)
			if corr == -1 {
				tmax += 1 / f0
			} else {
				tmax = tout
			}
			if tmax > tright {
				if corr > 0.7 && peak > 0.023333*globalPeak {
					pp.add(tmax)
					addedRight = tmax
				}
				break
			}
			if corr > 0.3 && (peak == 0 || peak > 0.01*globalPeak) {
				pp.add(tmax)
				addedRight = tmax
			}
		}
		t = tright
	}
	return pp
}

// voicedIntervalAfter finds the first run of voiced frames at or after time
// after, as Praat's Pitch_getVoicedIntervalAfter (whole frames count).
func (p *Pitch) voicedIntervalAfter(after float64) (tleft, tright float64, ok bool) {
	ax := p.axis()
	n := len(p.Frames)
	ileft := ax.xToHighIndex(after)
	if ileft > n {
		return 0, 0, false
	}
	ileft = max(ileft, 1)
	for ileft <= n && !p.Voiced(ileft-1) {
		ileft++
	}
	if ileft > n {
		return 0, 0, false
	}
	iright := ileft
	for iright <= n && p.Voiced(iright-1) {
		iright++
	}
	iright--
	tleft = ax.indexToX(ileft) - 0.5*p.Dx
	tright = ax.indexToX(iright) + 0.5*p.Dx
	if tleft >= p.XMax-0.5*p.Dx {
		return 0, 0, false
	}
	tleft = max(tleft, 0)
	tright = min(tright, p.XMax)
	if tright <= after {
		return 0, 0, false
	}
	return tleft, tright, true
}

// findExtremum returns the time of the largest absolute sample in
// [tmin, tmax], refined parabolically.
func (s *Sound) findExtremum(tmin, tmax float64) float64 {
	ax := s.axis()
	imin := max(1, ax.xToLowIndex(tmin))
	imax := min(len(s.Samples), ax.xToHighIndex(tmax))
	n := imax - imin + 1
	y := func(i int) float64 { return s.at(imin - 1 + i) } // 1-based within the range
	var iext float64
	switch {
	case n <= 0:
		return (tmin + tmax) / 2
	case n == 1:
		iext = 1
	case n == 2:
		xl, xr := math.Abs(y(1)), math.Abs(y(2))
		switch {
		case xl > xr:
			iext = 1
		case xl < xr:
			iext = 2
		default:
			iext = 1.5
		}
	default:
		mn, mx := y(1), y(1)
		imn, imx := 1, 1
		for i := 2; i <= n; i++ {
			v := y(i)
			if v < mn {
				mn, imn = v, i
			}
			if v > mx {
				mx, imx = v, i
			}
		}
		if mn == mx {
			iext = 0.5 * float64(n+1)
			break
		}
		ie := imx
		if math.Abs(mn) > math.Abs(mx) {
			ie = imn
		}
		if ie == 1 || ie == n {
			iext = float64(ie)
			break
		}
		vm, vl, vr := y(ie), y(ie-1), y(ie+1)
		iext = float64(ie) + 0.5*(vr-vl)/(2*vm-vl-vr)
	}
	return s.x1() + (float64(imin-1)+iext-1)*s.dx()
}

// findMaximumCorrelation slides a window of one period around t1 over the
// candidate positions [tmin2, tmax2] and returns the best normalised
// correlation (−1 if none was found), the peak amplitude there, and the
// parabolically refined time.
func (s *Sound) findMaximumCorrelation(t1, windowLength, tmin2, tmax2 float64) (corr, peak, tout float64) {
	ax := s.axis()
	nx := len(s.Samples)
	half := 0.5 * windowLength
	ileft1 := ax.xToNearestIndex(t1 - half)
	iright1 := ax.xToNearestIndex(t1 + half)
	ileft2min := ax.xToLowIndex(tmin2 - half)
	ileft2max := ax.xToHighIndex(tmax2 - half)
	maximum := -1.0
	var r1, r2, r3, r1best, r3best, ir float64
	inside := ileft1 >= 1 && iright1 <= nx && ileft2min >= 1 && ileft2max+(iright1-ileft1) <= nx
	if inside && iright1 >= ileft1 {
		// Fast path, the usual case: every sample is inside the sound, so
		// the reference period's energy is computed once and the sliding
		// period's energy is updated rather than summed again.
		w := iright1 - ileft1 + 1
		x := s.Samples[ileft1-1 : iright1]
		norm1 := dot(x, x)
		y := s.Samples[ileft2min-1 : ileft2min-1+w]
		norm2 := dot(y, y)
		for ileft2 := ileft2min; ileft2 <= ileft2max; ileft2++ {
			y = s.Samples[ileft2-1 : ileft2-1+w]
			if ileft2 > ileft2min {
				out, in := s.Samples[ileft2-2], y[w-1]
				norm2 += in*in - out*out
			}
			product := dot(x, y)
			r1, r2 = r2, r3
			r3 = 0
			if product != 0 {
				r3 = product / math.Sqrt(norm1*norm2)
			}
			if r2 > maximum && r2 >= r1 && r2 >= r3 {
				r1best, maximum, r3best = r1, r2, r3
				ir = float64(ileft2 - 1)
				peak = 0
				for _, v := range y {
					peak = max(peak, math.Abs(v))
				}
			}
		}
	} else {
		for ileft2 := ileft2min; ileft2 <= ileft2max; ileft2++ {
			var norm1, norm2, product, localPeak float64
			for i1, i2 := ileft1, ileft2; i1 <= iright1; i1, i2 = i1+1, i2+1 {
				if i1 < 1 || i1 > nx || i2 < 1 || i2 > nx {
					continue
				}
				a1, a2 := s.at(i1), s.at(i2)
				norm1 += a1 * a1
				norm2 += a2 * a2
				product += a1 * a2
				localPeak = max(localPeak, math.Abs(a2))
			}
			r1, r2 = r2, r3
			r3 = 0
			if product != 0 {
				r3 = product / math.Sqrt(norm1*norm2)
			}
			if r2 > maximum && r2 >= r1 && r2 >= r3 {
				r1best, maximum, r3best = r1, r2, r3
				ir = float64(ileft2 - 1)
				peak = localPeak // as in Praat: the peak of the position after the maximum
			}
		}
	}
	if maximum > -1 {
		if d2r := 2*maximum - r1best - r3best; d2r != 0 {
			dr := 0.5 * (r3best - r1best)
			maximum += 0.5 * dr * dr / d2r
			ir += dr / d2r
		}
		tout = t1 + (ir-float64(ileft1))*s.dx()
	}
	return maximum, peak, tout
}

// windowPoints returns the 0-based index range [first, last] of the points
// with tmin <= t <= tmax (empty when last < first).
func (pp *PointProcess) windowPoints(tmin, tmax float64) (first, last int) {
	first = sort.SearchFloat64s(pp.Times, tmin)
	last = sort.Search(len(pp.Times), func(i int) bool { return pp.Times[i] > tmax }) - 1
	return first, last
}

func (pp *PointProcess) isPeriod(i int, pmin, pmax, maxFactor float64) bool {
	// Is the interval from point i to point i+1 (0-based) a period?
	t := pp.Times
	if i < 0 || i+1 >= len(t) {
		return false
	}
	if pmin == pmax {
		return true
	}
	interval := t[i+1] - t[i]
	if interval <= 0 || interval < pmin || interval > pmax {
		return false
	}
	if math.IsNaN(maxFactor) || maxFactor < 1 {
		return true
	}
	prev, next := math.NaN(), math.NaN()
	if i >= 1 {
		if d := t[i] - t[i-1]; d > 0 {
			prev = interval / d
		}
	}
	if i+2 < len(t) {
		if d := t[i+2] - t[i+1]; d > 0 {
			next = interval / d
		}
	}
	if math.IsNaN(prev) && math.IsNaN(next) {
		return true
	}
	if prev > 0 && prev < 1 {
		prev = 1 / prev
	}
	if next > 0 && next < 1 {
		next = 1 / next
	}
	return !(prev > maxFactor && next > maxFactor)
}

// MeanPeriod is Praat's "Get mean period": the mean of the intervals in
// [tmin, tmax] that count as periods (NaN if none).
func (pp *PointProcess) MeanPeriod(tmin, tmax, pmin, pmax, maxFactor float64) float64 {
	first, last := pp.windowPoints(tmin, tmax)
	n, sum := 0, 0.0
	for i := first; i < last; i++ {
		if pp.isPeriod(i, pmin, pmax, maxFactor) {
			n++
			sum += pp.Times[i+1] - pp.Times[i]
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// JitterLocal is Praat's "Get jitter (local)" over [tmin, tmax]: the mean
// absolute difference between consecutive periods divided by the mean
// period, as a fraction (multiply by 100 for %). NaN with fewer than two
// usable period pairs. pmin/pmax are the shortest and longest periods (s),
// maxFactor the largest ratio between consecutive periods (1.3).
func (pp *PointProcess) JitterLocal(tmin, tmax, pmin, pmax, maxFactor float64) float64 {
	first, last := pp.windowPoints(tmin, tmax)
	nPeriods := last - first
	if nPeriods < 2 {
		return math.NaN()
	}
	t := pp.Times
	sum := 0.0
	for i := first + 1; i < last; i++ {
		p1, p2 := t[i]-t[i-1], t[i+1]-t[i]
		f := p2 / p1
		if p1 > p2 {
			f = p1 / p2
		}
		if pmin == pmax || (p1 >= pmin && p1 <= pmax && p2 >= pmin && p2 <= pmax && f <= maxFactor) {
			sum += math.Abs(p1 - p2)
		} else {
			nPeriods--
		}
	}
	if nPeriods < 2 {
		return math.NaN()
	}
	return sum / float64(nPeriods-1) / pp.MeanPeriod(tmin, tmax, pmin, pmax, maxFactor)
}

// ShimmerLocal is Praat's "Sound & PointProcess: Get shimmer (local)" over
// [tmin, tmax]: each usable pulse gets the RMS of a Hann window reaching a
// fifth of a period to either side, and the result is the mean absolute
// difference of consecutive amplitudes divided by the mean amplitude, as a
// fraction. maxAmpFactor (1.6) drops pairs whose amplitudes differ more.
func (pp *PointProcess) ShimmerLocal(s *Sound, tmin, tmax, pmin, pmax, maxPeriodFactor, maxAmpFactor float64) float64 {
	first, last := pp.windowPoints(tmin, tmax)
	if last-first+1 < 3 {
		return math.NaN()
	}
	t := pp.Times
	type point struct{ t, a float64 }
	var pts []point
	for i := first + 1; i < last; i++ {
		p1, p2 := t[i]-t[i-1], t[i+1]-t[i]
		f := p2 / p1
		if p1 > p2 {
			f = p1 / p2
		}
		if pmin == pmax || (p1 >= pmin && p1 <= pmax && p2 >= pmin && p2 <= pmax && f <= maxPeriodFactor) {
			if a := s.hannWindowedRMS(t[i], 0.2*p1, 0.2*p2); a > 0 {
				pts = append(pts, point{t[i], a})
			}
		}
	}
	var num float64
	n := 0
	for i := 1; i < len(pts); i++ {
		p := pts[i].t - pts[i-1].t
		if pmin == pmax || (p >= pmin && p <= pmax) {
			a1, a2 := pts[i-1].a, pts[i].a
			f := a2 / a1
			if a1 > a2 {
				f = a1 / a2
			}
			if f <= maxAmpFactor {
				num += math.Abs(a1 - a2)
				n++
			}
		}
	}
	if n < 1 {
		return math.NaN()
	}
	num /= float64(n)
	den := 0.0
	for i := 0; i < len(pts)-1; i++ {
		den += pts[i].a
	}
	den /= float64(len(pts) - 1)
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

func (s *Sound) hannWindowedRMS(tmid, widthLeft, widthRight float64) float64 {
	imin, imax, n := s.axis().windowSamples(tmid-widthLeft, tmid+widthRight)
	if n < 3 {
		return math.NaN()
	}
	// The window's cosine is advanced by rotation on each side of tmid
	// rather than computed per sample (the two sides have their own widths);
	// the result differs from per-sample cosines by rounding only.
	var sum, wsum float64
	i := imin
	for side, width := range [2]float64{widthLeft, widthRight} {
		t := s.x1() + float64(i-1)*s.dx()
		if i > imax || (side == 0 && !(t < tmid)) {
			continue
		}
		sn, cs := math.Sincos(math.Pi * (t - tmid) / width)
		sd, cd := math.Sincos(math.Pi * s.dx() / width)
		for ; i <= imax; i++ {
			if side == 0 && !(s.x1()+float64(i-1)*s.dx() < tmid) {
				break
			}
			w := 0.5 + 0.5*cs
			v := s.at(i) * w
			sum += v * v
			wsum += w * w
			cs, sn = cs*cd-sn*sd, sn*cd+cs*sd
		}
	}
	return math.Sqrt(sum / wsum)
}
