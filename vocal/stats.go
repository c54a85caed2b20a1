package vocal

import (
	"math"
	"slices"
	"strconv"
)

// roundTo rounds like Python's round(x, n): the exact binary value is
// rounded correctly to n decimals, ties to even. strconv does exactly that,
// whereas math.Round(x*1e3)/1e3 differs on a few values.
func roundTo(x float64, n int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', n, 64), 64)
	return v
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// median is numpy.median: NaN if any value is NaN, NaN for no values.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	for _, x := range xs {
		if math.IsNaN(x) {
			return math.NaN()
		}
	}
	return percentileSorted(sortedCopy(xs), 50)
}

// nanmedian is numpy.nanmedian: the median of the non-NaN values.
func nanmedian(xs []float64) float64 { return median(dropNaN(xs)) }

func dropNaN(xs []float64) []float64 {
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}

func sortedCopy(xs []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

// percentile is numpy.percentile with linear interpolation (q in 0..100).
func percentile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return percentileSorted(sortedCopy(xs), q)
}

func percentileSorted(s []float64, q float64) float64 {
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	pos := q / 100 * float64(n-1)
	lo := int(math.Floor(pos))
	if lo >= n-1 {
		return s[n-1]
	}
	frac := pos - float64(lo)
	return s[lo] + (s[lo+1]-s[lo])*frac
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// std is numpy.std (population, ddof 0).
func std(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := mean(xs)
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return math.Sqrt(ss / float64(len(xs)))
}

func clip(x, lo, hi float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	return math.Max(lo, math.Min(hi, x))
}

// rollingMedian is pandas' Series.rolling(window, center=True,
// min_periods).median() followed by bfill() and ffill(): the window of
// position i spans [i-window/2, i+(window-1)/2] clipped to the series, NaNs
// are skipped, and windows with fewer than minPeriods values are NaN before
// the fills.
func rollingMedian(xs []float64, window, minPeriods int) []float64 {
	n := len(xs)
	out := make([]float64, n)
	offset := (window - 1) / 2
	buf := make([]float64, 0, window)
	for i := range n {
		end := min(n, i+1+offset)
		start := max(0, i+1+offset-window)
		buf = buf[:0]
		for _, x := range xs[start:end] {
			if !math.IsNaN(x) {
				buf = append(buf, x)
			}
		}
		if len(buf) < minPeriods {
			out[i] = math.NaN()
			continue
		}
		slices.Sort(buf)
		out[i] = percentileSorted(buf, 50)
	}
	fillNaN(out)
	return out
}

// fillNaN back-fills then forward-fills NaNs in place.
func fillNaN(xs []float64) {
	next := math.NaN()
	for i := len(xs) - 1; i >= 0; i-- {
		if math.IsNaN(xs[i]) {
			xs[i] = next
		} else {
			next = xs[i]
		}
	}
	prev := math.NaN()
	for i := range xs {
		if math.IsNaN(xs[i]) {
			xs[i] = prev
		} else {
			prev = xs[i]
		}
	}
}

// interpGaps replaces NaN and non-positive values by linear interpolation
// over the index, holding the end values (numpy.interp), as the seed does
// before measuring F0 modulation. It returns false if no value is usable.
func interpGaps(xs []float64) bool {
	var idx []int
	for i, x := range xs {
		if finite(x) && x > 0 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return false
	}
	first, last := idx[0], idx[len(idx)-1]
	for i := 0; i < first; i++ {
		xs[i] = xs[first]
	}
	for i := last + 1; i < len(xs); i++ {
		xs[i] = xs[last]
	}
	for k := 0; k+1 < len(idx); k++ {
		a, b := idx[k], idx[k+1]
		for i := a + 1; i < b; i++ {
			xs[i] = xs[a] + (xs[b]-xs[a])*float64(i-a)/float64(b-a)
		}
	}
	return true
}

// linearSlope is the least-squares slope of y against x (numpy.polyfit deg 1).
func linearSlope(x, y []float64) float64 {
	mx, my := mean(x), mean(y)
	var num, den float64
	for i := range x {
		num += (x[i] - mx) * (y[i] - my)
		den += (x[i] - mx) * (x[i] - mx)
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// windows is the seed's window helper: from t=0 while t < D-1e-9 emit
// (t, min(D, t+win)) and advance by hop, so the last windows are shorter.
func windows(d, win, hop float64) [][2]float64 {
	var out [][2]float64
	for t := 0.0; t < d-1e-9; t += hop {
		out = append(out, [2]float64{t, math.Min(d, t+win)})
	}
	return out
}
