package feedback

import (
	"fmt"
	"slices"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// parts are the analyses a Summary covers, in the order it lists them.
var parts = []nevermind.Part{nevermind.Voice, nevermind.Vision, nevermind.Transcript, nevermind.Content}

// Input is everything known about one recorded answer. Any subset of the
// analyses may be nil: the summary then covers what is there and marks the
// rest unavailable (or failed, when Failed says why).
type Input struct {
	// Voice is the voice analysis (vocal.Analyze); with Options.Series it
	// also feeds report.HTML's pitch and loudness plots.
	Voice *vocal.Report
	// Vision is the video analysis (vision.Analyze); with
	// vision.AnalyzeOptions.Series it also feeds report.HTML's eye-contact
	// and posture plots. Summarize only reads it.
	Vision *vision.Report
	// Transcript is the speech-to-text result; its language picks the
	// speaking-rate norm.
	Transcript *stt.Transcript
	// Content is the answer's evaluation (questions.Evaluate).
	Content *questions.Evaluation
	// Duration is the recording's length in seconds; 0 takes it from the
	// voice report or the transcript.
	Duration float64
	// Failed maps each part (nevermind.Voice, Vision, Transcript, Content)
	// whose analysis failed to its error. The summary reports the part as
	// failed, with the error's text as the reason, instead of silently
	// leaving it out.
	Failed nevermind.Failures
}

// Options tune Summarize. The zero value writes Korean as the primary
// language and compares with no history.
type Options struct {
	// Language is the primary language of the summary, "ko" (the default
	// for "") or "en". Both languages are always produced; this one is
	// Summary.Language, which renderers show.
	Language string
	// History holds the user's earlier summaries, oldest first. With it the
	// summary gains Progress.
	History []Summary
}

// Text is a sentence or label in both languages.
type Text struct {
	Ko string `json:"ko"` // Korean
	En string `json:"en"` // English
}

// In returns the text in lang ("en" gives English, anything else Korean).
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.En
	}
	return t.Ko
}

// Status says whether a part contributed to the summary.
type Status string

// The statuses of a part.
const (
	StatusOK          Status = "ok"          // analysed and used
	StatusUnavailable Status = "unavailable" // not run, or not enough signal (Reason says which)
	StatusFailed      Status = "failed"      // the analysis failed (Reason says why)
)

// PartStatus is one part's status. In JSON a part is a "modality", the name the
// server's stored feedback documents have always used.
type PartStatus struct {
	Part   nevermind.Part `json:"modality"`        // voice, vision, transcript or content
	Status Status         `json:"status"`          // ok, unavailable or failed
	Reason Text           `json:"reason,omitzero"` // why it is unavailable or failed
}

// notAnalysed is the reason of a part no input covered.
var notAnalysed = Text{Ko: "분석하지 않음", En: "not analysed"}

// Metric is one scored measure of the answer.
type Metric struct {
	ID         string         `json:"id"`          // e.g. "pace", "pauses", "star"; unique within a summary
	Part       nevermind.Part `json:"modality"`    // the analysis it comes from
	Label      Text           `json:"label"`       // the metric's name
	Score      int            `json:"score"`       // 0–100
	Grade      Grade          `json:"grade"`       // good, fair or needs_work
	GradeLabel Text           `json:"grade_label"` // 양호 / 보통 / 개선필요, good / fair / needs work
	// Value is the measure the score is computed from, in Unit; progress
	// compares it across sessions.
	Value float64 `json:"value"`
	Unit  string  `json:"unit"` // e.g. wpm, syllables_per_s, count, percent, rubric_1_5
	// Target is the range the score treats as good, e.g. "3.8–5.3".
	Target string `json:"target"`
	// Evidence holds the numbers behind the score (always finite).
	Evidence map[string]float64 `json:"evidence"`
	// Finding describes what was measured, with numbers.
	Finding Text `json:"finding"`
	// Meaning explains what the metric is and why it matters.
	Meaning Text `json:"meaning"`
	// Note is free text from the analysis that produced the metric (the
	// evaluator's reason for a content score), in that analysis' language.
	Note string `json:"note,omitempty"`
	// Weight is the metric's share of OverallScore (the weights of a
	// summary add up to 1).
	Weight float64 `json:"weight"`
}

// Practice is one thing to practise next.
type Practice struct {
	Metric string `json:"metric"` // the Metric.ID it improves
	Text   Text   `json:"text"`   // the exercise, in both languages
}

// Summary is the feedback on one answer. Its JSON form is what
// `nevermind analyze --json` prints under "feedback"; it never holds NaN.
type Summary struct {
	Language string  `json:"language"`   // primary language, "ko" or "en"
	Duration float64 `json:"duration_s"` // length of the answer in seconds
	// OverallScore is the weighted mean of the metric scores (see the
	// package doc for the weights), or null when no metric was measured.
	OverallScore *int         `json:"overall_score"`
	OverallGrade Grade        `json:"overall_grade,omitempty"` // grade of OverallScore; absent without a score
	Parts        []PartStatus `json:"modalities"`              // every part, in the order voice, vision, transcript, content
	Metrics      []Metric     `json:"metrics"`                 // every metric measured
	// Timeline is every problem moment across modalities, sorted by start;
	// moments that overlap in time are merged into one with several reasons.
	Timeline []Moment `json:"timeline"`
	// Text is 2–4 sentences that describe the answer with numbers.
	Text Text `json:"summary"`
	// Practice is the one to three things most worth practising next.
	Practice []Practice `json:"practice"`
	// Progress compares with Options.History; nil without history.
	Progress *Progress `json:"progress"`
}

// Metric returns the metric with the given ID, or nil.
func (s *Summary) Metric(id string) *Metric {
	for i := range s.Metrics {
		if s.Metrics[i].ID == id {
			return &s.Metrics[i]
		}
	}
	return nil
}

// Status returns the status of part m.
func (s *Summary) Status(m nevermind.Part) PartStatus {
	for _, st := range s.Parts {
		if st.Part == m {
			return st
		}
	}
	return PartStatus{Part: m, Status: StatusUnavailable}
}

// The parts' weights in the overall score; see the package doc for why.
var partWeight = map[nevermind.Part]float64{nevermind.Voice: 0.35, nevermind.Vision: 0.25, nevermind.Content: 0.40}

// Summarize turns the analyses of one answer into scored metrics, one merged
// timeline of problem moments, a short summary in Korean and English, what
// to practise next and, given history, the progress since earlier answers.
func Summarize(in Input, opts Options) (*Summary, error) {
	lang := opts.Language
	switch lang {
	case "":
		lang = "ko"
	case "ko", "en":
	default:
		return nil, fmt.Errorf("%w: %q (want \"ko\" or \"en\")", ErrLanguage, opts.Language)
	}
	if !finite(in.Duration) || in.Duration < 0 {
		return nil, fmt.Errorf("%w: duration %v", ErrInvalidInput, in.Duration)
	}
	failed := map[nevermind.Part]string{}
	for m, err := range in.Failed {
		if !slices.Contains(parts, m) {
			return nil, fmt.Errorf("%w: Failed names %q, not one of voice, vision, transcript, content", ErrInvalidInput, m)
		}
		if err != nil {
			failed[m] = err.Error()
		}
	}
	if in.Voice == nil && in.Transcript == nil && in.Content == nil && !in.hasVision() && len(in.Failed) == 0 {
		return nil, ErrNoInput
	}

	s := &Summary{Language: lang, Duration: round(in.duration(), 2), Metrics: []Metric{}, Practice: []Practice{}}
	status := map[nevermind.Part]PartStatus{}
	for _, m := range parts {
		status[m] = PartStatus{Part: m, Status: StatusUnavailable, Reason: notAnalysed}
	}

	spoken := spokenLanguage(in, lang)
	_, transcriptFailed := failed[nevermind.Transcript]
	words := !transcriptFailed // filler counts may use transcript words
	if in.Voice != nil && !in.Voice.Quality.Sufficient {
		q := in.Voice.Quality
		status[nevermind.Voice] = PartStatus{nevermind.Voice, StatusUnavailable, Text{Ko: q.MessageKo, En: q.Message}}
	}
	if in.Voice != nil && in.Voice.Quality.Sufficient {
		status[nevermind.Voice] = PartStatus{Part: nevermind.Voice, Status: StatusOK}
		s.Metrics = append(s.Metrics, voiceMetrics(in, spoken, s.Duration, words)...)
	} else if f := fillerMetric(in, s.Duration, words); f != nil {
		s.Metrics = append(s.Metrics, *f) // counted in the transcript, without usable audio
	}
	s.Metrics = append(s.Metrics, visionMetrics(in, status)...)
	if in.Transcript != nil {
		if len(in.Transcript.Words) == 0 && in.Transcript.Text == "" {
			status[nevermind.Transcript] = PartStatus{nevermind.Transcript, StatusUnavailable, Text{Ko: "전사 결과가 비어 있습니다", En: "the transcript is empty"}}
		} else {
			status[nevermind.Transcript] = PartStatus{Part: nevermind.Transcript, Status: StatusOK}
		}
	}
	if in.Content != nil {
		status[nevermind.Content] = PartStatus{Part: nevermind.Content, Status: StatusOK}
		s.Metrics = append(s.Metrics, contentMetrics(in.Content)...)
	}
	if status[nevermind.Transcript].Status != StatusOK {
		for _, m := range s.Metrics {
			if m.Part == nevermind.Transcript { // counted in words the caller passed to vocal or questions
				status[nevermind.Transcript] = PartStatus{Part: nevermind.Transcript, Status: StatusOK}
			}
		}
	}
	for m, why := range failed {
		status[m] = PartStatus{m, StatusFailed, Text{Ko: why, En: why}} // an error says what failed in English
	}
	for _, m := range parts {
		if status[m].Status == StatusFailed {
			s.Metrics = dropPart(s.Metrics, m)
		}
		s.Parts = append(s.Parts, status[m])
	}

	s.OverallScore = weigh(s.Metrics)
	if s.OverallScore != nil {
		s.OverallGrade = GradeOf(*s.OverallScore)
	}
	s.Timeline = mergeTimeline(in, status)
	s.Text = summaryText(s)
	s.Practice = practice(s.Metrics)
	s.Progress = progress(s, opts.History)
	return s, nil
}

func (in Input) duration() float64 {
	switch {
	case in.Duration > 0:
		return in.Duration
	case in.Voice != nil && in.Voice.Quality.DurationS > 0:
		return in.Voice.Quality.DurationS
	case in.Transcript != nil && in.Transcript.Duration > 0:
		return in.Transcript.Duration
	case in.Vision != nil && in.Vision.Duration > 0:
		return in.Vision.Duration
	}
	return 0
}

// spokenLanguage is the language of the answer itself, which picks the
// speaking-rate norm: the transcript's, else the evaluation's, else the
// summary's.
func spokenLanguage(in Input, fallback string) string {
	for _, l := range []string{transcriptLanguage(in.Transcript), contentLanguage(in.Content)} {
		if len(l) >= 2 && (l[:2] == "ko" || l[:2] == "en") {
			return l[:2]
		}
	}
	return fallback
}

func transcriptLanguage(t *stt.Transcript) string {
	if t == nil {
		return ""
	}
	switch t.Language {
	case "korean":
		return "ko"
	case "english":
		return "en"
	}
	return t.Language
}

func contentLanguage(e *questions.Evaluation) string {
	if e == nil {
		return ""
	}
	return e.Language
}

func dropPart(ms []Metric, m nevermind.Part) []Metric {
	out := ms[:0]
	for _, x := range ms {
		if x.Part != m {
			out = append(out, x)
		}
	}
	return out
}

// weightGroup is the modality whose share a metric takes: fillers counted
// from the transcript are delivery, like the voice metrics.
func weightGroup(m nevermind.Part) nevermind.Part {
	if m == nevermind.Transcript {
		return nevermind.Voice
	}
	return m
}

// weigh sets each metric's Weight and returns the weighted mean score. A
// modality weighs in proportion to how much of it was measured (the sum of
// its present metrics' weights, which add up to 1 when all are there), so a
// lone metric does not take a whole modality's share; the weights are then
// renormalised to add up to 1.
func weigh(ms []Metric) *int {
	present := map[nevermind.Part]float64{}
	for _, m := range ms {
		present[weightGroup(m.Part)] += metricWeight[m.ID]
	}
	var total float64
	for mod, w := range present {
		total += partWeight[mod] * w
	}
	if total == 0 {
		return nil
	}
	var sum float64
	for i := range ms {
		m := &ms[i]
		w := partWeight[weightGroup(m.Part)] * metricWeight[m.ID] / total
		m.Weight = round(w, 4)
		sum += w * float64(m.Score)
	}
	score := clampScore(sum)
	return &score
}

// clean drops non-finite values so evidence never carries NaN into JSON.
func clean(e map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(e))
	for k, v := range e {
		if finite(v) {
			out[k] = v
		}
	}
	return out
}
