package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/vocal"
)

// Plot geometry in SVG user units; the page scales the SVGs to its width.
const (
	plotW      = 960.0
	plotLeft   = 56.0
	plotRight  = 16.0
	plotTop    = 10.0
	plotBottom = 24.0
	maxPoints  = 1200 // per line; enough for a smooth line at plot width
)

// plot is one chart on the shared time axis.
type plot struct {
	ID      string // data-plot attribute, used by tests and CSS
	Title   string
	Unit    string
	Height  float64
	Lines   []line
	Shades  []shade
	Bars    []bar
	YTicks  []tick
	XTicks  []tick
	Empty   string // message shown instead of data
	Marks   []mark
	Legend  []legend
	Caption string
}

// Bottom is the y of the time axis.
func (p plot) Bottom() float64 { return p.Height - plotBottom }

// Inner is the height of the data area.
func (p plot) Inner() float64 { return p.Height - plotBottom - plotTop }

// mark is a numbered label above a moment, matching the moments list.
type mark struct {
	X, Y  float64
	Label string
}

type line struct {
	D     string // SVG path data
	Class string
}

type shade struct {
	X, W  float64
	Class string
	Title string
}

type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type tick struct {
	Pos   float64
	Label string
}

type legend struct {
	Class, Label string
}

// axis maps seconds and values to SVG coordinates.
type axis struct {
	dur        float64
	lo, hi     float64
	top, bot   float64
	left, span float64
}

func newAxis(dur, lo, hi, height float64) axis {
	if hi <= lo {
		hi = lo + 1
	}
	return axis{dur: dur, lo: lo, hi: hi, top: plotTop, bot: height - plotBottom, left: plotLeft, span: plotW - plotLeft - plotRight}
}

func (a axis) x(t float64) float64 { return a.left + a.span*math.Max(0, math.Min(t, a.dur))/a.dur }
func (a axis) y(v float64) float64 {
	v = math.Max(a.lo, math.Min(v, a.hi))
	return a.bot - (a.bot-a.top)*(v-a.lo)/(a.hi-a.lo)
}

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// path draws the points as a line, broken where a value is missing (NaN),
// after thinning to at most maxPoints points by averaging runs.
func path(a axis, pts []vocal.Point) string {
	step := max(1, (len(pts)+maxPoints-1)/maxPoints)
	var sb strings.Builder
	pen := false
	for i := 0; i < len(pts); i += step {
		var sum float64
		n := 0
		for j := i; j < min(i+step, len(pts)); j++ {
			if v := pts[j][1]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				sum += v
				n++
			}
		}
		if n == 0 {
			pen = false
			continue
		}
		t := pts[min(i+step/2, len(pts)-1)][0]
		if pen {
			sb.WriteString("L")
		} else {
			sb.WriteString("M")
		}
		sb.WriteString(f1(a.x(t)) + " " + f1(a.y(sum/float64(n))))
		pen = true
	}
	return sb.String()
}

// timeTicks puts a tick at a round step giving about eight labels.
func timeTicks(a axis) []tick {
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600}
	step := math.Max(steps[len(steps)-1], a.dur/8) // beyond 100 minutes, eight plain ticks
	for _, s := range steps {
		if a.dur/s <= 10 {
			step = s
			break
		}
	}
	var ts []tick
	for t := 0.0; t <= a.dur+1e-9; t += step {
		ts = append(ts, tick{a.x(t), clockShort(t)})
	}
	return ts
}

func clockShort(t float64) string {
	s := int(math.Round(t))
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func valueTicks(a axis, n int, format string) []tick {
	var ts []tick
	for i := 0; i <= n; i++ {
		v := a.lo + (a.hi-a.lo)*float64(i)/float64(n)
		ts = append(ts, tick{a.y(v), fmt.Sprintf(format, v)})
	}
	return ts
}

// range of the finite values, widened by a margin; ok is false when there
// are none.
func valueRange(pts []vocal.Point, lo, hi float64) (float64, float64, bool) {
	var vs []float64
	for _, p := range pts {
		if v := p[1]; !math.IsNaN(v) && !math.IsInf(v, 0) && v >= lo && v <= hi {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, 0, false
	}
	mn, mx := vs[0], vs[0]
	for _, v := range vs {
		mn, mx = math.Min(mn, v), math.Max(mx, v)
	}
	m := (mx - mn) * 0.08
	if span := mx - mn + 2*m; span < minValueSpan {
		m += (minValueSpan - span) / 2
	}
	return mn - m, mx + m, true
}

// minValueSpan is the least span of a value axis (Hz or dB), so that a flat contour, a
// steady tone, gets ticks that read differently.
const minValueSpan = 10

// pauseShades marks the voice report's long pauses (≥ 1 s).
func pauseShades(a axis, r *vocal.Report, lang string) []shade {
	if r == nil || r.Fluency == nil {
		return nil
	}
	var out []shade
	for _, p := range r.Fluency.Pauses.Long {
		out = append(out, shade{X: a.x(p.Start), W: math.Max(1, a.x(p.End)-a.x(p.Start)), Class: "pause",
			Title: fmt.Sprintf(ui["pause_title"].In(lang), p.End-p.Start, clock(p.Start))})
	}
	return out
}

func voicePlots(s *feedback.Summary, in feedback.Input, dur float64, lang string) []plot {
	r := in.Voice
	if r == nil || r.Series == nil {
		msg := ui["no_series"].In(lang)
		if r == nil {
			msg = ui["no_voice"].In(lang)
		}
		return []plot{{ID: "pitch", Title: ui["pitch"].In(lang), Height: 60, Empty: msg}}
	}
	var out []plot
	const h = 170
	if lo, hi, ok := valueRange(r.Series.Pitch, 50, 800); ok {
		a := newAxis(dur, lo, hi, h)
		out = append(out, plot{ID: "pitch", Title: ui["pitch"].In(lang), Unit: "Hz", Height: h,
			Lines: []line{{D: path(a, r.Series.Pitch), Class: "pitch"}}, Shades: pauseShades(a, r, lang),
			YTicks: valueTicks(a, 3, "%.0f"), XTicks: timeTicks(a),
			Legend: []legend{{"pitch", ui["pitch_legend"].In(lang)}, {"pause", ui["pause_legend"].In(lang)}}})
	} else {
		out = append(out, plot{ID: "pitch", Title: ui["pitch"].In(lang), Height: 60, Empty: ui["unvoiced"].In(lang)})
	}
	// Intensity: the floor of digital silence (about −300 dB) would flatten
	// the plot, so the axis starts 50 dB below the loudest frame.
	if lo, hi, ok := valueRange(r.Series.Intensity, -1000, 200); ok {
		lo = math.Max(lo, hi-50)
		a := newAxis(dur, lo, hi, h)
		out = append(out, plot{ID: "intensity", Title: ui["intensity"].In(lang), Unit: "dB", Height: h,
			Lines: []line{{D: path(a, r.Series.Intensity), Class: "intensity"}}, Shades: pauseShades(a, r, lang),
			YTicks: valueTicks(a, 3, "%.0f"), XTicks: timeTicks(a),
			Legend: []legend{{"intensity", ui["intensity_legend"].In(lang)}, {"pause", ui["pause_legend"].In(lang)}}})
	}
	return out
}

// lanes of the moments plot, top to bottom.
var lanes = []nevermind.Part{nevermind.Voice, nevermind.Vision}

func momentsPlot(s *feedback.Summary, dur float64, lang string) plot {
	const laneH, numbers = 30.0, 16.0
	laneTop := plotTop + numbers
	h := laneTop + laneH*float64(len(lanes)) + plotBottom
	a := newAxis(dur, 0, 1, h)
	p := plot{ID: "moments", Title: ui["moments_plot"].In(lang), Height: h, XTicks: timeTicks(a)}
	for i, m := range lanes {
		p.YTicks = append(p.YTicks, tick{laneTop + laneH*(float64(i)+0.5), ui[string(m)].In(lang)})
	}
	for n, mo := range s.Timeline {
		for _, r := range mo.Reasons {
			lane := 0
			for i, m := range lanes {
				if m == r.Part {
					lane = i
				}
			}
			x0, x1 := a.x(r.Start), a.x(r.End)
			y := laneTop + laneH*float64(lane) + 5
			p.Bars = append(p.Bars, bar{X: x0, Y: y, W: math.Max(3, x1-x0), H: laneH - 10, Class: "m-" + string(r.Part),
				Title: fmt.Sprintf("#%d %s–%s %s", n+1, clock(r.Start), clock(r.End), r.Text.In(lang))})
		}
		x := a.x(mo.Start)
		p.Marks = append(p.Marks, mark{X: x, Y: plotTop + 11, Label: strconv.Itoa(n + 1)})
	}
	if len(s.Timeline) == 0 {
		p.Caption = ui["none"].In(lang)
	}
	return p
}
