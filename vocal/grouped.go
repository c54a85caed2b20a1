package vocal

import "math"

// mergedRow is a tremor row joined to the speed row whose centre is nearest
// (pandas merge_asof, direction nearest, tolerance 0.25 s), as the seed
// joined them for its grouped problem segments.
type mergedRow struct {
	tremorRow
	sp      speedRow
	matched bool
}

func (r mergedRow) centre() float64 { return (r.start + r.end) / 2 }

func mergeTimelines(tr []tremorRow, sp []speedRow) []mergedRow {
	const tolerance = 0.25 // max(hop/2, 0.2) with the tremor hop of 0.5 s
	out := make([]mergedRow, len(tr))
	for i, r := range tr {
		out[i].tremorRow = r
		c := (r.start + r.end) / 2
		best, bestD := -1, math.Inf(1)
		for j, s := range sp {
			// Strictly smaller keeps the earlier (backward) row on ties, as merge_asof does.
			if d := math.Abs((s.start+s.end)/2 - c); d < bestD {
				best, bestD = j, d
			}
		}
		if best >= 0 && bestD <= tolerance {
			out[i].sp, out[i].matched = sp[best], true
		}
	}
	return out
}

func (r mergedRow) speedValue(get func(speedRow) float64) float64 {
	if !r.matched {
		return math.NaN()
	}
	return get(r.sp)
}

// voicedMask samples the pitch every 10 ms and widens each voiced sample by
// 15 frames (0.15 s) to both sides.
func (m *measures) voicedMask() []bool {
	var raw []bool
	for i := 0; float64(i)*pitchStep < m.duration; i++ {
		v := m.pitch.ValueAtTime(float64(i) * pitchStep)
		raw = append(raw, finite(v) && v > 0)
	}
	const widen = 15
	mask := make([]bool, len(raw))
	for i, v := range raw {
		if v {
			for k := max(0, i-widen); k <= min(len(raw)-1, i+widen); k++ {
				mask[k] = true
			}
		}
	}
	return mask
}

// pauseLowMinS is the shortest pause-free stretch reported as pause_low.
const pauseLowMinS = 10.0

func grouped(rows []mergedRow, mask []bool, soundingRuns [][2]float64) Grouped {
	g := Grouped{
		TremorEvents: tremorEvents(rows, mask),
		SpeedFast:    []Span{},
		SpeedSlow:    []Span{},
		PauseLow:     []Span{},
		PauseHigh:    []Span{},
	}
	n := len(rows)
	artic := make([]float64, n)
	pause := make([]float64, n)
	for i, r := range rows {
		artic[i] = r.speedValue(func(s speedRow) float64 { return s.sps })
		pause[i] = r.speedValue(func(s speedRow) float64 { return s.pauseRatio })
	}
	articSm := rollingMedian(artic, 3, 3)
	pauseSm := rollingMedian(pause, 3, 3)
	voiced := func(i int) float64 { return rows[i].speedValue(func(s speedRow) float64 { return s.voicedRatio }) }
	g.SpeedFast = spans(rows, hysteresis(n, articSm,
		func(i int) bool { return articSm[i] > 6.1 && pauseSm[i] < 0.26 && voiced(i) >= 0.65 },
		func(i int) bool { return articSm[i] < 5.6 }), 1.0, 0.5)
	g.SpeedSlow = spans(rows, hysteresis(n, articSm,
		func(i int) bool { return articSm[i] < 2.6 && pauseSm[i] > 0.25 && voiced(i) >= 0.65 },
		func(i int) bool { return articSm[i] > 3.2 }), 1.0, 0.5)
	g.PauseHigh = spans(rows, runsWhere(n, func(i int) bool { return pause[i] > 0.35 }), 0, -1)
	// Fixed: pause_low was always empty in the seed. The seed's pause ratio
	// (frames 6 dB below a 96-ms rolling median) is near 0 in any fluent
	// speech, so it cannot say when pauses are missing; instead pause_low
	// marks sounding stretches of at least 10 s with no pause of 250 ms,
	// i.e. talking on without a breath.
	for _, iv := range soundingRuns {
		if iv[1]-iv[0] < pauseLowMinS {
			continue
		}
		var inside [][2]int
		for i, r := range rows {
			if r.start >= iv[0]-0.25 && r.end <= iv[1]+0.25 {
				if len(inside) == 0 {
					inside = append(inside, [2]int{i, i})
				}
				inside[0][1] = i
			}
		}
		for _, s := range spans(rows, inside, 0, -1) {
			s.Start, s.End = roundTo(iv[0], 2), roundTo(iv[1], 2)
			g.PauseLow = append(g.PauseLow, s)
		}
	}
	return g
}

// hysteresis returns [first, last] row runs that start where enter holds
// and continue until exit holds (exclusive) or the rate is NaN.
func hysteresis(n int, rate []float64, enter, exit func(int) bool) [][2]int {
	var runs [][2]int
	start := -1
	for i := range n {
		if start >= 0 && (math.IsNaN(rate[i]) || exit(i)) {
			runs = append(runs, [2]int{start, i - 1})
			start = -1
		}
		if start < 0 && !math.IsNaN(rate[i]) && enter(i) {
			start = i
		}
	}
	if start >= 0 {
		runs = append(runs, [2]int{start, n - 1})
	}
	return runs
}

func runsWhere(n int, ok func(int) bool) [][2]int {
	var runs [][2]int
	start := -1
	for i := range n {
		if ok(i) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			runs = append(runs, [2]int{start, i - 1})
			start = -1
		}
	}
	if start >= 0 {
		runs = append(runs, [2]int{start, n - 1})
	}
	return runs
}

// spans keeps runs lasting at least minDur seconds, merges those separated
// by at most maxGap seconds (no merging when maxGap < 0) and summarises them.
func spans(rows []mergedRow, runs [][2]int, minDur, maxGap float64) []Span {
	var kept [][2]int
	for _, r := range runs {
		if rows[r[1]].end-rows[r[0]].start >= minDur {
			kept = append(kept, r)
		}
	}
	if maxGap >= 0 {
		var merged [][2]int
		for _, r := range kept {
			if k := len(merged); k > 0 && rows[r[0]].start-rows[merged[k-1][1]].end <= maxGap {
				merged[k-1][1] = r[1]
				continue
			}
			merged = append(merged, r)
		}
		kept = merged
	}
	out := []Span{}
	for _, r := range kept {
		var sps, pr []float64
		for i := r[0]; i <= r[1]; i++ {
			sps = append(sps, rows[i].speedValue(func(s speedRow) float64 { return s.sps }))
			pr = append(pr, rows[i].speedValue(func(s speedRow) float64 { return s.pauseRatio }))
		}
		med := roundTo(nanmedian(sps), 2)
		out = append(out, Span{
			Start: roundTo(rows[r[0]].start, 2), End: roundTo(rows[r[1]].end, 2),
			SpeakingMed: Num(med), ArticMed: Num(med), PauseMed: Num(roundTo(nanmedian(pr), 2)),
		})
	}
	return out
}

func tremorEvents(rows []mergedRow, mask []bool) []TremorEvent {
	n := len(rows)
	scores := make([]float64, n)
	for i, r := range rows {
		scores[i] = r.score
	}
	baseline := rollingMedian(scores, 8, 3) // k = max(1, ⌊4.0/0.5⌋)
	bmed := nanmedian(baseline)
	z := make([]float64, n)
	valid := make([]bool, n)
	for i, r := range rows {
		b := baseline[i]
		if b == 0 {
			b = bmed
		}
		z[i] = scores[i] / b
		if len(mask) > 0 {
			k := int(math.Floor(r.centre() / pitchStep))
			k = max(0, min(len(mask)-1, k))
			valid[i] = mask[k]
		}
	}
	var runs [][2]int
	start, streak := -1, 0
	closeRun := func(last int) {
		if last >= start && rows[last].end-rows[start].start >= 0.6 {
			runs = append(runs, [2]int{start, last})
		}
		start = -1
	}
	for i := range n {
		ok := valid[i] && !math.IsNaN(z[i])
		if start >= 0 {
			if !ok || z[i] < 0.6 {
				closeRun(i - 1)
				streak = 0
				continue
			}
			continue
		}
		if ok && z[i] >= 1.10 {
			streak++
			if streak >= 3 {
				start = i - 2
			}
		} else {
			streak = 0
		}
	}
	if start >= 0 {
		closeRun(n - 1)
	}
	var merged [][2]int
	for _, r := range runs {
		if k := len(merged); k > 0 && rows[r[0]].start-rows[merged[k-1][1]].end <= 0.3 {
			merged[k-1][1] = r[1]
			continue
		}
		merged = append(merged, r)
	}
	events := []TremorEvent{}
	for _, r := range merged {
		var ts, js, ss, hs, zs []float64
		for i := r[0]; i <= r[1]; i++ {
			ts = append(ts, scores[i])
			js = append(js, rows[i].jitter)
			ss = append(ss, rows[i].shimmer)
			hs = append(hs, rows[i].hnr)
			zs = append(zs, z[i])
		}
		maxOf := func(xs []float64) float64 {
			m := math.NaN()
			for _, x := range xs {
				if !math.IsNaN(x) && (math.IsNaN(m) || x > m) {
					m = x
				}
			}
			return m
		}
		events = append(events, TremorEvent{
			Start: roundTo(rows[r[0]].start, 2), End: roundTo(rows[r[1]].end, 2),
			TremorMed: Num(roundTo(nanmedian(ts), 3)), TremorMax: Num(roundTo(maxOf(ts), 3)),
			JitterMedPct: Num(roundTo(nanmedian(js), 2)), ShimmerMedPct: Num(roundTo(nanmedian(ss), 2)),
			HNRMedDB: Num(roundTo(nanmedian(hs), 1)), ZMax: Num(roundTo(maxOf(zs), 2)),
		})
	}
	return events
}
