package feedback

import "math"

// Grade is the three-step rating of a score, the seed's 양호 / 보통 / 개선필요
// family (≥ 80, ≥ 60, below).
type Grade string

// The grades, from best to worst.
const (
	Good      Grade = "good"       // 양호: score ≥ 80
	Fair      Grade = "fair"       // 보통: score 60–79
	NeedsWork Grade = "needs_work" // 개선필요: score < 60
)

// GradeOf rates a 0–100 score with the seed's bands (see [Grade]).
func GradeOf(score int) Grade {
	switch {
	case score >= 80:
		return Good
	case score >= 60:
		return Fair
	}
	return NeedsWork
}

// Label is the grade as the seed printed it in Korean and its English
// equivalent.
func (g Grade) Label() Text {
	switch g {
	case Good:
		return Text{Ko: "양호", En: "good"}
	case Fair:
		return Text{Ko: "보통", En: "fair"}
	case NeedsWork:
		return Text{Ko: "개선필요", En: "needs work"}
	}
	return Text{}
}

// band is a target range for a measure and how far outside it a value may
// stray before it needs work. Inside [lo, hi] the score runs from 80 at the
// edges to 100 at the centre; outside it falls 20 points per tolerance, so a
// value one tolerance outside the band scores 60, the needs-work boundary.
type band struct {
	lo, hi       float64
	tolLo, tolHi float64
}

func (b band) score(x float64) int {
	var s float64
	switch {
	case x < b.lo:
		s = 80 - 20*(b.lo-x)/b.tolLo
	case x > b.hi:
		s = 80 - 20*(x-b.hi)/b.tolHi
	case b.hi == b.lo:
		s = 100
	default:
		mid, half := (b.lo+b.hi)/2, (b.hi-b.lo)/2
		s = 100 - 20*math.Abs(x-mid)/half
	}
	return clampScore(s)
}

// atMost is a band for measures where less is better: 100 at zero, 80 at
// good, 60 at good+tol.
func atMost(good, tol float64) band { return band{lo: -good, hi: good, tolLo: 1, tolHi: tol} }

func clampScore(s float64) int {
	if math.IsNaN(s) {
		return 0
	}
	return int(math.RoundToEven(math.Max(0, math.Min(100, s))))
}

// round rounds to dp decimals; a value too large to scale is returned as
// it is rather than overflowing to infinity.
func round(x float64, dp int) float64 {
	p := math.Pow(10, float64(dp))
	if !finite(x * p) {
		return x
	}
	return math.RoundToEven(x*p) / p
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
