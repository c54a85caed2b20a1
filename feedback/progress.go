package feedback

import (
	"fmt"
	"math"
)

// Progress compares a summary with the user's earlier ones.
type Progress struct {
	// Sessions is the number of earlier summaries compared with.
	Sessions int `json:"sessions"`
	// Overall compares the overall score; nil when either side has none.
	Overall *Change  `json:"overall"`
	Metrics []Change `json:"metrics"` // one per metric measured now and before
}

// Change is one metric's change since the previous session that measured it,
// and its trend across all sessions.
type Change struct {
	Metric   string  `json:"metric"`   // Metric.ID, or "overall"
	Unit     string  `json:"unit"`     // Metric.Unit, or "score"
	Previous float64 `json:"previous"` // value in the previous session that measured it
	Current  float64 `json:"current"`  // value now
	Delta    float64 `json:"delta"`    // Current − Previous
	// JND is the just-noticeable difference: a smaller change is reported
	// as unchanged. When JNDRelative is true it is a fraction of Previous.
	JND           float64 `json:"jnd"`
	JNDRelative   bool    `json:"jnd_relative"`
	PreviousScore int     `json:"previous_score"` // score in the previous session
	Score         int     `json:"score"`          // score now
	// Status is "improved", "worsened", "unchanged" (below the JND) or
	// "changed" (beyond the JND, at the same score).
	Status string `json:"status"`
	// Trend over every session with the metric, when there are at least
	// three: "improving", "worsening" or "steady".
	Trend  string `json:"trend,omitempty"`
	Points int    `json:"points"` // sessions with this metric, this one included
	// Values are the metric's values in those sessions, oldest first, this
	// one last; Scores their scores.
	Values []float64 `json:"values"`
	Scores []int     `json:"scores"`
	Text   Text      `json:"text"` // the change in words
}

// jnds are the smallest changes worth reporting, by metric. pace: 10 %, about
// Quené's just noticeable difference for speech tempo. The others are ours,
// set at about a third to a half of the distance between two grade
// boundaries: 0.5 st of pitch variation (the monotone–lively gap is 1 st),
// one pause over 2.5 s, one filler per 100 words or per minute, 10 % of
// phrases trailing off, 0.1 of the tremor index, one rubric point, 5
// percentage points of eye contact, smiling or posture (a quarter of a grade
// band), 1 s of the longest look-away, 1°/s of head movement. A metric not
// listed compares scores with a JND of 5 points.
var jnds = map[string]struct {
	v   float64
	rel bool
}{
	"pace": {0.10, true}, "pitch_variation": {0.5, false}, "pauses": {1, false}, "fillers": {1, false},
	"trailing_off": {0.1, false}, "tremor": {0.1, false},
	"eye_contact": {5, false}, "smile": {5, false}, "posture": {5, false}, "look_away": {1, false}, "head_stability": {1, false},
	"star": {1, false}, "specificity": {1, false}, "structure": {1, false}, "relevance": {1, false}, "length": {1, false},
}

const scoreJND = 5

func progress(s *Summary, history []Summary) *Progress {
	if len(history) == 0 {
		return nil
	}
	p := &Progress{Sessions: len(history), Metrics: []Change{}}
	for _, m := range s.Metrics {
		var vals []float64
		var scores []int
		for _, h := range history {
			if hm := h.Metric(m.ID); hm != nil && hm.Unit == m.Unit && finite(hm.Value) {
				vals, scores = append(vals, hm.Value), append(scores, hm.Score)
			}
		}
		if len(vals) == 0 {
			continue
		}
		vals, scores = append(vals, m.Value), append(scores, m.Score)
		j, ok := jnds[m.ID]
		if !ok {
			// compare scores instead of values
			fv := make([]float64, len(scores))
			for i, sc := range scores {
				fv[i] = float64(sc)
			}
			vals, j = fv, struct {
				v   float64
				rel bool
			}{scoreJND, false}
		}
		c := change(m.ID, m.Unit, vals, scores, j.v, j.rel)
		c.Text = changeText(m.Label, c)
		p.Metrics = append(p.Metrics, c)
	}
	var ov []float64
	var os []int
	for _, h := range history {
		if h.OverallScore != nil {
			ov, os = append(ov, float64(*h.OverallScore)), append(os, *h.OverallScore)
		}
	}
	if len(ov) > 0 && s.OverallScore != nil {
		ov, os = append(ov, float64(*s.OverallScore)), append(os, *s.OverallScore)
		c := change("overall", "score", ov, os, scoreJND, false)
		c.Text = changeText(Text{"종합 점수", "Overall score"}, c)
		p.Overall = &c
	}
	return p
}

func change(id, unit string, vals []float64, scores []int, jnd float64, rel bool) Change {
	n := len(vals)
	prev, cur := vals[n-2], vals[n-1]
	c := Change{
		Metric: id, Unit: unit, Previous: prev, Current: cur, Delta: round(cur-prev, 4),
		JND: jnd, JNDRelative: rel, PreviousScore: scores[n-2], Score: scores[n-1], Points: n,
		Values: append([]float64(nil), vals...), Scores: append([]int(nil), scores...),
	}
	threshold := func(base float64) float64 {
		if rel {
			return jnd * math.Abs(base)
		}
		return jnd
	}
	switch {
	case math.Abs(cur-prev) < threshold(prev):
		c.Status = "unchanged"
	case c.Score > c.PreviousScore:
		c.Status = "improved"
	case c.Score < c.PreviousScore:
		c.Status = "worsened"
	default:
		c.Status = "changed"
	}
	if n >= 3 {
		fitted := slope(vals) * float64(n-1)
		scoreVals := make([]float64, n)
		for i, s := range scores {
			scoreVals[i] = float64(s)
		}
		ss := slope(scoreVals)
		switch {
		case math.Abs(fitted) < threshold(mean(vals)):
			c.Trend = "steady"
		case ss > 0:
			c.Trend = "improving"
		case ss < 0:
			c.Trend = "worsening"
		default:
			c.Trend = "steady"
		}
	}
	return c
}

// slope is the least-squares slope of ys against 0, 1, 2, …
func slope(ys []float64) float64 {
	n := float64(len(ys))
	mx, my := (n-1)/2, mean(ys)
	var sxy, sxx float64
	for i, y := range ys {
		dx := float64(i) - mx
		sxy += dx * (y - my)
		sxx += dx * dx
	}
	if sxx == 0 {
		return 0
	}
	return sxy / sxx
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

var statusText = map[string]Text{
	"improved":  {"좋아졌습니다", "improved"},
	"worsened":  {"나빠졌습니다", "worsened"},
	"unchanged": {"차이가 알아챌 수 있는 수준보다 작아 그대로입니다", "unchanged (the difference is below what a listener notices)"},
	"changed":   {"달라졌지만 점수는 같습니다", "changed, at the same score"},
}

func changeText(label Text, c Change) Text {
	st := statusText[c.Status]
	return Text{
		Ko: fmt.Sprintf("%s: %s → %s, %s.", label.Ko, num(c.Previous), num(c.Current), st.Ko),
		En: fmt.Sprintf("%s: %s → %s, %s.", label.En, num(c.Previous), num(c.Current), st.En),
	}
}

// num prints a value with as few decimals as it needs (up to two).
func num(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
