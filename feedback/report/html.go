package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
)

//go:embed report.html
var pageSource string

// page is parsed once per call; templates are cheap to parse and this keeps
// the package free of package-level mutable state.
func parsePage() (*template.Template, error) {
	return template.New("report").Parse(pageSource)
}

type pageData struct {
	Lang, Title, Heading  string
	Score                 bool
	ScoreText, GradeText  string
	RingColor, RingDash   string
	DurationText, Summary string
	Practice              []string
	Plots                 []plot
	Moments               []momentView
	Metrics               []metricView
	Progress              []progressView
	Statuses              []statusView
	Shares                string // how the overall score weighs each analysis
	Text                  map[string]string
}

type momentView struct {
	N        int
	From, To string
	Reasons  []reasonView
}

type reasonView struct{ Modality, ModalityLabel, Text string }

type metricView struct {
	ID, Label, GradeLabel, Finding, Meaning, Target, Note string
	Grade                                                 feedback.Grade
	Score                                                 int
	Weight                                                string
	Evidence                                              []kv
}

type kv struct{ K, V string }

type progressView struct {
	Label, From, To, Status, StatusText, Trend string
	Spark                                      string // SVG path of the scores across sessions
}

type statusView struct{ Name, Status, Reason string }

var gradeColor = map[feedback.Grade]string{feedback.Good: "#1f8a5b", feedback.Fair: "#c98a10", feedback.NeedsWork: "#c2410c"}

// HTML writes a self-contained HTML report: no scripts and no external
// assets, only inline CSS and SVG. It plots the pitch contour and loudness
// with long pauses shaded (when the voice report was made with
// vocal.Options.Series), the problem moments of every analysis on the same
// time axis, and shows the metric cards, the summary, the practice list,
// progress and the status of each analysis. in supplies the series; the
// summary should come from Summarize(in, …).
func HTML(w io.Writer, s *feedback.Summary, in feedback.Input, opts Options) error {
	lang, err := opts.check(s)
	if err != nil {
		return err
	}
	tpl, err := parsePage()
	if err != nil {
		return fmt.Errorf("report: template: %w", err)
	}
	d := pageData{Lang: lang, Title: opts.Title, Heading: t("heading", lang), Summary: s.Text.In(lang), Text: map[string]string{}}
	for k, v := range ui {
		d.Text[k] = v.In(lang)
	}
	d.ScoreText, d.GradeText = "–", t("no_score", lang)
	if s.OverallScore != nil {
		sc := *s.OverallScore
		d.Score = true
		d.ScoreText, d.GradeText = fmt.Sprint(sc), s.OverallGrade.Label().In(lang)
		d.RingColor = gradeColor[s.OverallGrade]
		circ := 2 * math.Pi * 50
		d.RingDash = fmt.Sprintf("%.1f %.1f", circ*float64(sc)/100, circ)
	}
	dur := s.Duration
	if dur <= 0 {
		dur = 1
		for _, m := range s.Timeline {
			dur = math.Max(dur, m.End)
		}
	}
	d.DurationText = fmt.Sprintf(t("seconds", lang), s.Duration)
	for _, p := range s.Practice {
		d.Practice = append(d.Practice, p.Text.In(lang))
	}
	d.Plots = append(voicePlots(s, in, dur, lang), visionPlots(s, in, dur, lang)...)
	d.Plots = append(d.Plots, momentsPlot(s, dur, lang))
	for i, m := range s.Timeline {
		mv := momentView{N: i + 1, From: clock(m.Start), To: clock(m.End)}
		for _, r := range m.Reasons {
			mv.Reasons = append(mv.Reasons, reasonView{string(r.Part), ui[string(r.Part)].In(lang), r.Text.In(lang)})
		}
		d.Moments = append(d.Moments, mv)
	}
	for _, m := range s.Metrics {
		mv := metricView{ID: m.ID, Label: m.Label.In(lang), GradeLabel: m.GradeLabel.In(lang), Finding: m.Finding.In(lang),
			Meaning: m.Meaning.In(lang), Target: m.Target + unitText(m.Unit, lang), Note: m.Note, Grade: m.Grade, Score: m.Score,
			Weight: fmt.Sprintf("%.0f%%", 100*m.Weight)}
		keys := make([]string, 0, len(m.Evidence))
		for k := range m.Evidence {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			mv.Evidence = append(mv.Evidence, kv{k, num(m.Evidence[k])})
		}
		d.Metrics = append(d.Metrics, mv)
	}
	d.Shares = shares(s, lang)
	if p := s.Progress; p != nil {
		labels := map[string]string{"overall": t("overall", lang)}
		for _, m := range s.Metrics {
			labels[m.ID] = m.Label.In(lang)
		}
		changes := p.Metrics
		if p.Overall != nil {
			changes = append([]feedback.Change{*p.Overall}, changes...)
		}
		for _, c := range changes {
			pv := progressView{Label: labels[c.Metric], From: num(c.Previous), To: num(c.Current) + unitText(c.Unit, lang),
				Status: c.Status, StatusText: statusWord(c.Status, lang), Trend: trendWord(c.Trend, lang)}
			pv.Spark = spark(c.Scores)
			d.Progress = append(d.Progress, pv)
		}
	}
	for _, st := range s.Parts {
		word := map[feedback.Status]string{feedback.StatusOK: t("ok", lang), feedback.StatusFailed: t("failed", lang), feedback.StatusUnavailable: t("unavailable", lang)}[st.Status]
		d.Statuses = append(d.Statuses, statusView{ui[string(st.Part)].In(lang), word, st.Reason.In(lang)})
	}
	if err := tpl.Execute(w, d); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// unitText is a unit as people write it after a number ("" for counts and
// ratios).
func unitText(unit, lang string) string {
	u := map[string]feedback.Text{
		"wpm": {Ko: " 단어/분", En: " wpm"}, "syllables_per_s": {Ko: " 음절/초", En: " syll/s"},
		"semitones": {Ko: " 반음", En: " st"}, "percent": {Ko: "%", En: "%"}, "s": {Ko: "초", En: " s"},
		"deg_per_s": {Ko: "°/초", En: "°/s"}, "per_100_words": {Ko: " /100단어", En: " /100 words"},
		"per_minute": {Ko: " /분", En: " /min"}, "rubric_1_5": {Ko: " /5", En: " /5"},
	}[unit]
	return u.In(lang)
}

// spark draws scores (0–100) as a 120×28 line, oldest on the left.
func spark(scores []int) string {
	if len(scores) < 2 {
		return ""
	}
	var b strings.Builder
	for i, sc := range scores {
		x := 4 + 112*float64(i)/float64(len(scores)-1)
		y := 24 - 20*float64(max(0, min(100, sc)))/100
		if i == 0 {
			b.WriteString("M")
		} else {
			b.WriteString("L")
		}
		b.WriteString(f1(x) + " " + f1(y))
	}
	return b.String()
}

// shares says how much each analysis weighs in the overall score, from the
// metrics' weights.
func shares(s *feedback.Summary, lang string) string {
	sum := map[nevermind.Part]float64{}
	for _, m := range s.Metrics {
		g := m.Part
		if g == nevermind.Transcript {
			g = nevermind.Voice // transcript fillers weigh as delivery
		}
		sum[g] += m.Weight
	}
	var parts []string
	for _, m := range []nevermind.Part{nevermind.Voice, nevermind.Vision, nevermind.Content} {
		if sum[m] > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", ui[string(m)].In(lang), 100*sum[m]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf(ui["shares"].In(lang), strings.Join(parts, " · "))
}

func statusWord(s, lang string) string {
	return map[string]feedback.Text{
		"improved": {Ko: "좋아짐", En: "improved"}, "worsened": {Ko: "나빠짐", En: "worsened"},
		"unchanged": {Ko: "변화 없음", En: "unchanged"}, "changed": {Ko: "달라짐", En: "changed"},
	}[s].In(lang)
}

func trendWord(s, lang string) string {
	return map[string]feedback.Text{
		"improving": {Ko: "추세: 좋아지는 중", En: "trend: improving"}, "worsening": {Ko: "추세: 나빠지는 중", En: "trend: worsening"},
		"steady": {Ko: "추세: 일정", En: "trend: steady"},
	}[s].In(lang)
}

// num prints a value with as few decimals as it needs (up to three).
func num(x float64) string {
	s := fmt.Sprintf("%.3f", x)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
